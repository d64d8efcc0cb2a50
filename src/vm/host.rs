//! What the VM needs from the kernel it runs on, and nothing more: the VM
//! reaches kernel objects only through the [`Host`] trait (field access,
//! primitive calls, the scheduler state of a task), so the kernel layer sits
//! on top of the VM and data flows one way.

pub use super::fault::Fault;
use super::machine::TaskVm;
use crate::lang::bytecode::Program;

/// Index of a task (a `task_struct` of the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u16);

/// `task->__state` (include/linux/sched.h). `Idle` is TASK_IDLE
/// (TASK_UNINTERRUPTIBLE | TASK_NOLOAD): not seen by the hung-task detector.
/// The VM's `set_current_state()`, `schedule()` and `wait_event()` act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunState {
    Running,
    Interruptible,
    Uninterruptible,
    Idle,
    /// TASK_DEAD: passed `do_task_dead()`, never runs again.
    Dead,
    /// TASK_NEW: created by `copy_process()`, not yet woken by `wake_up_new_task()`.
    New,
}

impl RunState {
    pub fn from_model(v: i64) -> Option<RunState> {
        Some(match v {
            0 => RunState::Running,
            1 => RunState::Interruptible,
            2 => RunState::Uninterruptible,
            0x402 => RunState::Idle,
            0x80 => RunState::Dead,
            0x800 => RunState::New,
            _ => return None,
        })
    }
    pub fn to_model(self) -> i64 {
        match self {
            RunState::Running => 0,
            RunState::Interruptible => 1,
            RunState::Uninterruptible => 2,
            RunState::Idle => 0x402,
            RunState::Dead => 0x80,
            RunState::New => 0x800,
        }
    }
    /// The letter `ps` and the hung-task report show.
    pub fn letter(self) -> char {
        match self {
            RunState::Running => 'R',
            RunState::Interruptible => 'S',
            RunState::Uninterruptible => 'D',
            RunState::Idle => 'I',
            RunState::Dead => 'X',
            RunState::New => 'N',
        }
    }
    /// The kernel's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            RunState::Running => "TASK_RUNNING",
            RunState::Interruptible => "TASK_INTERRUPTIBLE",
            RunState::Uninterruptible => "TASK_UNINTERRUPTIBLE",
            RunState::Idle => "TASK_IDLE",
            RunState::Dead => "TASK_DEAD",
            RunState::New => "TASK_NEW",
        }
    }
}

/// What a primitive asks of the VM besides computing a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrimEffect {
    Value(i64),
    /// A spinlock or rwlock is taken: the region runs as one step.
    Lock,
    Unlock,
    /// `do_task_dead()`: the task never runs again.
    TaskDead,
}

/// The kernel object model as the VM sees it.
pub trait Host {
    /// The machine state of task `t` (read-only, for `wait_event()` probes).
    fn vm(&self, t: TaskId) -> &TaskVm;
    /// Take the machine state out of task `t` while it runs; `put_vm` returns it.
    fn take_vm(&mut self, t: TaskId) -> TaskVm;
    fn put_vm(&mut self, t: TaskId, vm: TaskVm);

    fn run_state(&self, t: TaskId) -> RunState;
    fn set_run_state(&mut self, t: TaskId, s: RunState);
    /// TIF_SIGPENDING.
    fn sigpending(&self, t: TaskId) -> bool;
    /// `schedule()` with a sleeping state: off the runqueue; a voluntary
    /// context switch (`nvcsw`) unless it already was off.
    fn dequeue(&mut self, t: TaskId);
    /// Back on the runqueue.
    fn enqueue(&mut self, t: TaskId);

    /// A tracer's trampoline may run at a traceable function entry of `t` now.
    fn trampoline_live_for(&self, t: TaskId) -> bool;
    /// `t` enters the live trampoline (and is preempted inside it).
    fn enter_trampoline(&mut self, t: TaskId);
    fn in_trampoline(&self, t: TaskId) -> bool;
    fn leave_trampoline(&mut self, t: TaskId);

    /// Whether `t`'s process memory is shared with other threads.
    fn globals_shared(&self, t: TaskId) -> bool;
    fn load_global(&self, t: TaskId, i: u16) -> i64;
    fn store_global(&mut self, t: TaskId, i: u16, v: i64);
    fn load_kernel_global(&self, i: u16) -> i64;
    fn store_kernel_global(&mut self, i: u16, v: i64);

    /// `obj->field`.
    fn get_field(&self, field: u16, obj: i64) -> Result<i64, Fault>;
    /// `obj->field = v`.
    fn set_field(&mut self, field: u16, obj: i64, v: i64) -> Result<(), Fault>;
    /// The handle model code sees for `current`.
    fn task_handle(&self, t: TaskId) -> i64;

    fn prim_name(&self, prim: u16) -> &'static str;
    /// A primitive that is a scheduling point when task `t` calls it (the
    /// step ends before it): one whose effect no other task can observe is not.
    fn prim_visible(&self, prim: u16, t: TaskId) -> bool;
    /// A primitive that only reads: may run in `wait_event()` conditions.
    fn prim_pure(&self, prim: u16) -> bool;
    /// For a primitive that looks a pid up by number in the caller's
    /// namespace (`find_vpid()`): which argument is the number.
    fn pid_lookup_arg(&self, _prim: u16) -> Option<usize> {
        None
    }
    /// For a primitive that steps a walk in creation order (the task list,
    /// the pid numbers): which walk (0..8), and whether these arguments
    /// start it from the beginning.
    fn walk_step(&self, _prim: u16, _args: &[i64]) -> Option<(u8, bool)> {
        None
    }
    /// The index of the namespace task `t`'s pid numbers are seen in.
    fn active_ns(&self, _t: TaskId) -> Option<u16> {
        None
    }
    /// Run a read-only primitive for task `t`.
    fn call_pure(&self, prog: &Program, t: TaskId, prim: u16, args: &[i64]) -> Result<i64, Fault>;
    /// Whether the host keeps what user code prints (`user_output`): off on
    /// the search's hot path, where nothing is formatted.
    fn keeps_output(&self) -> bool {
        false
    }
    /// A line user code printed (printf), for a host that keeps them.
    fn user_output(&mut self, _t: TaskId, _line: &str) {}
    /// Run a primitive that changes kernel state, for task `t` whose machine
    /// state (already past the call) is `vm`.
    fn call_prim(
        &mut self,
        prog: &Program,
        t: TaskId,
        vm: &TaskVm,
        prim: u16,
        args: &[i64],
    ) -> Result<PrimEffect, Fault>;
}
