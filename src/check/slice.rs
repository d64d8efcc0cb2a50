//! Sliced traces: the steps that matter to a deadlock. A trace found by the
//! search interleaves every task; with bystander tasks most of it is noise.
//! The slice keeps every step of the tasks the deadlock's explanation names
//! and drops, a task at a time, the steps of the others, as long as the
//! shorter schedule still replays and still ends with the same tasks stuck. What stays of the other
//! tasks is what changed what the stuck tasks wait on (or created them).
//!
//! Tasks are numbered by creation, so dropping a task that forks shifts the
//! numbers of the tasks created after it: the slice replays with a map from
//! the trace's task numbers to the slice's.

use crate::explore::{bit, ActorSet, Model};
use crate::kernel::system::{Step, System};
use crate::kernel::Kernel;

/// A slice of a trace: its schedule, and which steps of the trace it kept.
pub struct Slice {
    pub steps: Vec<Step>,
    pub kept: Vec<bool>,
    /// Each task of the trace (by number) as the slice numbers it, if the
    /// slice creates it at all.
    pub renumbered: Vec<Option<u16>>,
}

/// A schedule that reaches a state in which the tasks `must_hang` (numbered as
/// in `trace`) are stuck for ever, with every step of the tasks `named` and
/// as few steps of the other tasks as this greedy pass finds; `None` if no
/// step can be dropped. `named` holds the tasks the explanation names (a
/// wait-for cycle may name a task that still runs, such as a zombie finishing
/// `do_exit()`, and so is not stuck yet).
pub fn slice(sys: &System, trace: &[Step], named: ActorSet, must_hang: ActorSet) -> Option<Slice> {
    let named = named | must_hang;
    let created = creations(sys, trace)?;
    // Who created whom: a task's steps go with those of the tasks it created.
    let mut creator: Vec<Option<u8>> = vec![None; 64];
    for (s, made) in trace.iter().zip(&created) {
        for &c in made {
            if let Some(slot) = creator.get_mut(c as usize) {
                *slot = Some(s.task);
            }
        }
    }
    let descends_from = |mut t: u8, root: u8| loop {
        if t == root {
            return true;
        }
        match creator.get(t as usize).copied().flatten() {
            Some(p) => t = p,
            None => return false,
        }
    };
    let mut keep = vec![true; trace.len()];
    // The tasks that step in the trace, outside the kept ones, the first
    // created first: a task goes with everything it created.
    let mut others: Vec<u8> = trace.iter().map(|s| s.task).filter(|&t| named & bit(t.into()) == 0).collect();
    others.sort_unstable();
    others.dedup();
    let mut dropped_any = false;
    for t in others {
        let candidate: Vec<bool> = trace
            .iter()
            .zip(&keep)
            .map(|(s, &k)| k && (!descends_from(s.task, t) || named & bit(s.task.into()) != 0))
            .collect();
        if candidate == keep {
            continue;
        }
        if remap(sys, trace, &created, &candidate, must_hang).is_some() {
            keep = candidate;
            dropped_any = true;
        }
    }
    if !dropped_any {
        return None;
    }
    let (steps, renumbered) = remap(sys, trace, &created, &keep, must_hang)?;
    Some(Slice { steps, kept: keep, renumbered })
}

/// The tasks stuck for ever in `k`, and whether no task can move at all:
/// the waiting tasks of a terminal state, else the hung set.
pub fn stuck_at_end(sys: &System, k: &Kernel) -> (ActorSet, bool) {
    let mut steps = Vec::new();
    sys.steps(k, &mut steps);
    if steps.is_empty() {
        (sys.waiting(k), true)
    } else {
        (sys.hung(k), false)
    }
}

/// For each step of `trace`, the tasks it created (their numbers).
fn creations(sys: &System, trace: &[Step]) -> Option<Vec<Vec<u16>>> {
    let mut k = sys.initial().ok()?;
    let mut out = Vec::with_capacity(trace.len());
    for &s in trace {
        let before = k.tasks.len();
        k = sys.run_step_alone(&k, s).ok()?;
        out.push((before..k.tasks.len()).map(|i| i as u16).collect());
    }
    Some(out)
}

/// Replay the kept steps of `trace`, renumbering tasks as the slice creates
/// them; the slice's schedule and numbering if every step is possible and
/// the tasks of `must_hang` end up stuck.
fn remap(
    sys: &System,
    trace: &[Step],
    created: &[Vec<u16>],
    keep: &[bool],
    must_hang: ActorSet,
) -> Option<(Vec<Step>, Vec<Option<u16>>)> {
    let mut k: Kernel = sys.initial().ok()?;
    // The boot tasks keep their numbers.
    let mut map: Vec<Option<u16>> = vec![None; created.iter().flatten().map(|&t| t as usize + 1).max().unwrap_or(0)];
    let boot = k.tasks.len();
    if map.len() < boot {
        map.resize(boot, None);
    }
    for (i, slot) in map.iter_mut().enumerate().take(boot) {
        *slot = Some(i as u16);
    }
    let mut out = Vec::new();
    let mut enabled = Vec::new();
    for (i, &s) in trace.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        let task = (*map.get(s.task as usize)?)?;
        let step = Step { task: u8::try_from(task).ok()?, choice: s.choice };
        enabled.clear();
        sys.steps(&k, &mut enabled);
        if !enabled.contains(&step) {
            return None;
        }
        let before = k.tasks.len();
        k = sys.run_step_alone(&k, step).ok()?;
        let made: Vec<u16> = (before..k.tasks.len()).map(|t| t as u16).collect();
        if made.len() != created[i].len() {
            return None;
        }
        for (&orig, &new) in created[i].iter().zip(&made) {
            *map.get_mut(orig as usize)? = Some(new);
        }
        out.push(step);
    }
    // The same tasks, renumbered, must be stuck for ever.
    let mut want: ActorSet = 0;
    for t in 0..64 {
        if must_hang & bit(t) != 0 {
            want |= bit((*map.get(t)?)?.into());
        }
    }
    let (stuck, _) = stuck_at_end(sys, &k);
    (stuck & want == want).then_some((out, map))
}
