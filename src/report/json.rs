//! The JSON document of `--format json` (design.md): one per run.

use serde::Serialize;

use crate::check::compare::Comparison;
use crate::check::CheckResult;
use crate::explore::Switches;

#[derive(Serialize)]
pub struct Document<'a> {
    pub scenario: &'a str,
    pub results: Vec<JsonResult<'a>>,
    /// A kernel that deadlocks beside one that does not: the first's schedule
    /// replayed on the second.
    #[serde(skip_serializing_if = "<[Comparison]>::is_empty")]
    pub comparisons: &'a [Comparison],
}

#[derive(Serialize)]
pub struct JsonStats {
    pub states: u64,
    pub transitions: u64,
    /// Steps not taken because they were asleep (sleep sets): each leads
    /// to a state the search reached by another path of the same length.
    pub asleep: u64,
    pub seconds: f64,
    /// How the states were searched: `preempt`, `dfs`, `bfs` or `random`.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub search: &'static str,
    /// The schedule bound searched within (`--max-preemptions`,
    /// `--max-delays`), if any: `states` then counts a state once per task
    /// that ran last into it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_preemptions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_delays: Option<u32>,
    /// `--max-delays auto`: the largest delay bound searched in full with
    /// nothing found before the search reported here (whose bound is
    /// `max_delays`), and that search's states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delays_covered: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delays_covered_states: Option<u64>,
    /// The memory limit the search stopped at, in bytes (`--memory-limit`,
    /// or by default a share of the machine's memory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<u64>,
    /// Whether states that are renamings of each other were one state.
    pub symmetry: bool,
    /// Why a search with symmetry reduction was run again without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symmetry_dropped: Option<String>,
}

/// Where the tasks stood in the expanded states (`--census`).
#[derive(Serialize)]
pub struct JsonCensus<'a> {
    pub states: u64,
    pub places: Vec<JsonPlace<'a>>,
}

#[derive(Serialize)]
pub struct JsonPlace<'a> {
    pub task: &'a str,
    pub how: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub function: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub at: &'a str,
    pub states: u64,
}

#[derive(Serialize)]
pub struct JsonWait<'a> {
    pub task: &'a str,
    pub pids: &'a str,
    pub state: String,
    pub waits_in: &'a [String],
    pub waits_for: &'a str,
    pub reason: &'a str,
    /// What it waits on, in a few words (the wait-for edge's label).
    pub edge: &'a str,
}

#[derive(Serialize)]
pub struct JsonStep<'a> {
    pub step: usize,
    pub task: &'a str,
    pub action: &'a str,
    pub at: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub events: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub output: &'a [String],
    /// Forks, wakeups, fatal signals and reaps the step did to other tasks.
    #[serde(skip_serializing_if = "<[JsonArrow]>::is_empty")]
    pub arrows: Vec<JsonArrow<'a>>,
}

#[derive(Serialize)]
pub struct JsonArrow<'a> {
    pub kind: &'static str,
    pub to: &'a str,
}

#[derive(Serialize)]
pub struct JsonResult<'a> {
    pub kernel: &'a str,
    pub verdict: &'a str,
    pub complete: bool,
    pub stats: JsonStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cycle: Vec<JsonWait<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_stuck: Vec<JsonWait<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<JsonStep<'a>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub schedule: &'a str,
    /// Steps of the found schedule the trace leaves out (not needed for the
    /// deadlock), their tasks, and the whole schedule.
    #[serde(skip_serializing_if = "is_zero")]
    pub trace_left_out: usize,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub trace_left_out_tasks: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_schedule: Option<&'a str>,
    /// For a deadlock: per stuck task and detector, whether it fires.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Where the kernels the model stands for differ in their diagnostics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics_note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub census: Option<JsonCensus<'a>>,
}

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub task: &'a str,
    pub state: &'a str,
    pub detector: &'a str,
    /// False where the modelled kernel has no such detector.
    pub in_kernel: bool,
    pub fires: bool,
    pub after_s: Option<f64>,
    pub line: Option<&'a str>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn wait(w: &crate::check::WaitReport) -> JsonWait<'_> {
    JsonWait {
        task: &w.task,
        pids: &w.pids,
        state: w.state.to_string(),
        waits_in: &w.waits_in,
        waits_for: &w.waits_for,
        reason: &w.reason,
        edge: &w.edge,
    }
}

pub fn result(r: &CheckResult, seconds: bool) -> JsonResult<'_> {
    JsonResult {
        kernel: &r.kernel,
        verdict: r.verdict.as_str(),
        complete: r.complete,
        stats: JsonStats {
            states: r.stats.states,
            transitions: r.stats.transitions,
            asleep: r.stats.asleep,
            seconds: if seconds { (r.stats.seconds * 1000.0).round() / 1000.0 } else { 0.0 },
            search: r.search,
            max_preemptions: r.schedule_bound.and_then(|(what, k)| (what == Switches::Preemptions).then_some(k)),
            max_delays: r.schedule_bound.and_then(|(what, k)| (what == Switches::Delays).then_some(k)),
            delays_covered: r.delays_covered.map(|(k, _)| k),
            delays_covered_states: r.delays_covered.map(|(_, n)| n),
            memory_limit: r.memory_limit.map(|(bytes, _)| bytes),
            symmetry: r.symmetry,
            symmetry_dropped: r.symmetry_dropped.as_ref().map(|d| d.to_string()),
        },
        message: r.message.as_deref(),
        at: r.at.as_deref(),
        cycle: r.cycle.iter().map(wait).collect(),
        also_stuck: r.also_stuck.iter().map(wait).collect(),
        trace: r
            .trace
            .iter()
            .map(|s| JsonStep {
                step: s.step,
                task: &s.task,
                action: &s.action,
                at: &s.at,
                events: &s.events,
                output: &s.output,
                arrows: s
                    .arrows
                    .iter()
                    .map(|a| JsonArrow {
                        kind: a.kind.name(),
                        to: r.tasks.iter().find(|t| t.id == a.to).map_or("", |t| t.name.as_str()),
                    })
                    .collect(),
            })
            .collect(),
        schedule: &r.schedule,
        trace_left_out: r.left_out,
        trace_left_out_tasks: &r.left_out_tasks,
        full_schedule: r.full_schedule.as_deref(),
        diagnostics: r
            .diagnostics
            .iter()
            .flat_map(|t| &t.rows)
            .map(|d| JsonDiagnostic {
                task: &d.task,
                state: d.state,
                detector: d.detector.name(),
                in_kernel: d.in_kernel,
                fires: d.fires,
                after_s: d.after_s.map(|s| (s * 1000.0).round() / 1000.0),
                line: d.line.as_deref(),
            })
            .collect(),
        diagnostics_note: r.diagnostics.as_ref().map(|t| t.note.as_str()).filter(|n| !n.is_empty()),
        census: r.census.as_ref().map(|c| JsonCensus {
            states: c.states,
            places: c
                .places
                .iter()
                .map(|p| JsonPlace { task: &p.task, how: p.how, function: &p.function, at: &p.at, states: p.states })
                .collect(),
        }),
    }
}

pub fn render(scenario: &str, results: &[CheckResult], seconds: bool) -> String {
    render_with(scenario, results, &[], seconds)
}

/// The document with the fix-beside-bug comparisons.
pub fn render_with(scenario: &str, results: &[CheckResult], comparisons: &[Comparison], seconds: bool) -> String {
    let doc = Document { scenario, results: results.iter().map(|r| result(r, seconds)).collect(), comparisons };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
