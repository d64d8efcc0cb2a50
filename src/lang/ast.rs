//! Syntax tree of the C subset shared by scenarios and kernel model files.
//!
//! The parser produces it; `lang::compile` checks names and types and lowers it
//! to bytecode. Every node carries a `Span` so that every later error can point
//! at file:line:column.

/// Index of a file in the `SourceMap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Byte range `lo..hi` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub fn new(file: FileId, lo: u32, hi: u32) -> Span {
        Span { file, lo, hi }
    }
    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, lo: self.lo.min(other.lo), hi: self.hi.max(other.hi) }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed file: a scenario (`*.c`) or a kernel model file (`*.kc`).
#[derive(Clone, Debug, Default)]
pub struct TranslationUnit {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug)]
pub enum Item {
    Function(FunctionDef),
    /// A prototype (`int f(int);`): accepted, checked against the definition.
    Prototype(FunctionSig),
    /// A file-scope variable (`int counter = 0;`, `static struct srcu_struct tasks_rcu_exit_srcu;`).
    Global(VarDecl),
}

#[derive(Clone, Debug)]
pub struct FunctionSig {
    pub name: Ident,
    pub ret: Type,
    pub params: Vec<Param>,
    /// `static`, `inline`, `notrace`, `__noreturn` ... as written, in order.
    pub specifiers: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FunctionDef {
    pub sig: FunctionSig,
    pub body: Block,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub ty: Type,
    pub name: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// `int`, `long`, `unsigned ...`, `short`, `char`, `bool`, `pid_t`, `pthread_t`,
    /// `size_t`, `u32`, `u64`, `unsigned long` ...: all integers to the VM.
    /// The string is the spelling, for messages.
    Int(String),
    Void,
    /// `T *` (one level per Ptr).
    Ptr(Box<Type>),
    /// `struct NAME` (only behind a pointer or as a model-file global).
    Struct(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VarDecl {
    pub ty: Type,
    pub name: Ident,
    pub init: Option<Expr>,
    /// `static`, `const`, ... as written.
    pub specifiers: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `int a = 1, b;` (one VarDecl per declarator).
    Decl(Vec<VarDecl>),
    Expr(Expr),
    If {
        cond: Expr,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
    },
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    DoWhile {
        body: Box<Stmt>,
        cond: Expr,
    },
    /// `for (init; cond; step) body`; init is a Decl or Expr statement.
    For {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        step: Option<Expr>,
        body: Box<Stmt>,
    },
    Return(Option<Expr>),
    Break,
    Continue,
    Block(Block),
    /// `;`
    Empty,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,    // -e
    Plus,   // +e
    Not,    // !e
    BitNot, // ~e
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    /// `&&` (short-circuit)
    And,
    /// `||` (short-circuit)
    Or,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// Integer literal (decimal, hex, octal; suffixes U/L ignored) or character literal.
    Int(i64),
    /// String literal with escapes resolved (printf formats only).
    Str(String),
    /// A name: local, global, parameter, constant (`CLONE_NEWPID`, `NULL`, `current`...).
    Name(Ident),
    /// `f(args)`: only direct calls by name.
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `lhs = rhs` (op None) or `lhs op= rhs`.
    Assign {
        op: Option<BinOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `++e`, `e++`, `--e`, `e--`.
    IncDec {
        prefix: bool,
        increment: bool,
        operand: Box<Expr>,
    },
    /// `c ? a : b`
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        els: Box<Expr>,
    },
    /// `e->field` (kernel model files only; the checker rejects it in scenarios).
    Arrow {
        base: Box<Expr>,
        field: Ident,
    },
    /// `&e` (scenarios: only `&local`).
    AddrOf(Box<Expr>),
    /// `*e`
    Deref(Box<Expr>),
    /// `(type)e`
    Cast {
        ty: Type,
        operand: Box<Expr>,
    },
    /// `a, b` (only where C allows it, e.g. in `for` steps).
    Comma(Box<Expr>, Box<Expr>),
}

impl BinOp {
    /// `<`, `<=`, `>`, `>=`, `==`, `!=`: a truth value, not a number.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne)
    }
}

impl UnOp {
    /// The operator on a 64-bit value (C semantics, wrapping).
    pub fn apply(self, v: i64) -> i64 {
        match self {
            UnOp::Neg => v.wrapping_neg(),
            UnOp::Plus => v,
            UnOp::Not => (v == 0) as i64,
            UnOp::BitNot => !v,
        }
    }
}

impl BinOp {
    /// The operator on 64-bit values (C semantics, wrapping); None for a division by zero.
    pub fn apply(self, l: i64, r: i64) -> Option<i64> {
        Some(match self {
            BinOp::Mul => l.wrapping_mul(r),
            BinOp::Div => {
                if r == 0 {
                    return None;
                }
                l.wrapping_div(r)
            }
            BinOp::Rem => {
                if r == 0 {
                    return None;
                }
                l.wrapping_rem(r)
            }
            BinOp::Add => l.wrapping_add(r),
            BinOp::Sub => l.wrapping_sub(r),
            BinOp::Shl => l.wrapping_shl((r & 63) as u32),
            BinOp::Shr => l.wrapping_shr((r & 63) as u32),
            BinOp::Lt => (l < r) as i64,
            BinOp::Le => (l <= r) as i64,
            BinOp::Gt => (l > r) as i64,
            BinOp::Ge => (l >= r) as i64,
            BinOp::Eq => (l == r) as i64,
            BinOp::Ne => (l != r) as i64,
            BinOp::BitAnd => l & r,
            BinOp::BitXor => l ^ r,
            BinOp::BitOr => l | r,
            BinOp::And => (l != 0 && r != 0) as i64,
            BinOp::Or => (l != 0 || r != 0) as i64,
        })
    }
}
