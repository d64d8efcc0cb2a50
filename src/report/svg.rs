//! The trace as a lane diagram in SVG: one lane per task (kernel threads
//! included), time going down, one box per step with the function it runs
//! and the model or scenario line; arrows between lanes for forks, wakeups,
//! fatal signals and reaps; and at the bottom the stuck tasks with the
//! wait-for edges between them. Plain SVG 1.1, no script, no external file.

use std::fmt::Write;

use crate::check::events::ArrowKind;
use crate::check::{CheckResult, TaskInfo, WaitReport};

const LANE: i32 = 200;
const BOX_W: i32 = 184;
const ROW: i32 = 36;
const BOX_H: i32 = 30;
const TOP: i32 = 96;
const LEFT: i32 = 44;

/// Text for SVG/XML/HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters, with an ellipsis if cut.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn color(kind: ArrowKind) -> &'static str {
    match kind {
        ArrowKind::Fork => "#1f5fbf",
        ArrowKind::Wakeup => "#2e7d32",
        ArrowKind::Signal => "#c62828",
        ArrowKind::Reap => "#6a1b9a",
    }
}

fn state_fill(state: char) -> &'static str {
    match state {
        'D' => "#f4cccc",
        'S' | 'I' => "#fff2cc",
        'Z' => "#e0e0e0",
        _ => "#ffffff",
    }
}

/// The lanes: every task that steps in the trace or is stuck, in task order.
fn lanes(r: &CheckResult) -> Vec<TaskInfo> {
    let mut ids: Vec<u16> = r.trace.iter().map(|s| s.task_id).collect();
    ids.extend(r.cycle.iter().chain(&r.also_stuck).map(|w| w.task_id));
    ids.extend(r.trace.iter().flat_map(|s| s.arrows.iter().map(|a| a.to)));
    ids.sort_unstable();
    ids.dedup();
    ids.iter()
        .map(|&id| {
            r.tasks.iter().find(|t| t.id == id).cloned().unwrap_or(TaskInfo {
                id,
                name: format!("task {id}"),
                pids: String::new(),
                kernel_thread: false,
            })
        })
        .collect()
}

/// The SVG document of `r`'s trace and wait-for cycle.
pub fn render(scenario: &str, r: &CheckResult) -> String {
    let lanes = lanes(r);
    let lane_x = |id: u16| -> i32 {
        let i = lanes.iter().position(|l| l.id == id).unwrap_or(0) as i32;
        LEFT + i * LANE + LANE / 2
    };
    let stuck: Vec<&WaitReport> = r.cycle.iter().chain(&r.also_stuck).collect();
    let edges: Vec<(&WaitReport, &WaitReport)> = stuck
        .iter()
        .flat_map(|w| {
            w.waits_for_ids.iter().filter_map(|to| stuck.iter().find(|x| x.task_id == *to)).map(|to| (*w, *to))
        })
        .collect();
    let rows = r.trace.len() as i32;
    let trace_end = TOP + rows * ROW + 10;
    let bottom_top = trace_end + 30;
    let bottom_h = if stuck.is_empty() { 0 } else { 70 + edges.len() as i32 * 26 + 20 };
    let width = (LEFT + lanes.len() as i32 * LANE + 20).max(640);
    let height = bottom_top + bottom_h + 20;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, monospace" font-size="10">"##
    );
    out.push_str("<defs>\n");
    for kind in [ArrowKind::Fork, ArrowKind::Wakeup, ArrowKind::Signal, ArrowKind::Reap] {
        let _ = writeln!(
            out,
            r##"<marker id="head-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"##,
            kind.name(),
            color(kind)
        );
    }
    out.push_str(
        r##"<marker id="head-wait" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>"##,
    );
    out.push_str("\n</defs>\n");
    let _ = writeln!(out, r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>"##);
    let title = format!("{scenario} on {}: {}", r.kernel, r.verdict.as_str().to_uppercase());
    let _ = writeln!(out, r##"<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{}</text>"##, escape(&title));
    if let Some(m) = &r.message {
        let _ = writeln!(out, r##"<text x="{LEFT}" y="32" font-size="11">{}</text>"##, escape(m));
    }
    if r.left_out > 0 {
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="45" fill="#555">{} steps shown; {} steps of {} left out (not needed for the deadlock)</text>"##,
            r.trace.len(),
            r.left_out,
            escape(&r.left_out_tasks.join(", "))
        );
    }

    // Lanes: a header and a line down to the bottom.
    for l in &lanes {
        let x = lane_x(l.id);
        let kind = if l.kernel_thread { " (kthread)" } else { "" };
        let _ = writeln!(
            out,
            r##"<g class="lane"><line x1="{x}" y1="{}" x2="{x}" y2="{trace_end}" stroke="#bbb" stroke-dasharray="4 3"/><text x="{x}" y="{}" text-anchor="middle" font-weight="bold" font-size="11">{}</text><text x="{x}" y="{}" text-anchor="middle" fill="#555">{}</text></g>"##,
            TOP - 14,
            TOP - 26,
            escape(&format!("{}{kind}", l.name)),
            TOP - 15,
            escape(&fit(&l.pids, 30))
        );
    }

    // One box per step, arrows to the tasks it acted on.
    for (i, s) in r.trace.iter().enumerate() {
        let y = TOP + i as i32 * ROW;
        let x = lane_x(s.task_id);
        let line = s.at.rsplit('/').next().unwrap_or(&s.at);
        let line = line.rsplit_once(':').map_or(line, |(a, _)| a);
        let head = if s.func.is_empty() { s.action.clone() } else { format!("{}()", s.func) };
        let what = s.action.rsplit_once(": ").map_or(s.action.as_str(), |(_, w)| w);
        let mut tip = format!("{}. {}: {}", s.step, s.task, s.action);
        if !s.at.is_empty() {
            let _ = write!(tip, " [{}]", s.at);
        }
        for e in &s.events {
            let _ = write!(tip, "\n-> {e}");
        }
        let _ = writeln!(
            out,
            r##"<g class="step" id="step-{}"><title>{}</title><rect x="{}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="3" fill="#f3f6fb" stroke="#7a8aa6"/><text x="{}" y="{}" fill="#888">{}</text><text x="{}" y="{}">{}</text><text x="{}" y="{}" fill="#555">{}</text></g>"##,
            s.step,
            escape(&tip),
            x - BOX_W / 2,
            LEFT - 8,
            y + 19,
            s.step,
            x - BOX_W / 2 + 4,
            y + 12,
            escape(&fit(&head, 29)),
            x - BOX_W / 2 + 4,
            y + 25,
            escape(&fit(&format!("{what}  {line}"), 29))
        );
        for a in &s.arrows {
            let to = lane_x(a.to);
            if to == x {
                continue;
            }
            let (from_x, to_x) = if to > x { (x + BOX_W / 2, to - 4) } else { (x - BOX_W / 2, to + 4) };
            let ay = y + BOX_H / 2;
            let _ = writeln!(
                out,
                r##"<g class="arrow {k}"><line x1="{from_x}" y1="{ay}" x2="{to_x}" y2="{ay}" stroke="{c}" stroke-width="1.5" marker-end="url(#head-{k})"/><text x="{}" y="{}" fill="{c}" text-anchor="middle" font-size="9" paint-order="stroke" stroke="#fff" stroke-width="3">{k}</text></g>"##,
                (from_x + to_x) / 2,
                ay - 3,
                k = a.kind.name(),
                c = color(a.kind)
            );
        }
    }

    // The stuck tasks and their wait-for edges.
    if !stuck.is_empty() {
        let heading = if r.cycle.is_empty() { "Stuck tasks" } else { "Wait-for cycle" };
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="{}" font-size="12" font-weight="bold">{heading}</text>"##,
            bottom_top
        );
        let ny = bottom_top + 10;
        for w in &stuck {
            let x = lane_x(w.task_id);
            let in_fn = if w.state == 'Z' {
                "zombie".to_string()
            } else {
                w.waits_in.first().map(|f| format!("in {f}()")).unwrap_or_default()
            };
            let _ = writeln!(
                out,
                r##"<g class="stuck" id="stuck-{}"><title>{}</title><rect x="{}" y="{ny}" width="{BOX_W}" height="40" rx="6" fill="{}" stroke="#333"/><text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{}</text><text x="{x}" y="{}" text-anchor="middle">{}</text></g>"##,
                escape(&w.task),
                escape(&w.reason),
                x - BOX_W / 2,
                state_fill(w.state),
                ny + 16,
                escape(&format!("{} [{}]", w.task, w.state)),
                ny + 31,
                escape(&fit(&in_fn, 30))
            );
        }
        for (j, (from, to)) in edges.iter().enumerate() {
            let y = ny + 60 + j as i32 * 26;
            let (x1, x2) = (lane_x(from.task_id), lane_x(to.task_id));
            let _ = writeln!(
                out,
                r##"<g class="wait"><line x1="{x1}" y1="{}" x2="{x1}" y2="{y}" stroke="#333"/><line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#333" stroke-width="1.5"/><line x1="{x2}" y1="{y}" x2="{x2}" y2="{}" stroke="#333" stroke-width="1.5" marker-end="url(#head-wait)"/><text x="{}" y="{}" text-anchor="middle" font-size="9" paint-order="stroke" stroke="#fff" stroke-width="3">{}</text></g>"##,
                ny + 40,
                ny + 42,
                (x1 + x2) / 2,
                y - 3,
                escape(&format!("{} waits for {}: {}", from.task, to.task, from.edge))
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
