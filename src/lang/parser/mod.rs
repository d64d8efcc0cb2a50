//! Recursive-descent parser of the C subset, with precedence climbing for
//! expressions.
//!
//! Errors are collected as `Diagnostic`s: after an error the parser skips to
//! the next `;` or to the `}` closing the current construct and goes on, so one
//! parse reports several errors (at most `MAX_ERRORS`). Nesting is limited to
//! `MAX_DEPTH` levels so that no input can overflow the stack.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod decl;
mod expr;
mod stmt;

use super::ast::*;
use super::diag::{Diagnostic, MAX_ERRORS};
use super::lexer::{lex, Tok, Token};

/// Nesting of statements and expressions, at most.
pub const MAX_DEPTH: usize = 256;

/// Kernel attributes written as plain identifiers, kept as specifiers.
const ATTRIBUTES: &[&str] = &[
    "notrace",
    "noinline",
    "__noreturn",
    "__always_inline",
    "__init",
    "noinstr",
    "asmlinkage",
    "__sched",
    "__cold",
    "__must_check",
    "__weak",
    "__visible",
    "__latent_entropy",
    "__maybe_unused",
];

/// Typedef names known to be integers.
const INT_TYPEDEFS: &[&str] = &[
    "pid_t",
    "pthread_t",
    "size_t",
    "ssize_t",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "uid_t",
    "gid_t",
    "int8_t",
    "int16_t",
    "int32_t",
    "int64_t",
    "uint8_t",
    "uint16_t",
    "uint32_t",
    "uint64_t",
];

const KNOWN_TYPES_HELP: &str = "help: the types are integers (`int`, `long`, `unsigned`, `bool`, \
     `pid_t`, `u64`, ...), `void` and `struct NAME`, with `*` for pointers";

/// Parses one file.
pub fn parse(file: FileId, text: &str) -> Result<TranslationUnit, Vec<Diagnostic>> {
    let toks = lex(file, text)?;
    let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
    let mut p =
        Parser { file, toks, pos: 0, eof: Span::new(file, end, end), diags: Vec::new(), depth: 0, eof_reported: false };
    let tu = p.translation_unit();
    if p.diags.is_empty() {
        Ok(tu)
    } else {
        p.diags.truncate(MAX_ERRORS);
        Err(p.diags)
    }
}

/// An error was reported; the caller must recover.
#[derive(Debug)]
struct Fail;

type PResult<T> = Result<T, Fail>;

struct Parser {
    file: FileId,
    toks: Vec<Token>,
    pos: usize,
    /// Empty span at the end of the text.
    eof: Span,
    diags: Vec<Diagnostic>,
    depth: usize,
    /// An "unexpected end of file" error was reported (report it once).
    eof_reported: bool,
}

/// "THING is/are not supported by taskcheck's C subset"; `thing` ends with its verb.
fn unsupported(span: Span, thing: &str, help: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(format!("{thing} not supported by taskcheck's C subset"), span, "not supported");
    match help {
        Some(h) => d.with_note(format!("help: {h}")),
        None => d,
    }
}

fn is_type_start(t: &Tok) -> bool {
    use Tok::*;
    match t {
        KwInt | KwLong | KwShort | KwChar | KwUnsigned | KwSigned | KwBool | KwUBool | KwVoid | KwStruct | KwUnion
        | KwEnum | KwFloat | KwDouble | KwConst | KwVolatile => true,
        Ident(n) => INT_TYPEDEFS.contains(&n.as_str()),
        _ => false,
    }
}

fn is_decl_start(t: &Tok) -> bool {
    use Tok::*;
    match t {
        KwStatic | KwInline | KwExtern | KwTypedef => true,
        Ident(n) if ATTRIBUTES.contains(&n.as_str()) || n == "__attribute__" => true,
        _ => is_type_start(t),
    }
}

fn expr(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn stmt(kind: StmtKind, span: Span) -> Stmt {
    Stmt { kind, span }
}

/// Declaration specifiers and the base type they name.
struct DeclSpecs {
    specifiers: Vec<Ident>,
    ty: Type,
    start: Span,
}

impl Parser {
    // ----- token access -------------------------------------------------

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.kind)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.kind)
    }

    fn at(&self, t: &Tok) -> bool {
        self.peek() == Some(t)
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Span of the current token (the empty end-of-file span at the end).
    fn span(&self) -> Span {
        self.toks.get(self.pos).map_or(self.eof, |t| t.span)
    }

    /// Span of the previous token.
    fn prev_span(&self) -> Span {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => t.span,
            None => Span::new(self.file, 0, 0),
        }
    }

    /// Empty span just after the previous token.
    fn after_prev(&self) -> Span {
        let hi = self.prev_span().hi;
        Span::new(self.file, hi, hi)
    }

    fn bump(&mut self) -> Span {
        let s = self.span();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        s
    }

    fn eat(&mut self, t: &Tok) -> Option<Span> {
        if self.at(t) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn found(&self) -> String {
        self.peek().map_or_else(|| "end of file".to_owned(), Tok::describe)
    }

    // ----- errors ---------------------------------------------------------

    fn full(&self) -> bool {
        self.diags.len() >= MAX_ERRORS
    }

    fn report(&mut self, d: Diagnostic) {
        if self.at_eof() {
            if self.eof_reported {
                return;
            }
            self.eof_reported = true;
        }
        if !self.full() {
            self.diags.push(d);
        }
    }

    fn fail<T>(&mut self, d: Diagnostic) -> PResult<T> {
        self.report(d);
        Err(Fail)
    }

    /// "expected X WHAT, found Y" at the current token.
    fn expected<T>(&mut self, expected: &str, context: &str) -> PResult<T> {
        let sep = if context.is_empty() { "" } else { " " };
        let msg = format!("expected {expected}{sep}{context}, found {}", self.found());
        let d = Diagnostic::error(msg, self.span(), format!("expected {expected}"));
        self.fail(d)
    }

    fn expect(&mut self, t: &Tok, context: &str) -> PResult<Span> {
        match self.eat(t) {
            Some(s) => Ok(s),
            None => self.expected(&t.describe(), context),
        }
    }

    /// A `;` ending a construct; when it is missing the caret goes right
    /// after the previous token.
    fn expect_semi(&mut self, after: &str) -> PResult<Span> {
        if let Some(s) = self.eat(&Tok::Semi) {
            return Ok(s);
        }
        let mut d = Diagnostic::error(
            format!("expected `;` after {after}, found {}", self.found()),
            self.after_prev(),
            "expected `;`",
        );
        if self.at(&Tok::Comma) {
            d = d.with_note("help: the comma operator is only supported in `for` headers and inside parentheses");
        }
        // Go on as if the `;` were there (the construct before it is complete).
        let span = d.primary;
        self.report(d);
        Ok(span)
    }

    fn ident(&mut self, context: &str) -> PResult<Ident> {
        match self.peek() {
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                let span = self.bump();
                Ok(Ident { name, span })
            }
            _ => self.expected("an identifier", context),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            let d = Diagnostic::error(
                format!("too deeply nested: more than {MAX_DEPTH} levels"),
                self.span(),
                "nesting limit reached here",
            );
            return self.fail(d);
        }
        self.depth += 1;
        Ok(())
    }

    /// Skips a balanced `open ... close` group starting at the current token.
    fn skip_balanced(&mut self, open: &Tok, close: &Tok) -> PResult<Span> {
        let start = self.expect(open, "")?;
        let mut depth = 1usize;
        while let Some(t) = self.peek() {
            if t == open {
                depth += 1;
            } else if t == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(start.to(self.bump()));
                }
            }
            self.bump();
        }
        let d = Diagnostic::error(
            format!("expected {} to close this {}, found end of file", close.describe(), open.describe()),
            start,
            "unclosed",
        );
        self.fail(d)
    }

    /// After an error in a statement: skip to just after the next `;`, or
    /// over a braced group, or to (not past) the `}` closing the enclosing block.
    fn recover_stmt(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Semi if depth == 0 => {
                    self.bump();
                    return;
                }
                Tok::LBrace => depth += 1,
                Tok::RBrace if depth == 0 => return,
                Tok::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// After an error at file scope: like `recover_stmt`, but a stray `}` is skipped.
    fn recover_item(&mut self) {
        if self.at(&Tok::RBrace) {
            self.bump();
        } else {
            self.recover_stmt();
        }
    }

    // ----- items ----------------------------------------------------------
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::diag::{render, SourceMap};
    use super::*;

    const F: FileId = FileId(0);

    const EXAMPLE: &str = r#"#include <stddef.h>
#include "taskcheck.h"
#define PIDNS_ADDING (1U << 31)
static struct srcu_struct tasks_rcu_exit_srcu;
void *worker(void *arg) { return NULL; }
static void zap_pid_ns_processes(struct pid_namespace *pid_ns)
{
	int nr, rc;
	struct task_struct *task, *me = current;
	int init_pids = thread_group_leader(me) ? 1 : 2;
	do {
		clear_thread_flag(TIF_SIGPENDING);
		rc = kernel_wait4(-1, NULL, __WALL, NULL);
	} while (rc != -ECHILD);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (pid_ns->pid_allocated == init_pids)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	me->exit_state = 0; x += 2; y = a < b ? a : b; for (i = 0, j = 1; i < 3; i++, j--) ;
}
int main(void) { pid_t b = fork(); if (b == 0) _exit(0); waitpid(b, &status, 0); return WEXITSTATUS(status); }
"#;

    fn ok(src: &str) -> TranslationUnit {
        match parse(F, src) {
            Ok(tu) => tu,
            Err(d) => {
                let mut map = SourceMap::default();
                map.add("t.c", src);
                panic!("{}", render(&map, &d, false))
            }
        }
    }

    fn errs(src: &str) -> Vec<Diagnostic> {
        parse(F, src).expect_err("expected errors")
    }

    fn first_err(src: &str) -> Diagnostic {
        errs(src).remove(0)
    }

    /// Renders an expression in fully parenthesised form.
    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Name(i) => i.name.clone(),
            ExprKind::Call { callee, args } => {
                format!("{}({})", callee.name, args.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            ExprKind::Unary { op, operand } => format!("({op:?} {})", show(operand)),
            ExprKind::Binary { op, lhs, rhs } => format!("({} {op:?} {})", show(lhs), show(rhs)),
            ExprKind::Assign { op, lhs, rhs } => format!("({} ={op:?} {})", show(lhs), show(rhs)),
            ExprKind::IncDec { prefix, increment, operand } => {
                format!("(incdec {prefix} {increment} {})", show(operand))
            }
            ExprKind::Cond { cond, then, els } => {
                format!("({} ? {} : {})", show(cond), show(then), show(els))
            }
            ExprKind::Arrow { base, field } => format!("{}->{}", show(base), field.name),
            ExprKind::AddrOf(e) => format!("(& {})", show(e)),
            ExprKind::Deref(e) => format!("(* {})", show(e)),
            ExprKind::Cast { ty, operand } => format!("(cast {} {})", show_ty(ty), show(operand)),
            ExprKind::Comma(a, b) => format!("({}, {})", show(a), show(b)),
        }
    }

    fn show_ty(t: &Type) -> String {
        match &t.kind {
            TypeKind::Int(s) => s.clone(),
            TypeKind::Void => "void".into(),
            TypeKind::Ptr(t) => format!("{}*", show_ty(t)),
            TypeKind::Struct(s) => format!("struct {s}"),
        }
    }

    /// Parses `e` as the expression statement of a function body.
    fn parse_expr(e: &str) -> Expr {
        let tu = ok(&format!("void f(void) {{\n{e};\n}}"));
        let Item::Function(f) = &tu.items[0] else { panic!() };
        match &f.body.stmts[0].kind {
            StmtKind::Expr(e) => e.clone(),
            k => panic!("{k:?}"),
        }
    }

    fn body(src: &str) -> Vec<Stmt> {
        let tu = ok(src);
        let Some(Item::Function(f)) = tu.items.into_iter().last() else { panic!() };
        f.body.stmts
    }

    fn text(src: &str, s: Span) -> &str {
        &src[s.lo as usize..s.hi as usize]
    }

    #[test]
    fn example_parses() {
        let tu = ok(EXAMPLE);
        assert_eq!(tu.items.len(), 4);
        let Item::Global(g) = &tu.items[0] else { panic!() };
        assert_eq!(g.name.name, "tasks_rcu_exit_srcu");
        assert_eq!(g.ty.kind, TypeKind::Struct("srcu_struct".into()));
        assert_eq!(g.specifiers[0].name, "static");
        assert_eq!(text(EXAMPLE, g.span), "static struct srcu_struct tasks_rcu_exit_srcu");
        let Item::Function(w) = &tu.items[1] else { panic!() };
        assert_eq!(show_ty(&w.sig.ret), "void*");
        assert_eq!(w.sig.params[0].name.as_ref().unwrap().name, "arg");
        let Item::Function(z) = &tu.items[2] else { panic!() };
        assert_eq!(z.sig.name.name, "zap_pid_ns_processes");
        assert_eq!(text(EXAMPLE, z.sig.span), "static void zap_pid_ns_processes(struct pid_namespace *pid_ns)");
        let s = &z.body.stmts;
        let StmtKind::Decl(d) = &s[1].kind else { panic!() };
        assert_eq!(d.len(), 2);
        assert_eq!(show_ty(&d[0].ty), "struct task_struct*");
        assert_eq!(d[1].name.name, "me");
        assert_eq!(text(EXAMPLE, d[1].span), "*me = current");
        assert!(matches!(s[3].kind, StmtKind::DoWhile { .. }));
        assert!(matches!(s[4].kind, StmtKind::For { init: None, cond: None, step: None, .. }));
        let StmtKind::For { init: Some(init), step: Some(step), .. } = &s[9].kind else { panic!("{:?}", s[9]) };
        assert_eq!(text(EXAMPLE, init.span), "i = 0, j = 1;");
        assert_eq!(show(step), "((incdec false true i), (incdec false false j))");
        let Item::Function(m) = &tu.items[3] else { panic!() };
        assert!(m.sig.params.is_empty());
        let StmtKind::Decl(b) = &m.body.stmts[0].kind else { panic!() };
        assert_eq!(b[0].ty.kind, TypeKind::Int("pid_t".into()));
        assert_eq!(text(EXAMPLE, m.body.stmts[1].span), "if (b == 0) _exit(0);");
        let StmtKind::Return(Some(r)) = &m.body.stmts[3].kind else { panic!() };
        assert_eq!(show(r), "WEXITSTATUS(status)");
    }

    #[test]
    fn macro_expands_in_expressions() {
        let e = parse_expr("#define PIDNS_ADDING (1U << 31)\n x = PIDNS_ADDING | 1");
        // `1U` is an unsigned int: a cast the compiler knows (kernel models compute as before).
        assert_eq!(show(&e), "(x =None (((cast unsigned int 1) Shl 31) BitOr 1))");
    }

    #[test]
    fn precedence() {
        assert_eq!(show(&parse_expr("a + b * c")), "(a Add (b Mul c))");
        assert_eq!(show(&parse_expr("a || b && c")), "(a Or (b And c))");
        assert_eq!(show(&parse_expr("-a * b")), "((Neg a) Mul b)");
        assert_eq!(show(&parse_expr("a = b = c")), "(a =None (b =None c))");
        assert_eq!(show(&parse_expr("a - b - c")), "((a Sub b) Sub c)");
        assert_eq!(
            show(&parse_expr("a << 1 < b == c & d ^ e | f")),
            "((((((a Shl 1) Lt b) Eq c) BitAnd d) BitXor e) BitOr f)"
        );
        assert_eq!(show(&parse_expr("a ? b : c ? d : e")), "(a ? b : (c ? d : e))");
        assert_eq!(show(&parse_expr("x += a ? b, c : d")), "(x =Some(Add) (a ? (b, c) : d))");
        assert_eq!(show(&parse_expr("*p++")), "(* (incdec false true p))");
        assert_eq!(show(&parse_expr("!--x")), "(Not (incdec true false x))");
        assert_eq!(show(&parse_expr("&p->f")), "(& p->f)");
        assert_eq!(show(&parse_expr("~a % (b + c)")), "((BitNot a) Rem (b Add c))");
        assert_eq!(show(&parse_expr("f(a, (b, c), g())")), "f(a, (b, c), g())");
        assert_eq!(show(&parse_expr("x >>= 'a' + '\\n'")), "(x =Some(Shr) (97 Add 10))");
        assert_eq!(show(&parse_expr("printf(\"a\" \"%d\\n\", 1)")), "printf(\"a%d\\n\", 1)");
    }

    #[test]
    fn casts() {
        assert_eq!(show(&parse_expr("(int)x")), "(cast int x)");
        assert_eq!(show(&parse_expr("(struct task_struct *)p")), "(cast struct task_struct* p)");
        assert_eq!(show(&parse_expr("(void)f()")), "(cast void f())");
        assert_eq!(show(&parse_expr("(unsigned long)-1")), "(cast unsigned long (Neg 1))");
        assert_eq!(show(&parse_expr("(pid_t)a + b")), "((cast pid_t a) Add b)");
        assert_eq!(show(&parse_expr("(a)+b")), "(a Add b)");
    }

    #[test]
    fn spans_cover_constructs() {
        let src = "void f(void) { x = (a + b) * c; }";
        let s = &body(src)[0];
        assert_eq!(text(src, s.span), "x = (a + b) * c;");
        let StmtKind::Expr(e) = &s.kind else { panic!() };
        assert_eq!(text(src, e.span), "x = (a + b) * c");
        let ExprKind::Assign { rhs, .. } = &e.kind else { panic!() };
        assert_eq!(text(src, rhs.span), "(a + b) * c");
        let ExprKind::Binary { lhs, .. } = &rhs.kind else { panic!() };
        assert_eq!(text(src, lhs.span), "(a + b)");
        let src = "int g(int a, int) { while (a) { a--; } }";
        let s = &body(src)[0];
        assert_eq!(text(src, s.span), "while (a) { a--; }");
        let tu = ok(src);
        let Item::Function(f) = &tu.items[0] else { panic!() };
        assert_eq!(text(src, f.sig.params[0].span), "int a");
        assert!(f.sig.params[1].name.is_none());
        assert_eq!(text(src, f.body.span), "{ while (a) { a--; } }");
    }

    #[test]
    fn items_and_specifiers() {
        let src = "int f(int a, int);\nvoid g(void);\nint x = 0;\nstruct foo *p;\nstruct bar;\n\
                   static inline notrace void __noreturn h(void) __attribute__((noreturn)) { }\n\
                   __attribute__((unused)) static const unsigned long long y = 1, *z;\n\
                   asmlinkage __visible long k(const struct task_struct *const t, u64 v) { return v; }";
        let tu = ok(src);
        assert_eq!(tu.items.len(), 8);
        let Item::Prototype(f) = &tu.items[0] else { panic!() };
        assert_eq!(f.params.len(), 2);
        assert!(matches!(&tu.items[1], Item::Prototype(g) if g.params.is_empty()));
        assert!(matches!(&tu.items[2], Item::Global(x) if x.init.is_some()));
        assert!(matches!(&tu.items[3], Item::Global(p) if show_ty(&p.ty) == "struct foo*"));
        let Item::Function(h) = &tu.items[4] else { panic!() };
        let names: Vec<&str> = h.sig.specifiers.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["static", "inline", "notrace", "__noreturn"]);
        let Item::Global(y) = &tu.items[5] else { panic!() };
        assert_eq!(y.ty.kind, TypeKind::Int("unsigned long long".into()));
        let names: Vec<&str> = y.specifiers.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["static", "const"]);
        let Item::Global(z) = &tu.items[6] else { panic!() };
        assert_eq!(show_ty(&z.ty), "unsigned long long*");
        assert!(z.init.is_none());
        let Item::Function(k) = &tu.items[7] else { panic!() };
        assert_eq!(show_ty(&k.sig.params[0].ty), "struct task_struct*");
        assert_eq!(k.sig.params[1].ty.kind, TypeKind::Int("u64".into()));
    }

    #[test]
    fn statements() {
        let s = body("void f(void) { int a = 1, *b, c; ; { } if (a) x; else if (b) y; else z; while (1) continue; for (int i = 0; i < 3; ++i) { } return; }");
        let StmtKind::Decl(d) = &s[0].kind else { panic!() };
        assert_eq!(d.len(), 3);
        assert_eq!(show_ty(&d[1].ty), "int*");
        assert_eq!(show_ty(&d[2].ty), "int");
        assert!(matches!(s[1].kind, StmtKind::Empty));
        assert!(matches!(&s[2].kind, StmtKind::Block(b) if b.stmts.is_empty()));
        let StmtKind::If { els: Some(els), .. } = &s[3].kind else { panic!() };
        assert!(matches!(els.kind, StmtKind::If { els: Some(_), .. }));
        let StmtKind::While { body, .. } = &s[4].kind else { panic!() };
        assert!(matches!(body.kind, StmtKind::Continue));
        let StmtKind::For { init: Some(init), .. } = &s[5].kind else { panic!() };
        assert!(matches!(&init.kind, StmtKind::Decl(d) if d[0].name.name == "i"));
        assert!(matches!(s[6].kind, StmtKind::Return(None)));
    }

    fn assert_unsupported(src: &str, thing: &str, help: Option<&str>) {
        let d = first_err(src);
        assert_eq!(d.message, format!("{thing} not supported by taskcheck's C subset"), "{src}");
        match help {
            Some(h) => assert_eq!(d.notes, vec![format!("help: {h}")], "{src}"),
            None => assert!(d.notes.is_empty(), "{src}"),
        }
    }

    #[test]
    fn unsupported_constructs() {
        let f = |b: &str| format!("void f(void) {{ {b} }}");
        assert_unsupported(&f("int a[3];"), "arrays are", Some("use separate variables"));
        assert_unsupported(&f("x = a[1];"), "array indexing is", Some("use separate variables"));
        assert_unsupported(&f("goto out;"), "`goto` is", Some("use a loop with break/continue"));
        assert_unsupported(&f("out: x = 1;"), "labels are", Some("use a loop with break/continue"));
        assert_unsupported(&f("switch (x) { case 1: break; }"), "`switch` is", Some("use if/else if"));
        assert_unsupported(&f("case 1: x;"), "`case` labels are", Some("use if/else if"));
        assert_unsupported(&f("x = sizeof(int);"), "`sizeof` is", None);
        assert_unsupported(&f("x = a.b;"), "`.` member access is", Some(expr::DOT_HELP));
        assert_unsupported(
            &f("(*fp)(1);"),
            "calling anything but a function name is",
            Some("call functions directly by name: `f(args)`"),
        );
        assert_unsupported(&f("int (*fp)(int);"), "function pointers are", Some("call functions directly by name"));
        assert_unsupported(
            &f("int f2(void);"),
            "local function declarations are",
            Some("declare functions at file scope"),
        );
        assert_unsupported(&f("int a = {1};"), "initializer lists are", Some("assign the fields one by one"));
        assert_unsupported(
            &f("x = ({ 1; });"),
            "statement expressions `({ ... })` are",
            Some("write the statements before the expression"),
        );
        assert_unsupported(&f("float x;"), "floating-point types are", Some("use integer types"));
        assert_unsupported(
            "typedef int foo;",
            "`typedef` is",
            Some("write the type out: an integer type or `struct NAME *`"),
        );
        assert_unsupported("union u *p;", "`union` is", None);
        assert_unsupported("enum e x;", "`enum` is", Some("use `#define NAME value` constants and `int`"));
        assert_unsupported("double d;", "floating-point types are", Some("use integer types"));
        assert_unsupported(
            "struct x { int a : 3; };",
            "struct definitions are",
            Some("refer to kernel structures as `struct NAME *` without a body"),
        );
        assert_unsupported("int a : 3;", "bit fields are", None);
        assert_unsupported(
            "int printf(const char *fmt, ...);",
            "variadic parameters (`...`) are",
            Some("give the function a fixed list of parameters"),
        );
        assert_unsupported("void f(int a[]);", "arrays are", Some("use separate variables"));
        let d = first_err("#define F(x) x\n");
        assert_eq!(d.message, "function-like macros are not supported");
    }

    #[test]
    fn missing_semicolon_points_after_previous_token() {
        let src = "void f(void)\n{\n     foo(1)\n}\n";
        let d = first_err(src);
        assert_eq!(d.message, "expected `;` after expression, found `}`");
        assert_eq!((d.primary.lo, d.primary.hi), (26, 26));
        assert_eq!(d.label, "expected `;`");
        let mut map = SourceMap::default();
        let f = map.add("x.c", src);
        assert_eq!(f, F);
        let out = render(&map, &[d], false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "error: expected `;` after expression, found `}`");
        assert!(lines[1].contains("x.c:3:12"), "{out}");
        assert!(out.contains("3 │      foo(1)"), "{out}");
        assert!(out.contains("^ expected `;`"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn other_messages() {
        let d = first_err("void f(void) { int x = ; }");
        assert_eq!(d.message, "expected an expression, found `;`");
        let d = first_err("void f(void) { f(a b); }");
        assert_eq!(d.message, "expected `,` or `)` in argument list, found `b`");
        let d = first_err("void f(void) { a = 1, b = 2; }");
        assert_eq!(d.message, "expected `;` after expression, found `,`");
        assert!(d.notes[0].contains("comma operator"));
        let d = first_err("void f(void) { task_t *t = 0; }");
        assert_eq!(d.message, "unknown type name `task_t`");
        let d = first_err("void f(void) { if (x) { y; }");
        assert_eq!(d.message, "expected `}` to close this block, found end of file");
        let d = first_err("void f(void) { return 1 }");
        assert_eq!(d.message, "expected `;` after return value, found `}`");
        let d = first_err("foo bar;");
        assert_eq!(d.message, "unknown type name `foo`");
        let d = first_err("x = 1;");
        assert_eq!(d.message, "expected a declaration, found `x`");
        let d = first_err("void f(void) { else x; }");
        assert_eq!(d.message, "`else` without a matching `if`");
        let d = first_err("int x = @;");
        assert_eq!(d.message, "unexpected character `@`");
    }

    #[test]
    fn recovery_reports_several_errors() {
        let src = "void f(void) {\n  a = ;\n  goto x;\n  if (b c) { d; }\n  e = 1\n}\nint g(void) { h(1 }\nint ok;\n";
        let d = errs(src);
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "expected an expression, found `;`",
                "`goto` is not supported by taskcheck's C subset",
                "expected `)` after `if` condition, found `c`",
                "expected `;` after expression, found `}`",
                "expected `,` or `)` in argument list, found `}`",
            ]
        );
        let many = "void f(void) {".to_owned() + &"x = ;\n".repeat(100) + "}";
        assert_eq!(errs(&many).len(), MAX_ERRORS);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for n in [300, 5000] {
            let src = format!("int x = {}1{};", "(".repeat(n), ")".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ {} }}", "{".repeat(n) + &"}".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ x = {}1; }}", "- ".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ x = 1{}; }}", " + 1".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ x = p{}; }}", "->a".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ for (;; x{}) ; }}", ", x".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ {}1; }}", "x = ".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ {}x; }}", "if (a) ".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ x = {}1; }}", "a ? b : ".repeat(n));
            assert!(first_err(&src).message.contains("too deeply nested"));
            let src = format!("void f(void) {{ {} }}", "{".repeat(n));
            assert!(!errs(&src).is_empty());
        }
        // Well under the limit is fine.
        ok(&format!("int x = {}1{};", "(".repeat(100), ")".repeat(100)));
        ok(&format!("int x = 1{};", " + 1".repeat(200)));
        ok(&format!("void f(void) {{ {}x; }}", "if (a) ".repeat(200)));
    }

    #[test]
    fn prefixes_and_garbage_never_panic() {
        let garbage = [
            "}}}{{{ int ( ) ; ; , ->",
            "#define A A A\n#define B A B\nB B",
            "int f(int a, ...) { return a ? : ; }",
            "struct { int x; } y; typedef struct z z; void (*f)(void);",
            "void f(void) { for (int i = 0, *j; ; ) ; do ; while (0) x; }",
            "/* */ // \n #if\n#else\n#else\n#endif\n#endif",
            "int main(void) { x = 'a; y = \"b; }",
            "))))((((**&&&!!!~~~?:::;;;",
            r#"int f(void) { s = "a\n\t\\\"\x41\101\q\777"; c = '\n'; d = '\x'; e = 'é'; }"#,
            "#define X \\\n 1 /* \n */ + \"s\"\n#if X\nX\n#elif\n#endif\n",
        ];
        let mut inputs = vec![EXAMPLE.to_owned()];
        inputs.extend(garbage.iter().map(|s| s.to_string()));
        for input in &inputs {
            let chars: Vec<(usize, char)> = input.char_indices().collect();
            for (i, _) in chars {
                let prefix = &input[..i];
                let res = parse(F, prefix);
                if let Err(d) = res {
                    assert!(!d.is_empty() && d.len() <= MAX_ERRORS);
                    let mut map = SourceMap::default();
                    map.add("p.c", prefix);
                    let out = render(&map, &d, false);
                    assert!(out.starts_with("error: "));
                }
            }
        }
    }
}
