//! Primitives: what the kernel does atomically under one lock hold, or what
//! reads kernel state, called by name from model code. Each cites the kernel
//! function it stands for. A `visible` primitive is a scheduling point: a step
//! ends before it unless the task holds a spinlock (then the whole locked
//! region runs as one step). Pure primitives only read, and may appear in
//! `wait_event()` conditions.

use super::consts::*;
use super::fields::{handle_ns, handle_pid, handle_task, ns_of, pid_of, task_of};
use super::objects::*;
use super::{fault, footprint, Fault, KResult, Kernel};
use crate::lang::bytecode::{FuncId, Program};
use crate::lang::types::Ty;
use crate::lang::value;
use crate::vm::{FrameKind, Parked, PrimEffect, TaskVm};

/// Context of a mutating primitive: the kernel, the calling task and its
/// machine state (taken out of the task while it runs; read-only here).
pub struct Ctx<'a> {
    pub k: &'a mut Kernel,
    pub cur: TaskId,
    pub vm: &'a TaskVm,
    pub prog: &'a Program,
}

pub type PureFn = fn(&Kernel, &Program, TaskId, &[i64]) -> KResult<i64>;
pub type MutFn = fn(&mut Ctx, &[i64]) -> KResult<i64>;
pub type EffectFn = fn(&mut Ctx, &[i64]) -> KResult<PrimEffect>;

#[derive(Clone, Copy)]
pub enum PrimFn {
    Pure(PureFn),
    Mut(MutFn),
    /// Asks something of the VM too (locks, `do_task_dead()`).
    Effect(EffectFn),
}

/// When a primitive is a scheduling point (a step ends before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Never: what it reads or writes is no other task's business mid-step.
    Never,
    Always,
    /// Only while another thread of the caller's process is left: its effect
    /// is read by threads of the same process only, so with none left no
    /// task can tell before from after.
    OtherThreads,
}

pub struct PrimDef {
    pub name: &'static str,
    pub params: &'static [Ty],
    pub ret: Ty,
    pub visible: Visibility,
    pub f: PrimFn,
}

macro_rules! prims {
    ($( $name:literal ($($p:ident),*) -> $ret:ident, $vis:ident, $kind:ident $f:expr; )*) => {
        pub static PRIMS: &[PrimDef] = &[
            $( PrimDef { name: $name, params: &[$(Ty::$p),*], ret: Ty::$ret, visible: Visibility::$vis, f: PrimFn::$kind($f) }, )*
        ];
    };
}

prims! {
    // Locks (include/linux/spinlock.h, rwlock.h): the region they open runs as one step.
    "spin_lock"(Lock) -> Void, Always, Effect |_, _| Ok(PrimEffect::Lock);
    "spin_lock_irq"(Lock) -> Void, Always, Effect |_, _| Ok(PrimEffect::Lock);
    "spin_lock_irqsave"(Lock) -> Void, Always, Effect |_, _| Ok(PrimEffect::Lock);
    "read_lock"(Lock) -> Void, Always, Effect |_, _| Ok(PrimEffect::Lock);
    "write_lock_irq"(Lock) -> Void, Always, Effect |_, _| Ok(PrimEffect::Lock);
    "spin_unlock"(Lock) -> Void, Never, Effect |_, _| Ok(PrimEffect::Unlock);
    "spin_unlock_irq"(Lock) -> Void, Never, Effect |_, _| Ok(PrimEffect::Unlock);
    "spin_unlock_irqrestore"(Lock) -> Void, Never, Effect |_, _| Ok(PrimEffect::Unlock);
    "read_unlock"(Lock) -> Void, Never, Effect |_, _| Ok(PrimEffect::Unlock);
    "write_unlock_irq"(Lock) -> Void, Never, Effect |_, _| Ok(PrimEffect::Unlock);
    // Plain RCU readers only matter to synchronize_rcu() through preemption.
    "rcu_read_lock"() -> Void, Never, Mut |_, _| Ok(0);
    "rcu_read_unlock"() -> Void, Never, Mut |_, _| Ok(0);
    "preempt_disable"() -> Void, Never, Mut preempt_disable;
    "preempt_enable"() -> Void, Never, Mut preempt_enable;

    // include/linux/err.h
    "ERR_PTR"(Int) -> Any, Never, Pure |_, _, _, a| Ok(a[0]);
    "PTR_ERR"(Any) -> Int, Never, Pure |_, _, _, a| Ok(a[0]);
    "IS_ERR"(Any) -> Int, Never, Pure |_, _, _, a| Ok((a[0] < 0 && a[0] >= -4095) as i64);

    // kernel/sched/core.c
    "wake_up_process"(Task) -> Int, Always, Mut wake_up_process;
    "wake_up_new_task"(Task) -> Void, Always, Mut wake_up_new_task;
    "do_task_dead"() -> Void, Always, Effect do_task_dead;
    "__set_current_state"(Int) -> Void, Never, Mut |c, a| { c.k.task_mut(c.cur).state = RunState::from_model(a[0]).ok_or_else(|| Fault::Model(format!("__set_current_state({}): not a task state", a[0])))?; Ok(0) };
    "is_idle_task"(Task) -> Int, Never, Pure |_, _, _, _| Ok(0);

    // kernel/pid.c
    "pid_level"(Pid) -> Int, Never, Pure |k, _, _, a| Ok(k.pid(pid_of(k, a[0], "pid")?).level());
    "pid_ns_at"(Pid, Int) -> Ns, Never, Pure pid_ns_at;
    "idr_remove"(Pid, Int) -> Void, Never, Mut idr_remove;
    "pid_alloc_numbers"(Ns) -> Pid, Always, Mut pid_alloc_numbers;
    "pid_free_numbers"(Pid) -> Void, Never, Mut pid_free_numbers;
    "task_pid"(Task) -> Pid, Never, Pure |k, _, _, a| Ok(handle_pid(k.task(task_of(k, a[0], "task")?).pid));
    "task_pid_type"(Task, Int) -> Pid, Never, Pure task_pid_type;
    "pid_detach_task"(Pid, Task, Int) -> Int, Never, Mut pid_detach_task;
    "attach_pid_struct"(Task, Pid) -> Void, Never, Mut attach_pid_struct;
    "attach_pid"(Task, Int) -> Void, Never, Mut attach_pid;
    "is_child_reaper"(Pid) -> Int, Never, Pure |k, _, _, a| Ok((k.pid(pid_of(k, a[0], "pid")?).numbers.last().map(|n| n.1) == Some(1)) as i64);
    "pid_has_task"(Pid, Int) -> Int, Never, Pure pid_has_task;
    "find_vpid"(Int) -> Pid, Never, Pure find_vpid;
    "find_task_by_vpid"(Int) -> Task, Never, Pure find_task_by_vpid;
    "idr_next_nr"(Ns, Int) -> Int, Never, Pure idr_next_nr;
    "pid_task_nr"(Ns, Int) -> Task, Never, Pure pid_task_nr;
    "task_pid_vnr"(Task) -> Int, Never, Pure task_pid_vnr;
    "task_tgid_vnr"(Task) -> Int, Never, Pure task_tgid_vnr;
    "task_pid_nr_ns"(Task, Ns) -> Int, Never, Pure task_pid_nr_ns;
    "task_tgid_nr_ns"(Task, Ns) -> Int, Never, Pure task_tgid_nr_ns;

    // kernel/pid_namespace.c
    "task_active_pid_ns"(Task) -> Ns, Never, Pure |k, _, _, a| Ok(handle_ns(k.active_ns(task_of(k, a[0], "task")?)));
    "create_pid_namespace"(Ns) -> Ns, Never, Mut create_pid_namespace;

    // kernel/fork.c
    "dup_task_struct"(Task, Int, Int, Int) -> Task, Never, Mut dup_task_struct;
    "free_task"(Task) -> Void, Never, Mut free_task;
    "link_task"(Task) -> Void, Never, Mut link_task;

    // kernel/exit.c and include/linux/sched/signal.h: lists and predicates
    "thread_group_leader"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.is_leader(task_of(k, a[0], "task")?) as i64);
    "thread_group_empty"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.thread_group_empty(task_of(k, a[0], "task")?) as i64);
    "same_thread_group"(Task, Task) -> Int, Never, Pure same_thread_group;
    "delay_group_leader"(Task) -> Int, Never, Pure |k, _, _, a| { let t = task_of(k, a[0], "task")?; Ok((k.is_leader(t) && !k.thread_group_empty(t)) as i64) };
    "is_global_init"(Task) -> Int, Never, Pure |k, _, _, a| { let t = task_of(k, a[0], "task")?; Ok((k.tgid_nr_in(t, NsId(0)) == Some(1)) as i64) };
    "first_thread"(Task) -> Task, Never, Pure first_thread;
    "next_thread"(Task) -> Task, Never, Pure next_thread;
    "next_thread_cyclic"(Task, Task) -> Task, Never, Pure next_thread_cyclic;
    "first_child"(Task) -> Task, Never, Pure first_child;
    "next_sibling"(Task) -> Task, Never, Pure next_sibling;
    "next_process"(Task) -> Task, Never, Pure next_process;
    "children_splice"(Task, Task) -> Void, Never, Mut children_splice;
    "dead_list_add"(Task, Task) -> Void, Never, Mut dead_list_add;
    "dead_list_pop"(Task) -> Task, Never, Mut dead_list_pop;
    "unhash_task"(Task) -> Void, Never, Mut unhash_task;
    "release_thread"(Task) -> Void, Never, Mut |_, _| Ok(0);
    "exit_signals"(Task) -> Void, Always, Mut exit_signals;
    "mm_release_clear_tid"(Task) -> Void, OtherThreads, Mut mm_release_clear_tid;
    "tid_cleared"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.task(task_of(k, a[0], "task")?).tid_cleared as i64);
    "add_wait_queue_chldexit"(Task, Int, Pid) -> Void, Never, Mut add_wait_queue_chldexit;
    "remove_wait_queue_chldexit"(Task) -> Void, Never, Mut remove_wait_queue_chldexit;

    // kernel/signal.c
    "signal_pending"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.task(task_of(k, a[0], "task")?).sigpending as i64);
    "fatal_signal_pending"(Task) -> Int, Never, Pure fatal_signal_pending;
    "__fatal_signal_pending"(Task) -> Int, Never, Pure fatal_signal_pending;
    "clear_thread_flag"(Int) -> Void, Never, Mut |c, _| { c.k.task_mut(c.cur).sigpending = false; Ok(0) };
    "__send_signal_locked"(Int, Task, Int, Int) -> Int, Never, Mut send_signal_locked;
    "__wake_up_parent"(Task, Task) -> Void, Never, Mut wake_up_parent;
    "zap_other_threads"(Task) -> Void, Never, Mut zap_other_threads;
    "propagate_has_child_subreaper"(Task) -> Void, Never, Mut propagate_has_child_subreaper;
    "dequeue_fatal_signal"(Task) -> Int, Never, Mut dequeue_fatal_signal;
    "sighand_set_sigchld"(Task, Int) -> Void, Never, Mut |c, a| { let g = c.k.task(task_of(c.k, a[0], "task")?).group; c.k.group_mut(g).sigchld.ignored = a[1] == SIG_IGN; Ok(0) };
    "sighand_set_sigchld_flags"(Task, Int) -> Void, Never, Mut |c, a| { let g = c.k.task(task_of(c.k, a[0], "task")?).group; c.k.group_mut(g).sigchld.nocldwait = a[1] & SA_NOCLDWAIT != 0; Ok(0) };
    "sighand_sigchld_ignored"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.group(k.task(task_of(k, a[0], "task")?).group).sigchld.ignored as i64);
    "sighand_sigchld_nocldwait"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.group(k.task(task_of(k, a[0], "task")?).group).sigchld.nocldwait as i64);

    // kernel/rcu/srcutree.c
    "__srcu_read_lock"(Srcu) -> Int, Always, Mut srcu_read_lock;
    "__srcu_read_unlock"(Srcu, Int) -> Void, Always, Mut srcu_read_unlock;
    "srcu_readers_active_idx"(Srcu, Int) -> Int, Never, Pure srcu_readers_active_idx;
    "srcu_flip"(Srcu) -> Void, Always, Mut |c, _| { c.k.srcu.idx ^= 1; Ok(0) };

    // kernel/rcu/tree.c
    "rcu_gp_snapshot"() -> Int, Always, Mut rcu_gp_snapshot;
    "rcu_gp_done"(Int) -> Int, Never, Pure rcu_gp_done;

    // kernel/rcu/tasks.h
    // rcu_tasks_pertask(): list_add(), at the head: the kernel walks (and
    // reports) the holdouts in the reverse of the order it found them.
    "holdout_add"(Task) -> Void, Never, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; footprint::write_part(footprint::part::HOLDOUTS); if !c.k.rcu_tasks.holdouts.contains(&t) { c.k.rcu_tasks.holdouts.insert(0, t); } Ok(0) };
    "holdout_del"(Task) -> Void, Never, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; footprint::write_part(footprint::part::HOLDOUTS); c.k.rcu_tasks.holdouts.retain(|&x| x != t); Ok(0) };
    "holdout_first"() -> Task, Never, Pure |k, _, _, _| Ok(rcu_list_first(k, footprint::list::HOLDOUTS));
    "holdout_next"(Task) -> Task, Never, Pure |k, _, _, a| rcu_list_next(k, a, footprint::list::HOLDOUTS);
    "task_in_user_mode"(Task) -> Int, Never, Pure task_in_user_mode;
    "next_task_scan"(Task) -> Task, Never, Pure next_task_scan;
    "rcu_tasks_need_gpcb"() -> Int, Never, Pure |k, _, _, _| Ok(!k.rcu_tasks.cbs_queued.is_empty() as i64);
    "rcu_tasks_advance_cbs"() -> Void, Always, Mut |c, _| { let q = std::mem::take(&mut c.k.rcu_tasks.cbs_queued); c.k.rcu_tasks.cbs_gp.extend(q); Ok(0) };
    "rcu_tasks_invoke_cbs"() -> Void, Always, Mut rcu_tasks_invoke_cbs;
    "init_completion_onstack"(Task) -> Void, Never, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; c.k.task_mut(t).completion_done = false; Ok(0) };
    "call_rcu_tasks_wakeme"(Task) -> Void, Always, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; c.k.rcu_tasks.cbs_queued.push(t); Ok(0) };
    "completion_done"(Task) -> Int, Never, Pure |k, _, _, a| Ok(k.task(task_of(k, a[0], "task")?).completion_done as i64);

    // kernel/rcu/tasks.h (v6.9+): the per-CPU rtp_exit_list, as one list.
    // exit_tasks_rcu_start(): list_add(), at the head.
    "rtp_exit_list_add"(Task) -> Void, Always, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; if c.k.rcu_tasks.exit_list.contains(&t) { return fault("exit_tasks_rcu_start(): task already on an exit list"); } c.k.rcu_tasks.exit_list.insert(0, t); c.k.task_mut(t).on_exit_list = true; Ok(0) };
    "rtp_exit_list_del"(Task) -> Void, Always, Mut |c, a| { let t = task_of(c.k, a[0], "task")?; if !c.k.rcu_tasks.exit_list.contains(&t) { return fault("exit_tasks_rcu_stop(): task not on an exit list"); } c.k.rcu_tasks.exit_list.retain(|&x| x != t); c.k.task_mut(t).on_exit_list = false; Ok(0) };
    "rtp_exit_list_first"() -> Task, Never, Pure |k, _, _, _| Ok(rcu_list_first(k, footprint::list::EXITS));
    "rtp_exit_list_next"(Task) -> Task, Never, Pure |k, _, _, a| rcu_list_next(k, a, footprint::list::EXITS);

    // kernel/trace/ftrace.c: trampolines, as the tracer sees them.
    "trampoline_current"() -> Int, Never, Pure |k, _, _, _| Ok(k.trampolines.iter().rposition(|s| *s == TrampolineState::Live).map(|i| i as i64).unwrap_or(-1));
    "trampoline_install"() -> Int, Always, Mut |c, _| { c.k.trampolines.push(TrampolineState::Live); Ok(c.k.trampolines.len() as i64 - 1) };
    "trampoline_remove"(Int) -> Void, Always, Mut |c, a| trampoline_set(c, a[0], TrampolineState::Removed);
    "trampoline_free"(Int) -> Void, Always, Mut |c, a| trampoline_set(c, a[0], TrampolineState::Freed);

    // Model helpers.
    "model_unsupported"(Int) -> Int, Never, Mut |c, a| Err(Fault::Unsupported(c.prog.strings.get(a[0] as usize).cloned().unwrap_or_default()));
}

pub fn lookup(name: &str) -> Option<u16> {
    PRIMS.iter().position(|p| p.name == name).map(|i| i as u16)
}

fn preempt_disable(c: &mut Ctx, _a: &[i64]) -> KResult<i64> {
    let t = c.k.task_mut(c.cur);
    t.preempt_count = t.preempt_count.saturating_add(1);
    Ok(0)
}
fn preempt_enable(c: &mut Ctx, _a: &[i64]) -> KResult<i64> {
    let t = c.k.task_mut(c.cur);
    if t.preempt_count == 0 {
        return fault("preempt_enable() without preempt_disable()");
    }
    t.preempt_count -= 1;
    Ok(0)
}

fn opt(t: Option<TaskId>) -> i64 {
    t.map(handle_task).unwrap_or(0)
}
fn opt_arg(k: &Kernel, v: i64, what: &str) -> KResult<Option<TaskId>> {
    if v == 0 {
        Ok(None)
    } else {
        task_of(k, v, what).map(Some)
    }
}

/// kernel/sched/core.c: try_to_wake_up() with TASK_NORMAL.
pub fn wake(k: &mut Kernel, t: TaskId) -> bool {
    // A task asleep in wait_event() re-checks its condition and goes back
    // to sleep in the same state (do_wait_for_common(), ___wait_event()).
    if matches!(k.task(t).vm.parked, Parked::WaitEvent { .. }) {
        return false;
    }
    let task = k.task_mut(t);
    if matches!(task.state, RunState::Interruptible | RunState::Uninterruptible | RunState::Idle) {
        task.state = RunState::Running;
        true
    } else {
        false
    }
}

fn wake_up_process(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "the task to wake")?;
    Ok(wake(c.k, t) as i64)
}
fn wake_up_new_task(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "the new task")?;
    let task = c.k.task_mut(t);
    task.state = RunState::Running;
    task.sleeping = false;
    Ok(0)
}
fn do_task_dead(c: &mut Ctx, _a: &[i64]) -> KResult<PrimEffect> {
    let t = c.k.task_mut(c.cur);
    t.state = RunState::Dead;
    t.sleeping = true;
    t.preempt_count = 0;
    t.in_trampoline = None;
    Ok(PrimEffect::TaskDead)
}

fn pid_ns_at(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let pid = k.pid(pid_of(k, a[0], "pid")?);
    match pid.ns_at(a[1] as usize) {
        Some(ns) => Ok(handle_ns(ns)),
        None => fault(format!("pid has no level {}", a[1])),
    }
}
fn idr_remove(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let p = pid_of(c.k, a[0], "pid")?;
    let pid = c.k.pid_mut(p);
    if a[1] == pid.level() {
        pid.freed = true;
    }
    Ok(0)
}
/// kernel/pid.c: the idr_alloc_cyclic() loop of alloc_pid(), innermost level first.
fn pid_alloc_numbers(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let ns = ns_of(c.k, a[0], "ns")?;
    let mut chain = vec![ns];
    while let Some(p) = c.k.ns(*chain.last().unwrap_or(&ns)).parent {
        chain.push(p);
    }
    let mut numbers = Vec::new();
    // The cursor only counts up (no pid_max wrap): symmetry reduction
    // relies on a number never being handed out twice (`symmetry`).
    for &n in chain.iter() {
        let nsr = c.k.ns_mut(n);
        nsr.last_pid += 1;
        numbers.push((n, nsr.last_pid));
    }
    numbers.reverse();
    if c.k.pids.len() >= u16::MAX as usize - 1 {
        return fault("too many struct pids");
    }
    c.k.pids.push(Pid { numbers, users: Vec::new(), freed: false });
    Ok(handle_pid(PidId(c.k.pids.len() as u16 - 1)))
}
fn pid_free_numbers(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let p = pid_of(c.k, a[0], "pid")?;
    c.k.pid_mut(p).freed = true;
    Ok(0)
}
fn task_pid_type(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    Ok(match a[1] {
        PIDTYPE_PID => handle_pid(k.task(t).pid),
        PIDTYPE_TGID => handle_pid(k.task(k.group(k.task(t).group).leader).pid),
        other => return fault(format!("pid type {other} is not modelled")),
    })
}
fn pid_detach_task(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let p = pid_of(c.k, a[0], "pid")?;
    let t = task_of(c.k, a[1], "task")?;
    let ty = a[2] as u8;
    let pid = c.k.pid_mut(p);
    let before = pid.users.len();
    pid.users.retain(|&(x, y)| !(x == t && y == ty));
    if pid.users.len() == before {
        return fault("detach_pid() of a task not attached to that pid");
    }
    Ok(pid.users.is_empty() as i64)
}
fn attach_pid_struct(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    let p = pid_of(c.k, a[1], "pid")?;
    c.k.task_mut(t).pid = p;
    Ok(0)
}
fn attach_pid(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    let p = c.k.task(t).pid;
    c.k.pid_mut(p).users.push((t, a[1] as u8));
    Ok(0)
}
fn pid_has_task(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let p = pid_of(k, a[0], "pid")?;
    Ok(k.pid(p).users.iter().any(|u| u.1 as i64 == a[1]) as i64)
}
fn find_vpid(k: &Kernel, _p: &Program, cur: TaskId, a: &[i64]) -> KResult<i64> {
    Ok(k.find_pid_by_nr(k.active_ns(cur), a[0]).map(handle_pid).unwrap_or(0))
}
fn find_task_by_vpid(k: &Kernel, _p: &Program, cur: TaskId, a: &[i64]) -> KResult<i64> {
    Ok(opt(k.find_task_by_nr(k.active_ns(cur), a[0])))
}
fn idr_next_nr(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let ns = ns_of(k, a[0], "ns")?;
    Ok(k.pids.iter().filter(|p| !p.freed).filter_map(|p| p.nr_in(ns)).filter(|&nr| nr >= a[1]).min().unwrap_or(0))
}
fn pid_task_nr(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let ns = ns_of(k, a[0], "ns")?;
    Ok(opt(k.find_task_by_nr(ns, a[1])))
}
/// A pid number of `ns` as model code sees it: tagged with its namespace
/// (`value::PID_NR`), so that symmetry reduction can rename it; 0 for none.
fn nr_value(ns: NsId, nr: Option<PidNr>) -> i64 {
    nr.map_or(0, |nr| value::pid_nr(ns.0, nr))
}
fn task_pid_vnr(k: &Kernel, _p: &Program, cur: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    let ns = k.active_ns(cur);
    Ok(nr_value(ns, k.pid_nr_in(t, ns)))
}
fn task_tgid_vnr(k: &Kernel, _p: &Program, cur: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    let ns = k.active_ns(cur);
    Ok(nr_value(ns, k.tgid_nr_in(t, ns)))
}
fn task_pid_nr_ns(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let Some(t) = opt_arg(k, a[0], "task")? else { return Ok(0) };
    let ns = ns_of(k, a[1], "ns")?;
    Ok(nr_value(ns, k.pid_nr_in(t, ns)))
}
fn task_tgid_nr_ns(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let Some(t) = opt_arg(k, a[0], "task")? else { return Ok(0) };
    let ns = ns_of(k, a[1], "ns")?;
    Ok(nr_value(ns, k.tgid_nr_in(t, ns)))
}
fn create_pid_namespace(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let parent = ns_of(c.k, a[0], "parent ns")?;
    let level = c.k.ns(parent).level + 1;
    c.k.namespaces.push(PidNamespace {
        level,
        parent: Some(parent),
        child_reaper: None,
        pid_allocated: PIDNS_ADDING,
        last_pid: 0,
    });
    Ok(handle_ns(NsId(c.k.namespaces.len() as u16 - 1)))
}

/// kernel/fork.c: dup_task_struct() and the parts of copy_process() that only
/// touch the new task: a TASK_NEW copy of the caller, not yet on any list.
fn dup_task_struct(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let parent = task_of(c.k, a[0], "current")?;
    let thread = a[1] & CLONE_THREAD != 0;
    if c.k.tasks.len() >= 64 {
        return Err(Fault::Unsupported("more than 64 tasks in one run".into()));
    }
    let id = TaskId(c.k.tasks.len() as u16);
    // The task table grows by one: a read and a write of its length.
    footprint::read_part(footprint::part::TASK_COUNT);
    footprint::write_part(footprint::part::TASK_COUNT);
    footprint::write_task(id.0 as usize);
    let p = c.k.task(parent).clone();
    let group = if thread {
        p.group
    } else {
        let pg = c.k.group(p.group);
        let g = SignalStruct {
            leader: id,
            threads: Vec::new(),
            live: 1,
            quick_threads: 1,
            flags: 0,
            group_exit_code: 0,
            is_child_subreaper: false,
            has_child_subreaper: false,
            sigchld: pg.sigchld,
            shared_pending: 0,
            globals: pg.globals.clone(),
        };
        c.k.groups.push(g);
        GroupId(c.k.groups.len() as u16 - 1)
    };
    let vm = if thread {
        let stub = value::payload(a[3]);
        TaskVm::new(FuncId(stub as u16), vec![0; c.prog.func(FuncId(stub as u16)).locals as usize])
    } else {
        child_vm(c)?
    };
    let hint = c.vm.frames.iter().rev().find_map(|f| match f.kind {
        FrameKind::Syscall { hint, .. } => Some(hint),
        _ => None,
    });
    let name = child_name(c.k, c.prog, parent, hint.unwrap_or(0));
    let real_parent = if thread { p.real_parent } else { Some(parent) };
    let mut task = Task::new(name, p.pid, group, !thread, real_parent, vm);
    task.exit_signal = a[2];
    task.flags = p.flags & PF_KTHREAD;
    task.pid_ns_for_children = p.pid_ns_for_children;
    c.k.tasks.push(std::sync::Arc::new(task));
    Ok(handle_task(id))
}

/// The child of fork() returns to user mode through ret_from_fork with 0:
/// the parent's user frames, then exit_to_user_mode() with a result of 0.
fn child_vm(c: &Ctx) -> KResult<TaskVm> {
    let user_top =
        c.vm.frames
            .iter()
            .position(|f| matches!(f.kind, FrameKind::Syscall { .. }))
            .ok_or_else(|| Fault::Model("fork from kernel code without a user frame".into()))?;
    let conv = match c.vm.frames[user_top].kind {
        FrameKind::Syscall { conv, .. } => conv,
        _ => return fault("fork: no syscall frame"),
    };
    let frames = c.vm.frames[..user_top].to_vec();
    let base = c.vm.frames[user_top].base as usize;
    let locals =
        c.vm.locals.get(..base).ok_or_else(|| Fault::Model("fork: a frame starts past the locals".into()))?.to_vec();
    let mut vm =
        TaskVm { frames, locals, stack: c.vm.stack.clone(), errno: c.vm.errno, lock_depth: 0, parked: Parked::Ready };
    vm.push_exit_to_user(c.prog, FrameKind::ExitToUser { conv, ret: 0 })?;
    Ok(vm)
}

/// Task names: the variable that receives fork() (`b`), else `<parent>.<n>`;
/// repeats get `#2`, `#3`.
fn child_name(k: &Kernel, prog: &Program, parent: TaskId, hint: u16) -> String {
    // Reads every task's name (and parent): they decide the new one.
    footprint::read_all_tasks(k.tasks.len());
    let base = match prog.hints.get(hint as usize) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => {
            let n = k.tasks.iter().filter(|t| t.real_parent == Some(parent) || t.sibling_of == Some(parent)).count();
            format!("{}.{}", k.task(parent).name, n + 1)
        }
    };
    let taken = |n: &str| k.tasks.iter().any(|t| t.name == n);
    if !taken(&base) {
        return base;
    }
    (2..).map(|i| format!("{base}#{i}")).find(|n| !taken(n)).unwrap_or(base)
}

fn free_task(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    let task = c.k.task_mut(t);
    task.state = RunState::Dead;
    task.vm = TaskVm::dead();
    task.name = String::new();
    let g = task.group;
    if task.leader {
        c.k.group_mut(g).live = 0;
    }
    Ok(0)
}
/// kernel/fork.c: the list insertions of copy_process() under tasklist_lock.
fn link_task(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    let (leader, parent, group) = {
        let task = c.k.task_mut(t);
        task.attached = true;
        task.hashed = true;
        (task.leader, task.real_parent, task.group)
    };
    c.k.group_mut(group).threads.push(t);
    if leader {
        if let Some(p) = parent {
            c.k.task_mut(p).children.push(t);
            c.k.task_mut(t).sibling_of = Some(p);
        }
    }
    Ok(0)
}

fn same_thread_group(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let x = task_of(k, a[0], "task")?;
    let y = task_of(k, a[1], "task")?;
    Ok((k.task(x).group == k.task(y).group) as i64)
}
fn hashed_threads(k: &Kernel, t: TaskId) -> impl Iterator<Item = TaskId> + '_ {
    k.group(k.task(t).group).threads.iter().copied().filter(move |&x| k.task(x).hashed)
}
fn first_thread(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    Ok(opt(hashed_threads(k, t).next()))
}
fn next_thread(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    Ok(opt(hashed_threads(k, t).skip_while(|&x| x != t).nth(1)))
}
/// while_each_thread(start, t): the thread after t, cyclically; NULL when back at start.
fn next_thread_cyclic(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let start = task_of(k, a[0], "start")?;
    let t = task_of(k, a[1], "task")?;
    let list: Vec<TaskId> = hashed_threads(k, t).collect();
    let Some(i) = list.iter().position(|&x| x == t) else { return Ok(0) };
    let next = list[(i + 1) % list.len()];
    Ok(if next == start { 0 } else { handle_task(next) })
}
fn first_child(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    Ok(opt(k.task(t).children.first().copied()))
}
fn next_sibling(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    let Some(owner) = k.task(t).sibling_of else { return Ok(0) };
    let list = &k.task(owner).children;
    Ok(opt(list.iter().skip_while(|&&x| x != t).nth(1).copied()))
}
/// for_each_process(): thread-group leaders on the task list, in creation order.
fn next_process(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    footprint::read_part(footprint::part::TASK_COUNT);
    let start = match opt_arg(k, a[0], "task")? {
        None => 0,
        Some(t) => t.0 as usize + 1,
    };
    Ok(opt((start..k.tasks.len()).map(|i| TaskId(i as u16)).find(|&t| k.task(t).hashed && k.task(t).leader)))
}
/// for_each_process_thread(): every task on the task list, in creation order.
fn next_task_scan(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    footprint::read_part(footprint::part::TASK_COUNT);
    let start = match opt_arg(k, a[0], "task")? {
        None => 0,
        Some(t) => t.0 as usize + 1,
    };
    Ok(opt((start..k.tasks.len()).map(|i| TaskId(i as u16)).find(|&t| k.task_view(t).hashed)))
}
fn children_splice(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let from = task_of(c.k, a[0], "father")?;
    let to = task_of(c.k, a[1], "reaper")?;
    let moved = std::mem::take(&mut c.k.task_mut(from).children);
    for &ch in &moved {
        c.k.task_mut(ch).sibling_of = Some(to);
    }
    c.k.task_mut(to).children.extend(moved);
    Ok(0)
}
fn dead_list_add(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let owner = task_of(c.k, a[0], "list owner")?;
    let p = task_of(c.k, a[1], "task")?;
    c.k.task_mut(owner).dead_list.push(p);
    Ok(0)
}
fn dead_list_pop(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let owner = task_of(c.k, a[0], "list owner")?;
    let l = &mut c.k.task_mut(owner).dead_list;
    Ok(if l.is_empty() { 0 } else { handle_task(l.remove(0)) })
}
/// kernel/exit.c: __unhash_process(): off the task list and its parent's children.
fn unhash_task(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    c.k.task_mut(t).hashed = false;
    if let Some(owner) = c.k.task(t).sibling_of {
        c.k.task_mut(owner).children.retain(|&x| x != t);
        c.k.task_mut(t).sibling_of = None;
    }
    let g = c.k.task(t).group;
    c.k.group_mut(g).threads.retain(|&x| x != t);
    Ok(0)
}
fn exit_signals(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    c.k.task_mut(t).flags |= PF_EXITING;
    Ok(0)
}
fn mm_release_clear_tid(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    c.k.task_mut(t).tid_cleared = true;
    Ok(0)
}
fn add_wait_queue_chldexit(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    c.k.task_mut(t).wait_chldexit = Some((a[1], a[2]));
    Ok(0)
}
fn remove_wait_queue_chldexit(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    c.k.task_mut(t).wait_chldexit = None;
    Ok(0)
}
fn fatal_signal_pending(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    let task = k.task(t);
    Ok((task.sigpending && task.pending & (1 << SIGKILL) != 0) as i64)
}

/// kernel/signal.c: the handler of `sig` in t's group (only SIGCHLD's can change).
fn sig_handler(k: &Kernel, t: TaskId, sig: i64) -> i64 {
    if sig == SIGCHLD && k.group(k.task(t).group).sigchld.ignored {
        SIG_IGN
    } else {
        SIG_DFL
    }
}
fn sig_kernel_only(sig: i64) -> bool {
    sig == SIGKILL || sig == SIGSTOP
}

/// kernel/signal.c: signal_wake_up_state(): TIF_SIGPENDING, and wake an
/// interruptible sleep (killable sleeps are not modelled).
fn signal_wake_up(k: &mut Kernel, t: TaskId) {
    let in_wait_event = matches!(k.task(t).vm.parked, Parked::WaitEvent { .. });
    let task = k.task_mut(t);
    task.sigpending = true;
    // A wait_event() sleeper stays TASK_INTERRUPTIBLE: it ends its wait with
    // -ERESTARTSYS when it runs (see interp::choices()).
    if task.state == RunState::Interruptible && !in_wait_event {
        task.state = RunState::Running;
    }
}

/// kernel/signal.c: __send_signal_locked() with prepare_signal(),
/// sig_task_ignored() and complete_signal().
pub fn send_signal(k: &mut Kernel, sig: i64, p: TaskId, ty: i64, force: bool) -> KResult<i64> {
    // Signal 0 only checks that the target exists (and may be signalled).
    if sig == 0 {
        return Ok(0);
    }
    if !(1..=64).contains(&sig) {
        return Ok(-EINVAL);
    }
    let g = k.task(p).group;
    // prepare_signal(): the process is in the middle of dying, nothing to do.
    if k.group(g).flags & SIGNAL_GROUP_EXIT != 0 {
        return Ok(0);
    }
    // sig_task_ignored()
    let handler = sig_handler(k, p, sig);
    if k.tgid_nr_in(p, NsId(0)) == Some(1) && sig_kernel_only(sig) {
        return Ok(0);
    }
    if k.group(g).flags & SIGNAL_UNKILLABLE != 0 && handler == SIG_DFL && !(force && sig_kernel_only(sig)) {
        return Ok(0);
    }
    if k.task(p).is_kthread() && !force {
        return Ok(0);
    }
    if handler == SIG_IGN || (handler == SIG_DFL && sig_default_ignored(sig)) {
        return Ok(0);
    }
    if sig_default_stops(sig) {
        return Err(Fault::Unsupported(format!("signal {sig}: job-control stops are not modelled")));
    }
    let bit = 1u64 << (sig & 63);
    if ty == PIDTYPE_PID {
        k.task_mut(p).pending |= bit;
    } else {
        k.group_mut(g).shared_pending |= bit;
    }
    // complete_signal(): find a thread that wants it.
    let wants = |k: &Kernel, t: TaskId| {
        let task = k.task(t);
        task.flags & PF_EXITING == 0 && (sig == SIGKILL || !task.sigpending)
    };
    let target = if wants(k, p) {
        Some(p)
    } else if ty == PIDTYPE_PID || k.thread_group_empty(p) {
        None
    } else {
        let threads: Vec<TaskId> = k.group(g).threads.clone();
        threads.into_iter().find(|&t| k.task(t).hashed && wants(k, t))
    };
    let Some(t) = target else { return Ok(0) };
    // Default action for every modelled non-ignored signal is to terminate:
    // the whole group goes down now, except for a core-dumping signal, which
    // stays queued until get_signal() dequeues it (no core is written).
    if handler == SIG_DFL && !sig_default_ignored(sig) && !sig_default_coredump(sig) {
        let gr = k.group_mut(g);
        gr.flags = SIGNAL_GROUP_EXIT;
        gr.group_exit_code = sig;
        let threads: Vec<TaskId> = k.group(g).threads.clone();
        for th in threads {
            k.task_mut(th).pending |= 1 << SIGKILL;
            signal_wake_up(k, th);
        }
        return Ok(0);
    }
    signal_wake_up(k, t);
    Ok(0)
}
fn send_signal_locked(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let p = task_of(c.k, a[1], "the target task")?;
    send_signal(c.k, a[0], p, a[2], a[3] != 0)
}
/// kernel/exit.c: __wake_up_parent() with child_wait_callback(): wake the
/// parent group's threads in do_wait() whose criteria match the child.
fn wake_up_parent(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let child = task_of(c.k, a[0], "child")?;
    let parent = task_of(c.k, a[1], "parent")?;
    let g = c.k.task(parent).group;
    let threads: Vec<TaskId> = c.k.group(g).threads.clone();
    for w in threads {
        let Some((ty, pid)) = c.k.task(w).wait_chldexit else { continue };
        let eligible = ty == PIDTYPE_MAX || {
            let want = if ty == PIDTYPE_PID {
                c.k.task(child).pid
            } else {
                c.k.task(c.k.group(c.k.task(child).group).leader).pid
            };
            pid == handle_pid(want)
        };
        if eligible && c.k.task(w).state == RunState::Interruptible {
            c.k.task_mut(w).state = RunState::Running;
        }
    }
    Ok(0)
}
fn zap_other_threads(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let p = task_of(c.k, a[0], "task")?;
    let g = c.k.task(p).group;
    let threads: Vec<TaskId> = c.k.group(g).threads.clone();
    for t in threads {
        if t == p || c.k.task(t).exit_state != 0 {
            continue;
        }
        c.k.task_mut(t).pending |= 1 << SIGKILL;
        signal_wake_up(c.k, t);
    }
    Ok(0)
}
/// `SYNCHRONOUS_MASK` (kernel/signal.c): SIGSEGV, SIGBUS, SIGILL, SIGTRAP,
/// SIGFPE and SIGSYS, which next_signal() takes before any other.
const SYNCHRONOUS: [i64; 6] = [11, 7, 4, 5, 8, 31];

/// kernel/signal.c: next_signal(): the lowest pending synchronous signal,
/// else the lowest pending one (signal numbers 1..64, bit `sig & 63`).
fn next_signal(pending: u64) -> Option<i64> {
    let has = |sig: i64| pending & (1u64 << (sig & 63)) != 0;
    let sync = SYNCHRONOUS.iter().copied().filter(|&s| has(s)).min();
    sync.or_else(|| (1..=64).find(|&s| has(s)))
}

/// kernel/signal.c: get_signal()'s dequeue: returns the signal to die of, or 0.
fn dequeue_fatal_signal(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let t = task_of(c.k, a[0], "task")?;
    let g = c.k.task(t).group;
    let result = if c.k.group(g).flags & SIGNAL_GROUP_EXIT != 0 {
        c.k.task_mut(t).pending &= !(1 << SIGKILL);
        SIGKILL
    } else {
        // dequeue_signal(): the thread's private queue first, then the
        // shared one; ignored signals are dropped and the loop goes on.
        let mut found = 0;
        loop {
            let (sig, private) = match next_signal(c.k.task(t).pending) {
                Some(sig) => (sig, true),
                None => match next_signal(c.k.group(g).shared_pending) {
                    Some(sig) => (sig, false),
                    None => break,
                },
            };
            let bit = 1u64 << (sig & 63);
            if private {
                c.k.task_mut(t).pending &= !bit;
            } else {
                c.k.group_mut(g).shared_pending &= !bit;
            }
            let h = sig_handler(c.k, t, sig);
            if h == SIG_IGN || sig_default_ignored(sig) {
                continue;
            }
            found = sig;
            break;
        }
        found
    };
    let left = c.k.task(t).pending | c.k.group(g).shared_pending;
    c.k.task_mut(t).sigpending = left != 0;
    Ok(result)
}

/// The reader count of one index: its own part of the footprint.
fn srcu_readers_active_idx(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let idx = (a[1] & 1) as usize;
    footprint::read_part(footprint::part::SRCU_READERS[idx]);
    Ok(k.srcu.peek().readers[idx])
}
fn srcu_read_lock(c: &mut Ctx, _a: &[i64]) -> KResult<i64> {
    // Reads the index and writes its reader count, nothing else of it (a
    // plain access of `k.srcu` counts as all of it).
    footprint::read_part(footprint::part::SRCU);
    let idx = c.k.srcu.peek().idx;
    footprint::write_part(footprint::part::SRCU_READERS[idx as usize]);
    c.k.srcu.poke().readers[idx as usize] += 1;
    c.k.task_mut(c.cur).srcu_reader = Some(idx);
    Ok(idx as i64)
}
fn srcu_read_unlock(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let idx = (a[1] & 1) as usize;
    footprint::write_part(footprint::part::SRCU_READERS[idx]);
    if c.k.srcu.peek().readers[idx] <= 0 {
        return fault("__srcu_read_unlock() without a matching __srcu_read_lock()");
    }
    c.k.srcu.poke().readers[idx] -= 1;
    c.k.task_mut(c.cur).srcu_reader = None;
    Ok(0)
}
/// The tasks other than the caller now in a read-side critical section
/// (preemption disabled), as a `value::TASK_SET`, so that renaming the
/// tasks renames the set.
fn rcu_gp_snapshot(c: &mut Ctx, _a: &[i64]) -> KResult<i64> {
    let mut set = 0i64;
    for t in c.k.task_ids() {
        let task = c.k.task_view(t);
        if t != c.cur && task.preempt_count > 0 && task.state != RunState::Dead && t.0 < 63 {
            set |= 1 << t.0;
        }
    }
    // Symmetry reduction only runs with fewer tasks than a tagged set can
    // name (`symmetry::canonical_fingerprint`); a set with a higher slot is
    // passed negated, which no tag can be mistaken for.
    Ok(if set == 0 {
        0
    } else if set >> value::TASK_SET_BITS != 0 {
        -set
    } else {
        value::TASK_SET | set
    })
}
fn rcu_gp_done(k: &Kernel, _p: &Program, _c: TaskId, a: &[i64]) -> KResult<i64> {
    let set = if a[0] < 0 { a[0].wrapping_neg() } else { value::payload(a[0]) };
    Ok(k.task_ids().all(|t| {
        if u32::from(t.0) >= 63 || set & (1 << t.0) == 0 {
            return true;
        }
        let task = k.task_view(t);
        task.preempt_count == 0 || task.state == RunState::Dead
    }) as i64)
}
/// One of RCU Tasks' lists walked by model code (`footprint::list`): the
/// holdout list or the exit list, with the name of its `*_next()` primitive
/// and of the list, for messages.
fn rcu_list(k: &Kernel, which: u8) -> (&[TaskId], &'static str, &'static str) {
    if which == footprint::list::HOLDOUTS {
        (&k.rcu_tasks.holdouts, "holdout_next", "holdout list")
    } else {
        (&k.rcu_tasks.exit_list, "rtp_exit_list_next", "exit list")
    }
}

/// `holdout_first()`, `rtp_exit_list_first()`: the list's first task, and a
/// walk of it begins in this step.
fn rcu_list_first(k: &Kernel, which: u8) -> i64 {
    footprint::list_walk_begins(which);
    opt(rcu_list(k, which).0.first().copied())
}

/// `holdout_next()`, `rtp_exit_list_next()`: the task after `a[0]`. A walk
/// that began in an earlier step, where the search keeps the list sorted
/// (`System::sort_rcu_lists`), is refused with what to do instead: between
/// the steps the list may have been reordered, so the walk would skip or
/// repeat tasks.
fn rcu_list_next(k: &Kernel, a: &[i64], which: u8) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    let (list, function, name) = rcu_list(k, which);
    if k.sorted_lists && !footprint::in_list_walk(which) {
        return fault(format!(
            "{function}(): this walk of the {name} crossed a scheduling point; the search keeps the list \
             sorted, which is sound only for walks within one step: check this model with --no-reduction"
        ));
    }
    Ok(opt(list.iter().skip_while(|&&x| x != t).nth(1).copied()))
}

/// Whether the task is in user mode: parked in user code (scenario or init).
pub fn in_user_mode(prog: &Program, task: &Task) -> bool {
    match task.vm.frames.last() {
        Some(f) => !prog.func(f.func).kernel,
        None => false,
    }
}

/// What RCU's grace periods read of a task: for RCU Tasks
/// (next_task_scan(), rcu_tasks_pertask(), check_holdout_task()) whether it
/// is on the task list and on a runqueue, `nvcsw` and whether it is in user
/// mode (its holdout fields are in the RCU Tasks part); for synchronize_rcu() (rcu_gp_snapshot(),
/// rcu_gp_done()) whether it is in a preemption-disabled region and whether
/// it is dead. These reads are recorded apart (`footprint::read_view`), so
/// that a step of the task that leaves all of it as it was commutes with
/// the reader's step.
pub fn rcu_tasks_view(prog: &Program, task: &Task) -> RcuView {
    RcuView {
        hashed: task.hashed,
        on_rq: task.on_rq(),
        nvcsw: task.nvcsw,
        user_mode: in_user_mode(prog, task),
        preempt_disabled: task.preempt_count > 0,
        dead: task.state == RunState::Dead,
    }
}

/// See `rcu_tasks_view()`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RcuView {
    hashed: bool,
    on_rq: bool,
    nvcsw: u32,
    user_mode: bool,
    preempt_disabled: bool,
    dead: bool,
}

fn task_in_user_mode(k: &Kernel, prog: &Program, cur: TaskId, a: &[i64]) -> KResult<i64> {
    let t = task_of(k, a[0], "task")?;
    if t == cur {
        return Ok(0);
    }
    Ok(in_user_mode(prog, k.task_view(t)) as i64)
}
fn rcu_tasks_invoke_cbs(c: &mut Ctx, _a: &[i64]) -> KResult<i64> {
    let cbs = std::mem::take(&mut c.k.rcu_tasks.cbs_gp);
    for w in cbs {
        c.k.task_mut(w).completion_done = true;
    }
    c.k.rcu_tasks.gp_seq += 1;
    Ok(0)
}

fn trampoline_set(c: &mut Ctx, i: i64, s: TrampolineState) -> KResult<i64> {
    match c.k.trampolines.get_mut(i as usize) {
        Some(t) => {
            *t = s;
            Ok(0)
        }
        None => fault(format!("no trampoline #{i}")),
    }
}

/// kernel/sys.c: walk_process_tree(me, propagate_has_child_subreaper): set
/// has_child_subreaper on every descendant, skipping the subtrees of those
/// that have it already and of namespace init processes.
fn propagate_has_child_subreaper(c: &mut Ctx, a: &[i64]) -> KResult<i64> {
    let me = task_of(c.k, a[0], "task")?;
    let top = c.k.group(c.k.task(me).group).leader;
    let mut stack = vec![top];
    while let Some(leader) = stack.pop() {
        let threads: Vec<TaskId> = c.k.group(c.k.task(leader).group).threads.clone();
        for th in threads {
            let children = c.k.task(th).children.clone();
            for child in children {
                let g = c.k.task(child).group;
                let reaper = c.k.pid(c.k.task(child).pid).numbers.last().map(|n| n.1) == Some(1);
                if c.k.group(g).has_child_subreaper || reaper {
                    continue;
                }
                c.k.group_mut(g).has_child_subreaper = true;
                stack.push(child);
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::next_signal;

    fn set(sigs: &[i64]) -> u64 {
        sigs.iter().fold(0, |m, &s| m | 1u64 << (s & 63))
    }

    #[test]
    fn next_signal_takes_synchronous_signals_first() {
        // SIGQUIT (3) and SIGSEGV (11): the fault first, as next_signal() does.
        assert_eq!(next_signal(set(&[3, 11])), Some(11));
        // Among synchronous ones, the lowest: SIGILL (4) before SIGSEGV.
        assert_eq!(next_signal(set(&[11, 4, 2])), Some(4));
        assert_eq!(next_signal(set(&[15, 10])), Some(10));
        assert_eq!(next_signal(set(&[64])), Some(64));
        assert_eq!(next_signal(0), None);
    }
}
