//! Name and type checks, and lowering of the syntax tree to bytecode.
//!
//! One `Program` holds the kernel model (kernel code), the root namespace's
//! init program and the scenario (user code). User code reaches the kernel
//! only through library calls, which become system calls into the model's
//! `sys_*` functions.

use rustc_hash::FxHashMap;

mod expr;
mod kernel_calls;
mod library;
mod stmt;

use super::ast::*;
use super::bytecode::{FuncId, Function, Op, Program, SyscallConv};
use super::diag::{Diagnostic, SourceMap};
use super::types::Ty;
use super::value;

/// A primitive of the kernel object model, as the compiler checks its calls.
#[derive(Clone, Copy, Debug)]
pub struct PrimSig {
    pub id: u16,
    pub params: &'static [Ty],
    pub ret: Ty,
}

/// A field of a kernel structure (`obj->field`).
#[derive(Clone, Copy, Debug)]
pub struct FieldSig {
    pub id: u16,
    pub ty: Ty,
    pub writable: bool,
}

/// The names the kernel object model gives model code and scenarios:
/// primitives, fields, constants and named kernel objects. The kernel layer
/// provides it; the compiler only checks and lowers against it.
pub trait Vocabulary {
    fn primitive(&self, name: &str) -> Option<PrimSig>;
    fn primitive_names(&self) -> Vec<&'static str>;
    fn field(&self, of: Ty, name: &str) -> Option<FieldSig>;
    fn field_names(&self, of: Ty) -> Vec<&'static str>;
    /// A named constant (`SIGKILL`, `TASK_INTERRUPTIBLE`...).
    fn constant(&self, name: &str) -> Option<i64>;
    /// Whether scenario code may use the constant (the rest are kernel-internal).
    fn user_constant(&self, name: &str) -> bool;
    /// A kernel object model code names (`tasklist_lock`): its type and handle.
    fn kernel_object(&self, name: &str) -> Option<(Ty, i64)>;
    fn kernel_object_names(&self) -> Vec<&'static str>;
}

/// Which world a translation unit belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Kernel model file (`*.kc`).
    Kernel,
    /// User program: a scenario or the built-in init.
    User,
}

/// The entry points of a compiled system.
#[derive(Clone, Debug)]
pub struct Entries {
    pub main_start: FuncId,
    pub init_start: FuncId,
    pub kthread: FuncId,
}

struct Sig {
    id: FuncId,
    params: Vec<Ty>,
    ret: Ty,
    unit: Unit,
    span: Span,
    notrace: bool,
}

struct Sig0 {
    unit: Unit,
    span: Span,
}

struct Global {
    slot: u16,
    ty: Ty,
    unit: Unit,
}

pub struct Compiler<'a> {
    map: &'a SourceMap,
    vocab: &'a dyn Vocabulary,
    prog: Program,
    sigs: FxHashMap<String, Sig>,
    globals: FxHashMap<String, Global>,
    diags: Vec<Diagnostic>,
    /// Thread start stubs already generated, by start routine.
    thread_stubs: FxHashMap<String, FuncId>,
    /// Bodies to compile in pass 2.
    pending: Vec<(FuncId, FunctionDef, Unit)>,
    /// Scenario functions started as threads (ordered: diagnostics come
    /// out the same every run).
    start_routines: std::collections::BTreeSet<String>,
    /// The first `return` of a value other than NULL, by scenario function:
    /// a thread's return value is not modelled (see `finish`).
    value_returns: FxHashMap<String, Span>,
    /// Scenario globals narrower than 64 bits, by slot.
    global_convs: FxHashMap<u16, StoreConv>,
}

/// Per-function state.
struct Fcx {
    unit: Unit,
    code: Vec<Op>,
    spans: Vec<Span>,
    scopes: Vec<FxHashMap<String, (u16, Ty)>>,
    nlocals: u16,
    loops: Vec<(Vec<usize>, Vec<usize>)>,
    returns_value: bool,
    names: Vec<String>,
    /// The first `return` of something other than a null constant.
    value_return: Option<Span>,
    /// Scenario locals narrower than the VM's 64 bits, by slot.
    convs: FxHashMap<u16, StoreConv>,
    /// The conversion of what the function returns (a scenario's `bool f()`).
    ret_conv: Option<StoreConv>,
}

/// What C does to a value stored in a scenario variable of a narrow type:
/// an unsigned type keeps the low bits (`unsigned int u = 0; u--;` is
/// 4294967295, and `u > 0`), a `bool` keeps whether it is nonzero. (Signed
/// overflow is undefined in C, so `int` stays 64 bits.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoreConv {
    Mask(i64),
    Bool,
}

impl StoreConv {
    /// The conversion for a variable of type `ty`, if any.
    fn of(ty: &Type) -> Option<StoreConv> {
        let TypeKind::Int(name) = &ty.kind else { return None };
        let words: Vec<&str> = name.split_whitespace().collect();
        let has = |w: &str| words.contains(&w);
        match name.as_str() {
            "bool" | "_Bool" => return Some(StoreConv::Bool),
            "u8" | "uint8_t" => return Some(StoreConv::Mask(0xff)),
            "u16" | "uint16_t" => return Some(StoreConv::Mask(0xffff)),
            "u32" | "uint32_t" => return Some(StoreConv::Mask(0xffff_ffff)),
            _ => {}
        }
        if !has("unsigned") || has("long") {
            return None;
        }
        Some(StoreConv::Mask(if has("char") {
            0xff
        } else if has("short") {
            0xffff
        } else {
            0xffff_ffff
        }))
    }

    /// `unsigned int`: the one narrow type C does not promote to `int`, so
    /// an operation with it is done in unsigned 32-bit arithmetic.
    fn is_u32(self) -> bool {
        self == StoreConv::Mask(0xffff_ffff)
    }

    fn apply(self, v: i64) -> i64 {
        match self {
            StoreConv::Mask(m) => v & m,
            StoreConv::Bool => (v != 0) as i64,
        }
    }

    /// Convert the value on top of the stack.
    fn emit(self, fx: &mut Fcx, sp: Span) {
        match self {
            StoreConv::Mask(m) => {
                fx.emit(Op::Const(m), sp);
                fx.emit(Op::Binary(BinOp::BitAnd), sp);
            }
            StoreConv::Bool => {
                fx.emit(Op::Const(0), sp);
                fx.emit(Op::Binary(BinOp::Ne), sp);
            }
        }
    }
}

impl Fcx {
    fn emit(&mut self, op: Op, span: Span) -> usize {
        self.code.push(op);
        self.spans.push(span);
        self.code.len() - 1
    }
    fn here(&self) -> u32 {
        self.code.len() as u32
    }
    /// The ops emitted from `start` on.
    fn emitted_since(&self, start: u32) -> &[Op] {
        self.code.get(start as usize..).unwrap_or(&[])
    }
    fn patch(&mut self, at: usize, target: u32) {
        match &mut self.code[at] {
            Op::Jump(x) | Op::JumpIfZero(x) | Op::JumpIfNonZero(x) => *x = target,
            _ => {}
        }
    }
    fn temp(&mut self) -> u16 {
        self.nlocals += 1;
        self.names.push(String::new());
        self.nlocals - 1
    }
    fn named(&mut self, name: &str) -> u16 {
        let s = self.temp();
        self.names[s as usize] = name.to_string();
        s
    }
    fn lookup(&self, name: &str) -> Option<(u16, Ty)> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }
}

fn ty_of(t: &Type) -> Ty {
    match &t.kind {
        TypeKind::Int(_) => Ty::Int,
        TypeKind::Void => Ty::Void,
        TypeKind::Struct(s) => Ty::of_struct(s).unwrap_or(Ty::Any),
        TypeKind::Ptr(inner) => match &inner.kind {
            TypeKind::Struct(s) => Ty::of_struct(s).unwrap_or(Ty::Any),
            TypeKind::Int(_) => Ty::IntPtr,
            _ => Ty::Any,
        },
    }
}

fn type_text(t: &Type) -> String {
    match &t.kind {
        TypeKind::Int(s) => s.clone(),
        TypeKind::Void => "void".into(),
        TypeKind::Struct(s) => format!("struct {s}"),
        TypeKind::Ptr(i) => format!("{} *", type_text(i)),
    }
}

/// Edit distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + (ca != *cb) as usize).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn best<'b>(name: &str, cands: impl Iterator<Item = &'b str>) -> Option<String> {
    let limit = (name.len() / 3).max(2).min(name.len().saturating_sub(1));
    cands.map(|c| (distance(name, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c.to_string())
}

impl<'a> Compiler<'a> {
    pub fn new(map: &'a SourceMap, vocab: &'a dyn Vocabulary) -> Compiler<'a> {
        let mut prog = Program::default();
        prog.hints.push(String::new());
        Compiler {
            map,
            vocab,
            prog,
            sigs: FxHashMap::default(),
            globals: FxHashMap::default(),
            diags: Vec::new(),
            thread_stubs: FxHashMap::default(),
            pending: Vec::new(),
            start_routines: Default::default(),
            value_returns: FxHashMap::default(),
            global_convs: FxHashMap::default(),
        }
    }

    pub(super) fn error(&self, msg: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic::error(msg, span, label)
    }

    pub(super) fn push_diag(&mut self, d: Diagnostic) {
        if self.diags.len() < 50 {
            self.diags.push(d);
        }
    }

    pub(super) fn intern(&mut self, s: &str) -> u16 {
        if let Some(i) = self.prog.strings.iter().position(|x| x == s) {
            return i as u16;
        }
        self.prog.strings.push(s.to_string());
        (self.prog.strings.len() - 1) as u16
    }

    pub(super) fn hint(&mut self, s: &str) -> u16 {
        if let Some(i) = self.prog.hints.iter().position(|x| x == s) {
            return i as u16;
        }
        self.prog.hints.push(s.to_string());
        (self.prog.hints.len() - 1) as u16
    }

    pub(super) fn new_function(&mut self, name: String, kernel: bool) -> FuncId {
        self.prog.functions.push(Function {
            name,
            params: 0,
            locals: 0,
            code: Vec::new(),
            spans: Vec::new(),
            kernel,
            returns_value: false,
            local_names: Vec::new(),
        });
        FuncId(self.prog.functions.len() as u16 - 1)
    }

    /// Pass 1: declare the functions and globals of a unit.
    pub fn declare(&mut self, tu: &TranslationUnit, unit: Unit) {
        for item in &tu.items {
            match item {
                Item::Function(def) => {
                    let name = def.sig.name.name.clone();
                    if let Some(prev) = self.sigs.get(&name).map(|p| (p.unit, p.span)) {
                        let prev = Sig0 { unit: prev.0, span: prev.1 };
                        if prev.unit == unit || unit == Unit::User {
                            let d = self
                                .error(format!("`{name}` is defined twice"), def.sig.name.span, "second definition")
                                .with_secondary(prev.span, "first defined here");
                            self.push_diag(d);
                            continue;
                        }
                    }
                    if unit == Unit::User {
                        self.check_user_sig(&def.sig);
                    }
                    let id = self.new_function(name.clone(), unit == Unit::Kernel);
                    let notrace = def.sig.specifiers.iter().any(|s| s.name == "notrace" || s.name == "noinstr");
                    self.sigs.insert(
                        name,
                        Sig {
                            id,
                            params: def.sig.params.iter().map(|p| ty_of(&p.ty)).collect(),
                            ret: ty_of(&def.sig.ret),
                            unit,
                            span: def.sig.name.span,
                            notrace,
                        },
                    );
                    self.pending.push((id, def.clone(), unit));
                }
                Item::Prototype(_) => {}
                Item::Global(g) => self.declare_global(g, unit),
            }
        }
    }

    pub(super) fn check_user_sig(&mut self, sig: &FunctionSig) {
        for p in &sig.params {
            if !matches!(p.ty.kind, TypeKind::Int(_))
                && !(matches!(&p.ty.kind, TypeKind::Ptr(i) if i.kind == TypeKind::Void))
            {
                let d = self
                    .error(format!("parameters of type `{}` are not supported in scenarios", type_text(&p.ty)), p.ty.span, "not supported in scenarios")
                    .with_note("help: scenario functions take integers (`int`, `pid_t`), or `void *` for a thread start routine");
                self.push_diag(d);
            }
        }
    }

    pub(super) fn declare_global(&mut self, g: &VarDecl, unit: Unit) {
        let ty = ty_of(&g.ty);
        if unit == Unit::User && ty != Ty::Int {
            let d = self
                .error(
                    format!("globals of type `{}` are not supported in scenarios", type_text(&g.ty)),
                    g.ty.span,
                    "not supported in scenarios",
                )
                .with_note("help: scenario globals are integers");
            self.push_diag(d);
            return;
        }
        if unit == Unit::Kernel && ty != Ty::Int {
            let d = self
                .error(
                    format!("unknown kernel object `{}`", g.name.name),
                    g.name.span,
                    "the model cannot declare new kernel objects",
                )
                .with_note(format!(
                    "help: the kernel objects the model knows are {}",
                    self.vocab.kernel_object_names().join(", ")
                ));
            self.push_diag(d);
            return;
        }
        let init = match &g.init {
            None => 0,
            Some(e) => match self.const_eval(e, unit) {
                Some(v) => v,
                None => {
                    let d = self.error("a global's initializer must be a constant", e.span, "not a constant");
                    self.push_diag(d);
                    0
                }
            },
        };
        let slot = match unit {
            Unit::Kernel => {
                self.prog.kernel_globals.push(init);
                self.prog.kernel_global_names.push(g.name.name.clone());
                self.prog.kernel_globals.len() - 1
            }
            Unit::User => {
                let conv = StoreConv::of(&g.ty);
                self.prog.user_globals.push(conv.map_or(init, |c| c.apply(init)));
                if let Some(c) = conv {
                    self.global_convs.insert(self.prog.user_globals.len() as u16 - 1, c);
                }
                self.prog.user_globals.len() - 1
            }
        };
        self.globals.insert(g.name.name.clone(), Global { slot: slot as u16, ty, unit });
    }

    pub(super) fn const_eval(&self, e: &Expr, unit: Unit) -> Option<i64> {
        match &e.kind {
            ExprKind::Int(v) => Some(*v),
            ExprKind::Name(id) => {
                if unit == Unit::User && !self.vocab.user_constant(&id.name) {
                    return None;
                }
                self.vocab.constant(&id.name)
            }
            ExprKind::Unary { op, operand } => Some(op.apply(self.const_eval(operand, unit)?)),
            ExprKind::Binary { op, lhs, rhs } => op.apply(self.const_eval(lhs, unit)?, self.const_eval(rhs, unit)?),
            ExprKind::Cast { operand, .. } => self.const_eval(operand, unit),
            _ => None,
        }
    }

    /// Pass 2: compile every declared body.
    pub fn compile_bodies(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (id, def, unit) in pending {
            self.compile_function(id, &def, unit);
        }
    }

    pub(super) fn compile_function(&mut self, id: FuncId, def: &FunctionDef, unit: Unit) {
        let mut fx = Fcx {
            unit,
            code: Vec::new(),
            spans: Vec::new(),
            scopes: vec![FxHashMap::default()],
            nlocals: 0,
            loops: Vec::new(),
            returns_value: ty_of(&def.sig.ret) != Ty::Void,
            names: Vec::new(),
            value_return: None,
            convs: FxHashMap::default(),
            ret_conv: if unit == Unit::User { StoreConv::of(&def.sig.ret) } else { None },
        };
        let mut narrow_params = Vec::new();
        for p in &def.sig.params {
            let slot = fx.named(p.name.as_ref().map(|n| n.name.as_str()).unwrap_or(""));
            if let Some(n) = &p.name {
                fx.scopes[0].insert(n.name.clone(), (slot, ty_of(&p.ty)));
            }
            if let (Unit::User, Some(c)) = (unit, StoreConv::of(&p.ty)) {
                fx.convs.insert(slot, c);
                narrow_params.push((slot, c, p.ty.span));
            }
        }
        // C converts an argument to its parameter's type.
        for (slot, c, sp) in narrow_params {
            fx.emit(Op::Load(slot), sp);
            c.emit(&mut fx, sp);
            fx.emit(Op::Store(slot), sp);
        }
        let notrace = self.sigs.get(&def.sig.name.name).map(|s| s.notrace).unwrap_or(true);
        if unit == Unit::Kernel && !notrace {
            fx.emit(Op::TracePoint, def.sig.name.span);
        }
        self.block(&mut fx, &def.body);
        let end = Span::new(def.body.span.file, def.body.span.hi.saturating_sub(1), def.body.span.hi);
        fx.emit(Op::Const(0), end);
        fx.emit(Op::Ret, end);
        let f = &mut self.prog.functions[id.0 as usize];
        f.params = def.sig.params.len() as u16;
        f.locals = fx.nlocals;
        f.code = fx.code;
        f.spans = fx.spans;
        f.returns_value = fx.returns_value;
        f.local_names = fx.names;
        if let (Unit::User, Some(at)) = (unit, fx.value_return) {
            self.value_returns.insert(def.sig.name.name.clone(), at);
        }
    }

    pub(super) fn source_text(&self, sp: Span) -> String {
        let text = self.map.text(sp.file);
        text.get(sp.lo as usize..sp.hi as usize).unwrap_or("").to_string()
    }

    /// Add the start stubs and check the entry points; returns the program or the diagnostics.
    pub fn finish(mut self, scenario_file: Option<FileId>) -> Result<(Program, Entries), Vec<Diagnostic>> {
        let mut entries = Entries { main_start: FuncId(0), init_start: FuncId(0), kthread: FuncId(0) };
        let exit_group = self.sigs.get("sys_exit_group").filter(|s| s.unit == Unit::Kernel).map(|s| s.id);
        let file0 = Span::new(scenario_file.unwrap_or(FileId(0)), 0, 0);
        // A thread's return value would reach pthread_join(), which the model
        // answers with NULL: refuse a start routine that returns anything else.
        for start in std::mem::take(&mut self.start_routines) {
            if let Some(&at) = self.value_returns.get(&start) {
                let d = self
                    .error(
                        format!("the return value of a thread is not modelled: `{start}` is a start routine"),
                        at,
                        "returns a value other than NULL",
                    )
                    .with_note("help: return NULL, and pass results back through a global variable");
                self.push_diag(d);
            }
        }
        for (entry, stub) in [("main", "_start"), ("init_main", "_start_init")] {
            match (
                self.sigs.get(entry).filter(|s| s.unit == Unit::User).map(|s| (s.id, s.params.len(), s.span)),
                exit_group,
            ) {
                (Some((id, np, span)), Some(eg)) => {
                    if np != 0 {
                        let d = Diagnostic::error(
                            format!("`{entry}` must take no parameters"),
                            span,
                            "write `int main(void)`",
                        );
                        self.push_diag(d);
                    }
                    let f = self.new_function(stub.into(), false);
                    let code = vec![
                        Op::Call { func: id, argc: 0 },
                        Op::Syscall { func: eg, argc: 1, conv: SyscallConv::Void, hint: 0 },
                        Op::Const(0),
                        Op::Ret,
                    ];
                    let fun = &mut self.prog.functions[f.0 as usize];
                    fun.spans = vec![span; code.len()];
                    fun.code = code;
                    if entry == "main" {
                        entries.main_start = f;
                    } else {
                        entries.init_start = f;
                    }
                }
                (None, _) if entry == "main" => {
                    let d = Diagnostic::error("the scenario has no `main` function", file0, "")
                        .with_note("help: a scenario is a C program: `int main(void) { ... }` is its first task");
                    self.push_diag(d);
                }
                (None, _) => {
                    let d = Diagnostic::error(
                        "the kernel model has no `init_main` (the root namespace's init program)",
                        file0,
                        "",
                    );
                    self.push_diag(d);
                }
                (_, None) => {
                    let d = Diagnostic::error("the kernel model has no `sys_exit_group()`", file0, "");
                    self.push_diag(d);
                }
            }
        }
        match self.sigs.get("rcu_tasks_kthread").filter(|s| s.unit == Unit::Kernel) {
            Some(s) => entries.kthread = s.id,
            None => {
                let d = Diagnostic::error("the kernel model has no `rcu_tasks_kthread()`", file0, "");
                self.push_diag(d);
            }
        }
        if self.sigs.get("exit_to_user_mode").filter(|s| s.unit == Unit::Kernel).is_none() {
            let d = Diagnostic::error("the kernel model has no `exit_to_user_mode()`", file0, "");
            self.push_diag(d);
        }
        if self.diags.is_empty() {
            Ok((self.prog, entries))
        } else {
            Err(self.diags)
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }
    pub fn take_diags(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diags)
    }
}
