//! A task's machine state: its call stack (kernel and user frames in one),
//! operand stack, `errno`, the spinlocks it holds, and where it is parked
//! between steps.

use super::fault::Fault;
use crate::lang::bytecode::{FuncId, Program, SyscallConv};

/// One activation record. Its locals are in `TaskVm::locals`, from `base`
/// up to the next frame's `base` (all frames' in one vector, so that copying
/// a task to write it copies three vectors, not one per frame).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub func: FuncId,
    pub pc: u32,
    pub base: u32,
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
    /// Every frame's locals, the outermost first (see `Frame::base`).
    pub locals: Vec<i64>,
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
            frames: vec![Frame { func, pc: 0, base: 0, kind: FrameKind::Call }],
            locals,
            stack: Vec::new(),
            errno: 0,
            lock_depth: 0,
            parked: Parked::Ready,
        }
    }
    pub fn dead() -> TaskVm {
        TaskVm {
            frames: Vec::new(),
            locals: Vec::new(),
            stack: Vec::new(),
            errno: 0,
            lock_depth: 0,
            parked: Parked::Dead,
        }
    }

    /// The task finished (`do_task_dead()`): no frame, local or operand left.
    pub fn kill(&mut self) {
        self.frames.clear();
        self.locals.clear();
        self.stack.clear();
        self.parked = Parked::Dead;
    }

    /// Where the locals of frame `i` end: at the next frame's base.
    fn frame_end(&self, i: usize) -> usize {
        self.frames.get(i + 1).map_or(self.locals.len(), |f| f.base as usize)
    }

    /// The locals of frame `i` (none for a frame that does not exist).
    pub fn frame_locals(&self, i: usize) -> &[i64] {
        let Some(f) = self.frames.get(i) else { return &[] };
        self.locals.get(f.base as usize..self.frame_end(i)).unwrap_or(&[])
    }

    pub fn frame_locals_mut(&mut self, i: usize) -> &mut [i64] {
        let Some(f) = self.frames.get(i) else { return &mut [] };
        let range = f.base as usize..self.frame_end(i);
        self.locals.get_mut(range).unwrap_or(&mut [])
    }

    /// Call `func`: a frame on top with `nlocals` locals, the first `args`
    /// taken from the operand stack (the caller pushed them in order).
    pub fn push_frame(&mut self, func: FuncId, kind: FrameKind, args: usize, nlocals: usize) -> Result<(), Fault> {
        let Some(first) = self.stack.len().checked_sub(args) else {
            return Err(Fault::Model("stack underflow".into()));
        };
        let base = self.locals.len();
        let Ok(base32) = u32::try_from(base) else {
            return Err(Fault::Unsupported("more locals than a task can hold".into()));
        };
        self.locals.extend(self.stack.drain(first..));
        self.locals.resize(base + nlocals.max(args), 0);
        self.frames.push(Frame { func, pc: 0, base: base32, kind });
        Ok(())
    }

    /// Return from the top frame: it and its locals are gone.
    pub fn pop_frame(&mut self) -> Option<Frame> {
        let f = self.frames.pop()?;
        self.locals.truncate(f.base as usize);
        Some(f)
    }

    /// Run the model's `exit_to_user_mode()`, the way back to user code after
    /// a system call, a fork or an interrupt.
    pub fn push_exit_to_user(&mut self, prog: &Program, kind: FrameKind) -> Result<(), Fault> {
        let func = prog
            .find("exit_to_user_mode")
            .ok_or_else(|| Fault::Model("the kernel model has no exit_to_user_mode()".into()))?;
        self.push_frame(func, kind, 0, prog.func(func).locals as usize)
    }
}
