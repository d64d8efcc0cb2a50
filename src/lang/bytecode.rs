//! Bytecode: a small stack machine. `lang::compile` produces it from the
//! syntax tree of scenarios and kernel model files.

use super::ast::{BinOp, Span, UnOp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u16);

/// How a system call's result reaches user code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyscallConv {
    /// The libc convention: -errno becomes -1 with `errno` set.
    Errno,
    /// pthread_*: the error number is returned, 0 on success.
    Pthread,
    /// The value is returned as is (`getpid()` cannot fail).
    Raw,
    /// Nothing is returned (`_exit()`, `synchronize_rcu_tasks()`).
    Void,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Const(i64),
    Load(u16),
    Store(u16),
    /// A scenario global (per process; threads share it).
    LoadGlobal(u16),
    StoreGlobal(u16),
    /// A kernel model global.
    LoadKernel(u16),
    StoreKernel(u16),
    AddrLocal(u16),
    /// `*p` where p is the address of a local.
    LoadInd,
    StoreInd,
    Unary(UnOp),
    /// Arithmetic/comparison (never And/Or: those compile to jumps).
    Binary(BinOp),
    Jump(u32),
    JumpIfZero(u32),
    JumpIfNonZero(u32),
    Pop,
    Dup,
    /// Swap the two topmost values.
    Swap,
    Call {
        func: FuncId,
        argc: u8,
    },
    /// Return the value on top of the stack.
    Ret,
    /// A primitive of the kernel object model (named by the `Vocabulary`).
    Prim {
        prim: u16,
        argc: u8,
    },
    /// `obj->field`: pops obj, pushes the value.
    GetField(u16),
    /// `obj->field = v`: pops v then obj.
    SetField(u16),
    Current,
    LoadErrno,
    StoreErrno,
    /// A library call from user code into the kernel model.
    Syscall {
        func: FuncId,
        argc: u8,
        conv: SyscallConv,
        hint: u16,
    },
    /// Start of `wait_event(state, cond)`: the visible point; the condition
    /// that follows is evaluated in the same step as the check.
    WaitBegin,
    /// Pops the condition of `wait_event()`: if true push 0 and continue; if the
    /// sleep is interruptible and a signal is pending push -ERESTARTSYS;
    /// else sleep in `state` and start again at `retry` (the WaitBegin) when woken.
    WaitCheck {
        state: i64,
        daemon: bool,
        retry: u32,
    },
    /// `set_current_state(state)`: pops the state.
    SetCurrentState,
    /// `schedule()`.
    Schedule,
    /// `schedule_timeout_idle()`: the timeout is abstract: a preemption point.
    Yield,
    /// `nondet(n)`: pops n, pushes a choice in 0..n.
    Nondet,
    /// `assert(e)`: pops e; the string is the expression's source text.
    Assert(u16),
    /// `printf(fmt, args...)`.
    Printf {
        fmt: u16,
        argc: u8,
    },
    /// Entry of a traceable kernel function: a tracer's trampoline may run here.
    TracePoint,
    /// `panic(msg)` in model code.
    Panic(u16),
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub params: u16,
    pub locals: u16,
    pub code: Vec<Op>,
    /// Source span of each op (same length as `code`).
    pub spans: Vec<Span>,
    /// Kernel model code (false: scenario or init user code).
    pub kernel: bool,
    pub returns_value: bool,
    /// Name of each local slot ("" for compiler temporaries), for reports.
    pub local_names: Vec<String>,
}

/// What model code did with a pid number that renaming the tasks would
/// change (see `kernel::symmetry`): symmetry reduction is then unsound for
/// the scenario, and its search is run again without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SymmetryBreak {
    /// Arithmetic on a pid number, or a pid number stored where renaming
    /// does not reach (a field, `errno`, a count of choices).
    Computes = 1,
    /// Orders two pid numbers, compares one with a constant above 1, or
    /// compares numbers of two namespaces.
    Compares = 2,
    /// Looks up a pid by a number it did not get from the kernel, or by a
    /// number of another namespace.
    LooksUp = 3,
    /// A walk over the task list or the pid numbers stopped halfway: what
    /// it found first depends on the order of creation.
    WalksPartly = 4,
}

impl SymmetryBreak {
    pub fn describe(self) -> &'static str {
        match self {
            SymmetryBreak::Computes => "computes with a pid number",
            SymmetryBreak::Compares => "orders pid numbers, or compares one with a constant above 1",
            SymmetryBreak::LooksUp => {
                "looks up a pid by a number not handed out in its namespace (a literal, or another namespace's)"
            }
            SymmetryBreak::WalksPartly => "stops a walk over the task list or the pid numbers halfway",
        }
    }
    fn from_code(c: u64) -> Option<SymmetryBreak> {
        Some(match c {
            1 => SymmetryBreak::Computes,
            2 => SymmetryBreak::Compares,
            3 => SymmetryBreak::LooksUp,
            4 => SymmetryBreak::WalksPartly,
            _ => return None,
        })
    }
}

/// The first (least by source position) `SymmetryBreak` model code ran into,
/// shared by every copy of the program and every search thread: the least
/// one is the same whatever order the states were expanded in.
#[derive(Clone, Debug, Default)]
pub struct SymmetryWatch(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl SymmetryWatch {
    /// Packed so that the least value is the earliest position: stored as
    /// its complement, so that 0 (the default) means none yet.
    fn pack(span: Span, why: SymmetryBreak) -> u64 {
        let packed = (span.file.0 as u64) << 40 | (span.lo as u64 & 0xffff_ffff) << 8 | why as u64;
        !packed
    }
    pub fn note(&self, span: Span, why: SymmetryBreak) {
        self.0.fetch_max(Self::pack(span, why), std::sync::atomic::Ordering::Relaxed);
    }
    pub fn first(&self) -> Option<(crate::lang::ast::FileId, u32, SymmetryBreak)> {
        let v = self.0.load(std::sync::atomic::Ordering::Relaxed);
        if v == 0 {
            return None;
        }
        let p = !v;
        let file = crate::lang::ast::FileId((p >> 40) as _);
        Some((file, ((p >> 8) & 0xffff_ffff) as u32, SymmetryBreak::from_code(p & 0xff)?))
    }
    pub fn reset(&self) {
        self.0.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    /// Strings referenced by Assert/Printf/Panic.
    pub strings: Vec<String>,
    /// Task names of fork() call sites (`pid_t b = fork();` → "b"); 0 is "no name".
    pub hints: Vec<String>,
    /// Initial values of kernel model globals.
    pub kernel_globals: Vec<i64>,
    pub kernel_global_names: Vec<String>,
    /// Initial values of scenario globals.
    pub user_globals: Vec<i64>,
    /// The scenario updates trampolines: a tracer is attached from boot on.
    pub uses_trampolines: bool,
    /// Where model code did what symmetry reduction cannot rename.
    pub symmetry: SymmetryWatch,
    /// Bit i: model code reads or writes field i of some object other than
    /// `current` (`t->f`, not `current->f`). A task field no such access
    /// touches is private to its task: only its own code reaches it, so its
    /// liveness follows from the task's frames (`vm::liveness::FieldLiveness`).
    pub fields_off_current: u64,
}

impl Program {
    pub fn func(&self, f: FuncId) -> &Function {
        &self.functions[f.0 as usize]
    }
    /// The value of local `name` in a frame of function `f`.
    pub fn local(&self, f: FuncId, locals: &[i64], name: &str) -> Option<i64> {
        let i = self.func(f).local_names.iter().position(|n| n == name)?;
        locals.get(i).copied()
    }
    pub fn find(&self, name: &str) -> Option<FuncId> {
        self.functions.iter().position(|f| f.name == name).map(|i| FuncId(i as u16))
    }
}
