//! The wait-for graph of a deadlock in Graphviz DOT: a node per stuck task
//! (name, pids per namespace, sleep state, the function it sleeps in), an
//! edge per wait, labelled with what the task waits on.

use std::fmt::Write;

use crate::check::{CheckResult, WaitReport};

/// A state letter as the kernel names it.
pub fn state_name(state: char) -> &'static str {
    match state {
        'D' => "TASK_UNINTERRUPTIBLE",
        'S' => "TASK_INTERRUPTIBLE",
        'I' => "TASK_IDLE",
        'Z' => "EXIT_ZOMBIE",
        'R' => "TASK_RUNNING",
        'X' => "EXIT_DEAD",
        _ => "?",
    }
}

/// A DOT string literal.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// A node id: the task's name (unique in a report), quoted unless it is a
/// plain DOT identifier.
pub fn id(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !["node", "edge", "graph", "digraph", "subgraph", "strict"].contains(&name.to_ascii_lowercase().as_str());
    if plain {
        name.to_string()
    } else {
        quote(name)
    }
}

fn node(out: &mut String, w: &WaitReport, on_cycle: bool) {
    // A zombie sleeps nowhere: it waits to be reaped.
    let sleeps_in = match w.waits_in.first() {
        Some(f) if w.state != 'Z' => format!("\nin {f}()"),
        _ => String::new(),
    };
    let label = format!("{}\n{}\n{} ({}){sleeps_in}", w.task, w.pids, w.state, state_name(w.state));
    let fill = match w.state {
        'D' => "#f4cccc",
        'S' | 'I' => "#fff2cc",
        'Z' => "#e0e0e0",
        _ => "#ffffff",
    };
    let shape = if w.kernel_thread { "box, style=\"rounded,filled\"" } else { "box, style=filled" };
    let border = if on_cycle { "" } else { ", color=\"#888888\"" };
    let _ = writeln!(out, "  {} [label={}, shape={shape}, fillcolor=\"{fill}\"{border}];", id(&w.task), quote(&label));
}

/// The DOT document of `r`'s wait-for graph (an empty graph with a label
/// saying so when `r` found no deadlock).
pub fn render(scenario: &str, r: &CheckResult) -> String {
    let mut out = String::from("digraph waitfor {\n");
    let title = match &r.message {
        Some(m) if !r.cycle.is_empty() || !r.also_stuck.is_empty() => format!("{scenario} on {}: {m}", r.kernel),
        _ => format!("{scenario} on {}: {} (no wait-for graph)", r.kernel, r.verdict.as_str()),
    };
    let _ = writeln!(out, "  label={};\n  labelloc=t;\n  rankdir=LR;", quote(&title));
    out.push_str("  node [fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n");
    for w in &r.cycle {
        node(&mut out, w, true);
    }
    for w in &r.also_stuck {
        node(&mut out, w, false);
    }
    let all: Vec<&WaitReport> = r.cycle.iter().chain(&r.also_stuck).collect();
    for w in &all {
        for to in w.waits_for_ids.iter().filter_map(|&to| all.iter().find(|x| x.task_id == to)) {
            let bold = if r.cycle.iter().any(|c| c.task_id == w.task_id) { ", penwidth=2" } else { "" };
            let _ = writeln!(out, "  {} -> {} [label={}{bold}];", id(&w.task), id(&to.task), quote(&w.edge));
        }
    }
    out.push_str("}\n");
    out
}
