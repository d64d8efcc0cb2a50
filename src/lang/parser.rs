//! Recursive-descent parser of the C subset, with precedence climbing for
//! expressions.
//!
//! Errors are collected as `Diagnostic`s: after an error the parser skips to
//! the next `;` or to the `}` closing the current construct and goes on, so one
//! parse reports several errors (at most `MAX_ERRORS`). Nesting is limited to
//! `MAX_DEPTH` levels so that no input can overflow the stack.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::ast::*;
use super::diag::Diagnostic;
use super::lexer::{lex, Tok, Token};

/// Diagnostics reported by one parse, at most.
pub const MAX_ERRORS: usize = 20;
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

fn binop(t: &Tok) -> Option<(BinOp, u8)> {
    use Tok::*;
    Some(match t {
        PipePipe => (BinOp::Or, 1),
        AmpAmp => (BinOp::And, 2),
        Pipe => (BinOp::BitOr, 3),
        Caret => (BinOp::BitXor, 4),
        Amp => (BinOp::BitAnd, 5),
        EqEq => (BinOp::Eq, 6),
        Ne => (BinOp::Ne, 6),
        Lt => (BinOp::Lt, 7),
        Le => (BinOp::Le, 7),
        Gt => (BinOp::Gt, 7),
        Ge => (BinOp::Ge, 7),
        Shl => (BinOp::Shl, 8),
        Shr => (BinOp::Shr, 8),
        Plus => (BinOp::Add, 9),
        Minus => (BinOp::Sub, 9),
        Star => (BinOp::Mul, 10),
        Slash => (BinOp::Div, 10),
        Percent => (BinOp::Rem, 10),
        _ => return None,
    })
}

fn assign_op(t: &Tok) -> Option<Option<BinOp>> {
    use Tok::*;
    Some(match t {
        Assign => None,
        PlusEq => Some(BinOp::Add),
        MinusEq => Some(BinOp::Sub),
        StarEq => Some(BinOp::Mul),
        SlashEq => Some(BinOp::Div),
        PercentEq => Some(BinOp::Rem),
        AmpEq => Some(BinOp::BitAnd),
        PipeEq => Some(BinOp::BitOr),
        CaretEq => Some(BinOp::BitXor),
        ShlEq => Some(BinOp::Shl),
        ShrEq => Some(BinOp::Shr),
        _ => return None,
    })
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

    fn translation_unit(&mut self) -> TranslationUnit {
        let mut items = Vec::new();
        while !self.at_eof() && !self.full() {
            let start = self.pos;
            if self.item(&mut items).is_err() {
                self.recover_item();
            }
            if self.pos == start {
                self.bump();
            }
        }
        TranslationUnit { items }
    }

    fn item(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        if self.eat(&Tok::Semi).is_some() {
            return Ok(());
        }
        if !self.peek().is_some_and(is_decl_start) && !self.at_unknown_type() {
            return self.expected("a declaration", "");
        }
        let specs = self.decl_specs()?;
        if self.at(&Tok::Semi) {
            if matches!(specs.ty.kind, TypeKind::Struct(_)) {
                // `struct foo;`: a forward declaration, nothing to record.
                self.bump();
                return Ok(());
            }
            let d = Diagnostic::error("declaration declares nothing", specs.start.to(self.span()), "no name");
            return self.fail(d);
        }
        let ty = self.pointers(specs.ty.clone());
        self.no_function_pointer()?;
        let name = self.ident("in declaration")?;
        if self.at(&Tok::LParen) {
            let params = self.params()?;
            let sig_end = self.prev_span();
            let mut specifiers = specs.specifiers;
            self.trailing_attributes(&mut specifiers)?;
            let sig = FunctionSig { name, ret: ty, params, specifiers, span: specs.start.to(sig_end) };
            if self.at(&Tok::LBrace) {
                let body = self.block()?;
                items.push(Item::Function(FunctionDef { sig, body }));
            } else if self.eat(&Tok::Semi).is_some() {
                items.push(Item::Prototype(sig));
            } else {
                return self.expected("`;` or `{`", "after function declaration");
            }
            return Ok(());
        }
        let decls = self.declarators(&specs, ty, name)?;
        self.expect_semi("declaration")?;
        items.extend(decls.into_iter().map(Item::Global));
        Ok(())
    }

    /// `Ident Ident` or `Ident * Ident [;=,]`: a declaration with a type we do not know.
    fn at_unknown_type(&self) -> bool {
        matches!(self.peek(), Some(Tok::Ident(_)))
            && (matches!(self.peek_at(1), Some(Tok::Ident(_)))
                || (self.peek_at(1) == Some(&Tok::Star)
                    && matches!(self.peek_at(2), Some(Tok::Ident(_)))
                    && matches!(self.peek_at(3), Some(Tok::Semi | Tok::Assign | Tok::Comma))))
    }

    /// `__attribute__((...))` and kernel attributes after a parameter list.
    fn trailing_attributes(&mut self, specifiers: &mut Vec<Ident>) -> PResult<()> {
        loop {
            match self.peek() {
                Some(Tok::Ident(n)) if n == "__attribute__" => self.attribute()?,
                Some(Tok::Ident(n)) if ATTRIBUTES.contains(&n.as_str()) => {
                    let name = n.clone();
                    let span = self.bump();
                    specifiers.push(Ident { name, span });
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips `__attribute__((...))`.
    fn attribute(&mut self) -> PResult<()> {
        self.bump();
        if !self.at(&Tok::LParen) {
            return self.expected("`(`", "after `__attribute__`");
        }
        self.skip_balanced(&Tok::LParen, &Tok::RParen)?;
        Ok(())
    }

    /// `( params )`, `(void)` and `()` meaning no parameters.
    fn params(&mut self) -> PResult<Vec<Param>> {
        self.expect(&Tok::LParen, "")?;
        let mut params = Vec::new();
        if self.eat(&Tok::RParen).is_some() {
            return Ok(params);
        }
        if self.at(&Tok::KwVoid) && self.peek_at(1) == Some(&Tok::RParen) {
            self.bump();
            self.bump();
            return Ok(params);
        }
        loop {
            if self.at(&Tok::Ellipsis) {
                let span = self.bump();
                self.report(unsupported(
                    span,
                    "variadic parameters (`...`) are",
                    Some("give the function a fixed list of parameters"),
                ));
            } else {
                let specs = self.decl_specs()?;
                let ty = self.pointers(specs.ty);
                self.no_function_pointer()?;
                let name = match self.peek() {
                    Some(Tok::Ident(_)) => Some(self.ident("")?),
                    _ => None,
                };
                self.no_array()?;
                params.push(Param { ty, name, span: specs.start.to(self.prev_span()) });
            }
            if self.eat(&Tok::Comma).is_some() {
                continue;
            }
            if self.eat(&Tok::RParen).is_some() {
                return Ok(params);
            }
            return self.expected("`,` or `)`", "in parameter list");
        }
    }

    /// The declarators of a declaration whose first name is already read:
    /// `name [= init] {, *name [= init]}`. Stops before the `;`.
    fn declarators(&mut self, specs: &DeclSpecs, ty: Type, name: Ident) -> PResult<Vec<VarDecl>> {
        let mut decls = Vec::new();
        let (mut ty, mut name, mut start) = (ty, name, specs.start);
        loop {
            if self.at(&Tok::LParen) {
                let d = unsupported(
                    self.span(),
                    "local function declarations are",
                    Some("declare functions at file scope"),
                );
                return self.fail(d);
            }
            self.no_array()?;
            if self.at(&Tok::Colon) {
                let d = unsupported(self.span(), "bit fields are", None);
                return self.fail(d);
            }
            let init = if self.eat(&Tok::Assign).is_some() {
                if self.at(&Tok::LBrace) {
                    let d = unsupported(self.span(), "initializer lists are", Some("assign the fields one by one"));
                    return self.fail(d);
                }
                Some(self.assign()?)
            } else {
                None
            };
            let span = start.to(self.prev_span());
            decls.push(VarDecl { ty, name, init, specifiers: specs.specifiers.clone(), span });
            if self.eat(&Tok::Comma).is_none() {
                return Ok(decls);
            }
            start = self.span();
            ty = self.pointers(specs.ty.clone());
            self.no_function_pointer()?;
            name = self.ident("in declaration")?;
        }
    }

    /// `[...]` after a declarator: reported, skipped.
    fn no_array(&mut self) -> PResult<()> {
        if self.at(&Tok::LBracket) {
            let span = self.skip_balanced(&Tok::LBracket, &Tok::RBracket)?;
            self.report(unsupported(span, "arrays are", Some("use separate variables")));
        }
        Ok(())
    }

    /// `(*name)(...)` in a declarator.
    fn no_function_pointer(&mut self) -> PResult<()> {
        if self.at(&Tok::LParen) && self.peek_at(1) == Some(&Tok::Star) {
            let d = unsupported(self.span(), "function pointers are", Some("call functions directly by name"));
            return self.fail(d);
        }
        Ok(())
    }

    // ----- types ----------------------------------------------------------

    /// Specifiers (`static`, `const`, `notrace`, ...) and the base type, in any order.
    fn decl_specs(&mut self) -> PResult<DeclSpecs> {
        let start = self.span();
        let mut specifiers = Vec::new();
        let mut words: Vec<(String, Span)> = Vec::new();
        let mut base: Option<Type> = None;
        loop {
            let span = self.span();
            let Some(t) = self.peek() else { break };
            match t {
                Tok::KwStatic | Tok::KwInline | Tok::KwExtern | Tok::KwConst | Tok::KwVolatile => {
                    let name = t.text();
                    self.bump();
                    specifiers.push(Ident { name, span });
                }
                Tok::Ident(n) if ATTRIBUTES.contains(&n.as_str()) => {
                    let name = n.clone();
                    self.bump();
                    specifiers.push(Ident { name, span });
                }
                Tok::Ident(n) if n == "__attribute__" => self.attribute()?,
                Tok::KwInt
                | Tok::KwLong
                | Tok::KwShort
                | Tok::KwChar
                | Tok::KwUnsigned
                | Tok::KwSigned
                | Tok::KwBool
                | Tok::KwUBool => {
                    let word = t.text();
                    self.bump();
                    if let Some(b) = &base {
                        let d = Diagnostic::error(
                            format!("`{word}` cannot be combined with the type before it"),
                            span,
                            "second type",
                        )
                        .with_secondary(b.span, "first type");
                        return self.fail(d);
                    }
                    words.push((word, span));
                }
                Tok::Ident(n) if base.is_none() && words.is_empty() && INT_TYPEDEFS.contains(&n.as_str()) => {
                    let kind = TypeKind::Int(n.clone());
                    self.bump();
                    base = Some(Type { kind, span });
                }
                Tok::KwVoid | Tok::KwStruct if base.is_some() || !words.is_empty() => {
                    let d = Diagnostic::error(
                        format!("{} cannot be combined with the type before it", t.describe()),
                        span,
                        "second type",
                    );
                    return self.fail(d);
                }
                Tok::KwVoid => {
                    self.bump();
                    base = Some(Type { kind: TypeKind::Void, span });
                }
                Tok::KwStruct => base = Some(self.struct_type()?),
                Tok::KwTypedef => {
                    let d = unsupported(
                        span,
                        "`typedef` is",
                        Some("write the type out: an integer type or `struct NAME *`"),
                    );
                    return self.fail(d);
                }
                Tok::KwUnion => return self.fail(unsupported(span, "`union` is", None)),
                Tok::KwEnum => {
                    let d = unsupported(span, "`enum` is", Some("use `#define NAME value` constants and `int`"));
                    return self.fail(d);
                }
                Tok::KwFloat | Tok::KwDouble => {
                    let d = unsupported(span, "floating-point types are", Some("use integer types"));
                    return self.fail(d);
                }
                _ => break,
            }
        }
        let ty = if let Some(first) = words.first() {
            let spelling = words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" ");
            Type { kind: TypeKind::Int(spelling), span: first.1.to(words[words.len() - 1].1) }
        } else if let Some(b) = base {
            b
        } else if let (Some(Tok::Ident(n)), true) = (self.peek(), self.at_unknown_type()) {
            let d = Diagnostic::error(format!("unknown type name `{n}`"), self.span(), "unknown type")
                .with_note(KNOWN_TYPES_HELP);
            return self.fail(d);
        } else {
            return self.expected("a type", "");
        };
        Ok(DeclSpecs { specifiers, ty, start })
    }

    /// `struct NAME`; a body is reported and skipped.
    fn struct_type(&mut self) -> PResult<Type> {
        let kw = self.bump();
        let (name, mut span) = match self.peek() {
            Some(Tok::Ident(n)) => {
                let n = n.clone();
                (n, kw.to(self.bump()))
            }
            Some(Tok::LBrace) => (String::new(), kw),
            _ => return self.expected("a struct name", "after `struct`"),
        };
        if self.at(&Tok::LBrace) {
            let body = self.skip_balanced(&Tok::LBrace, &Tok::RBrace)?;
            span = span.to(body);
            self.report(unsupported(
                span,
                "struct definitions are",
                Some("refer to kernel structures as `struct NAME *` without a body"),
            ));
        }
        Ok(Type { kind: TypeKind::Struct(name), span })
    }

    /// `*`s after a base type (`const`/`volatile` after a `*` are ignored).
    fn pointers(&mut self, mut ty: Type) -> Type {
        while let Some(star) = self.eat(&Tok::Star) {
            let span = ty.span.to(star);
            ty = Type { kind: TypeKind::Ptr(Box::new(ty)), span };
            while matches!(self.peek(), Some(Tok::KwConst | Tok::KwVolatile)) {
                self.bump();
            }
        }
        ty
    }

    /// A type name in a cast: specifiers, base type, `*`s.
    fn type_name(&mut self) -> PResult<Type> {
        let specs = self.decl_specs()?;
        let ty = self.pointers(specs.ty);
        if self.at(&Tok::LParen) {
            let d = unsupported(self.span(), "function pointer types are", Some("call functions directly by name"));
            return self.fail(d);
        }
        if self.at(&Tok::LBracket) {
            return self.fail(unsupported(self.span(), "arrays are", Some("use separate variables")));
        }
        Ok(ty)
    }

    // ----- statements -----------------------------------------------------

    fn block(&mut self) -> PResult<Block> {
        let open = self.expect(&Tok::LBrace, "")?;
        let mut stmts = Vec::new();
        loop {
            if let Some(close) = self.eat(&Tok::RBrace) {
                return Ok(Block { stmts, span: open.to(close) });
            }
            if self.at_eof() || self.full() {
                let d =
                    Diagnostic::error("expected `}` to close this block, found end of file", self.eof, "expected `}`")
                        .with_secondary(open, "block starts here");
                self.report(d);
                return Ok(Block { stmts, span: open.to(self.prev_span()) });
            }
            let start = self.pos;
            match self.stmt() {
                Ok(s) => stmts.push(s),
                Err(Fail) => self.recover_stmt(),
            }
            if self.pos == start && !self.at(&Tok::RBrace) {
                self.bump();
            }
        }
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let r = self.stmt_inner();
        self.depth -= 1;
        r
    }

    /// Dispatches on the first token. Kept small, like every function on a
    /// recursive path, so that deep nesting uses little stack.
    fn stmt_inner(&mut self) -> PResult<Stmt> {
        match self.peek() {
            Some(Tok::LBrace) => self.block_stmt(),
            Some(Tok::KwIf) => self.if_stmt(),
            Some(Tok::KwWhile) => self.while_stmt(),
            Some(Tok::KwDo) => self.do_stmt(),
            Some(Tok::KwFor) => self.for_stmt(),
            Some(t) if is_decl_start(t) => self.decl_stmt(),
            Some(Tok::Ident(_)) if self.at_unknown_type() => self.decl_stmt(),
            _ => self.simple_stmt(),
        }
    }

    fn block_stmt(&mut self) -> PResult<Stmt> {
        let b = self.block()?;
        let span = b.span;
        Ok(stmt(StmtKind::Block(b), span))
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `if`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `if` condition")?;
        let then = Box::new(self.stmt()?);
        let els = if self.eat(&Tok::KwElse).is_some() { Some(Box::new(self.stmt()?)) } else { None };
        let end = els.as_ref().map_or(then.span, |e| e.span);
        Ok(stmt(StmtKind::If { cond, then, els }, span.to(end)))
    }

    fn while_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `while`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `while` condition")?;
        let body = Box::new(self.stmt()?);
        let end = body.span;
        Ok(stmt(StmtKind::While { cond, body }, span.to(end)))
    }

    fn do_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        let body = Box::new(self.stmt()?);
        self.expect(&Tok::KwWhile, "after `do` body")?;
        self.expect(&Tok::LParen, "after `while`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `while` condition")?;
        let end = self.expect_semi("`do ... while (...)`")?;
        Ok(stmt(StmtKind::DoWhile { body, cond }, span.to(end)))
    }

    fn decl_stmt(&mut self) -> PResult<Stmt> {
        let span = self.span();
        let decls = self.local_decl()?;
        let end = self.expect_semi("declaration")?;
        Ok(stmt(StmtKind::Decl(decls), span.to(end)))
    }

    /// Statements that do not contain statements.
    fn simple_stmt(&mut self) -> PResult<Stmt> {
        let span = self.span();
        let Some(t) = self.peek() else {
            return self.expected("a statement", "");
        };
        match t {
            Tok::Semi => {
                self.bump();
                Ok(stmt(StmtKind::Empty, span))
            }
            Tok::KwReturn => {
                self.bump();
                let value = if self.at(&Tok::Semi) { None } else { Some(self.assign()?) };
                let end = self.expect_semi(if value.is_some() { "return value" } else { "`return`" })?;
                Ok(stmt(StmtKind::Return(value), span.to(end)))
            }
            Tok::KwBreak => {
                self.bump();
                let end = self.expect_semi("`break`")?;
                Ok(stmt(StmtKind::Break, span.to(end)))
            }
            Tok::KwContinue => {
                self.bump();
                let end = self.expect_semi("`continue`")?;
                Ok(stmt(StmtKind::Continue, span.to(end)))
            }
            Tok::KwGoto => self.fail(unsupported(span, "`goto` is", Some("use a loop with break/continue"))),
            Tok::KwSwitch => self.fail(unsupported(span, "`switch` is", Some("use if/else if"))),
            Tok::KwCase | Tok::KwDefault => {
                let thing = format!("{} labels are", t.describe());
                self.fail(unsupported(span, &thing, Some("use if/else if")))
            }
            Tok::KwElse => {
                let d = Diagnostic::error("`else` without a matching `if`", span, "no `if` before it");
                self.fail(d)
            }
            Tok::Ident(_) if self.peek_at(1) == Some(&Tok::Colon) => {
                self.fail(unsupported(span, "labels are", Some("use a loop with break/continue")))
            }
            _ => {
                let e = self.assign()?;
                let end = self.expect_semi("expression")?;
                Ok(stmt(StmtKind::Expr(e), span.to(end)))
            }
        }
    }

    /// A declaration inside a function, without its `;`.
    fn local_decl(&mut self) -> PResult<Vec<VarDecl>> {
        let specs = self.decl_specs()?;
        if self.at(&Tok::Semi) {
            let d = Diagnostic::error("declaration declares nothing", specs.start.to(self.span()), "no variable name");
            return self.fail(d);
        }
        let ty = self.pointers(specs.ty.clone());
        self.no_function_pointer()?;
        let name = self.ident("in declaration")?;
        self.declarators(&specs, ty, name)
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `for`")?;
        let init = if self.eat(&Tok::Semi).is_some() {
            None
        } else if self.peek().is_some_and(is_decl_start) || self.at_unknown_type() {
            let start = self.span();
            let decls = self.local_decl()?;
            let end = self.expect_semi("`for` initializer")?;
            Some(Box::new(stmt(StmtKind::Decl(decls), start.to(end))))
        } else {
            let e = self.expr()?;
            let start = e.span;
            let end = self.expect_semi("`for` initializer")?;
            Some(Box::new(stmt(StmtKind::Expr(e), start.to(end))))
        };
        let cond = if self.at(&Tok::Semi) { None } else { Some(self.expr()?) };
        self.expect_semi("`for` condition")?;
        let step = if self.at(&Tok::RParen) { None } else { Some(self.expr()?) };
        self.expect(&Tok::RParen, "after `for` clauses")?;
        let body = Box::new(self.stmt()?);
        let end = body.span;
        Ok(stmt(StmtKind::For { init, cond, step, body }, span.to(end)))
    }

    // ----- expressions ----------------------------------------------------

    /// Runs `f`, then restores the depth: for loops that build left-deep
    /// trees (`a + b + c`, `p->a->b`, `a, b, c`), where each link calls `enter`
    /// so that the tree's height stays bounded too.
    fn chain<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let saved = self.depth;
        let r = f(self);
        self.depth = saved;
        r
    }

    /// An expression where the comma operator is allowed.
    fn expr(&mut self) -> PResult<Expr> {
        self.chain(Self::comma_chain)
    }

    fn comma_chain(&mut self) -> PResult<Expr> {
        let mut e = self.assign()?;
        while self.eat(&Tok::Comma).is_some() {
            self.enter()?;
            let rhs = self.assign()?;
            let span = e.span.to(rhs.span);
            e = expr(ExprKind::Comma(Box::new(e), Box::new(rhs)), span);
        }
        Ok(e)
    }

    /// Assignment expression (no top-level comma).
    fn assign(&mut self) -> PResult<Expr> {
        let lhs = self.conditional()?;
        let Some(op) = self.peek().and_then(assign_op) else {
            return Ok(lhs);
        };
        self.bump();
        self.enter()?;
        let rhs = self.assign();
        self.depth -= 1;
        let rhs = rhs?;
        let span = lhs.span.to(rhs.span);
        Ok(expr(ExprKind::Assign { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span))
    }

    fn conditional(&mut self) -> PResult<Expr> {
        let cond = self.binary(1)?;
        if self.eat(&Tok::Question).is_none() {
            return Ok(cond);
        }
        self.enter()?;
        let r = self.cond_rest(cond);
        self.depth -= 1;
        r
    }

    /// `then : els` after `cond ?`.
    fn cond_rest(&mut self, cond: Expr) -> PResult<Expr> {
        let then = self.expr()?;
        self.expect(&Tok::Colon, "in conditional expression")?;
        let els = self.conditional()?;
        let span = cond.span.to(els.span);
        Ok(expr(ExprKind::Cond { cond: Box::new(cond), then: Box::new(then), els: Box::new(els) }, span))
    }

    fn binary(&mut self, min_prec: u8) -> PResult<Expr> {
        self.chain(|p| p.binary_chain(min_prec))
    }

    fn binary_chain(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.peek().and_then(binop) {
            if prec < min_prec {
                break;
            }
            self.enter()?;
            self.bump();
            let rhs = self.binary(prec + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = expr(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    /// Dispatches on the first token (kept small: it is on the recursive path).
    fn unary_inner(&mut self) -> PResult<Expr> {
        match self.peek() {
            Some(Tok::Minus | Tok::Plus | Tok::Bang | Tok::Tilde | Tok::Amp | Tok::Star) => self.prefix_op(),
            Some(Tok::PlusPlus | Tok::MinusMinus) => self.prefix_incdec(),
            Some(Tok::KwSizeof) => self.fail(unsupported(self.span(), "`sizeof` is", None)),
            Some(Tok::LParen) if self.peek_at(1).is_some_and(is_type_start) => self.cast(),
            _ => self.postfix(),
        }
    }

    fn prefix_op(&mut self) -> PResult<Expr> {
        let span = self.span();
        let op = self.peek().cloned();
        self.bump();
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        let kind = match op {
            Some(Tok::Minus) => ExprKind::Unary { op: UnOp::Neg, operand },
            Some(Tok::Plus) => ExprKind::Unary { op: UnOp::Plus, operand },
            Some(Tok::Bang) => ExprKind::Unary { op: UnOp::Not, operand },
            Some(Tok::Tilde) => ExprKind::Unary { op: UnOp::BitNot, operand },
            Some(Tok::Amp) => ExprKind::AddrOf(operand),
            _ => ExprKind::Deref(operand),
        };
        Ok(expr(kind, span))
    }

    fn prefix_incdec(&mut self) -> PResult<Expr> {
        let increment = self.at(&Tok::PlusPlus);
        let span = self.bump();
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        Ok(expr(ExprKind::IncDec { prefix: true, increment, operand }, span))
    }

    fn cast(&mut self) -> PResult<Expr> {
        let span = self.bump();
        let ty = self.type_name()?;
        self.expect(&Tok::RParen, "after the type in a cast")?;
        if self.at(&Tok::LBrace) {
            return self.fail(unsupported(span.to(self.span()), "compound literals are", None));
        }
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        Ok(expr(ExprKind::Cast { ty, operand }, span))
    }

    fn postfix(&mut self) -> PResult<Expr> {
        self.chain(Self::postfix_chain)
    }

    fn postfix_chain(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if matches!(
                self.peek(),
                Some(Tok::LParen | Tok::Arrow | Tok::Dot | Tok::LBracket | Tok::PlusPlus | Tok::MinusMinus)
            ) {
                self.enter()?;
            }
            e = match self.peek() {
                Some(Tok::LParen) => self.call(e)?,
                Some(Tok::Arrow) => self.arrow(e)?,
                Some(Tok::Dot) => self.dot(e)?,
                Some(Tok::LBracket) => self.index(e)?,
                Some(Tok::PlusPlus | Tok::MinusMinus) => self.postfix_incdec(e),
                _ => return Ok(e),
            }
        }
    }

    fn call(&mut self, e: Expr) -> PResult<Expr> {
        let ExprKind::Name(callee) = e.kind else {
            let d = unsupported(
                self.span(),
                "calling anything but a function name is",
                Some("call functions directly by name: `f(args)`"),
            );
            return self.fail(d);
        };
        let (args, close) = self.args()?;
        Ok(expr(ExprKind::Call { callee, args }, e.span.to(close)))
    }

    fn arrow(&mut self, e: Expr) -> PResult<Expr> {
        self.bump();
        let field = self.ident("after `->`")?;
        let span = e.span.to(field.span);
        Ok(expr(ExprKind::Arrow { base: Box::new(e), field }, span))
    }

    /// `e.field`: reported; parsed as `e->field` to go on.
    fn dot(&mut self, e: Expr) -> PResult<Expr> {
        let span = self.bump();
        let field = match self.peek() {
            Some(Tok::Ident(_)) => self.ident("")?,
            _ => Ident { name: String::new(), span },
        };
        self.report(unsupported(
            span.to(field.span),
            "`.` member access is",
            Some("kernel objects are pointers: use `->`"),
        ));
        let span = e.span.to(field.span);
        Ok(expr(ExprKind::Arrow { base: Box::new(e), field }, span))
    }

    /// `e[i]`: reported and skipped.
    fn index(&mut self, mut e: Expr) -> PResult<Expr> {
        let brackets = self.skip_balanced(&Tok::LBracket, &Tok::RBracket)?;
        self.report(unsupported(brackets, "array indexing is", Some("use separate variables")));
        e.span = e.span.to(brackets);
        Ok(e)
    }

    fn postfix_incdec(&mut self, e: Expr) -> Expr {
        let increment = self.at(&Tok::PlusPlus);
        let span = e.span.to(self.bump());
        expr(ExprKind::IncDec { prefix: false, increment, operand: Box::new(e) }, span)
    }

    /// `( args )`; returns the arguments and the `)` span.
    fn args(&mut self) -> PResult<(Vec<Expr>, Span)> {
        self.bump();
        let mut args = Vec::new();
        if let Some(close) = self.eat(&Tok::RParen) {
            return Ok((args, close));
        }
        loop {
            args.push(self.assign()?);
            if self.eat(&Tok::Comma).is_some() {
                continue;
            }
            if let Some(close) = self.eat(&Tok::RParen) {
                return Ok((args, close));
            }
            return self.expected("`,` or `)`", "in argument list");
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let span = self.span();
        match self.peek() {
            Some(Tok::Int(n) | Tok::Char(n)) => {
                let n = *n;
                self.bump();
                Ok(expr(ExprKind::Int(n), span))
            }
            Some(Tok::Str(_)) => Ok(self.strings()),
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                self.bump();
                Ok(expr(ExprKind::Name(Ident { name, span }), span))
            }
            Some(Tok::LParen) if self.peek_at(1) == Some(&Tok::LBrace) => {
                let d = unsupported(
                    span,
                    "statement expressions `({ ... })` are",
                    Some("write the statements before the expression"),
                );
                self.fail(d)
            }
            Some(Tok::LParen) => {
                // A parenthesised level costs two units of depth: its frames are many.
                self.enter()?;
                let r = self.paren();
                self.depth -= 1;
                r
            }
            _ => self.expected("an expression", ""),
        }
    }

    /// Adjacent string literals, concatenated.
    fn strings(&mut self) -> Expr {
        let mut s = String::new();
        let mut all = self.span();
        while let Some(Tok::Str(part)) = self.peek() {
            s.push_str(part);
            all = all.to(self.bump());
        }
        expr(ExprKind::Str(s), all)
    }

    /// `( expr )`; the span includes the parentheses.
    fn paren(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut e = self.expr()?;
        if !self.at(&Tok::RParen) {
            let msg = format!("expected `)`, found {}", self.found());
            let d = Diagnostic::error(msg, self.span(), "expected `)`").with_secondary(open, "to close this `(`");
            return self.fail(d);
        }
        let close = self.bump();
        e.span = open.to(close);
        Ok(e)
    }
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
        assert_eq!(show(&e), "(x =None ((1 Shl 31) BitOr 1))");
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
        assert_unsupported(&f("x = a.b;"), "`.` member access is", Some("kernel objects are pointers: use `->`"));
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
