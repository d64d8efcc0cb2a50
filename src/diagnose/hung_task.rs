//! The hung-task detector, as kernel/hung_task.c (v6.1) runs it: `khungtaskd`
//! wakes every min(`hung_task_check_interval_secs`, `hung_task_timeout_secs`)
//! seconds and walks the task list; a task sleeping TASK_UNINTERRUPTIBLE
//! without TASK_WAKEKILL or TASK_NOLOAD whose switch count has not moved
//! since `hung_task_timeout_secs` is reported, at most `hung_task_warnings`
//! times in all.

use super::clock::{Micros, SEC};
use super::watch::{Detector, Log, Watch};
use crate::kernel::objects::TaskId;
use crate::vm::RunState;

pub struct Khungtaskd {
    /// `hung_last_checked`.
    last_checked: Micros,
    /// `sysctl_hung_task_warnings`: reports left (-1: no limit).
    warnings: i64,
    /// Per task: `last_switch_count`, `last_switch_time`.
    seen: Vec<(u64, Micros)>,
}

impl Khungtaskd {
    pub fn new(warnings: i64) -> Khungtaskd {
        Khungtaskd { last_checked: 0, warnings, seen: Vec::new() }
    }

    /// When `watchdog()` next wakes: never with a timeout of 0.
    pub fn next_event(&self, w: &Watch) -> Option<Micros> {
        let timeout = w.tunables.hung_task_timeout_secs;
        (timeout > 0)
            .then(|| self.last_checked.saturating_add(w.tunables.hung_task_interval_secs().saturating_mul(SEC)))
    }

    /// check_hung_uninterruptible_tasks(): one walk of the task list.
    pub fn check(&mut self, w: &Watch, log: &mut Log) {
        self.last_checked = w.now;
        let timeout = w.tunables.hung_task_timeout_secs;
        for t in w.k.task_ids() {
            let task = w.k.task(t);
            // Released tasks are off the task list; only a plain D sleep counts
            // (TASK_IDLE is TASK_UNINTERRUPTIBLE | TASK_NOLOAD).
            if !task.hashed || task.exit_state != 0 || task.state != RunState::Uninterruptible {
                continue;
            }
            self.check_hung_task(w, t, timeout, log);
        }
    }

    /// check_hung_task().
    fn check_hung_task(&mut self, w: &Watch, t: TaskId, timeout: u64, log: &mut Log) {
        let i = t.0 as usize;
        if self.seen.len() <= i {
            self.seen.resize(i + 1, (0, 0));
        }
        let switch_count = w.times.get(i).map_or(0, |x| x.switches);
        // A task that never switched out since it was created is not checked.
        if switch_count == 0 {
            return;
        }
        if switch_count != self.seen[i].0 {
            self.seen[i] = (switch_count, w.now);
            return;
        }
        if w.now < self.seen[i].1.saturating_add(timeout.saturating_mul(SEC)) {
            return;
        }
        if self.warnings == 0 {
            return;
        }
        if self.warnings > 0 {
            self.warnings -= 1;
        }
        let mut lines = vec![
            format!(
                "INFO: task {}:{} blocked for more than {} seconds.",
                super::show::comm(w.k, t),
                super::show::pid(w.k, t),
                (w.now - self.seen[i].1) / SEC
            ),
            format!("      Not tainted {} #1", w.release),
            "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.".to_string(),
        ];
        lines.extend(super::show::show_task(w, t));
        log.splat(Detector::HungTask, t, w.now, lines);
    }
}
