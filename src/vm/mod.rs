//! The virtual machine that runs scenario and kernel model bytecode, one task
//! at a time, a step at a time: a step runs a task up to its next visible
//! action (an access to shared kernel state or a blocking point), so private
//! computation never makes states of its own.

pub mod bytecode;
pub mod interp;

pub use bytecode::{FuncId, Function, Op, Program};

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
    Syscall { conv: bytecode::SyscallConv, hint: u16 },
    /// `exit_to_user_mode()` running after a syscall returned `ret`.
    ExitToUser { conv: bytecode::SyscallConv, ret: i64 },
    /// `exit_to_user_mode()` on the return from an interrupt that found a
    /// signal pending while the task ran user code: returns nothing.
    Interrupt,
}

impl Frame {
    /// A frame running the model's `exit_to_user_mode()`, the way back to user
    /// code after a system call, a fork or an interrupt.
    pub fn exit_to_user(prog: &Program, kind: FrameKind) -> Result<Frame, crate::kernel::Fault> {
        let func = prog
            .find("exit_to_user_mode")
            .ok_or_else(|| crate::kernel::Fault::Model("the kernel model has no exit_to_user_mode()".into()))?;
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

/// Tagged values: kernel object handles and local addresses share the i64
/// value space with integers; the tag catches a model that mixes them up.
pub mod value {
    pub const TAG_SHIFT: u32 = 40;
    pub const TAG_MASK: i64 = 0xff << TAG_SHIFT;
    pub const TASK: i64 = 1 << TAG_SHIFT;
    pub const NS: i64 = 2 << TAG_SHIFT;
    pub const PID: i64 = 3 << TAG_SHIFT;
    pub const SIGNAL: i64 = 4 << TAG_SHIFT;
    pub const SIGHAND: i64 = 5 << TAG_SHIFT;
    pub const NSPROXY: i64 = 6 << TAG_SHIFT;
    pub const LOCK: i64 = 7 << TAG_SHIFT;
    pub const SRCU: i64 = 8 << TAG_SHIFT;
    pub const LOCAL: i64 = 9 << TAG_SHIFT;
    pub const FUNC: i64 = 10 << TAG_SHIFT;

    pub fn tag(v: i64) -> i64 {
        if v <= 0 {
            0
        } else {
            v & TAG_MASK
        }
    }
    pub fn payload(v: i64) -> i64 {
        v & !TAG_MASK
    }
    pub fn local_addr(frame: usize, slot: u16) -> i64 {
        LOCAL | ((frame as i64) << 16) | slot as i64
    }
    pub fn tag_name(t: i64) -> &'static str {
        match t {
            0 => "an integer",
            TASK => "a struct task_struct *",
            NS => "a struct pid_namespace *",
            PID => "a struct pid *",
            SIGNAL => "a struct signal_struct *",
            SIGHAND => "a struct sighand_struct *",
            NSPROXY => "a struct nsproxy *",
            LOCK => "a lock",
            SRCU => "a struct srcu_struct *",
            LOCAL => "the address of a local",
            FUNC => "a function",
            _ => "an unknown value",
        }
    }
}
