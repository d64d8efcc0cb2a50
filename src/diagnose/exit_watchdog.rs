//! The seed's do_exit() watchdog (never merged; ours to model): a timer set
//! when a task sets PF_EXITING (exit_signals()) and cancelled at
//! do_task_dead(); if it fires, the task is stuck in do_exit() and is shown
//! with its stack. One report per task.

use super::clock::{human, Micros, SEC};
use super::watch::{Detector, Log, Watch};
use crate::kernel::objects::{TaskId, PF_EXITING};
use crate::vm::Parked;

#[derive(Default)]
pub struct ExitWatchdog {
    /// Per task: when it set PF_EXITING, and whether it was reported.
    since: Vec<Option<(Micros, bool)>>,
}

impl ExitWatchdog {
    fn bound(w: &Watch) -> Option<Micros> {
        w.tunables.do_exit_watchdog_secs.map(|s| s.saturating_mul(SEC))
    }

    /// Arm on PF_EXITING, disarm at do_task_dead().
    pub fn observe(&mut self, w: &Watch, t: TaskId) {
        let i = t.0 as usize;
        if self.since.len() <= i {
            self.since.resize(i + 1, None);
        }
        let task = w.k.task(t);
        if task.vm.parked == Parked::Dead {
            self.since[i] = None;
        } else if task.flags & PF_EXITING != 0 && self.since[i].is_none() {
            self.since[i] = Some((w.now, false));
        }
    }

    pub fn next_event(&self, w: &Watch) -> Option<Micros> {
        let bound = Self::bound(w)?;
        self.since.iter().flatten().filter(|(_, reported)| !reported).map(|(s, _)| s.saturating_add(bound)).min()
    }

    pub fn fire(&mut self, w: &Watch, log: &mut Log) {
        let Some(bound) = Self::bound(w) else { return };
        for i in 0..self.since.len() {
            let Some((since, false)) = self.since[i] else { continue };
            if since.saturating_add(bound) > w.now {
                continue;
            }
            self.since[i] = Some((since, true));
            let t = TaskId(i as u16);
            let mut lines = vec![format!(
                "do_exit watchdog: task {}:{} stuck in do_exit() for more than {} seconds (PF_EXITING since {})",
                super::show::comm(w.k, t),
                super::show::pid(w.k, t),
                bound / SEC,
                human(since)
            )];
            lines.extend(super::show::show_task(w, t));
            log.splat(Detector::DoExitWatchdog, t, w.now, lines);
        }
    }
}
