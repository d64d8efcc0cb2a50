//! The HTML report: one self-contained page (no script, no network, no other
//! file) with the verdict of every kernel checked, the wait-for cycle, what
//! the kernel would print, the lane diagram inline, and the numbered trace
//! whose every step links to its model or scenario line, shown beside the
//! trace with the lines around it.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::svg::escape;
use crate::check::{CheckResult, Verdict};

/// Lines shown around a step's line.
const CONTEXT: usize = 5;

/// One kernel's row of the verdict matrix: its result and what the
/// scenario expected of it, if anything.
pub struct Row<'a> {
    pub result: &'a CheckResult,
    pub expectation: Option<String>,
}

/// `file:line:col` split, if it is one.
fn location(at: &str) -> Option<(&str, usize)> {
    let mut parts = at.rsplitn(3, ':');
    let _col = parts.next()?;
    let line = parts.next()?.parse().ok()?;
    Some((parts.next()?, line))
}

/// An anchor name for a source line.
fn anchor(file: &str, line: usize) -> String {
    let f: String = file.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("src-{f}-{line}")
}

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1a1a1a; }
h1 { font-size: 1.3em; margin-bottom: 0.2em; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
code, pre, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.v-deadlock, .v-assertion, .v-leak, .v-trampoline-use-after-free, .v-model-error { color: #b00020; font-weight: bold; }
.v-ok { color: #2e7d32; font-weight: bold; }
.v-incomplete { color: #8a6d00; font-weight: bold; }
.wait { margin: 0.5em 0 0.8em 0; }
.wait .who { font-weight: bold; }
.diagram { overflow-x: auto; border: 1px solid #ddd; padding: 0.5em; }
.trace { margin-right: 42%; }
.trace ol { padding-left: 3em; }
.trace li { margin-bottom: 0.3em; }
.trace .task { font-weight: bold; }
.trace .ev { color: #555; margin-left: 1em; }
/* The source of the step followed last, fixed beside the trace. */
.src { display: none; border: 1px solid #999; background: #fafafa; position: fixed; right: 1.5em; top: 1.5em; width: 38%; max-height: 90vh; overflow: auto; box-shadow: 0 2px 8px rgba(0,0,0,0.2); }
.src:target { display: block; }
.src .name { background: #e8eef7; padding: 0.2em 0.5em; font-weight: bold; }
.src pre { margin: 0; padding: 0.4em 0.5em; overflow-x: auto; }
.src .hit { background: #fff2a8; display: block; }
.hint { color: #666; }
.wide { overflow-x: auto; }
pre.lines { white-space: pre-wrap; }
"#;

/// The page. `rows` are the kernels checked, in order; `shown` is the result
/// whose finding the page explains; `sources` are the files (scenario and
/// kernel model) by the names the trace's locations use.
pub fn render(
    scenario: &str,
    rows: &[Row],
    shown: &CheckResult,
    sources: &BTreeMap<String, String>,
    comparisons: &[String],
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>taskcheck: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(scenario)
    );
    let _ = writeln!(out, "<h1>taskcheck: <code>{}</code></h1>", escape(scenario));

    // The verdict matrix.
    out.push_str("<h2>Verdicts</h2>\n<table>\n<tr><th>kernel</th><th>verdict</th><th>states</th><th>transitions</th><th>search</th><th>expected</th></tr>\n");
    for row in rows {
        let r = row.result;
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"v-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.kernel),
            r.verdict.as_str(),
            r.verdict.as_str(),
            r.stats.states,
            r.stats.transitions,
            if r.complete { "complete" } else { "stopped at a bound" },
            escape(row.expectation.as_deref().unwrap_or("-"))
        );
    }
    out.push_str("</table>\n");

    if shown.verdict == Verdict::Ok {
        out.push_str("<p>No kernel model found a deadlock or a violation: nothing more to show.</p>\n");
        out.push_str("</body>\n</html>\n");
        return out;
    }
    let _ = writeln!(
        out,
        "<h2>{} on <code>{}</code>: {}</h2>",
        if shown.verdict == Verdict::Deadlock { "Deadlock" } else { "Finding" },
        escape(&shown.kernel),
        escape(shown.message.as_deref().unwrap_or(shown.verdict.as_str()))
    );
    if let Some(at) = &shown.at {
        let _ = writeln!(out, "<p>at <code>{}</code></p>", escape(at));
    }
    if !shown.cycle.is_empty() || !shown.also_stuck.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            if shown.global {
                "Global deadlock: no task can run any more."
            } else {
                "Partial deadlock: these tasks can never run again, whatever the others do."
            }
        );
        for (heading, list) in [("Wait-for cycle", &shown.cycle), ("Also blocked", &shown.also_stuck)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "<h3>{heading}</h3>");
            for w in list.iter() {
                let _ = writeln!(
                    out,
                    "<div class=\"wait\"><span class=\"who\">{}</span> ({}) [{}] waits for <b>{}</b> ({})<br><span class=\"mono\">in: {}</span><br>why: {}</div>",
                    escape(&w.task),
                    escape(&w.pids),
                    w.state,
                    escape(&w.waits_for),
                    escape(&w.edge),
                    escape(&w.waits_in.join(" <- ")),
                    escape(&w.reason)
                );
            }
        }
    }
    if let Some(t) = &shown.diagnostics {
        diagnostics(&mut out, t);
    }
    for c in comparisons {
        let _ = writeln!(out, "<h2>A fix beside the bug</h2>\n<pre>{}</pre>", escape(c));
    }
    if !shown.trace.is_empty() {
        out.push_str("<h2>Lane diagram</h2>\n<div class=\"diagram\">\n");
        out.push_str(&super::svg::render(scenario, shown));
        out.push_str("</div>\n");
        trace(&mut out, shown, sources);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn diagnostics(out: &mut String, t: &crate::diagnose::table::Table) {
    if t.rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>What the kernel would print</h2>\n<p>The trace again in virtual time, then {} on (kernel.hung_task_timeout_secs={}, do_exit watchdog {}s). Seconds after the task last ran; - silent; n/a not in this kernel; * proposed in the seed, in no kernel.</p>",
        crate::diagnose::clock::human(t.horizon),
        t.hung_task_timeout_secs,
        t.do_exit_watchdog_secs
    );
    out.push_str("<div class=\"wide\"><table>\n<tr><th>task</th><th>state</th>");
    for d in crate::diagnose::Detector::ALL {
        let _ = write!(out, "<th>{}</th>", d.name());
    }
    out.push_str("</tr>\n");
    let mut firsts = Vec::new();
    for chunk in t.rows.chunk_by(|a, b| a.task == b.task) {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", escape(&chunk[0].task), chunk[0].state);
        for row in chunk {
            let cell = row.cell();
            let _ = write!(out, "<td>{cell}</td>");
            if let Some(l) = &row.line {
                firsts.push(format!("{} ({}): {l}", row.task, row.detector.name()));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
    if !t.note.is_empty() {
        let _ = writeln!(out, "<p>Note: {}.</p>", escape(&t.note));
    }
    if !firsts.is_empty() {
        let _ = writeln!(out, "<pre class=\"lines\">{}</pre>", escape(&firsts.join("\n")));
    }
}

fn trace(out: &mut String, r: &CheckResult, sources: &BTreeMap<String, String>) {
    let _ = writeln!(out, "<h2>Trace ({} steps)</h2>", r.trace.len());
    if r.left_out > 0 {
        let _ = writeln!(
            out,
            "<p>{} steps of {} left out, which the deadlock does not need (<code>--full-trace</code> shows all).</p>",
            r.left_out,
            escape(&r.left_out_tasks.join(", "))
        );
    }
    out.push_str("<p class=\"hint\">Follow a step's location to see its source beside the trace, with the lines around it.</p>\n<div class=\"trace\">\n<ol>\n");
    let mut wanted: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for s in &r.trace {
        let link = match location(&s.at) {
            Some((file, line)) if sources.contains_key(file) => {
                let a = anchor(file, line);
                wanted.insert(a.clone(), (file.to_string(), line));
                format!(" <a class=\"mono\" href=\"#{a}\">{}</a>", escape(&s.at))
            }
            _ if !s.at.is_empty() => format!(" <span class=\"mono\">{}</span>", escape(&s.at)),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<li value=\"{}\" id=\"trace-{}\"><span class=\"task\">{}</span> <span class=\"mono\">{}</span>{link}",
            s.step,
            s.step,
            escape(&s.task),
            escape(&s.action)
        );
        for o in &s.output {
            let _ = write!(out, "<div class=\"ev mono\">stdout: {}</div>", escape(o));
        }
        for e in &s.events {
            let _ = write!(out, "<div class=\"ev\">&rarr; {}</div>", escape(e));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</div>\n<div class=\"sources\">\n");
    for (a, (file, line)) in &wanted {
        let Some(text) = sources.get(file) else { continue };
        let lines: Vec<&str> = text.lines().collect();
        let from = line.saturating_sub(CONTEXT + 1);
        let to = (line + CONTEXT).min(lines.len());
        let _ =
            write!(out, "<div class=\"src\" id=\"{a}\"><div class=\"name mono\">{}:{line}</div><pre>", escape(file));
        for (i, l) in lines.iter().enumerate().take(to).skip(from) {
            let n = i + 1;
            let text = format!("{n:>4}  {}", escape(l));
            if n == *line {
                let _ = write!(out, "<span class=\"hit\">{text}</span>");
            } else {
                let _ = writeln!(out, "{text}");
            }
        }
        out.push_str("</pre></div>\n");
    }
    out.push_str("</div>\n");
}
