//! The kernel objects of the model: `task_struct`, `signal_struct`, `struct pid`,
//! `pid_namespace`, the `tasks_rcu_exit_srcu` SRCU state, the RCU Tasks
//! grace-period state and the trampolines. Model code reads and writes them
//! through fields (`tsk->exit_state`) and primitives (`free_pid` helpers,
//! `send_signal_locked`...).
//!
//! Everything here is part of the state and hashed into its fingerprint, so
//! objects never move: a released task stays as a tombstone at its index.

pub use crate::vm::{RunState, TaskId, TaskVm};

/// Index of a thread group (`signal_struct` + `sighand_struct`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub u16);
/// Index of a PID namespace; 0 is `init_pid_ns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsId(pub u16);
/// Index of a `struct pid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PidId(pub u16);
/// A pid number as seen in one namespace.
pub type PidNr = i64;

pub const EXIT_DEAD: i64 = 0x10;
pub const EXIT_ZOMBIE: i64 = 0x20;

pub const PF_EXITING: i64 = 0x4;
pub const PF_KTHREAD: i64 = 0x0020_0000;

pub const SIGNAL_GROUP_EXIT: i64 = 0x4;
pub const SIGNAL_UNKILLABLE: i64 = 0x40;

pub const PIDNS_ADDING: i64 = 1 << 31;

/// Signal numbers the model knows (x86-64 numbering).
pub const SIGKILL: i64 = 9;
pub const SIGUSR1: i64 = 10;
pub const SIGTERM: i64 = 15;
pub const SIGCHLD: i64 = 17;
pub const SIGCONT: i64 = 18;
pub const SIGSTOP: i64 = 19;

/// What a `kill()` or exit signal does with the default handler.
/// `SIG_KERNEL_IGNORE_MASK` (include/linux/signal.h): ignored with SIG_DFL.
pub fn sig_default_ignored(sig: i64) -> bool {
    matches!(sig, SIGCONT | SIGCHLD | 23 /* SIGURG */ | 28 /* SIGWINCH */)
}

/// `SIG_KERNEL_COREDUMP_MASK`: fatal, but left queued for get_signal().
pub fn sig_default_coredump(sig: i64) -> bool {
    matches!(sig, 3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31)
}

/// `SIG_KERNEL_STOP_MASK`: job-control stops (not modelled).
pub fn sig_default_stops(sig: i64) -> bool {
    matches!(sig, SIGSTOP | 20 /* SIGTSTP */ | 21 /* SIGTTIN */ | 22 /* SIGTTOU */)
}

/// SIGCHLD disposition of a thread group (`sighand->action[SIGCHLD-1]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SigchldAction {
    pub ignored: bool,
    pub nocldwait: bool,
}

/// The fingerprint of a task's canonical bytes, kept between steps that do
/// not write the task (0: not computed yet). Not part of the task's identity:
/// it compares equal and hashes to nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskHash(pub u128);

impl PartialEq for TaskHash {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for TaskHash {}
impl std::hash::Hash for TaskHash {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Task {
    /// Name in reports: `main`, `b`, `rcu_tasks_kthread`...
    pub name: String,
    /// `task->pid`'s `struct pid` (PIDTYPE_PID).
    pub pid: PidId,
    pub group: GroupId,
    /// Whether this task is its group's leader (`thread_group_leader()`).
    pub leader: bool,
    pub real_parent: Option<TaskId>,
    /// Whose `children` list this task's `sibling` entry is on.
    pub sibling_of: Option<TaskId>,
    /// Linked into the kernel's lists by `copy_process()` (false for a
    /// task_struct whose fork failed and was freed).
    pub attached: bool,
    /// `task->children`, in list order.
    pub children: Vec<TaskId>,
    pub exit_state: i64,
    pub exit_code: i64,
    pub exit_signal: i64,
    pub flags: i64,
    pub state: RunState,
    /// Off the runqueue: asleep in `schedule()` or dead.
    pub sleeping: bool,
    /// Voluntary context switches (`nvcsw`).
    pub nvcsw: u32,
    /// Hashed on the task list (false once `__unhash_process()` ran).
    pub hashed: bool,
    /// Pending signals (bit n = signal n) and TIF_SIGPENDING.
    pub pending: u64,
    pub sigpending: bool,
    /// `nsproxy->pid_ns_for_children`.
    pub pid_ns_for_children: NsId,
    /// Waiting on `signal->wait_chldexit` with these criteria (`wo_type`, `wo_pid`).
    pub wait_chldexit: Option<(i64, i64)>,
    /// The `dead` list of `exit_notify()`/`forget_original_parent()` (ptrace_entry).
    pub dead_list: Vec<TaskId>,
    /// `rcu_tasks_idx` of include/linux/sched.h; the task's other RCU Tasks
    /// fields (`rcu_tasks_holdout`, `rcu_tasks_nvcsw`) are kept in
    /// `RcuTasks`, see there.
    pub rcu_tasks_idx: i64,
    /// Model bookkeeping, like lockdep's held-lock list: the SRCU index this
    /// task holds a `tasks_rcu_exit_srcu` reader on.
    pub srcu_reader: Option<u8>,
    /// v6.9+: on a per-CPU `rtp_exit_list` (`rcu_tasks_exit_cpu` >= 0).
    pub on_exit_list: bool,
    /// `preempt_count()` (only disable depth is modelled).
    pub preempt_count: u8,
    /// The trampoline this task is executing in, if any (preempted inside it).
    pub in_trampoline: Option<u8>,
    /// The on-stack completion of `__wait_rcu_gp()`: set by `complete()`.
    pub completion_done: bool,
    /// A `pthread_join()`/`CLONE_CHILD_CLEARTID` word: cleared at exit_mm().
    pub tid_cleared: bool,
    /// What the task's user code printed, as ids of `output_line()`, when the
    /// kernel keeps outcomes (`Kernel::outcomes`); empty otherwise.
    pub out: Vec<u32>,
    pub vm: TaskVm,
    pub hash: TaskHash,
}

impl Task {
    /// A task as `copy_process()` leaves it before it is attached anywhere:
    /// TASK_NEW, off the runqueue, not hashed, no children, no pending signals.
    pub fn new(
        name: String,
        pid: PidId,
        group: GroupId,
        leader: bool,
        real_parent: Option<TaskId>,
        vm: TaskVm,
    ) -> Task {
        Task {
            name,
            pid,
            group,
            leader,
            real_parent,
            sibling_of: None,
            attached: false,
            children: Vec::new(),
            exit_state: 0,
            exit_code: 0,
            exit_signal: SIGCHLD,
            flags: 0,
            state: RunState::New,
            sleeping: true,
            nvcsw: 0,
            hashed: false,
            pending: 0,
            sigpending: false,
            pid_ns_for_children: NsId(0),
            wait_chldexit: None,
            dead_list: Vec::new(),
            rcu_tasks_idx: 0,
            srcu_reader: None,
            on_exit_list: false,
            preempt_count: 0,
            in_trampoline: None,
            completion_done: false,
            tid_cleared: false,
            out: Vec::new(),
            vm,
            hash: TaskHash::default(),
        }
    }

    pub fn is_kthread(&self) -> bool {
        self.flags & PF_KTHREAD != 0
    }
    pub fn on_rq(&self) -> bool {
        !self.sleeping && self.state != RunState::Dead
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignalStruct {
    pub leader: TaskId,
    /// Threads in creation order (including exited ones until released).
    pub threads: Vec<TaskId>,
    /// `signal->live`: threads that have not started `do_exit()`.
    pub live: i64,
    /// `signal->quick_threads` (v6.1 `synchronize_group_exit()`).
    pub quick_threads: i64,
    pub flags: i64,
    pub group_exit_code: i64,
    pub is_child_subreaper: bool,
    pub has_child_subreaper: bool,
    pub sigchld: SigchldAction,
    /// Shared pending signals.
    pub shared_pending: u64,
    /// The process's memory: scenario globals (one copy per process; threads share it).
    pub globals: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PidNamespace {
    pub level: i64,
    pub parent: Option<NsId>,
    pub child_reaper: Option<TaskId>,
    /// Count of allocated pids plus PIDNS_ADDING (bit 31).
    pub pid_allocated: i64,
    /// The idr cursor: the last number handed out.
    pub last_pid: PidNr,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pid {
    /// `numbers[i]` = (namespace at level i, nr), from the root (level 0) down.
    pub numbers: Vec<(NsId, PidNr)>,
    /// Tasks attached as (task, pid type) (PIDTYPE_PID = 0, PIDTYPE_TGID = 1).
    pub users: Vec<(TaskId, u8)>,
    /// `free_pid()` ran: numbers returned to the namespaces.
    pub freed: bool,
}

impl Pid {
    pub fn level(&self) -> i64 {
        self.numbers.len() as i64 - 1
    }
    pub fn ns_at(&self, level: usize) -> Option<NsId> {
        self.numbers.get(level).map(|n| n.0)
    }
    /// The number in `ns`, if the pid lives there.
    pub fn nr_in(&self, ns: NsId) -> Option<PidNr> {
        self.numbers.iter().find(|n| n.0 == ns).map(|n| n.1)
    }
}

/// `tasks_rcu_exit_srcu` (kernel/rcu/srcutree.c), two-index form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Srcu {
    /// `srcu_idx & 1`: the index new readers use.
    pub idx: u8,
    /// Lock minus unlock counts per index.
    pub readers: [i64; 2],
}

/// `struct rcu_tasks` for RCU Tasks (kernel/rcu/tasks.h).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct RcuTasks {
    /// Callbacks queued and not yet picked up by a grace period (waiter tasks).
    pub cbs_queued: Vec<TaskId>,
    /// Callbacks the current grace period will invoke.
    pub cbs_gp: Vec<TaskId>,
    /// Completed grace periods.
    pub gp_seq: u32,
    /// The holdout list of the current grace period.
    pub holdouts: Vec<TaskId>,
    /// v6.9+: the `rtp_exit_list`s (the model has no CPUs: one list).
    pub exit_list: Vec<TaskId>,
    /// Each task's `rcu_tasks_holdout` (bit n: the task in slot n). The
    /// kernel keeps it in task_struct; here it sits with the rest of RCU
    /// Tasks, since only RCU Tasks reads or writes it: the scan that marks
    /// the holdouts, and the check that releases them, then write this part
    /// and not the tasks, and commute with the steps of a task that leave
    /// what RCU Tasks reads of it as it was.
    pub holdout_flags: u64,
    /// Each task's `rcu_tasks_nvcsw` that is not 0, by task. Empty between
    /// steps: `canonicalize()` keeps of a holdout only whether its `nvcsw`
    /// moved since the scan, as an `nvcsw` of 1 against a snapshot of 0.
    pub holdout_nvcsw: Vec<(TaskId, u32)>,
}

impl RcuTasks {
    pub fn holdout(&self, t: TaskId) -> bool {
        self.holdout_flags & crate::explore::bit(t.0 as usize) != 0
    }

    pub fn set_holdout(&mut self, t: TaskId, on: bool) {
        // Tasks are at most 64 (`dup_task_struct()` refuses more).
        let bit = crate::explore::bit(t.0 as usize);
        if on {
            self.holdout_flags |= bit;
        } else {
            self.holdout_flags &= !bit;
        }
    }

    pub fn holdout_nvcsw(&self, t: TaskId) -> u32 {
        self.holdout_nvcsw.iter().find(|(x, _)| *x == t).map_or(0, |&(_, v)| v)
    }

    pub fn set_holdout_nvcsw(&mut self, t: TaskId, v: u32) {
        self.holdout_nvcsw.retain(|(x, _)| *x != t);
        if v != 0 {
            self.holdout_nvcsw.push((t, v));
            self.holdout_nvcsw.sort_unstable();
        }
    }
}

/// One tracer trampoline (ftrace/kprobes/BPF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrampolineState {
    /// Installed: tasks may enter it at traceable points.
    Live,
    /// Removed from the call sites: no new entries; tasks inside may still run it.
    Removed,
    /// Memory freed.
    Freed,
}
