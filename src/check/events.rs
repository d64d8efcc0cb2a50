//! What a step changed, in kernel terms: read off the difference between the
//! kernel states before and after it. Traces print these under each step.

use crate::kernel::objects::*;
use crate::kernel::Kernel;

fn ns_name(n: NsId) -> String {
    if n.0 == 0 {
        "init_pid_ns".into()
    } else {
        format!("ns{}", n.0)
    }
}

pub fn diff(a: &Kernel, b: &Kernel) -> Vec<String> {
    let mut ev = Vec::new();
    for (i, n) in b.namespaces.iter().enumerate() {
        let id = NsId(i as u16);
        match a.namespaces.get(i) {
            None => ev.push(format!("new PID namespace {} (level {})", ns_name(id), n.level)),
            Some(o) => {
                if o.pid_allocated & PIDNS_ADDING != 0 && n.pid_allocated & PIDNS_ADDING == 0 {
                    ev.push(format!("{}: pid allocation disabled (no more forks into it)", ns_name(id)));
                }
                if o.child_reaper != n.child_reaper {
                    if let Some(r) = n.child_reaper {
                        ev.push(format!("{}'s child_reaper is now {}", ns_name(id), b.task(r).name));
                    }
                }
            }
        }
    }
    for t in b.task_ids() {
        let nt = b.task(t);
        if !nt.attached {
            continue;
        }
        let Some(ot) = a.tasks.get(t.0 as usize).filter(|o| o.attached) else {
            let parent = nt.real_parent.map(|p| b.task(p).name.clone()).unwrap_or_default();
            let kind = if nt.leader { "process" } else { "thread" };
            ev.push(format!("{} created: {kind} with {} (parent {parent})", nt.name, b.describe_pids(t)));
            continue;
        };
        let name = &nt.name;
        if ot.flags & PF_EXITING == 0 && nt.flags & PF_EXITING != 0 {
            ev.push(format!("{name} is exiting (PF_EXITING)"));
        }
        if ot.pending != nt.pending && nt.pending & (1 << SIGKILL) != 0 && ot.pending & (1 << SIGKILL) == 0 {
            ev.push(format!("{name}: SIGKILL pending"));
        }
        if ot.srcu_reader != nt.srcu_reader {
            match nt.srcu_reader {
                Some(i) => ev.push(format!("{name} enters a tasks_rcu_exit_srcu read-side section (index {i})")),
                None => ev.push(format!("{name} leaves its tasks_rcu_exit_srcu read-side section")),
            }
        }
        if ot.exit_state != nt.exit_state {
            match nt.exit_state {
                EXIT_ZOMBIE => ev.push(format!(
                    "{name} is a zombie; its parent {} must reap it",
                    nt.real_parent.map(|p| b.task(p).name.clone()).unwrap_or_default()
                )),
                EXIT_DEAD => ev.push(format!("{name} is EXIT_DEAD")),
                _ => {}
            }
        }
        if ot.hashed && !nt.hashed {
            ev.push(format!("{name} released: off the task list, its pid freed"));
        }
        if ot.real_parent != nt.real_parent {
            if let Some(p) = nt.real_parent {
                ev.push(format!("{name} reparented to {}", b.task(p).name));
            }
        }
        if ot.state != nt.state || ot.sleeping != nt.sleeping {
            if nt.state == RunState::Dead && ot.state != RunState::Dead {
                ev.push(format!("{name} passes do_task_dead(): it never runs again"));
            } else if nt.sleeping && !ot.sleeping {
                ev.push(format!("{name} sleeps ({})", nt.state.name()));
            } else if ot.sleeping && !nt.sleeping {
                ev.push(format!("{name} wakes up"));
            } else if nt.sleeping && ot.state != RunState::Running && nt.state == RunState::Running {
                ev.push(format!("{name} is woken"));
            }
        }
        if ot.in_trampoline.is_none() && nt.in_trampoline.is_some() {
            ev.push(format!("{name} is preempted inside trampoline #{}", nt.in_trampoline.unwrap_or(0)));
        }
    }
    if a.srcu.idx != b.srcu.idx {
        ev.push(format!(
            "tasks_rcu_exit_srcu flips to index {} (readers: {} on 0, {} on 1)",
            b.srcu.idx, b.srcu.readers[0], b.srcu.readers[1]
        ));
    }
    if a.rcu_tasks.cbs_queued.len() < b.rcu_tasks.cbs_queued.len() {
        ev.push("an RCU Tasks callback is queued for the next grace period".into());
    }
    if a.rcu_tasks.cbs_gp.is_empty() && !b.rcu_tasks.cbs_gp.is_empty() {
        ev.push(format!("rcu_tasks_kthread starts grace period {}", b.rcu_tasks.gp_seq + 1));
    }
    if a.rcu_tasks.gp_seq != b.rcu_tasks.gp_seq {
        ev.push(format!("RCU Tasks grace period {} ends; its callbacks run", b.rcu_tasks.gp_seq));
    }
    if a.rcu_tasks.holdouts.len() < b.rcu_tasks.holdouts.len() {
        let new: Vec<String> = b
            .rcu_tasks
            .holdouts
            .iter()
            .filter(|t| !a.rcu_tasks.holdouts.contains(t))
            .map(|&t| b.task(t).name.clone())
            .collect();
        ev.push(format!("holdout{}: {}", if new.len() == 1 { "" } else { "s" }, new.join(", ")));
    }
    for (i, s) in b.trampolines.iter().enumerate() {
        if a.trampolines.get(i) != Some(s) {
            ev.push(match s {
                TrampolineState::Live => format!("trampoline #{i} installed"),
                TrampolineState::Removed => format!("trampoline #{i} removed from its call sites"),
                TrampolineState::Freed => format!("trampoline #{i} freed"),
            });
        }
    }
    ev
}

/// What a step of one task did to another, drawn as an arrow between lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrowKind {
    /// The step created the task (fork, clone).
    Fork,
    /// The step woke the task up.
    Wakeup,
    /// The step made a fatal signal pending for the task.
    Signal,
    /// The step reaped the task (released it: off the task list, pid freed).
    Reap,
}

impl ArrowKind {
    pub fn name(self) -> &'static str {
        match self {
            ArrowKind::Fork => "fork",
            ArrowKind::Wakeup => "wakeup",
            ArrowKind::Signal => "signal",
            ArrowKind::Reap => "reap",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Arrow {
    pub kind: ArrowKind,
    /// The task at the arrow's head (its index in the task table).
    pub to: u16,
}

/// The arrows a step of `actor` draws to other tasks, read off the states
/// before (`a`) and after (`b`) it.
pub fn arrows(a: &Kernel, b: &Kernel, actor: TaskId) -> Vec<Arrow> {
    let mut out = Vec::new();
    for t in b.task_ids() {
        if t == actor {
            continue;
        }
        let nt = b.task(t);
        let to = t.0;
        // Forked when it joins the task list (copy_process() under tasklist_lock).
        let Some(ot) = a.tasks.get(t.0 as usize) else {
            if nt.attached {
                out.push(Arrow { kind: ArrowKind::Fork, to });
            }
            continue;
        };
        if !ot.attached && nt.attached {
            out.push(Arrow { kind: ArrowKind::Fork, to });
        }
        if nt.pending & (1 << SIGKILL) != 0 && ot.pending & (1 << SIGKILL) == 0 {
            out.push(Arrow { kind: ArrowKind::Signal, to });
        }
        let woken = (ot.sleeping && !nt.sleeping)
            || (nt.sleeping && ot.state != RunState::Running && nt.state == RunState::Running);
        if woken {
            out.push(Arrow { kind: ArrowKind::Wakeup, to });
        }
        if ot.hashed && !nt.hashed {
            out.push(Arrow { kind: ArrowKind::Reap, to });
        }
    }
    out
}
