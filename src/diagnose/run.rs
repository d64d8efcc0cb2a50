//! One execution of the model in virtual time (`taskcheck run`): a seeded
//! scheduler picks among the runnable tasks, or follows a given schedule
//! (the `Replay:` line of a `check` report) and then goes on at random. A
//! step costs the running task one time slice; a task at
//! schedule_timeout_idle() sleeps until its timer; when nothing can run, the
//! clock jumps to the next timer (a sleeper's, or a detector's). The
//! detectors watch every step and fire on their own timers, and what they
//! print is the kernel log of the run.
//!
//! Once a hung set forms (tasks that can never run again), its members are
//! frozen where they are; the others run on, and the clock runs on to the
//! deadline so that the detectors can speak.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::clock::{jiffies_to_us, Micros, STEP};
use super::exit_watchdog::ExitWatchdog;
use super::hung_task::Khungtaskd;
use super::rcu_tasks_stall::RcuTasksStall;
use super::tunables::Tunables;
use super::watch::{Detector, Log, StallFeatures, TaskTimes, Watch};
use crate::explore::{ActorSet, Model};
use crate::kernel::objects::TaskId;
use crate::kernel::system::{Step, System, Violation};
use crate::kernel::Kernel;
use crate::lang::bytecode::{Op, Program};
use crate::lang::diag::SourceMap;
use crate::vm::interp;

/// The kernel a run models, as far as its diagnostics go.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// `init_utsname()->release` for the report's version line.
    pub release: String,
    pub stall: StallFeatures,
    /// Where the kernels the model stands for differ (for tables).
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub seed: u64,
    /// Steps to take first (then the seeded scheduler goes on).
    pub schedule: Vec<Step>,
    pub until: Micros,
    /// Steps at most (a task computing in user mode for ever would
    /// otherwise run the clock to `until` one slice at a time).
    pub max_steps: u64,
    pub tunables: Tunables,
    pub features: Features,
}

/// The default step budget of a run.
pub const MAX_STEPS: u64 = 1_000_000;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// Every task finished (or sleeps with nothing left that could wake it, by design).
    Done,
    /// The deadline came first.
    Deadline,
    /// The step budget was spent first.
    StepLimit,
    /// These tasks can never run again; `global`: nothing at all could run.
    Hung { tasks: ActorSet, global: bool, at: Micros },
    /// A step committed a violation (assertion, model error, use-after-free).
    Violation(String),
    /// The given schedule asked for a step that was not possible.
    BadSchedule(String),
}

pub struct RunResult {
    pub log: Log,
    pub end: RunEnd,
    /// Virtual time when the run stopped.
    pub end_at: Micros,
    pub kernel: Kernel,
    /// The steps taken: a schedule that replays the run.
    pub steps: Vec<Step>,
    pub times: Vec<TaskTimes>,
    /// When each task last ran (the time it entered its final wait, for the stuck ones).
    pub violation: Option<Violation>,
}

/// The detectors of one run.
struct Detectors {
    hung: Khungtaskd,
    stall: RcuTasksStall,
    exit: ExitWatchdog,
}

impl Detectors {
    fn next_event(&self, w: &Watch) -> Option<Micros> {
        [self.hung.next_event(w), self.stall.next_event(), self.exit.next_event(w)].into_iter().flatten().min()
    }

    /// Fire every timer due at `w.now`.
    fn fire(&mut self, w: &Watch, log: &mut Log) {
        if self.hung.next_event(w).is_some_and(|t| t <= w.now) {
            self.hung.check(w, log);
        }
        if self.stall.next_event().is_some_and(|t| t <= w.now) {
            self.stall.fire(w, log);
        }
        if self.exit.next_event(w).is_some_and(|t| t <= w.now) {
            self.exit.fire(w, log);
        }
    }
}

/// The argument of the schedule_timeout_idle() task `t` is about to sleep in.
fn timeout_at(prog: &Program, k: &Kernel, t: TaskId) -> Option<i64> {
    let vm = &k.task(t).vm;
    let f = vm.frames.last()?;
    match prog.func(f.func).code.get(f.pc as usize) {
        Some(Op::Yield) => vm.stack.last().copied(),
        _ => None,
    }
}

fn can_run(prog: &Program, k: &Kernel, t: TaskId) -> bool {
    interp::choices(prog, k, t).map(|c| c > 0).unwrap_or(true)
}

struct Runner<'a> {
    sys: &'a System,
    map: &'a SourceMap,
    opts: &'a RunOptions,
    k: Kernel,
    now: Micros,
    times: Vec<TaskTimes>,
    det: Detectors,
    log: Log,
    kthread: Option<TaskId>,
}

/// The detectors' view of a runner, borrowing only the fields it reads (so
/// that the detectors and the log can be borrowed beside it).
macro_rules! watch {
    ($r:expr) => {
        Watch {
            sys: $r.sys,
            map: $r.map,
            k: &$r.k,
            times: &$r.times,
            now: $r.now,
            tunables: &$r.opts.tunables,
            features: &$r.opts.features.stall,
            release: &$r.opts.features.release,
            kthread: $r.kthread,
        }
    };
}

impl<'a> Runner<'a> {
    /// Let the clock run to `t`, firing the detectors' timers on the way.
    fn advance_to(&mut self, t: Micros) {
        loop {
            let next = self.det.next_event(&watch!(self));
            match next {
                Some(e) if e <= t => {
                    self.now = self.now.max(e);
                    self.det.fire(&watch!(self), &mut self.log);
                }
                _ => break,
            }
        }
        self.now = self.now.max(t);
    }

    fn grow(&mut self) {
        while self.times.len() < self.k.tasks.len() {
            // A new task has never been switched out.
            self.times.push(TaskTimes { last_ran: self.now, ..Default::default() });
        }
    }

    /// Account a step of `t` that ran: its slice, and the switch if it sleeps now.
    fn after_step(&mut self, t: TaskId) {
        self.now += STEP;
        self.grow();
        let i = t.0 as usize;
        self.times[i].last_ran = self.now;
        let prog = &self.sys.prog;
        match timeout_at(prog, &self.k, t) {
            Some(j) => {
                self.times[i].timer = Some(self.now.saturating_add(jiffies_to_us(j)));
                self.times[i].switches += 1;
            }
            None => {
                self.times[i].timer = None;
                if !can_run(prog, &self.k, t) {
                    self.times[i].switches += 1;
                }
            }
        }
        self.det.exit.observe(&watch!(self), t);
        self.det.stall.observe(&watch!(self), t, &mut self.log);
    }
}

/// Run the system once in virtual time.
pub fn run(sys: &System, map: &SourceMap, opts: &RunOptions) -> RunResult {
    let k = sys.boot();
    let kthread = k.task_ids().find(|&t| k.task(t).is_kthread());
    // The boot tasks have run and switched before the scenario starts.
    let times = vec![TaskTimes { switches: 1, ..Default::default() }; k.tasks.len()];
    let mut r = Runner {
        sys,
        map,
        opts,
        k,
        now: 0,
        times,
        det: Detectors {
            hung: Khungtaskd::new(opts.tunables.hung_task_warnings),
            stall: RcuTasksStall::default(),
            exit: ExitWatchdog::default(),
        },
        log: Log::default(),
        kthread,
    };
    let mut rng = Pcg64Mcg::seed_from_u64(opts.seed);
    let mut steps = Vec::new();
    let mut hung: ActorSet = 0;
    let mut hung_at = None;
    let mut global = false;
    let mut last: Option<TaskId> = None;
    // Tasks whose last step changed nothing (a user-mode spin), since the last change.
    let mut spinning: ActorSet = 0;
    let mut violation = None;
    let mut enabled = Vec::new();
    let end = loop {
        if r.now >= opts.until {
            break if hung != 0 {
                RunEnd::Hung { tasks: hung, global, at: hung_at.unwrap_or(0) }
            } else {
                RunEnd::Deadline
            };
        }
        if steps.len() as u64 >= opts.max_steps {
            // The clock still runs on for the detectors of the stuck tasks.
            if hung != 0 {
                r.advance_to(opts.until);
            }
            break if hung != 0 {
                RunEnd::Hung { tasks: hung, global, at: hung_at.unwrap_or(0) }
            } else {
                RunEnd::StepLimit
            };
        }
        enabled.clear();
        sys.steps(&r.k, &mut enabled);
        // The members of a hung set never move again: leave them where they are.
        enabled.retain(|s| hung & (1u64 << s.task) == 0);
        if enabled.is_empty() {
            let waiting = sys.waiting(&r.k) & !hung;
            if waiting != 0 {
                hung |= waiting;
                hung_at.get_or_insert(r.now);
            }
            // No task can run any more.
            global = true;
            if hung == 0 {
                break RunEnd::Done;
            }
            // Nothing runs any more: only the detectors' timers.
            let until = opts.until;
            r.advance_to(until);
            continue;
        }
        let step = if let Some(&s) = opts.schedule.get(steps.len()) {
            if !enabled.contains(&s) {
                break RunEnd::BadSchedule(format!(
                    "step {} of the schedule ({}.{}) is not possible in that state",
                    steps.len() + 1,
                    s.task,
                    s.choice
                ));
            }
            // The schedule runs it now: a sleeper's timer has expired by then.
            if let Some(wake) = r.times.get(s.task as usize).and_then(|t| t.timer) {
                if wake > r.now {
                    r.advance_to(wake);
                }
            }
            s
        } else {
            let ready: Vec<Step> = enabled
                .iter()
                .copied()
                .filter(|s| r.times.get(s.task as usize).and_then(|t| t.timer).is_none_or(|w| w <= r.now))
                .collect();
            // Tasks spinning in user mode without changing anything only let
            // time pass: skip to the next event instead of stepping them.
            let ready: Vec<Step> = if ready.iter().all(|s| spinning & (1u64 << s.task) != 0) {
                let next = r.det.next_event(&watch!(r)).unwrap_or(opts.until);
                let wake = enabled.iter().filter_map(|s| r.times.get(s.task as usize).and_then(|t| t.timer)).min();
                let to = wake.map_or(next, |w| w.min(next)).min(opts.until).max(r.now.saturating_add(STEP));
                if !ready.is_empty() {
                    r.advance_to(to);
                    spinning = 0;
                    continue;
                }
                ready
            } else {
                ready
            };
            if ready.is_empty() {
                // Everyone runnable sleeps on a timer: jump to the first.
                let wake = enabled
                    .iter()
                    .filter_map(|s| r.times.get(s.task as usize).and_then(|t| t.timer))
                    .min()
                    .unwrap_or(r.now);
                r.advance_to(wake.min(opts.until));
                continue;
            }
            // A task first (uniformly), then one of its choices.
            let mut tasks: Vec<u8> = ready.iter().map(|s| s.task).collect();
            tasks.dedup();
            let task = tasks[(rng.next_u64() % tasks.len() as u64) as usize];
            let choices: Vec<Step> = ready.iter().copied().filter(|s| s.task == task).collect();
            choices[(rng.next_u64() % choices.len() as u64) as usize]
        };
        let t = TaskId(step.task as u16);
        // Preempted while it could still run: an involuntary switch.
        if let Some(l) = last.filter(|&l| l != t) {
            if can_run(&sys.prog, &r.k, l) {
                r.times[l.0 as usize].switches += 1;
            }
        }
        r.det.stall.before_step(&watch!(r), t);
        let result = if step.choice == u8::MAX { sys.next(&r.k, step) } else { sys.run_step_alone(&r.k, step) };
        steps.push(step);
        match result {
            Ok(next) => {
                // Plain fingerprints: a renaming of the state is no spin.
                if crate::kernel::system::fingerprint(&next) == crate::kernel::system::fingerprint(&r.k) {
                    spinning |= 1u64 << step.task;
                } else {
                    spinning = 0;
                }
                r.k = next;
            }
            Err(v) => {
                violation = Some(v);
                break RunEnd::Violation(String::new());
            }
        }
        last = Some(t);
        r.after_step(t);
        let due = r.now;
        r.advance_to(due);
        if r.times[t.0 as usize].timer.is_some() || !can_run(&sys.prog, &r.k, t) {
            last = None;
        }
        let h = sys.hung(&r.k) & !hung;
        if h != 0 {
            hung |= h;
            hung_at.get_or_insert(r.now);
        }
    };
    let end_at = r.now;
    RunResult { log: r.log, end, end_at, kernel: r.k, steps, times: r.times, violation }
}

impl Features {
    /// What a kernel model's series entry says it prints.
    pub fn of(model: &crate::kernel::models::KernelModel) -> Features {
        let has = |d: &str| model.diagnostics.iter().any(|x| x == d);
        Features {
            release: model.release.clone(),
            note: model.diagnostics_note.clone(),
            stall: StallFeatures {
                holdout_stall: has("holdout-stall"),
                stall_info: has("stall-info"),
                info_since_boot: has("stall-info-since-boot"),
                postscan_stall: has("postscan-stall"),
            },
        }
    }

    /// Whether the kernel has this detector at all (the proposals are ours: always).
    pub fn has(&self, d: Detector) -> bool {
        match d {
            Detector::HungTask | Detector::GpSyncStall | Detector::DoExitWatchdog => true,
            Detector::RcuTasksStall => self.stall.holdout_stall,
            Detector::RcuTasksStallInfo => self.stall.stall_info,
            Detector::PostscanStall => self.stall.postscan_stall,
        }
    }
}
