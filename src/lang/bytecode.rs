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
