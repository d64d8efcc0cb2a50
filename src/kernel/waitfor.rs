//! The wait-for graph of a stuck state in words: for each waiting task, the
//! kernel object it waits on and who can end the wait (from `hung`), its
//! stack and state, the way a kernel developer reads a hung task report.

use super::hung::{self, Unblockers, WaitsOn};
use super::objects::*;
use super::Kernel;
use crate::lang::bytecode::Program;
use crate::vm::Parked;

/// One task's wait: where it sleeps, for whom, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub task: TaskId,
    /// Kernel stack, innermost function first (the user function last, if any).
    pub stack: Vec<String>,
    /// `D`, `S`, `I`, `Z`...
    pub state: char,
    pub waits_for: Vec<TaskId>,
    /// Any task that can still run may end the wait (`waits_for` then only
    /// names the likely ones).
    pub any: bool,
    pub reason: String,
    /// What the wait is, in a few words (a wait-for graph's edge label).
    pub label: &'static str,
}

/// The function names on a task's stack, innermost first.
pub fn stack_of(prog: &Program, k: &Kernel, t: TaskId) -> Vec<String> {
    k.task(t)
        .vm
        .frames
        .iter()
        .rev()
        .map(|f| prog.func(f.func).name.clone())
        .filter(|n| !n.starts_with("_start"))
        .collect()
}

fn names(k: &Kernel, ts: &[TaskId]) -> String {
    ts.iter().map(|&t| k.task(t).name.clone()).collect::<Vec<_>>().join(", ")
}

/// The wait of task `t` in state `k`, or None if it is not waiting: the
/// kernel object it waits on and who can end the wait (`hung::waits`), in
/// words, with its stack.
pub fn wait_of(prog: &Program, k: &Kernel, t: TaskId) -> Option<Wait> {
    let hw = hung::waits(prog, k).into_iter().find(|w| w.task == t)?;
    Some(describe(prog, k, &hw))
}

/// Every waiting task's wait, in task order, and every zombie (one still
/// running the tail of `do_exit()` too: only its parent frees its pid).
pub fn waits_of(prog: &Program, k: &Kernel) -> Vec<Wait> {
    let mut hw = hung::waits(prog, k);
    for t in k.task_ids() {
        let task = k.task(t);
        if task.attached && task.hashed && task.exit_state == EXIT_ZOMBIE && !hw.iter().any(|w| w.task == t) {
            let unblockers = task.real_parent.map_or(Unblockers::Any, |p| Unblockers::Tasks(1u64 << p.0));
            hw.push(hung::Wait { task: t, on: WaitsOn::Reaper, unblockers });
        }
    }
    hw.sort_by_key(|w| w.task);
    hw.iter().map(|w| describe(prog, k, w)).collect()
}

fn describe(prog: &Program, k: &Kernel, hw: &hung::Wait) -> Wait {
    let t = hw.task;
    let task = k.task(t);
    let any = hw.unblockers == Unblockers::Any;
    let waits_for: Vec<TaskId> = match hw.unblockers {
        Unblockers::Tasks(set) => k.task_ids().filter(|x| set & (1u64 << x.0) != 0).collect(),
        // Name the children a do_wait() may reap, the likely wakers.
        Unblockers::Any => match hw.on {
            WaitsOn::Children => live_children(k, t),
            WaitsOn::ThreadExit { thread: Some(th) } => vec![th],
            _ => Vec::new(),
        },
    };
    let stack = if task.vm.parked == Parked::Dead { vec!["(zombie)".to_string()] } else { stack_of(prog, k, t) };
    let state = if task.exit_state == EXIT_ZOMBIE && hw.on == WaitsOn::Reaper { 'Z' } else { task.state.letter() };
    let reason = match &hw.on {
        WaitsOn::Reaper => match task.real_parent {
            Some(p) => format!(
                "{} is a zombie (exit_state EXIT_ZOMBIE); only its parent {} (or a thread of its process) can reap it: exit_signal {}, and {} neither ignores SIGCHLD nor set SA_NOCLDWAIT",
                task.name,
                k.describe(p),
                task.exit_signal,
                k.task(p).name
            ),
            None => format!("{} is a zombie with no parent", task.name),
        },
        WaitsOn::SrcuReaders { idx } => format!(
            "synchronize_srcu(&tasks_rcu_exit_srcu) waits for the readers of index {idx} to drain ({} reader{}); held by {} since exit_tasks_rcu_start()",
            k.srcu.readers[*idx as usize],
            if k.srcu.readers[*idx as usize] == 1 { "" } else { "s" },
            if waits_for.is_empty() { "no task".to_string() } else { names(k, &waits_for) }
        ),
        WaitsOn::GracePeriod => {
            let when = if k.rcu_tasks.cbs_gp.contains(&t) {
                "its callback belongs to the grace period in progress"
            } else {
                "its callback waits for the next grace period"
            };
            format!("synchronize_rcu_tasks() sleeps in wait_for_completion() until rcu_tasks_kthread ends a grace period; {when}")
        }
        WaitsOn::PreemptDisabled { .. } => {
            format!("synchronize_rcu() waits for preemption-disabled regions: {}", names(k, &waits_for))
        }
        WaitsOn::ThreadExit { thread } => match thread {
            Some(th) => format!("pthread_join() waits for thread {} to exit", k.task(*th).name),
            None => "pthread_join() waits for a thread to exit".to_string(),
        },
        WaitsOn::Children => {
            let zap = task.flags & PF_EXITING != 0;
            format!(
                "{} for a child to change state: {}",
                if zap { "zap_pid_ns_processes() reaps its children in kernel_wait4(), waiting in do_wait()" } else { "waits in do_wait() (wait4)" },
                if waits_for.is_empty() { "any task may end the wait".to_string() } else { names(k, &waits_for) }
            )
        }
        WaitsOn::PidAllocated { ns } => {
            let n = k.ns(*ns);
            let init_pids = if task.leader { 1 } else { 2 };
            let held: Vec<String> = pid_holders(k, *ns, task.group)
                .into_iter()
                .map(|(u, nr)| format!("{}'s pid {nr}", k.task(u).name))
                .collect();
            format!(
                "zap_pid_ns_processes() waits for pid_allocated of ns{} ({}) to drop to init_pids ({init_pids}); still allocated: {}",
                ns.0,
                n.pid_allocated & !PIDNS_ADDING,
                if held.is_empty() { "none".into() } else { held.join(", ") }
            )
        }
        WaitsOn::Unknown => format!("sleeps in {}(); any task may end the wait", stack_of(prog, k, t).first().cloned().unwrap_or_default()),
    };
    // A reaper waits on the zombie whose pid it needs, and the zombie on its parent.
    let waits_for = match &hw.on {
        WaitsOn::PidAllocated { ns } => pid_holders(k, *ns, task.group).into_iter().map(|(u, _)| u).collect(),
        _ => waits_for,
    };
    Wait { task: t, stack, state, waits_for, any, reason, label: label(&hw.on) }
}

/// A wait in a few words: the label of its edges in a wait-for graph.
pub fn label(on: &WaitsOn) -> &'static str {
    match on {
        WaitsOn::SrcuReaders { .. } => "SRCU reader",
        WaitsOn::GracePeriod => "grace period",
        WaitsOn::PreemptDisabled { .. } => "preempt-disabled region",
        WaitsOn::ThreadExit { .. } => "thread exit",
        WaitsOn::Children => "child in do_wait()",
        WaitsOn::PidAllocated { .. } => "pid_allocated",
        WaitsOn::Reaper => "zombie reaper",
        WaitsOn::Unknown => "wakeup",
    }
}

/// The children of t's thread group that have not exited yet.
fn live_children(k: &Kernel, t: TaskId) -> Vec<TaskId> {
    let g = k.task(t).group;
    let mut out = Vec::new();
    for &th in &k.group(g).threads {
        for &c in &k.task(th).children {
            if k.task(c).exit_state == 0 {
                out.push(c);
            }
        }
    }
    out
}

/// The tasks whose pids keep `ns`'s `pid_allocated` up, outside `group`,
/// with their numbers there.
fn pid_holders(k: &Kernel, ns: NsId, group: GroupId) -> Vec<(TaskId, PidNr)> {
    let mut out: Vec<(TaskId, PidNr)> = Vec::new();
    for p in k.pids.iter().filter(|p| !p.freed) {
        let Some(nr) = p.nr_in(ns) else { continue };
        for &(u, ty) in &p.users {
            if ty == 0 && k.task(u).group != group && !out.iter().any(|h| h.0 == u) {
                out.push((u, nr));
            }
        }
    }
    out
}

/// A wait-for cycle among `waits`, starting at the lowest task id on it.
pub fn find_cycle(waits: &[Wait]) -> Option<Vec<TaskId>> {
    let get = |t: TaskId| waits.iter().find(|w| w.task == t);
    let mut best: Option<Vec<TaskId>> = None;
    for start in waits.iter().map(|w| w.task) {
        // Follow edges depth-first (edges in order), looking for a path back to start.
        let mut stack: Vec<(TaskId, usize)> = vec![(start, 0)];
        let mut path = vec![start];
        while let Some((node, i)) = stack.pop() {
            let succ = get(node).map(|w| w.waits_for.clone()).unwrap_or_default();
            if i < succ.len() {
                stack.push((node, i + 1));
                let n = succ[i];
                if n == start {
                    let cycle = path.clone();
                    if best.as_ref().is_none_or(|b| cycle.len() < b.len()) {
                        best = Some(cycle);
                    }
                    continue;
                }
                if !path.contains(&n) && get(n).is_some() {
                    path.push(n);
                    stack.push((n, 0));
                }
            } else {
                path.pop();
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

/// Rotate a cycle to start at its first user task (`main` before its
/// children), so it reads like the seed: who waits for whom, from the caller.
pub fn rotate_to_user_task(cycle: &mut [TaskId], k: &Kernel) {
    if let Some(i) = (0..cycle.len())
        .filter(|&i| !k.task(cycle[i]).is_kthread() && k.task(cycle[i]).name != "init")
        .min_by_key(|&i| cycle[i])
    {
        cycle.rotate_left(i);
    }
}
