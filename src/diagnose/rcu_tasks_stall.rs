//! RCU Tasks stall warnings, as kernel/rcu/tasks.h prints them, read from
//! where the model's rcu_tasks_kthread is (its stack) and from the RCU Tasks
//! state (its holdout list, its grace-period count):
//!
//! - rcu_tasks_wait_gp()'s holdout loop: after each sleep, a stall warning
//!   (`INFO: rcu_tasks detected stalls on tasks:`, then each holdout) once
//!   `rcu_task_stall_timeout` has passed since the last one, and before any
//!   warning, informational lines every `rcu_task_stall_info`, the interval
//!   multiplied by `rcu_task_stall_info_mult` each time (v5.19 and later).
//!   A grace period stuck before the loop prints nothing.
//! - tasks_rcu_exit_srcu_stall() (v6.4 and later): a timer armed for the
//!   duration of rcu_tasks_postscan(), firing every `rcu_task_stall_info`.
//! - The seed's proposal (`--watchdog rcu_tasks_gp`): the same timer around
//!   every synchronize_rcu() and synchronize_srcu() of the grace period.
//!
//! Which of these a kernel model has is in models/patches/series
//! (`diagnostics:`).

use super::clock::{jiffies_to_us, us_to_jiffies, Micros};
use super::watch::{Detector, Log, Watch};
use crate::kernel::objects::TaskId;
use crate::lang::bytecode::Op;

/// rcu_tasks_wait_gp()'s locals of the holdout loop.
struct HoldoutLoop {
    lastreport: Micros,
    lastinfo: Micros,
    /// `rtsi`, jiffies.
    rtsi: i64,
    reported: bool,
}

/// A timed wait of the grace period: where, since when, next firing.
struct TimedWait {
    phase: &'static str,
    func: &'static str,
    since: Micros,
    timer: Option<Micros>,
    /// The interval to the next firing, jiffies.
    interval: i64,
}

#[derive(Default)]
pub struct RcuTasksStall {
    in_gp: bool,
    /// `rtp->gp_start`.
    gp_start: Micros,
    holdout_loop: Option<HoldoutLoop>,
    /// The kthread returns from the holdout loop's schedule_timeout_idle() in this step.
    woke_in_loop: bool,
    postscan: Option<TimedWait>,
    sync_wait: Option<TimedWait>,
}

/// The grace-period phase a function of rcu_tasks_wait_gp() stands for, and
/// the `gp_state` the kernel shows there.
const PHASES: &[(&str, &str)] = &[
    ("rcu_tasks_pregp_step", "RTGS_PRE_WAIT_GP"),
    ("rcu_tasks_postscan", "RTGS_POST_SCAN_TASKLIST"),
    ("rcu_tasks_postgp", "RTGS_POST_GP"),
];

fn gp_state(phase: &str) -> &'static str {
    PHASES.iter().find(|p| p.0 == phase).map(|p| p.1).unwrap_or("RTGS_WAIT_GP")
}

impl RcuTasksStall {
    /// `rtp->tasks_gp_seq` while a grace period runs (rcu_seq_start() made it odd).
    fn gp_seq(w: &Watch) -> u64 {
        w.k.rcu_tasks.gp_seq as u64 * 4 + 1
    }

    fn names(w: &Watch, kt: TaskId) -> Vec<&'static str> {
        let mut out = Vec::new();
        for f in &w.k.task(kt).vm.frames {
            let n = w.prog().func(f.func).name.as_str();
            for known in
                ["rcu_tasks_wait_gp", "synchronize_srcu", "synchronize_rcu"].iter().chain(PHASES.iter().map(|p| &p.0))
            {
                if n == *known {
                    out.push(*known);
                }
            }
        }
        out
    }

    /// Whether the kthread sleeps in the holdout loop's schedule_timeout_idle().
    fn at_holdout_sleep(w: &Watch, kt: TaskId) -> bool {
        let vm = &w.k.task(kt).vm;
        let Some(f) = vm.frames.last() else { return false };
        let func = w.prog().func(f.func);
        func.name == "rcu_tasks_wait_gp" && matches!(func.code.get(f.pc as usize), Some(Op::Yield))
    }

    pub fn before_step(&mut self, w: &Watch, t: TaskId) {
        if Some(t) == w.kthread && self.holdout_loop.is_some() && Self::at_holdout_sleep(w, t) {
            self.woke_in_loop = true;
        }
    }

    pub fn observe(&mut self, w: &Watch, t: TaskId, log: &mut Log) {
        let Some(kt) = w.kthread.filter(|&k| k == t) else { return };
        let names = Self::names(w, kt);
        let gp = names.contains(&"rcu_tasks_wait_gp");
        if !gp {
            *self = RcuTasksStall::default();
            return;
        }
        if !self.in_gp {
            self.in_gp = true;
            self.gp_start = w.now;
        }
        let rtsi = w.tunables.rcu_task_stall_info;
        let phase = PHASES.iter().map(|p| p.0).find(|p| names.contains(p));
        // tasks_rcu_exit_srcu_stall(): armed on entry to rcu_tasks_postscan().
        if phase == Some("rcu_tasks_postscan") {
            if self.postscan.is_none() {
                let timer = (w.features.postscan_stall && rtsi > 0).then(|| w.now.saturating_add(jiffies_to_us(rtsi)));
                self.postscan =
                    Some(TimedWait { phase: "rcu_tasks_postscan", func: "", since: w.now, timer, interval: rtsi });
            }
        } else {
            self.postscan = None;
        }
        // The seed's proposal: time each synchronize_*() of the grace period.
        let func = ["synchronize_srcu", "synchronize_rcu"].into_iter().find(|f| names.contains(f));
        match (phase, func) {
            (Some(p), Some(f)) if w.tunables.gp_sync_stall => {
                if !matches!(&self.sync_wait, Some(s) if s.phase == p && s.func == f) {
                    let timer = (rtsi > 0).then(|| w.now.saturating_add(jiffies_to_us(rtsi)));
                    self.sync_wait = Some(TimedWait { phase: p, func: f, since: w.now, timer, interval: rtsi });
                }
            }
            _ => self.sync_wait = None,
        }
        if Self::at_holdout_sleep(w, kt) && self.holdout_loop.is_none() {
            // `lastreport = jiffies; lastinfo = lastreport;` before the loop.
            self.holdout_loop = Some(HoldoutLoop { lastreport: w.now, lastinfo: w.now, rtsi, reported: false });
        }
        if std::mem::take(&mut self.woke_in_loop) {
            self.holdout_pass(w, kt, log);
        }
    }

    /// One pass of the holdout loop after its sleep: the stall warning, then
    /// the informational line.
    fn holdout_pass(&mut self, w: &Watch, kt: TaskId, log: &mut Log) {
        let gp_start = self.gp_start;
        let Some(l) = self.holdout_loop.as_mut() else { return };
        let rtst = w.tunables.rcu_task_stall_timeout;
        let needreport = rtst > 0 && w.now > l.lastreport.saturating_add(jiffies_to_us(rtst));
        if needreport {
            l.lastreport = w.now;
            l.reported = true;
        }
        if needreport && w.features.holdout_stall {
            // check_holdout_task() on each task still held out.
            let header = "INFO: rcu_tasks detected stalls on tasks:".to_string();
            for (i, &h) in w.k.rcu_tasks.holdouts.iter().enumerate() {
                let task = w.k.task(h);
                let mut lines = if i == 0 { vec![header.clone()] } else { Vec::new() };
                lines.push(format!(
                    "{:016x}: .. nvcsw: {}/{} holdout: {} idle_cpu: -1/0",
                    0xffff_8880_0000_0000u64 | super::show::pid(w.k, h) as u64,
                    w.k.rcu_tasks.holdout_nvcsw(h),
                    task.nvcsw,
                    w.k.rcu_tasks.holdout(h) as u8
                ));
                lines.extend(super::show::show_task(w, h));
                log.splat_titled(Detector::RcuTasksStall, h, w.now, &header, lines);
            }
        }
        let j = w.now;
        if w.features.stall_info && l.rtsi > 0 && !l.reported && j > l.lastinfo.saturating_add(jiffies_to_us(l.rtsi)) {
            l.lastinfo = j;
            l.rtsi = l.rtsi.saturating_mul(w.tunables.rcu_task_stall_info_mult);
            let line = if w.features.info_since_boot {
                format!(
                    "rcu_tasks_wait_gp: rcu_tasks grace period number {} (since boot) is {} jiffies old.",
                    Self::gp_seq(w),
                    us_to_jiffies(j - gp_start)
                )
            } else {
                format!(
                    "rcu_tasks_wait_gp: rcu_tasks grace period {} is {} jiffies old.",
                    Self::gp_seq(w),
                    us_to_jiffies(j - gp_start)
                )
            };
            log.splat(Detector::RcuTasksStallInfo, kt, j, vec![line]);
        }
    }

    pub fn next_event(&self) -> Option<Micros> {
        [self.postscan.as_ref().and_then(|p| p.timer), self.sync_wait.as_ref().and_then(|s| s.timer)]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn fire(&mut self, w: &Watch, log: &mut Log) {
        let Some(kt) = w.kthread else { return };
        let rtsi = jiffies_to_us(w.tunables.rcu_task_stall_info);
        let gp_start = self.gp_start;
        if let Some(p) = self.postscan.as_mut() {
            if p.timer.is_some_and(|t| t <= w.now) {
                p.timer = Some(w.now.saturating_add(rtsi));
                let lines = vec![
                    format!(
                        "tasks_rcu_exit_srcu_stall: rcu_tasks grace period number {} (since boot) gp_state: {} is {} jiffies old.",
                        Self::gp_seq(w),
                        gp_state(p.phase),
                        us_to_jiffies(w.now - p.since)
                    ),
                    "Please check any exiting tasks stuck between calls to exit_tasks_rcu_start() and exit_tasks_rcu_finish()"
                        .to_string(),
                ];
                log.splat(Detector::PostscanStall, kt, w.now, lines);
            }
        }
        if let Some(s) = self.sync_wait.as_mut() {
            if s.timer.is_some_and(|t| t <= w.now) {
                // Ours: backs off like the informational lines, so that a
                // stuck grace period is named without flooding the log.
                s.interval = s.interval.saturating_mul(w.tunables.rcu_task_stall_info_mult);
                s.timer = Some(w.now.saturating_add(jiffies_to_us(s.interval)));
                let mut lines = vec![format!(
                    "rcu_tasks_wait_gp: rcu_tasks grace period number {} (since boot) gp_state: {} is {} jiffies old, waiting in {}() from {}() for {} jiffies.",
                    Self::gp_seq(w),
                    gp_state(s.phase),
                    us_to_jiffies(w.now - gp_start),
                    s.func,
                    s.phase,
                    us_to_jiffies(w.now - s.since)
                )];
                lines.extend(super::show::show_task(w, kt));
                log.splat(Detector::GpSyncStall, kt, w.now, lines);
            }
        }
    }

    pub fn in_gp(&self) -> bool {
        self.in_gp
    }
}
