//! The wait-for graph of a stuck state, read from the kernel objects the way
//! a kernel developer reads a hung task's stack: who holds the SRCU reader,
//! whose pid keeps `pid_allocated` up, which parent must reap a zombie, which
//! kthread a `synchronize_rcu_tasks()` caller waits on.

use crate::kernel::objects::*;
use crate::kernel::Kernel;
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
    pub reason: String,
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

/// The wait of task `t` in state `k`, or None if it is not waiting.
pub fn wait_of(prog: &Program, k: &Kernel, t: TaskId) -> Option<Wait> {
    let task = k.task(t);
    if !task.attached {
        return None;
    }
    if task.hashed && task.exit_state == EXIT_ZOMBIE {
        let parent = task.real_parent;
        let mut stack = vec!["(zombie)".to_string()];
        if task.vm.parked != Parked::Dead {
            stack = stack_of(prog, k, t);
        }
        let reason = match parent {
            Some(p) => format!(
                "{} is a zombie (exit_state EXIT_ZOMBIE); only its parent {} can reap it: exit_signal {}, and {} neither ignores SIGCHLD nor set SA_NOCLDWAIT",
                task.name,
                k.describe(p),
                task.exit_signal,
                k.task(p).name
            ),
            None => format!("{} is a zombie with no parent", task.name),
        };
        return Some(Wait { task: t, stack, state: 'Z', waits_for: parent.into_iter().collect(), reason });
    }
    if !matches!(task.vm.parked, Parked::Schedule | Parked::WaitEvent { .. }) {
        return None;
    }
    let stack = stack_of(prog, k, t);
    let frames: Vec<_> = task.vm.frames.iter().rev().collect();
    let in_fn = |name: &str| frames.iter().find(|f| prog.func(f.func).name == name);
    let mut w = Wait { task: t, stack, state: task.state.letter(), waits_for: Vec::new(), reason: String::new() };

    if let Some(f) = in_fn("synchronize_srcu") {
        let idx = prog.local(f.func, &f.locals, "idx").unwrap_or(0) & 1;
        let readers: Vec<TaskId> = k.task_ids().filter(|&r| k.task(r).srcu_reader == Some(idx as u8)).collect();
        w.reason = format!(
            "synchronize_srcu(&tasks_rcu_exit_srcu) waits for the readers of index {idx} to drain ({} reader{}); held by {} since exit_tasks_rcu_start()",
            k.srcu.readers[idx as usize],
            if k.srcu.readers[idx as usize] == 1 { "" } else { "s" },
            if readers.is_empty() { "no task".to_string() } else { names(k, &readers) }
        );
        w.waits_for = readers;
    } else if in_fn("__wait_rcu_gp").is_some() || in_fn("wait_for_completion").is_some() {
        let kthread: Vec<TaskId> = k.task_ids().filter(|&x| k.task(x).name == "rcu_tasks_kthread").collect();
        let when = if k.rcu_tasks.cbs_gp.contains(&t) {
            "its callback belongs to the grace period in progress"
        } else {
            "its callback waits for the next grace period"
        };
        w.reason = format!("synchronize_rcu_tasks() sleeps in wait_for_completion() until rcu_tasks_kthread ends a grace period; {when}");
        w.waits_for = kthread;
    } else if let Some(f) = in_fn("zap_pid_ns_processes") {
        let ns = k.active_ns(t);
        let init_pids = prog.local(f.func, &f.locals, "init_pids").unwrap_or(1);
        let mut holders = Vec::new();
        let mut which = Vec::new();
        for p in k.pids.iter().filter(|p| !p.freed) {
            let Some(nr) = p.nr_in(ns) else { continue };
            for &(u, ty) in &p.users {
                if ty == 0 && k.task(u).group != task.group && !holders.contains(&u) {
                    holders.push(u);
                    which.push(format!("{}'s pid {nr}", k.task(u).name));
                }
            }
        }
        if in_fn("do_wait").is_some() {
            let kids = live_children(k, t);
            w.reason = format!(
                "zap_pid_ns_processes() reaps its own children in kernel_wait4(); waits for {} to exit",
                names(k, &kids)
            );
            w.waits_for = kids;
        } else {
            w.reason = format!(
                "zap_pid_ns_processes() waits for pid_allocated of ns{} ({}) to drop to init_pids ({init_pids}); still allocated: {}",
                ns.0,
                k.ns(ns).pid_allocated & !PIDNS_ADDING,
                if which.is_empty() { "none".into() } else { which.join(", ") }
            );
            w.waits_for = holders;
        }
    } else if in_fn("do_wait").is_some() {
        let kids = live_children(k, t);
        w.reason = format!(
            "waits in do_wait() (wait4) for a child to change state: {}",
            if kids.is_empty() { "none left".into() } else { names(k, &kids) }
        );
        w.waits_for = kids;
    } else if in_fn("synchronize_rcu").is_some() {
        let readers: Vec<TaskId> =
            k.task_ids().filter(|&x| k.task(x).preempt_count > 0 && k.task(x).state != RunState::Dead).collect();
        w.reason = format!("synchronize_rcu() waits for preemption-disabled regions: {}", names(k, &readers));
        w.waits_for = readers;
    } else if let Some(f) = in_fn("sys_futex_wait_tid") {
        let tid = prog.local(f.func, &f.locals, "tid").unwrap_or(0);
        let th = k.find_task_by_nr(k.active_ns(t), tid);
        w.reason = format!("pthread_join() waits for thread {tid} to exit");
        w.waits_for = th.into_iter().collect();
    } else {
        w.reason = format!("sleeps in {}()", w.stack.first().cloned().unwrap_or_default());
    }
    Some(w)
}

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
