//! The scenario library: the libc and pthread calls a scenario makes
//! (`fork`, `waitpid`, `kill`, `pthread_create`...), each lowered to a system
//! call into the kernel model's `sys_*` function with the kernel's return
//! convention.

use super::*;

/// How a library call of user code maps onto a system call of the model.
pub(super) struct LibCall {
    pub(super) name: &'static str,
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

pub(super) const LIBRARY: &[LibCall] = &[
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
        sys: "sys_signal",
        arity: (2, 2),
        args: &[Arg::Param(1)],
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
pub(super) const USER_BUILTINS: &[(&str, usize)] = &[
    ("WIFEXITED", 1),
    ("WEXITSTATUS", 1),
    ("WIFSIGNALED", 1),
    ("WTERMSIG", 1),
    ("assert", 1),
    ("nondet", 1),
    ("pthread_create", 4),
];

impl<'a> Compiler<'a> {
    pub(super) fn user_call(
        &mut self,
        fx: &mut Fcx,
        callee: &Ident,
        args: &[Expr],
        sp: Span,
        target: Option<&str>,
    ) -> Ty {
        let name = callee.name.as_str();
        if let Some(lib) = LIBRARY.iter().find(|l| l.name == name) {
            if args.len() < lib.arity.0 || args.len() > lib.arity.1 {
                self.arity_error(name, lib.arity, args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            if name == "pthread_exit" && args.first().is_some_and(|a| self.const_eval(a, Unit::User) != Some(0)) {
                let d = self
                    .error("the return value of a thread is not modelled", args[0].span, "not NULL")
                    .with_note("help: pass NULL, and pass results back through a global variable");
                self.push_diag(d);
            }
            if name == "signal" {
                if let Some(a0) = args.first() {
                    if self.const_eval(a0, Unit::User) != self.vocab.constant("SIGCHLD") {
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
            if let (true, Some(retval)) = (name == "pthread_join", args.get(1)) {
                // `&ret` only: a pointer variable may hold NULL, and then
                // nothing is stored.
                if matches!(retval.kind, ExprKind::AddrOf(_)) {
                    // Every start routine returns NULL (see `finish`), so a
                    // join that succeeded stores NULL through its retval.
                    let r = fx.temp();
                    fx.emit(Op::Store(r), sp);
                    fx.emit(Op::Load(r), sp);
                    let failed = fx.emit(Op::JumpIfNonZero(0), sp);
                    self.expr(fx, retval);
                    fx.emit(Op::Const(0), sp);
                    fx.emit(Op::StoreInd, sp);
                    let h = fx.here();
                    fx.patch(failed, h);
                    fx.emit(Op::Load(r), sp);
                }
            }
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
                if let Some(n) = self.const_eval(&args[0], Unit::User).filter(|n| !(1..=64).contains(n)) {
                    let d = self
                        .error(format!("`nondet({n})` must choose among 1 to 64 values"), args[0].span, "not in 1..64")
                        .with_note("help: `nondet(n)` chooses among 0..n-1, for n from 1 to 64");
                    self.push_diag(d);
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

    /// `pthread_create(&t, NULL, fn, NULL)`: clone a thread that runs `fn`, store its tid in t.
    pub(super) fn pthread_create(&mut self, fx: &mut Fcx, args: &[Expr], sp: Span) -> Ty {
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
        self.start_routines.insert(start.clone());
        // A null pointer constant: NULL, 0, (void *)0.
        if self.const_eval(&args[3], Unit::User) != Some(0) {
            let d = self
                .error("the argument of a thread's start routine is not modelled", args[3].span, "not NULL")
                .with_note("help: pass NULL, and share data with the thread through a global variable");
            self.push_diag(d);
        }
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
    pub(super) fn thread_stub(&mut self, start: &str, sp: Span) -> FuncId {
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
}
