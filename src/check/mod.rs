//! Checking a scenario against a kernel model: build the system, search it,
//! and turn what the search found into a verdict with a wait-for cycle and a
//! numbered trace in kernel terms.

pub mod compare;
pub mod events;
pub mod expect;
pub mod slice;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::explore::{self, Bounds, Finding, Model, ProgressFn, RandomConfig, SearchConfig, Stats, StopReason};
use crate::kernel::host::KernelVocabulary;
use crate::kernel::models::KernelModel;
use crate::kernel::objects::TaskId;
use crate::kernel::system::{Step, System, Violation, ViolationKind};
use crate::kernel::waitfor;
use crate::kernel::{Fault, Kernel};
use crate::lang::ast::FileId;
use crate::lang::compile::{Compiler, Unit};
use crate::lang::diag::{Diagnostic, SourceMap};
use crate::lang::parser;
use crate::vm::interp::StepLog;

/// Compile a kernel model and a scenario into one system. Diagnostics point
/// into whichever file is wrong.
pub fn build(
    map: &mut SourceMap,
    model: &KernelModel,
    scenario_name: &str,
    scenario: &str,
) -> Result<(System, FileId), Vec<Diagnostic>> {
    let mut units = Vec::new();
    let mut diags = Vec::new();
    for (name, text) in &model.files {
        let f = map.add(name.clone(), text.clone());
        let unit = if name.ends_with(".c") { Unit::User } else { Unit::Kernel };
        match parser::parse(f, text) {
            Ok(tu) => units.push((tu, unit)),
            Err(d) => diags.extend(d),
        }
    }
    let sf = map.add(scenario_name.to_string(), scenario.to_string());
    match parser::parse(sf, scenario) {
        Ok(tu) => units.push((tu, Unit::User)),
        Err(d) => diags.extend(d),
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut c = Compiler::new(map, &KernelVocabulary);
    for (tu, unit) in &units {
        c.declare(tu, *unit);
    }
    c.compile_bodies();
    let (prog, entries) = c.finish(Some(sf))?;
    Ok((System::new(prog, entries), sf))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Deadlock,
    TrampolineUseAfterFree,
    Assertion,
    Leak,
    Incomplete,
    /// The model itself faulted (a bug in a model, or an unsupported use).
    ModelError,
}

impl Verdict {
    /// The verdict a violation found by the search stands for.
    pub fn of(kind: &ViolationKind) -> Verdict {
        match kind {
            ViolationKind::Fault(Fault::Assertion(_)) => Verdict::Assertion,
            ViolationKind::TrampolineUseAfterFree { .. } => Verdict::TrampolineUseAfterFree,
            ViolationKind::Leak { .. } => Verdict::Leak,
            ViolationKind::Fault(_) => Verdict::ModelError,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Deadlock => "deadlock",
            Verdict::TrampolineUseAfterFree => "trampoline-use-after-free",
            Verdict::Assertion => "assertion",
            Verdict::Leak => "leak",
            Verdict::Incomplete => "incomplete",
            Verdict::ModelError => "model-error",
        }
    }
}

/// A task of the trace's last state: a lane of the diagrams.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TaskInfo {
    pub id: u16,
    pub name: String,
    pub pids: String,
    pub kernel_thread: bool,
}

/// The tasks of a kernel state, in task order.
pub fn task_infos(k: &Kernel) -> Vec<TaskInfo> {
    k.task_ids()
        .map(|t| TaskInfo {
            id: t.0,
            name: k.task(t).name.clone(),
            pids: k.describe_pids(t),
            kernel_thread: k.task(t).is_kthread(),
        })
        .collect()
}

/// One task of a wait-for cycle (or otherwise stuck), for reports.
#[derive(Clone, Debug)]
pub struct WaitReport {
    pub task: String,
    /// The task's index in the kernel's task table (a lane of the diagrams).
    pub task_id: u16,
    pub pids: String,
    pub state: char,
    pub waits_in: Vec<String>,
    pub waits_for: String,
    /// The tasks it waits for, by index (on a cycle: the next one).
    pub waits_for_ids: Vec<u16>,
    pub reason: String,
    /// The wait in a few words (`SRCU reader`, `zombie reaper`...): the
    /// label of the wait-for edge.
    pub edge: String,
    pub kernel_thread: bool,
}

#[derive(Clone, Debug)]
pub struct TraceStep {
    pub step: usize,
    pub task: String,
    /// The task's index in the kernel's task table.
    pub task_id: u16,
    /// The function the step's visible action is in (kernel or scenario).
    pub func: String,
    pub action: String,
    pub at: String,
    pub events: Vec<String>,
    pub output: Vec<String>,
    /// What the step did to other tasks (forks, wakeups, signals, reaps).
    pub arrows: Vec<events::Arrow>,
}

#[derive(Clone, Debug)]
pub struct CheckResult {
    pub kernel: String,
    pub verdict: Verdict,
    pub complete: bool,
    pub stop: StopReason,
    pub stats: Stats,
    /// What went wrong, in one sentence (violations).
    pub message: Option<String>,
    /// Where (file:line:col), for violations.
    pub at: Option<String>,
    pub cycle: Vec<WaitReport>,
    /// Stuck tasks outside the cycle.
    pub also_stuck: Vec<WaitReport>,
    /// Whether no task at all could run (global) or others still could (partial).
    pub global: bool,
    pub trace: Vec<TraceStep>,
    /// The replay line: the schedule as `task.choice` steps.
    pub schedule: String,
    /// A random search: how many schedules it ran, and its seed.
    pub random: Option<(u64, u64)>,
    /// How the states were searched (`preempt`, `dfs`, `bfs`, `random`);
    /// empty for a replay.
    pub search: &'static str,
    /// The schedule bound the search kept to, if any: then a state is
    /// counted once per task that ran last into it.
    pub schedule_bound: Option<(crate::explore::Switches, u32)>,
    /// The memory limit the search stopped at, if it did: bytes, and
    /// whether it was the default one.
    pub memory_limit: Option<(u64, bool)>,
    /// For a deadlock: which kernel diagnostic would catch each stuck task.
    pub diagnostics: Option<crate::diagnose::table::Table>,
    /// Steps of the found trace that the shown (sliced) trace leaves out,
    /// and the tasks they belong to.
    pub left_out: usize,
    pub left_out_tasks: Vec<String>,
    /// The whole schedule found, when the trace shown is a slice of it.
    pub full_schedule: Option<String>,
    /// The tasks at the end of the trace shown.
    pub tasks: Vec<TaskInfo>,
    /// Whether the search merged states that are renamings of each other
    /// (symmetry reduction, `kernel::symmetry`).
    pub symmetry: bool,
    /// Why a search with symmetry reduction was run again without it, and
    /// how far it had come.
    pub symmetry_dropped: Option<SymmetryDropped>,
    /// Where the tasks stood in the expanded states (`--census`).
    pub census: Option<CensusReport>,
    /// `--max-delays auto`: the largest delay bound searched in full
    /// without a finding before the search reported here, and its states.
    pub delays_covered: Option<(u32, u64)>,
}

/// Why a search with symmetry reduction was run again without it.
#[derive(Clone, Debug)]
pub struct SymmetryDropped {
    /// Where and what the scenario did, or why the quotient could not tell.
    pub why: String,
    /// The states the search with symmetry had covered.
    pub after_states: u64,
}

impl std::fmt::Display for SymmetryDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (after {} states)", self.why, self.after_states)
    }
}

impl CheckResult {
    /// A complete result with nothing found yet.
    pub(crate) fn new(kernel: &str) -> CheckResult {
        CheckResult {
            kernel: kernel.to_string(),
            verdict: Verdict::Ok,
            complete: true,
            stop: StopReason::Complete,
            stats: Stats::default(),
            message: None,
            at: None,
            cycle: Vec::new(),
            also_stuck: Vec::new(),
            global: false,
            trace: Vec::new(),
            schedule: String::new(),
            random: None,
            search: "",
            schedule_bound: None,
            memory_limit: None,
            diagnostics: None,
            left_out: 0,
            left_out_tasks: Vec::new(),
            full_schedule: None,
            tasks: Vec::new(),
            symmetry: false,
            symmetry_dropped: None,
            census: None,
            delays_covered: None,
        }
    }

    /// Record a violation committed by the last step of `trace`.
    fn violation(&mut self, map: &SourceMap, sys: &System, trace: &[Step], v: &Violation) {
        self.verdict = Verdict::of(&v.kind);
        self.message = Some(violation_text(map, sys, trace, v));
        self.at = v.span.map(|s| map.location(s));
    }
}

#[derive(Clone, Default)]
pub struct Options {
    pub bounds: Bounds,
    /// `bounds.memory_limit` is the default share of the machine's memory
    /// (`explore::default_memory_limit`), not one the user gave.
    pub default_memory_limit: bool,
    pub interrupt: Option<Arc<AtomicBool>>,
    pub progress: Option<ProgressFn>,
    /// Run seeded random schedules instead of the exhaustive search.
    pub random: Option<RandomConfig>,
    /// Worker threads of the exhaustive search (0 counts as 1).
    pub threads: usize,
    /// Work out which kernel diagnostics catch a deadlock's tasks, with these
    /// tunables, for a kernel with these detectors.
    pub diagnose: Option<(crate::diagnose::Tunables, crate::diagnose::Features)>,
    /// Show every step of a deadlock's trace, not only those that matter to it.
    pub full_trace: bool,
    /// The exhaustive search's order.
    pub order: explore::Order,
    /// Keep dead locals in the state: the plain search, without the
    /// dead-variable reduction (same verdicts, more states).
    pub no_reduction: bool,
    /// Search without symmetry reduction (`kernel::symmetry`).
    pub no_symmetry: bool,
    /// Run every step (see `SearchConfig::run_every_step`).
    pub run_every_step: bool,
    /// Take every step, none left asleep (see `SearchConfig::sleep_sets`).
    pub no_sleep_sets: bool,
    /// Where fewest-preemptions-first turns breadth-first (None: the default).
    pub preempt_frontier: Option<usize>,
    /// Count where the tasks stand in the expanded states (`CheckResult::census`).
    pub census: bool,
    /// Search within 0 delays, then 1, 2, ... (`bounds.max_delays` is the
    /// first bound) until a search ends other than at its delay bound.
    pub deepen_delays: bool,
}

/// The largest delay bound `--max-delays` takes, and where `auto` stops
/// raising it (a step costs at most 64 delays, and no search of a scenario
/// that ends needs anywhere near this many).
pub const MAX_DELAY_BOUND: u32 = 250;

/// Where the states of an exhaustive search are (`--census`).
#[derive(Clone, Debug)]
pub struct CensusReport {
    /// States expanded.
    pub states: u64,
    /// Per task (in creation order) and point, most states first within a task.
    pub places: Vec<CensusPlace>,
}

/// A point where a task stands, and in how many expanded states.
#[derive(Clone, Debug)]
pub struct CensusPlace {
    pub task: String,
    /// `runnable`, `asleep` (in schedule()), `waiting` (in wait_event()),
    /// `idle` (a daemon's wait for work) or `exited`.
    pub how: &'static str,
    /// The function the task is in, and where in it (file:line); empty once exited.
    pub function: String,
    pub at: String,
    pub states: u64,
}

fn census_report(map: &SourceMap, sys: &System, census: crate::kernel::system::Census) -> CensusReport {
    // Tasks in creation order (the least slot each had).
    let mut first_slot: std::collections::HashMap<&str, u16> = std::collections::HashMap::new();
    for (name, slot, _) in census.places.values() {
        let s = first_slot.entry(name.as_str()).or_insert(*slot);
        *s = (*s).min(*slot);
    }
    let mut places: Vec<(u16, CensusPlace)> = census
        .places
        .iter()
        .map(|(&(_, func, pc, parked), (task, _, states))| {
            let (function, at) = match func {
                Some(f) => {
                    let func = sys.prog.func(f);
                    let at = func.spans.get(pc as usize).map(|&span| {
                        let at = map.location(span);
                        // file:line, without the column.
                        at.rsplit_once(':').map_or(at.clone(), |(fl, _)| fl.to_string())
                    });
                    (func.name.clone(), at.unwrap_or_default())
                }
                None => (String::new(), String::new()),
            };
            let how = match parked {
                crate::vm::Parked::Ready => "runnable",
                crate::vm::Parked::Schedule => "asleep",
                crate::vm::Parked::WaitEvent { daemon: false } => "waiting",
                crate::vm::Parked::WaitEvent { daemon: true } => "idle",
                crate::vm::Parked::Dead => "exited",
            };
            let slot = first_slot.get(task.as_str()).copied().unwrap_or(u16::MAX);
            // free_task() clears the name of a task whose fork failed.
            let task = if task.is_empty() { "(a freed task)".to_string() } else { task.clone() };
            (slot, CensusPlace { task, how, function, at, states: *states })
        })
        .collect();
    // Then each task's points, most states first (ties in a fixed order).
    places.sort_by(|(sa, a), (sb, b)| {
        (sa, &a.task, std::cmp::Reverse(a.states), &a.function, &a.at, a.how).cmp(&(
            sb,
            &b.task,
            std::cmp::Reverse(b.states),
            &b.function,
            &b.at,
            b.how,
        ))
    });
    CensusReport { states: census.states, places: places.into_iter().map(|(_, p)| p).collect() }
}

/// Search `sys` (exhaustively, or along random schedules) and explain what was found.
pub fn check(map: &SourceMap, sys: &System, kernel: &str, opts: &Options) -> CheckResult {
    match opts.bounds.max_delays {
        Some(first) if opts.deepen_delays => deepen_delays(map, sys, kernel, opts, first),
        _ => check_once(map, sys, kernel, opts),
    }
}

/// Iterative delay bounding (`--max-delays auto`): search within `first`
/// delays, then one more, while a search ends at its delay bound with
/// nothing found. Each bound's schedules include the last one's, so the
/// report is the last search's, with the largest bound searched in full
/// before it. A time limit is for all the searches together.
fn deepen_delays(map: &SourceMap, sys: &System, kernel: &str, opts: &Options, first: u32) -> CheckResult {
    let start = std::time::Instant::now();
    let mut covered = None;
    let mut bound = first;
    loop {
        let mut once = opts.clone();
        once.bounds.max_delays = Some(bound);
        once.bounds.time_limit = opts.bounds.time_limit.map(|l| l.saturating_sub(start.elapsed()));
        let mut r = check_once(map, sys, kernel, &once);
        let cut = r.verdict == Verdict::Incomplete && r.stop == StopReason::MaxDelays;
        if !cut || bound >= MAX_DELAY_BOUND {
            // The bound auto stops at was searched in full too.
            r.delays_covered = if cut { Some((bound, r.stats.states)) } else { covered };
            r.stats.seconds = start.elapsed().as_secs_f64();
            return r;
        }
        // One delay more: a step that would cost more than that also has
        // one of the able tasks it passes over costing exactly one more
        // (a step's delays count the able tasks passed over, one by one),
        // so no bound can be skipped.
        covered = Some((bound, r.stats.states));
        bound += 1;
        // The next search's memory limit reads what is in use, not what this one freed.
        drop(r);
        explore::release_free_memory();
    }
}

fn check_once(map: &SourceMap, sys: &System, kernel: &str, opts: &Options) -> CheckResult {
    if opts.random.is_some() || opts.bounds.schedule_bound().is_some() {
        // Random schedules have no visited set; under a schedule bound a
        // state is kept once per task that moved last into it, by slot,
        // which merged renamings would mix up.
        sys.drop_symmetry();
    }
    let config = SearchConfig {
        bounds: opts.bounds.clone(),
        interrupt: opts.interrupt.clone(),
        partial_deadlocks: true,
        hung_sets: true,
        progress: opts.progress.clone(),
        threads: opts.threads.max(1),
        order: opts.order,
        preempt_frontier: opts.preempt_frontier,
        run_every_step: opts.run_every_step,
        quotient: sys.symmetry(),
        sleep_sets: !opts.no_sleep_sets,
    };
    let mut schedules_run = None;
    let census = opts.census && opts.random.is_none();
    if census {
        sys.enable_census();
    }
    sys.begin_search();
    let mut out = match &opts.random {
        Some(rc) => {
            let ro = explore::random_search(sys, &config, rc);
            schedules_run = Some((ro.schedules_run, rc.seed));
            ro.outcome
        }
        None => explore::search_threads(sys, &config),
    };
    let mut r = CheckResult::new(kernel);
    r.symmetry = config.quotient;
    // The search expanded one representative of each class of renamed
    // states: a finding's trace is mapped back to the schedule it stands
    // for, and kept if that schedule shows it. A scenario that tells
    // renamed states apart (a symmetry break) may make one that does not.
    let mut unreal = false;
    if config.quotient {
        if let Some(f) = out.finding.take() {
            out.finding = realize(sys, f);
            unreal = out.finding.is_none();
        }
    }
    // Run again without symmetry: a complete search without a finding, if
    // the scenario broke symmetry or partial deadlocks may hide in the
    // quotient; and a finding no schedule shows. A search stopped early (a
    // bound) is not: it may have expanded more states on more threads,
    // meeting operations one thread never runs.
    let reduced = config.quotient || config.sleep_sets;
    if reduced && (unreal || out.finding.is_none() && out.stop == StopReason::Complete) {
        let why = match sys.prog.symmetry.first().filter(|_| config.quotient) {
            Some((file, offset, why)) => {
                let at = map.location(crate::lang::ast::Span::new(file, offset, offset));
                Some(format!("{at} {}", why.describe()))
            }
            None if unreal => Some("a finding of the reduced search that its schedule does not show".to_string()),
            None if out.unsure_partial => Some(
                "some tasks wait while others run for ever, and which of them never move only the plain search can tell"
                    .to_string(),
            ),
            None => None,
        };
        if let Some(why) = why {
            if config.quotient {
                r.symmetry_dropped = Some(SymmetryDropped { why, after_states: out.stats.states });
            }
            sys.drop_symmetry();
            sys.reset_census();
            let plain = SearchConfig { quotient: false, sleep_sets: false, ..config.clone() };
            out = explore::search_threads(sys, &plain);
            r.symmetry = false;
        }
    }
    if census {
        r.census = sys.take_census().map(|c| census_report(map, sys, c));
    }
    r.random = schedules_run;
    r.search = if opts.random.is_some() { "random" } else { config.effective_order().name() };
    r.schedule_bound = if opts.random.is_some() { None } else { config.bounds.schedule_bound() };
    r.complete = out.stop == StopReason::Complete;
    r.stop = out.stop;
    if out.stop == StopReason::MemoryLimit {
        r.memory_limit = config.bounds.memory_limit.map(|b| (b, opts.default_memory_limit));
    }
    r.stats = out.stats;
    match out.finding {
        None => {
            if out.stop != StopReason::Complete {
                r.verdict = Verdict::Incomplete;
            }
        }
        Some(Finding::Violation { violation, trace }) => {
            let (steps, last) = replay(map, sys, &trace);
            r.trace = steps;
            r.tasks = task_infos(&last);
            r.schedule = schedule_line(&trace);
            r.violation(map, sys, &trace, &violation);
            // The model could not go on: what lay beyond was not searched.
            r.complete &= r.verdict != Verdict::ModelError;
        }
        Some(Finding::Deadlock { stuck, terminal, trace }) => {
            let (steps, last) = replay(map, sys, &trace);
            r.trace = steps;
            r.tasks = task_infos(&last);
            r.schedule = schedule_line(&trace);
            r.verdict = Verdict::Deadlock;
            r.global = terminal;
            let mut tasks = explain_deadlock(sys, &last, stuck, &mut r);
            let mut shown = trace;
            if !opts.full_trace {
                // Keep the steps of every task the explanation names; of
                // those, the ones stuck at the end must stay stuck.
                let named = if r.cycle.is_empty() {
                    stuck
                } else {
                    r.cycle.iter().fold(0, |set, w| set | explore::bit(w.task_id.into()))
                };
                let must_hang = if named & stuck != 0 { named & stuck } else { stuck };
                if let Some(sliced) = slice::slice(sys, &shown, named, must_hang) {
                    let (steps, sliced_last) = replay(map, sys, &sliced.steps);
                    let sliced_tasks = task_infos(&sliced_last);
                    // Name the tasks left out as the trace shown does; a task
                    // the slice never creates keeps its name in the full
                    // trace, said to be that one if the slice gives the name
                    // to another (names follow creation order).
                    let mut left: Vec<String> = Vec::new();
                    for (s, &kept) in r.trace.iter().zip(&sliced.kept) {
                        if kept {
                            continue;
                        }
                        let now = sliced.renumbered.get(usize::from(s.task_id)).copied().flatten();
                        let name = match now.and_then(|n| sliced_tasks.iter().find(|t| t.id == n)) {
                            Some(t) => t.name.clone(),
                            None if sliced_tasks.iter().any(|t| t.name == s.task) => {
                                let pids = r.tasks.iter().find(|t| t.id == s.task_id).map_or("", |t| t.pids.as_str());
                                format!("{} ({pids} in the full trace)", s.task)
                            }
                            None => s.task.clone(),
                        };
                        if !left.contains(&name) {
                            left.push(name);
                        }
                    }
                    r.left_out = shown.len() - sliced.steps.len();
                    r.left_out_tasks = left;
                    r.full_schedule = Some(std::mem::take(&mut r.schedule));
                    r.trace = steps;
                    r.tasks = sliced_tasks;
                    // Explain the deadlock as the shown trace leaves it (tasks
                    // are numbered by creation, so the slice renumbers them).
                    let (stuck, global) = slice::stuck_at_end(sys, &sliced_last);
                    r.global = global;
                    r.cycle.clear();
                    r.also_stuck.clear();
                    tasks = explain_deadlock(sys, &sliced_last, stuck, &mut r);
                    r.schedule = schedule_line(&sliced.steps);
                    shown = sliced.steps;
                }
            }
            // What the kernel would print, along the trace shown.
            if let Some((tunables, features)) = &opts.diagnose {
                r.diagnostics = Some(crate::diagnose::table::table(sys, map, &shown, &tasks, features, tunables));
            }
        }
    }
    r
}

fn task_name(k: &Kernel, t: TaskId) -> String {
    k.task(t).name.clone()
}

fn violation_text(map: &SourceMap, sys: &System, trace: &[Step], v: &Violation) -> String {
    let k = replay_state(sys, &trace[..trace.len().saturating_sub(1)]);
    let who = v.task.map(|t| task_name(&k, t)).unwrap_or_default();
    match &v.kind {
        ViolationKind::Fault(Fault::Assertion(e)) => format!("assertion `{e}` failed in {who}"),
        ViolationKind::TrampolineUseAfterFree { task, trampoline } => {
            let after = replay_state(sys, trace);
            format!(
                "trampoline #{trampoline} was freed while {} was still executing in it (preempted inside)",
                after.tasks.get(task.0 as usize).map(|t| t.name.clone()).unwrap_or_default()
            )
        }
        ViolationKind::Leak { task } => {
            let after = replay_state(sys, trace);
            format!("{} is a zombie at the end of the run", after.describe(*task))
        }
        ViolationKind::Fault(Fault::Model(m)) => format!("model error in {}() ({who}): {m}", v.function),
        ViolationKind::Fault(Fault::Unsupported(m)) => match v
            .task
            .filter(|_| sys.prog.functions.iter().any(|f| f.kernel && f.name == v.function))
            .and_then(|t| scenario_line(map, sys, &k, t))
        {
            Some(line) => format!("not modelled: {m} ({who}, reached from {line})"),
            None => format!("not modelled: {m} ({who})"),
        },
        ViolationKind::Fault(Fault::Panic(m)) => format!("kernel panic in {who}: {m}"),
    }
}

/// The scenario line task `t` is at in `k`, under whatever kernel code it
/// runs: where a fault in a kernel model was reached from. (A caller's pc
/// is past its call.)
fn scenario_line(map: &SourceMap, sys: &System, k: &Kernel, t: TaskId) -> Option<String> {
    let frames = &k.tasks.get(t.0 as usize)?.vm.frames;
    crate::vm::interp::user_span(&sys.prog, frames).map(|span| map.location(span))
}

/// A finding of a search that expanded representatives, as the schedule
/// from the initial state it stands for (`System::realize_trace`), with
/// what it found worked out again on the states that schedule reaches (the
/// tasks of a deadlock and of a violation named by their slots there); None
/// if the schedule does not show it.
fn realize(sys: &System, finding: Finding<System>) -> Option<Finding<System>> {
    use crate::explore::Model;
    let trace = match &finding {
        Finding::Deadlock { trace, .. } | Finding::Violation { trace, .. } => sys.realize_trace(trace),
    };
    // Each step of the schedule is one its state offers.
    let mut offered = Vec::new();
    let mut offers = |k: &Kernel, step: Option<Step>| {
        offered.clear();
        sys.steps(k, &mut offered);
        step.map_or(offered.is_empty(), |s| offered.contains(&s))
    };
    // No step: nothing was renamed.
    let Some((&last, before)) = trace.split_last() else { return Some(finding) };
    let mut k = sys.initial().ok()?;
    for &step in before {
        if !offers(&k, Some(step)) {
            return None;
        }
        k = sys.next(&k, step).ok()?;
    }
    if !offers(&k, Some(last)) {
        return None;
    }
    let after = sys.next(&k, last);
    match finding {
        Finding::Deadlock { terminal, .. } => {
            let end = after.ok()?;
            let stuck = match terminal {
                true if offers(&end, None) => sys.waiting(&end),
                true => 0,
                false => sys.hung(&end),
            };
            (stuck != 0).then_some(Finding::Deadlock { stuck, terminal, trace })
        }
        Finding::Violation { .. } => {
            let violation = match after {
                Err(v) => v,
                // A violation only the end of a run shows.
                Ok(end) if offers(&end, None) && sys.waiting(&end) == 0 => sys.check_final(&end)?,
                Ok(_) => return None,
            };
            Some(Finding::Violation { violation, trace })
        }
    }
}

fn replay_state(sys: &System, trace: &[Step]) -> Kernel {
    let mut k = sys.boot();
    for &s in trace {
        match sys.run_step(&k, s, None) {
            Ok(n) => k = n,
            Err(_) => break,
        }
    }
    k
}

/// Re-run a trace from the initial state, describing each step.
pub fn replay(map: &SourceMap, sys: &System, trace: &[Step]) -> (Vec<TraceStep>, Kernel) {
    let mut k = sys.boot();
    let mut out = Vec::new();
    for (i, &s) in trace.iter().enumerate() {
        let mut log = StepLog::default();
        let name = k.tasks.get(s.task as usize).map(|t| t.name.clone()).unwrap_or_default();
        // A choice of u8::MAX is the search's mark for a fault in a wait
        // condition: `Model::next` raises it.
        let result = if s.choice == u8::MAX { sys.next(&k, s) } else { sys.run_step(&k, s, Some(&mut log)) };
        let (next, err) = match result {
            Ok(n) => (n, None),
            Err(v) => (k.clone(), Some(v)),
        };
        let (action, at, func) = step_action(map, &log, s.choice);
        let mut events = events::diff(&k, &next);
        let arrows = events::arrows(&k, &next, TaskId(u16::from(s.task)));
        if let Some(v) = &err {
            let at = v.span.map(|sp| format!(" at {}", map.location(sp))).unwrap_or_default();
            events.push(match &v.kind {
                ViolationKind::Fault(fault) => format!("{fault}{at}"),
                ViolationKind::TrampolineUseAfterFree { .. } => {
                    "the trampoline is freed with a task inside it: use after free".into()
                }
                ViolationKind::Leak { .. } => "a zombie is left at the end of the run".into(),
            });
        }
        out.push(TraceStep {
            step: i + 1,
            task: name,
            task_id: u16::from(s.task),
            func,
            action,
            at,
            events,
            output: log.output,
            arrows,
        });
        k = next;
    }
    (out, k)
}

/// A replayed step's action in words, where it is (file:line:col) and the
/// function it is in, from its log.
fn step_action(map: &SourceMap, log: &StepLog, choice: u8) -> (String, String, String) {
    match &log.action {
        Some((func, what, span)) => (describe_action(func, what, choice), map.location(*span), func.clone()),
        None => (String::from("runs"), String::new(), String::new()),
    }
}

fn describe_action(func: &str, what: &str, choice: u8) -> String {
    let base = if what.starts_with("system call") || what.starts_with("woken") || what.starts_with("enters the tracer")
    {
        what.to_string()
    } else if what.is_empty() {
        format!("{func}()")
    } else {
        format!("{func}: {what}")
    };
    if what == "nondet()" {
        format!("{base} = {choice}")
    } else {
        base
    }
}

/// The schedule as one printable line: `task.choice` per step.
pub fn schedule_line(trace: &[Step]) -> String {
    trace
        .iter()
        .map(|s| if s.choice == 0 { format!("{}", s.task) } else { format!("{}.{}", s.task, s.choice) })
        .collect::<Vec<_>>()
        .join(",")
}

/// Fill in the cycle and the other stuck tasks; returns them, cycle first.
fn explain_deadlock(sys: &System, k: &Kernel, stuck: u64, r: &mut CheckResult) -> Vec<TaskId> {
    let prog = &sys.prog;
    let mut waits = Vec::new();
    for w in waitfor::waits_of(prog, k) {
        // Zombies take part only through the tasks that wait on them.
        if stuck & (1 << w.task.0) != 0 || w.state == 'Z' {
            waits.push(w);
        }
    }
    let report = |w: &waitfor::Wait| WaitReport {
        task: task_name(k, w.task),
        task_id: w.task.0,
        edge: w.label.to_string(),
        pids: k.describe_pids(w.task),
        state: w.state,
        waits_in: w.stack.clone(),
        waits_for: w.waits_for.iter().map(|&t| task_name(k, t)).collect::<Vec<_>>().join(", "),
        waits_for_ids: w.waits_for.iter().map(|t| t.0).collect(),
        reason: w.reason.clone(),
        kernel_thread: k.task(w.task).is_kthread(),
    };
    let mut cycle = waitfor::find_cycle(&waits).unwrap_or_default();
    waitfor::rotate_to_user_task(&mut cycle, k);
    for &t in &cycle {
        if let Some(w) = waits.iter().find(|w| w.task == t) {
            let mut rep = report(w);
            // In the cycle, name the one it waits for on the cycle.
            let pos = cycle.iter().position(|&x| x == t).unwrap_or(0);
            rep.waits_for = task_name(k, cycle[(pos + 1) % cycle.len()]);
            rep.waits_for_ids = vec![cycle[(pos + 1) % cycle.len()].0];
            r.cycle.push(rep);
        }
    }
    let mut tasks = cycle.clone();
    for w in &waits {
        if !cycle.contains(&w.task) && (stuck & (1 << w.task.0) != 0) {
            r.also_stuck.push(report(w));
            tasks.push(w.task);
        }
    }
    r.message = Some(if r.cycle.is_empty() {
        "tasks wait for ever, but no wait-for cycle could be read from the kernel objects".to_string()
    } else {
        format!(
            "wait-for cycle: {}",
            r.cycle
                .iter()
                .map(|w| w.task.clone())
                .chain(r.cycle.first().map(|w| w.task.clone()))
                .collect::<Vec<_>>()
                .join(" -> ")
        )
    });
    tasks
}

/// A schedule as printed on a `Replay:` or `Schedule:` line: `task[.choice]`
/// separated by commas, `*N` after one for N times in a row.
pub fn parse_schedule(schedule: &str) -> Result<Vec<Step>, String> {
    let mut trace = Vec::new();
    for part in schedule.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (step, times) = part.split_once('*').unwrap_or((part, "1"));
        let (t, c) = step.split_once('.').unwrap_or((step, "0"));
        let (Ok(task), Ok(choice), Ok(times)) =
            (t.trim().parse::<u8>(), c.trim().parse::<u8>(), times.trim().parse::<u32>())
        else {
            return Err(format!("bad schedule element `{part}`: write task[.choice][*times] separated by commas"));
        };
        if trace.len() as u64 + times as u64 > 100_000_000 {
            return Err("the schedule is longer than 100,000,000 steps".into());
        }
        trace.extend(std::iter::repeat_n(Step { task, choice }, times as usize));
    }
    Ok(trace)
}

/// The schedule with runs of the same step written `step*N`.
pub fn schedule_line_compact(trace: &[Step]) -> String {
    let mut out: Vec<String> = Vec::new();
    for run in trace.chunk_by(|a, b| a == b) {
        let s = run[0];
        let one = if s.choice == 0 { format!("{}", s.task) } else { format!("{}.{}", s.task, s.choice) };
        out.push(if run.len() > 1 { format!("{one}*{}", run.len()) } else { one });
    }
    out.join(",")
}

/// A violation committed by the last step of `trace`, in words with its location.
pub fn describe_violation(map: &SourceMap, sys: &System, trace: &[Step], v: &Violation) -> String {
    let text = violation_text(map, sys, trace, v);
    match v.span {
        Some(sp) => format!("{text} at {}", map.location(sp)),
        None => text,
    }
}

/// Follow one schedule (`task[.choice],...`) from the initial state and report
/// where it leads: the `replay` strategy of a search.
pub fn replay_schedule(map: &SourceMap, sys: &System, kernel: &str, schedule: &str) -> Result<CheckResult, String> {
    let trace = parse_schedule(schedule).map_err(|e| format!("error: {e}\n"))?;
    let mut k = sys.boot();
    let mut violation = None;
    let mut steps = Vec::new();
    for (i, &s) in trace.iter().enumerate() {
        let mut enabled = Vec::new();
        sys.steps(&k, &mut enabled);
        if !enabled.contains(&s) {
            return Err(format!(
                "error: step {} of the schedule ({}.{}) is not possible in that state\n",
                i + 1,
                s.task,
                s.choice
            ));
        }
        steps.push(s);
        match sys.next(&k, s) {
            Ok(n) => k = n,
            Err(v) => {
                violation = Some(v);
                break;
            }
        }
    }
    let (tsteps, last) = replay(map, sys, &steps);
    let mut r = CheckResult::new(kernel);
    r.trace = tsteps;
    r.tasks = task_infos(&last);
    r.schedule = schedule_line(&steps);
    if let Some(v) = violation {
        r.violation(map, sys, &steps, &v);
    } else {
        let mut enabled = Vec::new();
        sys.steps(&last, &mut enabled);
        let waiting = sys.waiting(&last);
        let hung = sys.hung(&last);
        if enabled.is_empty() && waiting != 0 {
            r.verdict = Verdict::Deadlock;
            r.global = true;
            explain_deadlock(sys, &last, waiting, &mut r);
        } else if hung != 0 {
            r.verdict = Verdict::Deadlock;
            explain_deadlock(sys, &last, hung, &mut r);
        } else if enabled.is_empty() {
            if let Some(v) = sys.check_final(&last) {
                r.violation(map, sys, &steps, &v);
            }
        }
    }
    Ok(r)
}
