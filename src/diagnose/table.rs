//! For a finding of `check`: which detector would catch each stuck task. The
//! finding's trace is run again in virtual time (`run`, with the trace as the
//! schedule), the clock runs on with the stuck tasks frozen, and every
//! detector's first report about each of them is collected. The seed's
//! proposals are always asked about (with their default bounds unless set),
//! so the table also says whether they would have helped.

use super::clock::{Micros, SEC};
use super::run::{run, Features, RunOptions};
use super::tunables::{Tunables, DO_EXIT_WATCHDOG_DEFAULT_SECS};
use super::watch::Detector;
use crate::kernel::objects::TaskId;
use crate::kernel::system::{Step, System};
use crate::lang::diag::SourceMap;

/// How long the clock runs after the trace: long enough for a 10-minute
/// RCU Tasks stall warning and two hung-task periods of any sane timeout.
pub const HORIZON: Micros = 30 * 60 * SEC;

/// How long the clock runs on: 30 minutes, or long enough for two
/// hung-task periods, two stall timeouts and the watchdog if they are longer.
pub fn horizon(t: &Tunables) -> Micros {
    let hung = t.hung_task_timeout_secs.saturating_mul(2).saturating_add(t.hung_task_interval_secs());
    let stall = super::clock::jiffies_to_us(t.rcu_task_stall_timeout.saturating_mul(2)) / SEC;
    let watchdog = t.do_exit_watchdog_secs.unwrap_or(0).saturating_mul(2);
    let secs = (HORIZON / SEC).max(hung.saturating_add(1)).max(stall).max(watchdog);
    secs.saturating_mul(SEC)
}

/// One detector's answer for one stuck task.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub task: String,
    /// The sleep state (TASK_UNINTERRUPTIBLE, EXIT_ZOMBIE, ...).
    pub state: &'static str,
    pub detector: Detector,
    /// Whether the modelled kernel has this detector at all.
    pub in_kernel: bool,
    pub fires: bool,
    /// Virtual seconds from the task's last run to the first report.
    pub after_s: Option<f64>,
    /// The first line of that report.
    pub line: Option<String>,
}

impl Row {
    /// The row's cell in a table: seconds until the detector fires, `-` when
    /// it stays silent, `n/a` when the kernel has no such detector.
    pub fn cell(&self) -> String {
        match (self.in_kernel, self.after_s) {
            (false, _) => "n/a".to_string(),
            (true, Some(s)) => format!("{}s", s.round() as u64),
            (true, None) => "-".to_string(),
        }
    }
}

/// What the table was computed with, for its header.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Row>,
    pub hung_task_timeout_secs: u64,
    pub do_exit_watchdog_secs: u64,
    /// How long the clock ran after the trace.
    pub horizon: Micros,
    /// Where the kernels the model stands for differ in their diagnostics.
    pub note: String,
}

pub fn table(
    sys: &System,
    map: &SourceMap,
    trace: &[Step],
    stuck: &[TaskId],
    features: &Features,
    t: &Tunables,
) -> Table {
    let mut tunables = t.clone();
    tunables.do_exit_watchdog_secs.get_or_insert(DO_EXIT_WATCHDOG_DEFAULT_SECS);
    tunables.gp_sync_stall = true;
    let opts = RunOptions {
        seed: 0,
        schedule: trace.to_vec(),
        until: horizon(&tunables),
        max_steps: super::run::MAX_STEPS,
        tunables: tunables.clone(),
        features: features.clone(),
    };
    let r = run(sys, map, &opts);
    let k = &r.kernel;
    let mut rows = Vec::new();
    for &t in stuck {
        if t.0 as usize >= k.tasks.len() {
            continue;
        }
        let since = r.times.get(t.0 as usize).map_or(0, |x| x.last_ran);
        for d in Detector::ALL {
            let first = r.log.splats.iter().find(|s| s.task == t && s.detector == d);
            rows.push(Row {
                task: k.task(t).name.clone(),
                state: super::show::run_state_name(k, &r.times, t),
                detector: d,
                in_kernel: features.has(d),
                fires: first.is_some(),
                after_s: first.map(|s| s.at.saturating_sub(since) as f64 / SEC as f64),
                line: first.map(|s| s.first_line.clone()),
            });
        }
    }
    Table {
        rows,
        hung_task_timeout_secs: tunables.hung_task_timeout_secs,
        do_exit_watchdog_secs: tunables.do_exit_watchdog_secs.unwrap_or(DO_EXIT_WATCHDOG_DEFAULT_SECS),
        horizon: opts.until,
        note: features.note.clone(),
    }
}
