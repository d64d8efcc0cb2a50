//! Hung sets, found in every state: what each blocked task waits on, read
//! off the kernel objects its wait depends on (the SRCU readers of an index,
//! the completion the RCU Tasks kthread signals, the pids that keep a dying
//! namespace's `pid_allocated` up, the children a `do_wait()` may reap, the
//! parent that must reap a zombie...), who can end that wait, and the largest
//! set of blocked tasks whose waits only members of the set can end.
//!
//! Sound by construction: a task's unblockers over-approximate every task
//! whose action could end its wait (when unsure: any task that can still
//! run). No member of a hung set can move first, so none ever moves again.

use std::cell::RefCell;

use super::fields::handle_task;
use super::objects::*;
use super::prims::{PrimFn, PRIMS};
use super::{Fault, Kernel};
use crate::explore::ActorSet;
use crate::lang::bytecode::Program;
use crate::vm::{interp, Host, Parked, PrimEffect};

/// The kernel object a blocked task waits on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitsOn {
    /// `synchronize_srcu()`: the readers of `tasks_rcu_exit_srcu` index `idx` to drain.
    SrcuReaders { idx: u8 },
    /// `wait_for_completion()` on the completion that `rcu_tasks_kthread`
    /// signals when the grace period of the task's callback ends.
    GracePeriod,
    /// `synchronize_rcu()`: the preemption-disabled regions of these tasks.
    PreemptDisabled { tasks: ActorSet },
    /// `pthread_join()`: the thread's `CLONE_CHILD_CLEARTID` word.
    ThreadExit { thread: Option<TaskId> },
    /// `do_wait()` on `signal->wait_chldexit`: a child to change state.
    Children,
    /// `zap_pid_ns_processes()`' final loop: the namespace's `pid_allocated`
    /// to drop to the reaper's own pids (woken by `free_pid()`).
    PidAllocated { ns: NsId },
    /// A zombie: its parent must reap it.
    Reaper,
    /// A sleep the model cannot read: any task that can run may end it.
    Unknown,
}

/// Who can end a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unblockers {
    /// Only these tasks.
    Tasks(ActorSet),
    /// Any task that can still run.
    Any,
}

/// One blocked task's wait.
#[derive(Clone, Debug)]
pub struct Wait {
    pub task: TaskId,
    pub on: WaitsOn,
    pub unblockers: Unblockers,
}

fn bit(t: TaskId) -> ActorSet {
    1u64.checked_shl(t.0 as u32).unwrap_or(0)
}

/// A task that can never act again: released, freed, or dead and reaped.
fn inert(task: &Task) -> bool {
    !task.attached || (task.vm.parked == Parked::Dead && task.exit_state != EXIT_ZOMBIE)
}

/// The pure primitives a `wait_event()` condition calls, with their arguments.
struct Recorder<'a> {
    k: &'a Kernel,
    /// Each call's name and first two arguments (all that is read of them).
    calls: RefCell<Vec<(&'static str, [i64; 2])>>,
}

impl Host for Recorder<'_> {
    fn vm(&self, t: TaskId) -> &TaskVm {
        self.k.vm(t)
    }
    fn take_vm(&mut self, _t: TaskId) -> TaskVm {
        TaskVm::dead()
    }
    fn put_vm(&mut self, _t: TaskId, _vm: TaskVm) {}
    fn run_state(&self, t: TaskId) -> RunState {
        self.k.run_state(t)
    }
    fn set_run_state(&mut self, _t: TaskId, _s: RunState) {}
    fn sigpending(&self, t: TaskId) -> bool {
        self.k.sigpending(t)
    }
    fn dequeue(&mut self, _t: TaskId) {}
    fn enqueue(&mut self, _t: TaskId) {}
    fn trampoline_live_for(&self, t: TaskId) -> bool {
        self.k.trampoline_live_for(t)
    }
    fn enter_trampoline(&mut self, _t: TaskId) {}
    fn in_trampoline(&self, t: TaskId) -> bool {
        self.k.in_trampoline(t)
    }
    fn leave_trampoline(&mut self, _t: TaskId) {}
    fn globals_shared(&self, t: TaskId) -> bool {
        self.k.globals_shared(t)
    }
    fn load_global(&self, t: TaskId, i: u16) -> i64 {
        self.k.load_global(t, i)
    }
    fn store_global(&mut self, _t: TaskId, _i: u16, _v: i64) {}
    fn load_kernel_global(&self, i: u16) -> i64 {
        self.k.load_kernel_global(i)
    }
    fn store_kernel_global(&mut self, _i: u16, _v: i64) {}
    fn get_field(&self, field: u16, obj: i64) -> Result<i64, Fault> {
        self.k.get_field(field, obj)
    }
    fn set_field(&mut self, _field: u16, _obj: i64, _v: i64) -> Result<(), Fault> {
        Err(Fault::Model("a wait condition writes a field".into()))
    }
    fn task_handle(&self, t: TaskId) -> i64 {
        handle_task(t)
    }
    fn prim_name(&self, prim: u16) -> &'static str {
        self.k.prim_name(prim)
    }
    fn prim_visible(&self, prim: u16, t: TaskId) -> bool {
        self.k.prim_visible(prim, t)
    }
    fn prim_pure(&self, prim: u16) -> bool {
        self.k.prim_pure(prim)
    }
    fn call_pure(&self, prog: &Program, t: TaskId, prim: u16, args: &[i64]) -> Result<i64, Fault> {
        if let Some(p) = PRIMS.get(prim as usize) {
            if matches!(p.f, PrimFn::Pure(_)) {
                let arg = |i: usize| args.get(i).copied().unwrap_or(0);
                self.calls.borrow_mut().push((p.name, [arg(0), arg(1)]));
            }
        }
        self.k.call_pure(prog, t, prim, args)
    }
    fn call_prim(
        &mut self,
        _prog: &Program,
        _t: TaskId,
        _vm: &TaskVm,
        _prim: u16,
        _args: &[i64],
    ) -> Result<PrimEffect, Fault> {
        Err(Fault::Model("a wait condition calls a primitive that writes".into()))
    }
}

/// A zombie that finished `do_exit()`: an object only its reaper can free.
fn dead_zombie(task: &Task) -> bool {
    task.attached && task.hashed && task.exit_state == EXIT_ZOMBIE && task.vm.parked == Parked::Dead
}

/// Every task of `k` that can still act.
fn actors(k: &Kernel) -> ActorSet {
    k.task_ids().filter(|&t| !inert(k.task(t)) && !dead_zombie(k.task(t))).fold(0, |s, t| s | bit(t))
}

fn task_arg(k: &Kernel, v: i64) -> Option<TaskId> {
    super::fields::task_of(k, v, "").ok()
}

/// What a `wait_event()` sleeper waits on, from the primitives its condition calls.
fn wait_event_on(prog: &Program, k: &Kernel, t: TaskId) -> WaitsOn {
    let rec = Recorder { k, calls: RefCell::new(Vec::new()) };
    if interp::probe_wait(prog, &rec, t).is_err() {
        return WaitsOn::Unknown;
    }
    let calls = rec.calls.into_inner();
    match calls.as_slice() {
        [("srcu_readers_active_idx", a)] => WaitsOn::SrcuReaders { idx: (a.get(1).copied().unwrap_or(0) & 1) as u8 },
        [("completion_done", _)] => WaitsOn::GracePeriod,
        [("rcu_gp_done", a)] => WaitsOn::PreemptDisabled { tasks: a.first().copied().unwrap_or(0) as u64 },
        [("tid_cleared", a)] => WaitsOn::ThreadExit { thread: a.first().and_then(|&v| task_arg(k, v)) },
        _ => WaitsOn::Unknown,
    }
}

/// What a task asleep in `schedule()` waits on, from the kernel objects it is
/// registered with: a `wait_chldexit` queue, or the dying namespace it reaps.
fn schedule_on(k: &Kernel, t: TaskId) -> WaitsOn {
    let task = k.task(t);
    if task.wait_chldexit.is_some() {
        return WaitsOn::Children;
    }
    let ns = k.active_ns(t);
    let n = k.ns(ns);
    let reaper_group = n.child_reaper.map(|r| k.task(r).group);
    if task.flags & PF_EXITING != 0 && n.pid_allocated & PIDNS_ADDING == 0 && reaper_group == Some(task.group) {
        return WaitsOn::PidAllocated { ns };
    }
    WaitsOn::Unknown
}

/// Whether signals can still reach t's process (a group-exiting one drops them).
fn signalable(k: &Kernel, t: TaskId) -> bool {
    k.group(k.task(t).group).flags & SIGNAL_GROUP_EXIT == 0
}

/// The threads of `g` that can still act, `except` left out.
fn acting_threads(k: &Kernel, g: GroupId, except: Option<TaskId>) -> ActorSet {
    k.group(g).threads.iter().filter(|&&x| Some(x) != except && !inert(k.task(x))).fold(0, |s, &x| s | bit(x))
}

/// Who can free zombie `z`: any thread of its parent's process (do_wait()
/// looks at the children of every thread of the group), and, for a leader
/// kept back by live threads, those threads (the last one's release_task()
/// notifies the parent, which may autoreap it).
fn reapers_of(k: &Kernel, z: TaskId) -> Unblockers {
    let zt = k.task(z);
    let Some(p) = zt.real_parent else { return Unblockers::Any };
    Unblockers::Tasks(acting_threads(k, k.task(p).group, None) | acting_threads(k, zt.group, Some(z)))
}

/// Who can free the pids of `ns` (those `skip` leaves out aside): a task
/// that holds one and can act itself, the reapers of a zombie holding one;
/// any task if a pid there is between alloc_pid() and attach_pid(), or
/// being released.
fn pid_freers(k: &Kernel, ns: NsId, skip: impl Fn(TaskId, &Task) -> bool) -> Unblockers {
    let mut set: ActorSet = 0;
    for pid in k.pids.iter().filter(|p| !p.freed && p.nr_in(ns).is_some()) {
        let Some(&(x, _)) = pid.users.iter().find(|u| u.1 == 0) else { return Unblockers::Any };
        let xt = k.task(x);
        if skip(x, xt) {
            continue;
        }
        if xt.exit_state == EXIT_ZOMBIE {
            // Reapable even while it still runs the tail of do_exit().
            match reapers_of(k, x) {
                Unblockers::Tasks(r) => set |= r,
                Unblockers::Any => return Unblockers::Any,
            }
        } else if xt.exit_state == EXIT_DEAD && xt.vm.parked == Parked::Dead {
            // Reaped: whoever set EXIT_DEAD is releasing it.
            return Unblockers::Any;
        } else {
            // Alive, or still running its exit: it acts itself.
            set |= bit(x);
        }
    }
    Unblockers::Tasks(set)
}

fn unblockers(k: &Kernel, t: TaskId, on: &WaitsOn) -> Unblockers {
    use Unblockers::*;
    let task = k.task(t);
    let interruptible = matches!(task.state, RunState::Interruptible);
    if interruptible && signalable(k, t) {
        // Any task may send it a signal (kill(), an exit signal...).
        return Any;
    }
    match on {
        WaitsOn::SrcuReaders { idx } => {
            let holders: ActorSet =
                k.task_ids().filter(|&r| k.task(r).srcu_reader == Some(*idx)).fold(0, |s, r| s | bit(r));
            // Only the holders' __srcu_read_unlock() drains the index; a count
            // without holders is a model the reading does not understand.
            if holders.count_ones() as i64 == k.srcu.readers[*idx as usize] {
                Tasks(holders)
            } else {
                Any
            }
        }
        WaitsOn::GracePeriod => Tasks(k.task_ids().filter(|&x| k.task(x).is_kthread()).fold(0, |s, x| s | bit(x))),
        WaitsOn::PreemptDisabled { tasks } => Tasks(
            k.task_ids()
                .filter(|&x| tasks & bit(x) != 0 && k.task(x).preempt_count > 0 && k.task(x).state != RunState::Dead)
                .fold(0, |s, x| s | bit(x)),
        ),
        WaitsOn::ThreadExit { thread } => match thread {
            Some(th) => Tasks(bit(*th)),
            None => Any,
        },
        WaitsOn::Children => {
            let g = task.group;
            if k.group(g).is_child_subreaper {
                // A subreaper may be handed the children of any descendant.
                return Any;
            }
            // Its other threads may fork, exit or reap.
            let mut set = acting_threads(k, g, Some(t));
            for &th in &k.group(g).threads {
                for &c in &k.task(th).children {
                    let ct = k.task(c);
                    if ct.exit_state == EXIT_DEAD && ct.hashed {
                        // Being released by someone: its release may notify us.
                        return Any;
                    }
                    // The child and its threads: exiting, or releasing a
                    // zombie leader kept back by them.
                    set |= acting_threads(k, ct.group, None);
                }
            }
            // A namespace's reaper is handed the children of every task that
            // exits in it, and free_pid() wakes it.
            for (i, n) in k.namespaces.iter().enumerate() {
                if n.child_reaper.is_some_and(|r| k.task(r).group == g) {
                    match pid_freers(k, NsId(i as u16), |_, xt| xt.group == g) {
                        Tasks(f) => set |= f,
                        Any => return Any,
                    }
                }
            }
            Tasks(set)
        }
        // The reaper's own pids are the init_pids it waits down to: its own,
        // and its zombie leader's when it is not the leader.
        WaitsOn::PidAllocated { ns } => {
            pid_freers(k, *ns, |x, xt| x == t || (!task.leader && xt.group == task.group && xt.leader))
        }
        WaitsOn::Reaper => reapers_of(k, t),
        WaitsOn::Unknown => Any,
    }
}

/// The wait of every task that is blocked (or a zombie), in task order.
pub fn waits(prog: &Program, k: &Kernel) -> Vec<Wait> {
    let mut out = Vec::new();
    for t in k.task_ids() {
        let task = k.task(t);
        let on = if dead_zombie(task) {
            WaitsOn::Reaper
        } else {
            match task.vm.parked {
                Parked::Schedule if task.state != RunState::Running => schedule_on(k, t),
                Parked::WaitEvent { daemon: false } => {
                    if !matches!(interp::choices(prog, k, t), Ok(0)) {
                        continue;
                    }
                    wait_event_on(prog, k, t)
                }
                _ => continue,
            }
        };
        let unblockers = unblockers(k, t, &on);
        out.push(Wait { task: t, on, unblockers });
    }
    out
}

/// The largest set of blocked tasks (and zombies) whose waits only members
/// of the set can end; empty if none, or if it holds no blocked task.
pub fn hung_set(prog: &Program, k: &Kernel) -> ActorSet {
    // Cheap exit: a state where no task sleeps outside a daemon wait.
    let any_blocked = k.task_ids().any(|t| {
        let task = k.task(t);
        match task.vm.parked {
            Parked::Schedule => task.state != RunState::Running,
            Parked::WaitEvent { daemon: false } => true,
            _ => false,
        }
    });
    if !any_blocked {
        return 0;
    }
    hung_among(k, &waits(prog, k))
}

/// The hung set of the given waits (see `hung_set`).
pub fn hung_among(k: &Kernel, waits: &[Wait]) -> ActorSet {
    let everyone = actors(k);
    let mut h: ActorSet = waits.iter().fold(0, |s, w| s | bit(w.task));
    loop {
        let mut next = h;
        for w in waits {
            if next & bit(w.task) == 0 {
                continue;
            }
            let ok = match w.unblockers {
                Unblockers::Tasks(set) => set & !next == 0,
                Unblockers::Any => everyone & !next == 0,
            };
            if !ok {
                next &= !bit(w.task);
            }
        }
        if next == h {
            break;
        }
        h = next;
    }
    let blocked = waits.iter().filter(|w| w.on != WaitsOn::Reaper).fold(0, |s, w| s | bit(w.task));
    if h & blocked == 0 {
        0
    } else {
        h
    }
}
