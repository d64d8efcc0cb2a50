//! Name and type checks, and lowering of the syntax tree to bytecode.
//!
//! One `Program` holds the kernel model (kernel code), the root namespace's
//! init program and the scenario (user code). User code reaches the kernel
//! only through library calls, which become system calls into the model's
//! `sys_*` functions.

use rustc_hash::FxHashMap;

use super::ast::*;
use super::diag::{Diagnostic, SourceMap};
use crate::kernel::consts;
use crate::kernel::fields::{self, Ty};
use crate::kernel::prims::{self, PRIMS};
use crate::vm::bytecode::{FuncId, Function, Op, Program, SyscallConv};
use crate::vm::value;

/// Which world a translation unit belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Kernel model file (`*.kc`).
    Kernel,
    /// User program: a scenario or the built-in init.
    User,
}

/// How a library call of user code maps onto a system call of the model.
struct LibCall {
    name: &'static str,
    /// Model function it enters.
    sys: &'static str,
    /// Parameters of the library call (min, max).
    arity: (usize, usize),
    /// Arguments of the system call: `Some(i)` = the i-th argument, `None` = a constant from `consts`.
    args: &'static [Arg],
    conv: SyscallConv,
    /// The result names a new task (fork-like).
    names_task: bool,
}

#[derive(Clone, Copy)]
enum Arg {
    Param(usize),
    Const(i64),
}

const LIBRARY: &[LibCall] = &[
    LibCall { name: "fork", sys: "sys_fork", arity: (0, 0), args: &[], conv: SyscallConv::Errno, names_task: true },
    LibCall {
        name: "clone_exit_signal",
        sys: "sys_clone_exit_signal",
        arity: (1, 1),
        args: &[Arg::Param(0)],
        conv: SyscallConv::Errno,
        names_task: true,
    },
    LibCall {
        name: "_exit",
        sys: "sys_exit_group",
        arity: (1, 1),
        args: &[Arg::Param(0)],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall {
        name: "exit",
        sys: "sys_exit_group",
        arity: (1, 1),
        args: &[Arg::Param(0)],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall { name: "getpid", sys: "sys_getpid", arity: (0, 0), args: &[], conv: SyscallConv::Raw, names_task: false },
    LibCall {
        name: "getppid",
        sys: "sys_getppid",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Raw,
        names_task: false,
    },
    LibCall { name: "gettid", sys: "sys_gettid", arity: (0, 0), args: &[], conv: SyscallConv::Raw, names_task: false },
    LibCall {
        name: "unshare",
        sys: "sys_unshare",
        arity: (1, 1),
        args: &[Arg::Param(0)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "waitpid",
        sys: "sys_wait4",
        arity: (3, 3),
        args: &[Arg::Param(0), Arg::Param(1), Arg::Param(2)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "wait",
        sys: "sys_wait4",
        arity: (1, 1),
        args: &[Arg::Const(-1), Arg::Param(0), Arg::Const(0)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "kill",
        sys: "sys_kill",
        arity: (2, 2),
        args: &[Arg::Param(0), Arg::Param(1)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "signal",
        sys: "sys_sigaction_sigchld",
        arity: (2, 2),
        args: &[Arg::Param(1), Arg::Const(0)],
        conv: SyscallConv::Raw,
        names_task: false,
    },
    LibCall {
        name: "sigchld_flags",
        sys: "sys_sigaction_sigchld",
        arity: (1, 1),
        args: &[Arg::Const(0), Arg::Param(0)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "prctl",
        sys: "sys_prctl",
        arity: (2, 5),
        args: &[Arg::Param(0), Arg::Param(1)],
        conv: SyscallConv::Errno,
        names_task: false,
    },
    LibCall {
        name: "pthread_join",
        sys: "sys_futex_wait_tid",
        arity: (2, 2),
        args: &[Arg::Param(0)],
        conv: SyscallConv::Pthread,
        names_task: false,
    },
    LibCall {
        name: "pthread_exit",
        sys: "sys_exit",
        arity: (1, 1),
        args: &[Arg::Const(0)],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall {
        name: "sleep",
        sys: "sys_nanosleep",
        arity: (1, 1),
        args: &[],
        conv: SyscallConv::Raw,
        names_task: false,
    },
    LibCall {
        name: "usleep",
        sys: "sys_nanosleep",
        arity: (1, 1),
        args: &[],
        conv: SyscallConv::Raw,
        names_task: false,
    },
    LibCall {
        name: "sched_yield",
        sys: "sys_nanosleep",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Raw,
        names_task: false,
    },
    LibCall {
        name: "synchronize_rcu_tasks",
        sys: "sys_synchronize_rcu_tasks",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall {
        name: "synchronize_rcu_tasks_trace",
        sys: "sys_synchronize_rcu_tasks_trace",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall {
        name: "trampoline_update",
        sys: "sys_trampoline_update",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Void,
        names_task: false,
    },
    LibCall {
        name: "init_wait_for_children",
        sys: "sys_init_wait_for_children",
        arity: (0, 0),
        args: &[],
        conv: SyscallConv::Void,
        names_task: false,
    },
];

/// Pure helpers user code may call (macros of <sys/wait.h> and the model's own).
const USER_BUILTINS: &[(&str, usize)] = &[
    ("WIFEXITED", 1),
    ("WEXITSTATUS", 1),
    ("WIFSIGNALED", 1),
    ("WTERMSIG", 1),
    ("assert", 1),
    ("nondet", 1),
    ("pthread_create", 4),
];
const KERNEL_BUILTINS: &[(&str, usize)] = &[
    ("wait_event", 2),
    ("wait_event_daemon", 2),
    ("set_current_state", 1),
    ("__set_current_state", 1),
    ("schedule", 0),
    ("schedule_timeout_idle", 1),
    ("panic", 1),
    ("WARN_ON", 1),
];
/// Kernel objects the model refers to by name.
const KERNEL_OBJECTS: &[(&str, Ty, i64)] = &[
    ("tasklist_lock", Ty::Lock, value::LOCK),
    ("pidmap_lock", Ty::Lock, value::LOCK | 1),
    ("tasks_rcu_exit_srcu", Ty::Srcu, value::SRCU | 1),
];

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
    prog: Program,
    sigs: FxHashMap<String, Sig>,
    globals: FxHashMap<String, Global>,
    diags: Vec<Diagnostic>,
    /// Thread start stubs already generated, by start routine.
    thread_stubs: FxHashMap<String, FuncId>,
    /// Bodies to compile in pass 2.
    pending: Vec<(FuncId, FunctionDef, Unit)>,
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

impl<'a> Compiler<'a> {
    pub fn new(map: &'a SourceMap) -> Compiler<'a> {
        let mut prog = Program::default();
        prog.hints.push(String::new());
        Compiler {
            map,
            prog,
            sigs: FxHashMap::default(),
            globals: FxHashMap::default(),
            diags: Vec::new(),
            thread_stubs: FxHashMap::default(),
            pending: Vec::new(),
        }
    }

    fn error(&self, msg: impl Into<String>, span: Span, label: impl Into<String>) -> Diagnostic {
        Diagnostic::error(msg, span, label)
    }

    fn push_diag(&mut self, d: Diagnostic) {
        if self.diags.len() < 50 {
            self.diags.push(d);
        }
    }

    fn intern(&mut self, s: &str) -> u16 {
        if let Some(i) = self.prog.strings.iter().position(|x| x == s) {
            return i as u16;
        }
        self.prog.strings.push(s.to_string());
        (self.prog.strings.len() - 1) as u16
    }

    fn hint(&mut self, s: &str) -> u16 {
        if let Some(i) = self.prog.hints.iter().position(|x| x == s) {
            return i as u16;
        }
        self.prog.hints.push(s.to_string());
        (self.prog.hints.len() - 1) as u16
    }

    fn new_function(&mut self, name: String, kernel: bool) -> FuncId {
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

    fn check_user_sig(&mut self, sig: &FunctionSig) {
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

    fn declare_global(&mut self, g: &VarDecl, unit: Unit) {
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
                    KERNEL_OBJECTS.iter().map(|o| o.0).collect::<Vec<_>>().join(", ")
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
                self.prog.user_globals.push(init);
                self.prog.user_globals.len() - 1
            }
        };
        self.globals.insert(g.name.name.clone(), Global { slot: slot as u16, ty, unit });
    }

    fn const_eval(&self, e: &Expr, unit: Unit) -> Option<i64> {
        match &e.kind {
            ExprKind::Int(v) => Some(*v),
            ExprKind::Name(id) => {
                if unit == Unit::User && !consts::is_user_visible(&id.name) {
                    return None;
                }
                consts::lookup(&id.name)
            }
            ExprKind::Unary { op, operand } => Some(crate::vm::interp::unary(*op, self.const_eval(operand, unit)?)),
            ExprKind::Binary { op, lhs, rhs } => {
                crate::vm::interp::binary(*op, self.const_eval(lhs, unit)?, self.const_eval(rhs, unit)?).ok()
            }
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

    fn compile_function(&mut self, id: FuncId, def: &FunctionDef, unit: Unit) {
        let mut fx = Fcx {
            unit,
            code: Vec::new(),
            spans: Vec::new(),
            scopes: vec![FxHashMap::default()],
            nlocals: 0,
            loops: Vec::new(),
            returns_value: ty_of(&def.sig.ret) != Ty::Void,
            names: Vec::new(),
        };
        for p in &def.sig.params {
            let slot = fx.named(p.name.as_ref().map(|n| n.name.as_str()).unwrap_or(""));
            if let Some(n) = &p.name {
                fx.scopes[0].insert(n.name.clone(), (slot, ty_of(&p.ty)));
            }
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
    }

    fn block(&mut self, fx: &mut Fcx, b: &Block) {
        fx.scopes.push(FxHashMap::default());
        for s in &b.stmts {
            self.stmt(fx, s);
        }
        fx.scopes.pop();
    }

    fn stmt(&mut self, fx: &mut Fcx, s: &Stmt) {
        match &s.kind {
            StmtKind::Decl(decls) => {
                for d in decls {
                    let ty = ty_of(&d.ty);
                    if fx.unit == Unit::User
                        && !(ty == Ty::Int
                            || (ty == Ty::Any && matches!(&d.ty.kind, TypeKind::Ptr(i) if i.kind == TypeKind::Void)))
                    {
                        let diag = self
                            .error(format!("variables of type `{}` are not supported in scenarios", type_text(&d.ty)), d.ty.span, "not supported in scenarios")
                            .with_note("help: scenarios use integer variables; pass `&variable` to calls that return a value through a pointer");
                        self.push_diag(diag);
                    }
                    let slot = fx.named(&d.name.name);
                    if let Some(init) = &d.init {
                        self.expr_named(fx, init, Some(&d.name.name));
                        fx.emit(Op::Store(slot), d.span);
                    }
                    fx.scopes.last_mut().map(|sc| sc.insert(d.name.name.clone(), (slot, ty)));
                }
            }
            StmtKind::Expr(e) => {
                self.expr(fx, e);
                fx.emit(Op::Pop, e.span);
            }
            StmtKind::If { cond, then, els } => {
                self.expr(fx, cond);
                let j = fx.emit(Op::JumpIfZero(0), cond.span);
                self.stmt(fx, then);
                match els {
                    None => {
                        let h = fx.here();
                        fx.patch(j, h);
                    }
                    Some(e) => {
                        let over = fx.emit(Op::Jump(0), s.span);
                        let h = fx.here();
                        fx.patch(j, h);
                        self.stmt(fx, e);
                        let h = fx.here();
                        fx.patch(over, h);
                    }
                }
            }
            StmtKind::While { cond, body } => {
                let top = fx.here();
                self.expr(fx, cond);
                let exit = fx.emit(Op::JumpIfZero(0), cond.span);
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                for c in conts {
                    fx.patch(c, top);
                }
                fx.emit(Op::Jump(top), s.span);
                let end = fx.here();
                fx.patch(exit, end);
                for b in breaks {
                    fx.patch(b, end);
                }
            }
            StmtKind::DoWhile { body, cond } => {
                let top = fx.here();
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                let check = fx.here();
                for c in conts {
                    fx.patch(c, check);
                }
                self.expr(fx, cond);
                fx.emit(Op::JumpIfNonZero(top), cond.span);
                let end = fx.here();
                for b in breaks {
                    fx.patch(b, end);
                }
            }
            StmtKind::For { init, cond, step, body } => {
                fx.scopes.push(FxHashMap::default());
                if let Some(i) = init {
                    self.stmt(fx, i);
                }
                let top = fx.here();
                let exit = cond.as_ref().map(|c| {
                    self.expr(fx, c);
                    fx.emit(Op::JumpIfZero(0), c.span)
                });
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                let cont_target = fx.here();
                for c in conts {
                    fx.patch(c, cont_target);
                }
                if let Some(st) = step {
                    self.expr(fx, st);
                    fx.emit(Op::Pop, st.span);
                }
                fx.emit(Op::Jump(top), s.span);
                let end = fx.here();
                if let Some(x) = exit {
                    fx.patch(x, end);
                }
                for b in breaks {
                    fx.patch(b, end);
                }
                fx.scopes.pop();
            }
            StmtKind::Return(e) => {
                match e {
                    Some(e) => {
                        self.expr(fx, e);
                    }
                    None => {
                        fx.emit(Op::Const(0), s.span);
                    }
                }
                fx.emit(Op::Ret, s.span);
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                if fx.loops.is_empty() {
                    let d = self.error(
                        format!("`{}` outside of a loop", if is_break { "break" } else { "continue" }),
                        s.span,
                        "not inside a loop",
                    );
                    self.push_diag(d);
                    return;
                }
                let j = fx.emit(Op::Jump(0), s.span);
                if let Some(l) = fx.loops.last_mut() {
                    if is_break {
                        l.0.push(j)
                    } else {
                        l.1.push(j)
                    }
                }
            }
            StmtKind::Block(b) => self.block(fx, b),
            StmtKind::Empty => {}
        }
    }

    fn expr(&mut self, fx: &mut Fcx, e: &Expr) -> Ty {
        self.expr_named(fx, e, None)
    }

    /// Compile `e`, pushing its value. `target` names the variable a fork-like
    /// call's result goes to (the new task's name).
    fn expr_named(&mut self, fx: &mut Fcx, e: &Expr, target: Option<&str>) -> Ty {
        let sp = e.span;
        match &e.kind {
            ExprKind::Int(v) => {
                fx.emit(Op::Const(*v), sp);
                Ty::Int
            }
            ExprKind::Str(s) => {
                let i = self.intern(s);
                fx.emit(Op::Const(i as i64), sp);
                Ty::Int
            }
            ExprKind::Name(id) => self.name(fx, id),
            ExprKind::Call { callee, args } => self.call(fx, callee, args, sp, target),
            ExprKind::Unary { op, operand } => {
                self.expr(fx, operand);
                fx.emit(Op::Unary(*op), sp);
                Ty::Int
            }
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                self.expr(fx, lhs);
                let short =
                    if *op == BinOp::And { fx.emit(Op::JumpIfZero(0), sp) } else { fx.emit(Op::JumpIfNonZero(0), sp) };
                self.expr(fx, rhs);
                fx.emit(Op::Unary(UnOp::Not), sp);
                fx.emit(Op::Unary(UnOp::Not), sp);
                let over = fx.emit(Op::Jump(0), sp);
                let h = fx.here();
                fx.patch(short, h);
                fx.emit(Op::Const((*op == BinOp::Or) as i64), sp);
                let h = fx.here();
                fx.patch(over, h);
                Ty::Int
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(fx, lhs);
                self.expr(fx, rhs);
                fx.emit(Op::Binary(*op), sp);
                Ty::Int
            }
            ExprKind::Assign { op, lhs, rhs } => self.assign(fx, lhs, *op, Some(rhs), sp, false),
            ExprKind::IncDec { prefix, increment, operand } => {
                let one = Expr { kind: ExprKind::Int(1), span: sp };
                let op = if *increment { BinOp::Add } else { BinOp::Sub };
                self.assign(fx, operand, Some(op), Some(&one), sp, !*prefix)
            }
            ExprKind::Cond { cond, then, els } => {
                self.expr(fx, cond);
                let j = fx.emit(Op::JumpIfZero(0), sp);
                let t = self.expr_named(fx, then, target);
                let over = fx.emit(Op::Jump(0), sp);
                let h = fx.here();
                fx.patch(j, h);
                self.expr_named(fx, els, target);
                let h = fx.here();
                fx.patch(over, h);
                t
            }
            ExprKind::Arrow { base, field } => {
                if fx.unit == Unit::User {
                    let d = self
                        .error("`->` is not supported in scenarios", sp, "not supported in scenarios")
                        .with_note("help: scenarios see the kernel only through system calls");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
                let bt = self.expr(fx, base);
                match fields::lookup(bt, &field.name) {
                    Some(fi) => {
                        fx.emit(Op::GetField(fi), sp);
                        fields::FIELDS[fi as usize].ty
                    }
                    None => {
                        let d = self
                            .error(
                                format!("`struct {}` has no modelled field `{}`", bt.struct_name(), field.name),
                                field.span,
                                "unknown field",
                            )
                            .with_note(self.field_help(bt));
                        self.push_diag(d);
                        Ty::Int
                    }
                }
            }
            ExprKind::AddrOf(inner) => match &inner.kind {
                ExprKind::Name(id) => {
                    if let Some((slot, _)) = fx.lookup(&id.name) {
                        fx.emit(Op::AddrLocal(slot), sp);
                        return Ty::IntPtr;
                    }
                    if fx.unit == Unit::Kernel {
                        if let Some(o) = KERNEL_OBJECTS.iter().find(|o| o.0 == id.name) {
                            fx.emit(Op::Const(o.2), sp);
                            return o.1;
                        }
                    }
                    let d = self.error(
                        format!("`&{}`: only the address of a local variable can be taken", id.name),
                        sp,
                        "not a local variable",
                    );
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    Ty::Int
                }
                ExprKind::Arrow { .. } if fx.unit == Unit::Kernel => self.expr(fx, inner),
                _ => {
                    let d = self.error("only the address of a local variable can be taken", sp, "not supported");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    Ty::Int
                }
            },
            ExprKind::Deref(inner) => {
                if fx.unit == Unit::User {
                    let d = self
                        .error("pointer dereference is not supported in scenarios", sp, "not supported in scenarios")
                        .with_note("help: pass `&variable` to a library call and read the variable");
                    self.push_diag(d);
                }
                self.expr(fx, inner);
                fx.emit(Op::LoadInd, sp);
                Ty::Int
            }
            ExprKind::Cast { ty, operand } => {
                self.expr(fx, operand);
                match ty_of(ty) {
                    Ty::Void => Ty::Int,
                    t => t,
                }
            }
            ExprKind::Comma(a, b) => {
                self.expr(fx, a);
                fx.emit(Op::Pop, sp);
                self.expr(fx, b)
            }
        }
    }

    fn field_help(&self, bt: Ty) -> String {
        let names: Vec<&str> = fields::FIELDS.iter().filter(|f| f.of == bt).map(|f| f.name).collect();
        if names.is_empty() {
            format!("help: a value of this type has no fields the model knows ({})", bt.struct_name())
        } else {
            format!("help: the modelled fields are {}", names.join(", "))
        }
    }

    fn name(&mut self, fx: &mut Fcx, id: &Ident) -> Ty {
        let sp = id.span;
        if let Some((slot, ty)) = fx.lookup(&id.name) {
            fx.emit(Op::Load(slot), sp);
            return ty;
        }
        if let Some(g) = self.globals.get(&id.name) {
            if g.unit == fx.unit {
                let (slot, ty) = (g.slot, g.ty);
                fx.emit(if fx.unit == Unit::Kernel { Op::LoadKernel(slot) } else { Op::LoadGlobal(slot) }, sp);
                return ty;
            }
        }
        if fx.unit == Unit::User && id.name == "errno" {
            fx.emit(Op::LoadErrno, sp);
            return Ty::Int;
        }
        if fx.unit == Unit::Kernel && id.name == "current" {
            fx.emit(Op::Current, sp);
            return Ty::Task;
        }
        if fx.unit == Unit::Kernel {
            if let Some(o) = KERNEL_OBJECTS.iter().find(|o| o.0 == id.name) {
                fx.emit(Op::Const(o.2), sp);
                return o.1;
            }
        }
        if let Some(v) = consts::lookup(&id.name) {
            if fx.unit == Unit::Kernel || consts::is_user_visible(&id.name) {
                fx.emit(Op::Const(v), sp);
                return Ty::Int;
            }
        }
        let mut d = self.error(format!("unknown name `{}`", id.name), sp, "not declared");
        if let Some(s) = self.suggest_name(fx, &id.name) {
            d = d.with_note(format!("help: did you mean `{s}`?"));
        }
        self.push_diag(d);
        fx.emit(Op::Const(0), sp);
        Ty::Int
    }

    fn suggest_name(&self, fx: &Fcx, name: &str) -> Option<String> {
        let mut cands: Vec<String> = fx.scopes.iter().flat_map(|s| s.keys().cloned()).collect();
        cands.extend(self.globals.keys().cloned());
        best(name, cands.iter().map(|s| s.as_str()))
    }

    fn suggest_function(&self, unit: Unit, name: &str) -> Option<String> {
        let mut cands: Vec<&str> = self.sigs.iter().filter(|(_, s)| s.unit == unit).map(|(n, _)| n.as_str()).collect();
        match unit {
            Unit::User => {
                cands.extend(LIBRARY.iter().map(|l| l.name));
                cands.extend(USER_BUILTINS.iter().map(|b| b.0));
                cands.push("printf");
            }
            Unit::Kernel => {
                cands.extend(PRIMS.iter().map(|p| p.name));
                cands.extend(KERNEL_BUILTINS.iter().map(|b| b.0));
            }
        }
        best(name, cands.into_iter())
    }

    /// `lhs = rhs`, `lhs op= rhs`, `++lhs`, `lhs++` (postfix: result is the old value).
    fn assign(
        &mut self,
        fx: &mut Fcx,
        lhs: &Expr,
        op: Option<BinOp>,
        rhs: Option<&Expr>,
        sp: Span,
        postfix: bool,
    ) -> Ty {
        enum Place {
            Local(u16),
            Global(u16),
            Kernel(u16),
            Errno,
            Field(u16, u16),
            Ind(u16),
        }
        let place = match &lhs.kind {
            ExprKind::Name(id) => {
                if let Some((slot, _)) = fx.lookup(&id.name) {
                    Place::Local(slot)
                } else if let Some(g) = self.globals.get(&id.name).filter(|g| g.unit == fx.unit) {
                    if fx.unit == Unit::Kernel {
                        Place::Kernel(g.slot)
                    } else {
                        Place::Global(g.slot)
                    }
                } else if fx.unit == Unit::User && id.name == "errno" {
                    Place::Errno
                } else {
                    let d = self.error(format!("cannot assign to `{}`", id.name), lhs.span, "not a variable");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
            }
            ExprKind::Arrow { base, field } if fx.unit == Unit::Kernel => {
                let bt = self.expr(fx, base);
                let Some(fi) = fields::lookup(bt, &field.name) else {
                    let d = self
                        .error(
                            format!("`struct {}` has no modelled field `{}`", bt.struct_name(), field.name),
                            field.span,
                            "unknown field",
                        )
                        .with_note(self.field_help(bt));
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                };
                if !fields::FIELDS[fi as usize].writable {
                    let d =
                        self.error(format!("`->{}` is read-only in the model", field.name), field.span, "read-only");
                    self.push_diag(d);
                }
                let tmp = fx.temp();
                fx.emit(Op::Store(tmp), sp);
                Place::Field(fi, tmp)
            }
            ExprKind::Deref(inner) if fx.unit == Unit::Kernel => {
                self.expr(fx, inner);
                let tmp = fx.temp();
                fx.emit(Op::Store(tmp), sp);
                Place::Ind(tmp)
            }
            _ => {
                let d = self.error(
                    "this expression cannot be assigned to",
                    lhs.span,
                    if fx.unit == Unit::User { "not supported in scenarios" } else { "not assignable" },
                );
                self.push_diag(d);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
        };
        let load = |fx: &mut Fcx, p: &Place| match p {
            Place::Local(s) => {
                fx.emit(Op::Load(*s), sp);
            }
            Place::Global(s) => {
                fx.emit(Op::LoadGlobal(*s), sp);
            }
            Place::Kernel(s) => {
                fx.emit(Op::LoadKernel(*s), sp);
            }
            Place::Errno => {
                fx.emit(Op::LoadErrno, sp);
            }
            Place::Field(fi, tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::GetField(*fi), sp);
            }
            Place::Ind(tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::LoadInd, sp);
            }
        };
        let old = if postfix {
            let t = fx.temp();
            load(fx, &place);
            fx.emit(Op::Store(t), sp);
            Some(t)
        } else {
            None
        };
        // New value on the stack.
        let target = match &lhs.kind {
            ExprKind::Name(id) => Some(id.name.clone()),
            _ => None,
        };
        match (op, rhs) {
            (Some(o), Some(r)) => {
                load(fx, &place);
                self.expr(fx, r);
                fx.emit(Op::Binary(o), sp);
            }
            (None, Some(r)) => {
                self.expr_named(fx, r, target.as_deref());
            }
            _ => {
                fx.emit(Op::Const(0), sp);
            }
        }
        let val = fx.temp();
        fx.emit(Op::Store(val), sp);
        match &place {
            Place::Local(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::Store(*s), sp);
            }
            Place::Global(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreGlobal(*s), sp);
            }
            Place::Kernel(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreKernel(*s), sp);
            }
            Place::Errno => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreErrno, sp);
            }
            Place::Field(fi, tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::SetField(*fi), sp);
            }
            Place::Ind(tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreInd, sp);
            }
        }
        fx.emit(Op::Load(old.unwrap_or(val)), sp);
        Ty::Int
    }

    fn arity_error(&mut self, name: &str, want: (usize, usize), got: usize, sp: Span, decl: Option<Span>) {
        let want_s = if want.0 == want.1 { format!("{}", want.0) } else { format!("{} to {}", want.0, want.1) };
        let mut d = self.error(
            format!(
                "`{name}` takes {want_s} argument{}, but {got} {} given",
                if want.1 == 1 { "" } else { "s" },
                if got == 1 { "was" } else { "were" }
            ),
            sp,
            format!("expected {want_s}"),
        );
        if let Some(s) = decl {
            d = d.with_secondary(s, "declared here");
        }
        self.push_diag(d);
    }

    fn call(&mut self, fx: &mut Fcx, callee: &Ident, args: &[Expr], sp: Span, target: Option<&str>) -> Ty {
        let name = callee.name.as_str();
        // Functions of the same world.
        if let Some(sig) = self.sigs.get(name).filter(|s| s.unit == fx.unit) {
            let (id, nparams, ret, decl) = (sig.id, sig.params.len(), sig.ret, sig.span);
            if args.len() != nparams {
                self.arity_error(name, (nparams, nparams), args.len(), sp, Some(decl));
            }
            for a in args {
                self.expr(fx, a);
            }
            fx.emit(Op::Call { func: id, argc: args.len() as u8 }, sp);
            return if ret == Ty::Void { Ty::Int } else { ret };
        }
        match fx.unit {
            Unit::User => self.user_call(fx, callee, args, sp, target),
            Unit::Kernel => self.kernel_call(fx, callee, args, sp),
        }
    }

    fn user_call(&mut self, fx: &mut Fcx, callee: &Ident, args: &[Expr], sp: Span, target: Option<&str>) -> Ty {
        let name = callee.name.as_str();
        if let Some(lib) = LIBRARY.iter().find(|l| l.name == name) {
            if args.len() < lib.arity.0 || args.len() > lib.arity.1 {
                self.arity_error(name, lib.arity, args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            if name == "signal" {
                if let Some(a0) = args.first() {
                    if self.const_eval(a0, Unit::User) != Some(crate::kernel::objects::SIGCHLD) {
                        let d = self
                            .error("only SIGCHLD's disposition is modelled", a0.span, "not SIGCHLD")
                            .with_note("help: the model tracks SIG_IGN/SIG_DFL and SA_NOCLDWAIT for SIGCHLD only");
                        self.push_diag(d);
                    }
                }
            }
            let Some(sig) = self.sigs.get(lib.sys).filter(|s| s.unit == Unit::Kernel) else {
                let d = self
                    .error(
                        format!("the kernel model has no `{}()`, which `{name}()` enters", lib.sys),
                        callee.span,
                        "not in this kernel model",
                    )
                    .with_note(format!(
                        "help: add `{}()` to the model, or check this scenario against another kernel model",
                        lib.sys
                    ));
                self.push_diag(d);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            };
            let (id, nparams) = (sig.id, sig.params.len());
            if nparams != lib.args.len() {
                let d = self.error(
                    format!(
                        "the kernel model's `{}()` takes {nparams} arguments; `{name}()` passes {}",
                        lib.sys,
                        lib.args.len()
                    ),
                    callee.span,
                    "model mismatch",
                );
                self.push_diag(d);
            }
            for a in lib.args {
                match a {
                    Arg::Param(i) => {
                        if let Some(e) = args.get(*i) {
                            self.expr(fx, e);
                        } else {
                            fx.emit(Op::Const(0), sp);
                        }
                    }
                    Arg::Const(v) => {
                        fx.emit(Op::Const(*v), sp);
                    }
                }
            }
            for (i, a) in args.iter().enumerate() {
                if !lib.args.iter().any(|x| matches!(x, Arg::Param(j) if *j == i)) {
                    // Evaluated for effect, as C would (e.g. pthread_join's retval NULL).
                    self.expr(fx, a);
                    fx.emit(Op::Pop, a.span);
                }
            }
            if name == "trampoline_update" {
                self.prog.uses_trampolines = true;
            }
            let hint = if lib.names_task { target.map(|t| self.hint(t)).unwrap_or(0) } else { 0 };
            fx.emit(Op::Syscall { func: id, argc: lib.args.len() as u8, conv: lib.conv, hint }, sp);
            return Ty::Int;
        }
        match name {
            "WIFEXITED" | "WEXITSTATUS" | "WIFSIGNALED" | "WTERMSIG" => {
                if args.len() != 1 {
                    self.arity_error(name, (1, 1), args.len(), sp, None);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
                self.expr(fx, &args[0]);
                let ops: &[Op] = match name {
                    "WIFEXITED" => &[Op::Const(0x7f), Op::Binary(BinOp::BitAnd), Op::Const(0), Op::Binary(BinOp::Eq)],
                    "WEXITSTATUS" => {
                        &[Op::Const(8), Op::Binary(BinOp::Shr), Op::Const(0xff), Op::Binary(BinOp::BitAnd)]
                    }
                    "WTERMSIG" => &[Op::Const(0x7f), Op::Binary(BinOp::BitAnd)],
                    // ((status & 0x7f) + 1) >> 1 > 0, on a signed char
                    _ => &[
                        Op::Const(0x7f),
                        Op::Binary(BinOp::BitAnd),
                        Op::Dup,
                        Op::Const(0),
                        Op::Binary(BinOp::Ne),
                        Op::Swap,
                        Op::Const(0x7f),
                        Op::Binary(BinOp::Ne),
                        Op::Binary(BinOp::BitAnd),
                    ],
                };
                for o in ops {
                    fx.emit(o.clone(), sp);
                }
                Ty::Int
            }
            "assert" => {
                if args.len() != 1 {
                    self.arity_error(name, (1, 1), args.len(), sp, None);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
                self.expr(fx, &args[0]);
                let text = self.source_text(args[0].span);
                let s = self.intern(&text);
                fx.emit(Op::Assert(s), sp);
                fx.emit(Op::Const(0), sp);
                Ty::Int
            }
            "nondet" => {
                if args.len() != 1 {
                    self.arity_error(name, (1, 1), args.len(), sp, None);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
                self.expr(fx, &args[0]);
                fx.emit(Op::Nondet, sp);
                Ty::Int
            }
            "printf" => {
                let Some(ExprKind::Str(fmt)) = args.first().map(|a| &a.kind) else {
                    let d = self.error("`printf` needs a string literal format", sp, "no format string");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                };
                let f = self.intern(fmt);
                for a in &args[1..] {
                    self.expr(fx, a);
                }
                fx.emit(Op::Printf { fmt: f, argc: (args.len() - 1) as u8 }, sp);
                Ty::Int
            }
            "pthread_create" => self.pthread_create(fx, args, sp),
            _ => {
                let mut d = self.error(
                    format!("unknown function `{name}`"),
                    callee.span,
                    "not a scenario function or a modelled library call",
                );
                if let Some(s) = self.suggest_function(Unit::User, name) {
                    d = d.with_note(format!("help: did you mean `{s}`?"));
                }
                self.push_diag(d);
                for a in args {
                    self.expr(fx, a);
                    fx.emit(Op::Pop, a.span);
                }
                fx.emit(Op::Const(0), sp);
                Ty::Int
            }
        }
    }

    fn source_text(&self, sp: Span) -> String {
        let text = self.map.text(sp.file);
        text.get(sp.lo as usize..sp.hi as usize).unwrap_or("").to_string()
    }

    /// `pthread_create(&t, NULL, fn, NULL)`: clone a thread that runs `fn`, store its tid in t.
    fn pthread_create(&mut self, fx: &mut Fcx, args: &[Expr], sp: Span) -> Ty {
        if args.len() != 4 {
            self.arity_error("pthread_create", (4, 4), args.len(), sp, None);
            fx.emit(Op::Const(0), sp);
            return Ty::Int;
        }
        let start = match &args[2].kind {
            ExprKind::Name(id) if self.sigs.get(&id.name).is_some_and(|s| s.unit == Unit::User) => id.name.clone(),
            _ => {
                let d = self
                    .error(
                        "the start routine must be a function of the scenario",
                        args[2].span,
                        "not a scenario function",
                    )
                    .with_note("help: declare it as `void *fn(void *arg)`");
                self.push_diag(d);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
        };
        let thread_var = match &args[0].kind {
            ExprKind::AddrOf(inner) => match &inner.kind {
                ExprKind::Name(id) => Some(id.name.clone()),
                _ => None,
            },
            _ => None,
        };
        let stub = self.thread_stub(&start, args[2].span);
        let Some(sys) = self.sigs.get("sys_clone_thread").filter(|s| s.unit == Unit::Kernel).map(|s| s.id) else {
            let d = self.error(
                "the kernel model has no `sys_clone_thread()`, which `pthread_create()` enters",
                sp,
                "not in this kernel model",
            );
            self.push_diag(d);
            fx.emit(Op::Const(0), sp);
            return Ty::Int;
        };
        let hint = thread_var.as_deref().map(|t| self.hint(t)).unwrap_or(0);
        self.expr(fx, &args[1]);
        fx.emit(Op::Pop, sp);
        self.expr(fx, &args[3]);
        fx.emit(Op::Pop, sp);
        fx.emit(Op::Const(value::FUNC | stub.0 as i64), sp);
        fx.emit(Op::Syscall { func: sys, argc: 1, conv: SyscallConv::Raw, hint }, sp);
        let r = fx.temp();
        fx.emit(Op::Store(r), sp);
        fx.emit(Op::Load(r), sp);
        fx.emit(Op::Const(0), sp);
        fx.emit(Op::Binary(BinOp::Lt), sp);
        let ok = fx.emit(Op::JumpIfZero(0), sp);
        fx.emit(Op::Const(0), sp);
        fx.emit(Op::Load(r), sp);
        fx.emit(Op::Binary(BinOp::Sub), sp);
        let end = fx.emit(Op::Jump(0), sp);
        let h = fx.here();
        fx.patch(ok, h);
        self.expr(fx, &args[0]);
        fx.emit(Op::Load(r), sp);
        fx.emit(Op::StoreInd, sp);
        fx.emit(Op::Const(0), sp);
        let h = fx.here();
        fx.patch(end, h);
        Ty::Int
    }

    /// A user-code function that calls the start routine and exits the thread.
    fn thread_stub(&mut self, start: &str, sp: Span) -> FuncId {
        if let Some(&id) = self.thread_stubs.get(start) {
            return id;
        }
        let id = self.new_function(format!("start_thread:{start}"), false);
        let start_id = self.sigs.get(start).map(|s| s.id).unwrap_or(FuncId(0));
        let exit = self.sigs.get("sys_exit").filter(|s| s.unit == Unit::Kernel).map(|s| s.id);
        let mut code = vec![Op::Const(0), Op::Call { func: start_id, argc: 1 }, Op::Pop];
        match exit {
            Some(e) => code.extend([Op::Const(0), Op::Syscall { func: e, argc: 1, conv: SyscallConv::Void, hint: 0 }]),
            None => {
                let d = Diagnostic::error(
                    "the kernel model has no `sys_exit()`, which a returning thread enters",
                    sp,
                    "not in this kernel model",
                );
                self.push_diag(d);
            }
        }
        code.extend([Op::Const(0), Op::Ret]);
        let f = &mut self.prog.functions[id.0 as usize];
        f.spans = vec![sp; code.len()];
        f.code = code;
        f.locals = 1;
        f.params = 1;
        self.thread_stubs.insert(start.to_string(), id);
        id
    }

    fn kernel_call(&mut self, fx: &mut Fcx, callee: &Ident, args: &[Expr], sp: Span) -> Ty {
        let name = callee.name.as_str();
        if let Some(&(_, n)) = KERNEL_BUILTINS.iter().find(|b| b.0 == name) {
            if args.len() != n {
                self.arity_error(name, (n, n), args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            match name {
                "wait_event" | "wait_event_daemon" => {
                    let Some(state) = self.const_eval(&args[0], Unit::Kernel) else {
                        let d = self.error(
                            "the task state of `wait_event()` must be a constant",
                            args[0].span,
                            "not a constant",
                        );
                        self.push_diag(d);
                        fx.emit(Op::Const(0), sp);
                        return Ty::Int;
                    };
                    let retry = fx.here();
                    fx.emit(Op::WaitBegin, sp);
                    self.expr(fx, &args[1]);
                    fx.emit(Op::WaitCheck { state, daemon: name == "wait_event_daemon", retry }, sp);
                }
                "set_current_state" => {
                    self.expr(fx, &args[0]);
                    fx.emit(Op::SetCurrentState, sp);
                    fx.emit(Op::Const(0), sp);
                }
                "__set_current_state" => {
                    self.expr(fx, &args[0]);
                    fx.emit(Op::Prim { prim: prims::lookup("__set_current_state").unwrap_or(0), argc: 1 }, sp);
                }
                "schedule" => {
                    fx.emit(Op::Schedule, sp);
                    fx.emit(Op::Const(0), sp);
                }
                "schedule_timeout_idle" => {
                    self.expr(fx, &args[0]);
                    fx.emit(Op::Yield, sp);
                }
                "panic" => {
                    let msg = match &args[0].kind {
                        ExprKind::Str(s) => s.clone(),
                        _ => "panic".into(),
                    };
                    let s = self.intern(&msg);
                    fx.emit(Op::Panic(s), sp);
                    fx.emit(Op::Const(0), sp);
                }
                _ => {
                    // WARN_ON(cond): the model treats a warning as a model fault.
                    self.expr(fx, &args[0]);
                    let text = format!("WARN_ON({})", self.source_text(args[0].span));
                    let s = self.intern(&text);
                    fx.emit(Op::Unary(UnOp::Not), sp);
                    fx.emit(Op::Assert(s), sp);
                    fx.emit(Op::Const(0), sp);
                }
            }
            return Ty::Int;
        }
        if let Some(pi) = prims::lookup(name) {
            let def = &PRIMS[pi as usize];
            if args.len() != def.params.len() {
                self.arity_error(name, (def.params.len(), def.params.len()), args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            for a in args {
                self.expr(fx, a);
            }
            fx.emit(Op::Prim { prim: pi, argc: args.len() as u8 }, sp);
            return if def.ret == Ty::Void { Ty::Int } else { def.ret };
        }
        let mut d =
            self.error(format!("unknown function `{name}`"), callee.span, "not a model function or a primitive");
        if let Some(s) = self.suggest_function(Unit::Kernel, name) {
            d = d.with_note(format!("help: did you mean `{s}`?"));
        } else {
            d = d.with_note("help: model code calls functions of the model files and the primitives of `taskcheck kernels --primitives`");
        }
        self.push_diag(d);
        for a in args {
            self.expr(fx, a);
            fx.emit(Op::Pop, a.span);
        }
        fx.emit(Op::Const(0), sp);
        Ty::Int
    }

    /// Add the start stubs and check the entry points; returns the program or the diagnostics.
    pub fn finish(mut self, scenario_file: Option<FileId>) -> Result<(Program, Entries), Vec<Diagnostic>> {
        let mut entries = Entries { main_start: FuncId(0), init_start: FuncId(0), kthread: FuncId(0) };
        let exit_group = self.sigs.get("sys_exit_group").filter(|s| s.unit == Unit::Kernel).map(|s| s.id);
        let file0 = Span::new(scenario_file.unwrap_or(FileId(0)), 0, 0);
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

fn best<'b>(name: &str, cands: impl Iterator<Item = &'b str>) -> Option<String> {
    let limit = (name.len() / 3).max(2).min(name.len().saturating_sub(1));
    cands.map(|c| (distance(name, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c.to_string())
}
