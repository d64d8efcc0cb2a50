//! A task's machine state: its call stack (kernel and user frames in one),
//! operand stack, `errno`, the spinlocks it holds, and where it is parked
//! between steps.

use super::fault::Fault;
use crate::lang::bytecode::{FuncId, Program, SyscallConv};

/// One activation record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub func: FuncId,
    pub pc: u32,
    pub locals: Vec<i64>,
    /// How the value returned by this frame reaches its caller.
    pub kind: FrameKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// An ordinary call.
    Call,
    /// A system call made from user code: on return, `exit_to_user_mode()`
    /// runs, then the result is converted by `conv`.
    Syscall { conv: SyscallConv, hint: u16 },
    /// `exit_to_user_mode()` running after a syscall returned `ret`.
    ExitToUser { conv: SyscallConv, ret: i64 },
    /// `exit_to_user_mode()` on the return from an interrupt that found a
    /// signal pending while the task ran user code: returns nothing.
    Interrupt,
}

impl Frame {
    /// A frame running the model's `exit_to_user_mode()`, the way back to user
    /// code after a system call, a fork or an interrupt.
    pub fn exit_to_user(prog: &Program, kind: FrameKind) -> Result<Frame, Fault> {
        let func = prog
            .find("exit_to_user_mode")
            .ok_or_else(|| Fault::Model("the kernel model has no exit_to_user_mode()".into()))?;
        Ok(Frame { func, pc: 0, locals: vec![0; prog.func(func).locals as usize], kind })
    }
}

/// Where a task is parked between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parked {
    /// About to execute a visible op (or fresh): runnable.
    Ready,
    /// Asleep in `schedule()`: runnable again once `state` is TASK_RUNNING.
    Schedule,
    /// Asleep in `wait_event()`: the condition at the top frame's pc is re-evaluated.
    /// `daemon`: a daemon's wait for work, which may last for ever.
    WaitEvent { daemon: bool },
    /// Finished (`do_task_dead()`): never runs again.
    Dead,
}

/// The per-task machine state: the kernel stack and user stack in one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskVm {
    pub frames: Vec<Frame>,
    pub stack: Vec<i64>,
    /// The C library's `errno` (per thread).
    pub errno: i64,
    /// Spinlocks and rwlocks held: while nonzero the task runs without interleaving.
    pub lock_depth: u8,
    pub parked: Parked,
}

impl TaskVm {
    pub fn new(func: FuncId, locals: Vec<i64>) -> TaskVm {
        TaskVm {
            frames: vec![Frame { func, pc: 0, locals, kind: FrameKind::Call }],
            stack: Vec::new(),
            errno: 0,
            lock_depth: 0,
            parked: Parked::Ready,
        }
    }
    pub fn dead() -> TaskVm {
        TaskVm { frames: Vec::new(), stack: Vec::new(), errno: 0, lock_depth: 0, parked: Parked::Dead }
    }
}
