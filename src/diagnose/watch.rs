//! What the detectors see of a run, and what they print: the kernel's
//! diagnostics (`Detector`), the log and its splats, the scheduler's times
//! of each task, and the view of one moment they all watch (`Watch`).

use super::clock::Micros;
use super::tunables::Tunables;
use crate::kernel::objects::TaskId;
use crate::kernel::system::System;
use crate::kernel::Kernel;
use crate::lang::bytecode::Program;
use crate::lang::diag::SourceMap;

/// The detectors of a run, by the name tables and JSON use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detector {
    HungTask,
    RcuTasksStall,
    RcuTasksStallInfo,
    PostscanStall,
    GpSyncStall,
    DoExitWatchdog,
}

impl Detector {
    pub const ALL: [Detector; 6] = [
        Detector::HungTask,
        Detector::RcuTasksStall,
        Detector::RcuTasksStallInfo,
        Detector::PostscanStall,
        Detector::GpSyncStall,
        Detector::DoExitWatchdog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Detector::HungTask => "hung_task",
            Detector::RcuTasksStall => "rcu_tasks_stall",
            Detector::RcuTasksStallInfo => "rcu_tasks_stall_info",
            Detector::PostscanStall => "rcu_tasks_postscan_stall",
            Detector::GpSyncStall => "rcu_tasks_gp_stall",
            Detector::DoExitWatchdog => "do_exit_watchdog",
        }
    }

    /// What it is, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Detector::HungTask => "hung-task detector (kernel/hung_task.c)",
            Detector::RcuTasksStall => "RCU Tasks stall warning (holdout loop)",
            Detector::RcuTasksStallInfo => "RCU Tasks pre-stall information (v5.19+)",
            Detector::PostscanStall => "tasks_rcu_exit_srcu_stall() (v6.4+)",
            Detector::GpSyncStall => "proposed: stall warning on the grace period's synchronize_*()",
            Detector::DoExitWatchdog => "proposed: do_exit() watchdog",
        }
    }
}

/// A log line with its virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: Micros,
    pub text: String,
}

/// One report of a detector about one task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splat {
    pub detector: Detector,
    pub task: TaskId,
    pub at: Micros,
    /// The first line the kernel prints for it.
    pub first_line: String,
}

#[derive(Default)]
pub struct Log {
    pub lines: Vec<LogLine>,
    pub splats: Vec<Splat>,
}

impl Log {
    pub fn splat(&mut self, detector: Detector, task: TaskId, at: Micros, lines: Vec<String>) {
        let first = lines.first().cloned().unwrap_or_default();
        self.splat_titled(detector, task, at, &first, lines);
    }

    /// A report whose first line is shared with others printed with it.
    pub fn splat_titled(&mut self, detector: Detector, task: TaskId, at: Micros, first: &str, lines: Vec<String>) {
        self.splats.push(Splat { detector, task, at, first_line: first.to_string() });
        self.lines.extend(lines.into_iter().map(|text| LogLine { at, text }));
    }
}

/// What the scheduler knows of a task besides the model's state.
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskTimes {
    /// `nvcsw + nivcsw`: the count the hung-task detector watches.
    pub switches: u64,
    /// Asleep in schedule_timeout_idle() until then.
    pub timer: Option<Micros>,
    /// When the task last ran.
    pub last_ran: Micros,
}

/// The stall diagnostics a kernel carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StallFeatures {
    /// check_holdout_task()'s stall warning (since RCU Tasks exists).
    pub holdout_stall: bool,
    /// The informational pre-stall lines (v5.19).
    pub stall_info: bool,
    /// Their v6.2 wording: `grace period number N (since boot)`.
    pub info_since_boot: bool,
    /// tasks_rcu_exit_srcu_stall() (v6.4).
    pub postscan_stall: bool,
}

/// What the detectors see at one moment.
pub struct Watch<'a> {
    pub sys: &'a System,
    pub map: &'a SourceMap,
    pub k: &'a Kernel,
    pub times: &'a [TaskTimes],
    pub now: Micros,
    pub tunables: &'a Tunables,
    pub features: &'a StallFeatures,
    pub release: &'a str,
    pub kthread: Option<TaskId>,
}

impl Watch<'_> {
    pub fn prog(&self) -> &Program {
        &self.sys.prog
    }
}
