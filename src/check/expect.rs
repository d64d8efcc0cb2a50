//! `//! expect KERNEL...: VERDICT [TASKS]` lines in a scenario's header.

use super::{CheckResult, Verdict};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub kernels: Vec<String>,
    pub verdict: String,
    /// For `deadlock`: the scenario tasks of the cycle (any order).
    pub tasks: Vec<String>,
    pub line: usize,
}

/// Every expectation of a scenario, or a message for a malformed line.
pub fn parse(text: &str) -> Result<Vec<Expectation>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("//!") else { continue };
        let rest = rest.trim();
        let Some(body) = rest.strip_prefix("expect") else { continue };
        let Some((kernels, verdict)) = body.split_once(':') else {
            return Err((i + 1, "an expectation reads `//! expect KERNEL...: VERDICT`".into()));
        };
        let kernels: Vec<String> = kernels.split_whitespace().map(String::from).collect();
        let mut words = verdict.split_whitespace();
        let Some(v) = words.next() else {
            return Err((i + 1, "missing verdict after `:`".into()));
        };
        if !["ok", "deadlock", "trampoline-use-after-free", "assertion", "leak"].contains(&v) {
            return Err((
                i + 1,
                format!("unknown verdict `{v}` (ok, deadlock, trampoline-use-after-free, assertion, leak)"),
            ));
        }
        if kernels.is_empty() {
            return Err((i + 1, "no kernel named before `:`".into()));
        }
        out.push(Expectation {
            kernels,
            verdict: v.to_string(),
            tasks: words.map(String::from).collect(),
            line: i + 1,
        });
    }
    Ok(out)
}

/// The expectation for one kernel, if any.
pub fn for_kernel<'a>(exps: &'a [Expectation], kernel: &str) -> Option<&'a Expectation> {
    exps.iter().find(|e| e.kernels.iter().any(|k| k == kernel))
}

/// Whether a result meets an expectation; else why not.
pub fn meets(e: &Expectation, r: &CheckResult) -> Result<(), String> {
    if r.verdict.as_str() != e.verdict {
        let extra = r.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
        return Err(format!("expected {}, got {}{extra}", e.verdict, r.verdict.as_str()));
    }
    if r.verdict == Verdict::Deadlock && !e.tasks.is_empty() {
        let mut got: Vec<String> = r.cycle.iter().filter(|w| !w.kernel_thread).map(|w| w.task.clone()).collect();
        if got.is_empty() {
            got = r.also_stuck.iter().filter(|w| !w.kernel_thread).map(|w| w.task.clone()).collect();
        }
        got.sort();
        let mut want = e.tasks.clone();
        want.sort();
        if got != want {
            return Err(format!("expected a deadlock of {}, got one of {}", want.join(" "), got.join(" ")));
        }
    }
    Ok(())
}
