//! The JSON document of `--format json` (design.md): one per run.

use serde::Serialize;

use crate::check::CheckResult;

#[derive(Serialize)]
pub struct Document<'a> {
    pub scenario: &'a str,
    pub results: Vec<JsonResult<'a>>,
}

#[derive(Serialize)]
pub struct JsonStats {
    pub states: u64,
    pub transitions: u64,
    pub seconds: f64,
}

#[derive(Serialize)]
pub struct JsonWait<'a> {
    pub task: &'a str,
    pub pids: &'a str,
    pub state: String,
    pub waits_in: &'a [String],
    pub waits_for: &'a str,
    pub reason: &'a str,
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
    /// For a deadlock: per stuck task and detector, whether it fires.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    /// Where the kernels the model stands for differ in their diagnostics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics_note: Option<&'a str>,
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

fn wait(w: &crate::check::WaitReport) -> JsonWait<'_> {
    JsonWait {
        task: &w.task,
        pids: &w.pids,
        state: w.state.to_string(),
        waits_in: &w.waits_in,
        waits_for: &w.waits_for,
        reason: &w.reason,
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
            seconds: if seconds { (r.stats.seconds * 1000.0).round() / 1000.0 } else { 0.0 },
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
            })
            .collect(),
        schedule: &r.schedule,
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
    }
}

pub fn render(scenario: &str, results: &[CheckResult], seconds: bool) -> String {
    let doc = Document { scenario, results: results.iter().map(|r| result(r, seconds)).collect() };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
