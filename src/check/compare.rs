//! A fix beside the bug: the schedule that deadlocks one kernel model,
//! replayed on a model that does not deadlock, as far as it goes. Where the
//! two first behave differently is where the fix acts; the edges of the
//! bug's wait-for cycle that the fixed kernel never forms (or undoes) say
//! which wait the fix removes.

use serde::Serialize;

use super::{parse_schedule, step_action, CheckResult};
use crate::explore::Model;
use crate::kernel::system::System;
use crate::kernel::waitfor;
use crate::lang::diag::SourceMap;
use crate::vm::interp::StepLog;

/// The first step at which the fixed kernel does something else.
#[derive(Clone, Debug, Serialize)]
pub struct Parting {
    pub step: usize,
    pub task: String,
    pub bug_action: String,
    pub bug_at: String,
    pub fix_action: String,
    pub fix_at: String,
    /// What the fixed kernel's step changed.
    pub fix_events: Vec<String>,
}

/// What became of one edge of the bug's cycle on the fixed kernel.
#[derive(Clone, Debug, Serialize)]
pub struct EdgeFate {
    pub from: String,
    pub to: String,
    pub label: String,
    /// The step after which the edge first stood on the fixed kernel.
    pub formed: Option<usize>,
    /// The step that last removed it, if it is gone at the end.
    pub undone: Option<usize>,
    /// Whether it stands when the replay ends.
    pub at_end: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub bug_kernel: String,
    pub fix_kernel: String,
    /// Steps of the bug's schedule, and how many the fixed kernel could follow.
    pub steps: usize,
    pub followed: usize,
    /// Why the replay stopped early, if it did.
    pub stopped: Option<String>,
    pub parting: Option<Parting>,
    pub edges: Vec<EdgeFate>,
}

impl Comparison {
    /// The edges of the bug's cycle missing when the replay ends.
    pub fn missing(&self) -> impl Iterator<Item = &EdgeFate> {
        self.edges.iter().filter(|e| !e.at_end)
    }
}

/// The wait-for edges of a state, by task index (the schedule is the same on
/// both kernels, so are the tasks it creates): (waiter, waited for, label).
fn edges_of(sys: &System, k: &crate::kernel::Kernel) -> Vec<(u16, u16, &'static str)> {
    let mut out = Vec::new();
    for w in waitfor::waits_of(&sys.prog, k) {
        for &t in &w.waits_for {
            out.push((w.task.0, t.0, w.label));
        }
    }
    out
}

/// Replay `bug`'s schedule (a deadlock found on its kernel) on `fix_sys`.
pub fn compare(bug: &CheckResult, fix_map: &SourceMap, fix_sys: &System, fix_kernel: &str) -> Option<Comparison> {
    if bug.cycle.is_empty() {
        return None;
    }
    let schedule = parse_schedule(&bug.schedule).ok()?;
    let ids: Vec<(u16, u16)> =
        bug.cycle.iter().map(|w| (w.task_id, w.waits_for_ids.first().copied().unwrap_or(u16::MAX))).collect();
    let mut edges: Vec<EdgeFate> = bug
        .cycle
        .iter()
        .map(|w| EdgeFate {
            from: w.task.clone(),
            to: w.waits_for.clone(),
            label: w.edge.clone(),
            formed: None,
            undone: None,
            at_end: false,
        })
        .collect();
    let mut c = Comparison {
        bug_kernel: bug.kernel.clone(),
        fix_kernel: fix_kernel.to_string(),
        steps: schedule.len(),
        followed: 0,
        stopped: None,
        parting: None,
        edges: Vec::new(),
    };
    let mut k = fix_sys.initial().ok()?;
    let mut enabled = Vec::new();
    for (i, &step) in schedule.iter().enumerate() {
        let n = i + 1;
        let name = k.tasks.get(step.task as usize).map(|t| t.name.clone());
        enabled.clear();
        fix_sys.steps(&k, &mut enabled);
        if !enabled.contains(&step) {
            c.stopped = Some(match name {
                Some(name) => format!("step {n} ({name}) is not possible on {fix_kernel}: {name} cannot run there"),
                None => format!("step {n}: that task does not exist on {fix_kernel}"),
            });
            break;
        }
        let mut log = StepLog::default();
        let Ok(next) = fix_sys.run_step(&k, step, Some(&mut log)) else {
            c.stopped = Some(format!("step {n} commits a violation on {fix_kernel}"));
            break;
        };
        let (action, at, _) = step_action(fix_map, &log, step.choice);
        let events = super::events::diff(&k, &next);
        if c.parting.is_none() {
            if let Some(b) = bug.trace.get(i) {
                // The same action can end otherwise (a wait that sleeps on
                // one kernel goes on at once on the other): what it changed
                // counts too.
                if b.action != action || b.events != events {
                    c.parting = Some(Parting {
                        step: n,
                        task: name.clone().unwrap_or_default(),
                        bug_action: b.action.clone(),
                        bug_at: b.at.clone(),
                        fix_action: action,
                        fix_at: at,
                        fix_events: events,
                    });
                }
            }
        }
        k = next;
        c.followed = n;
        let now = edges_of(fix_sys, &k);
        for (e, &(from, to)) in edges.iter_mut().zip(&ids) {
            let stands = now.iter().any(|&(f, t, l)| f == from && t == to && l == e.label);
            if stands && !e.at_end {
                e.formed.get_or_insert(n);
                e.undone = None;
            } else if !stands && e.at_end {
                e.undone = Some(n);
            }
            e.at_end = stands;
        }
    }
    c.edges = edges;
    Some(c)
}

/// The comparison in words, for the text report.
pub fn render(c: &Comparison) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} beside {}: {}'s deadlock schedule ({} steps) replayed on {}",
        c.fix_kernel, c.bug_kernel, c.bug_kernel, c.steps, c.fix_kernel
    );
    match &c.parting {
        Some(p) => {
            // Kernel names in one column, however long (`unprotected`).
            let w = c.bug_kernel.len().max(c.fix_kernel.len()).max(8);
            let _ = writeln!(out, "  The kernels part at step {} ({}):", p.step, p.task);
            let _ = writeln!(out, "    {:<w$} {}  [{}]", c.bug_kernel, p.bug_action, p.bug_at);
            let _ = writeln!(out, "    {:<w$} {}  [{}]", c.fix_kernel, p.fix_action, p.fix_at);
            for e in &p.fix_events {
                let _ = writeln!(out, "    {:<w$}   -> {e}", "");
            }
        }
        None => {
            let _ = writeln!(out, "  {} does the same as {} at every step it follows.", c.fix_kernel, c.bug_kernel);
        }
    }
    match &c.stopped {
        Some(why) => {
            let _ = writeln!(out, "  {} follows {} of the {} steps; {why}.", c.fix_kernel, c.followed, c.steps);
        }
        None => {
            let _ = writeln!(out, "  {} follows all {} steps.", c.fix_kernel, c.steps);
        }
    }
    let _ = writeln!(out, "  The edges of {}'s cycle on {}:", c.bug_kernel, c.fix_kernel);
    for e in &c.edges {
        let fate = match (e.formed, e.undone, e.at_end) {
            (None, _, _) => "never formed".to_string(),
            (Some(f), _, true) => format!("formed at step {f}, still there at the end"),
            (Some(f), Some(u), false) => format!("formed at step {f}, undone at step {u}"),
            (Some(f), None, false) => format!("formed at step {f}, gone at the end"),
        };
        let _ = writeln!(out, "    {} -> {} ({}): {fate}", e.from, e.to, e.label);
    }
    let missing: Vec<String> = c.missing().map(|e| format!("{} -> {} ({})", e.from, e.to, e.label)).collect();
    if missing.is_empty() {
        let _ = writeln!(out, "  Every edge stands at the end: {} has not broken the cycle by then.", c.fix_kernel);
    } else {
        let _ = writeln!(
            out,
            "  {} never closes the cycle: no {} when the replay ends.",
            c.fix_kernel,
            missing.join(", no ")
        );
    }
    out
}
