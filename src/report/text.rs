//! The text report: verdict, the wait-for cycle with each task's stack and
//! reason, then the numbered trace from the start.

use std::fmt::Write;

use crate::check::{CheckResult, Verdict, WaitReport};
use crate::diagnose::clock::human;
use crate::diagnose::table::Table;
use crate::diagnose::Detector;
use crate::explore::StopReason;

fn stop_text(s: StopReason) -> &'static str {
    match s {
        StopReason::Complete => "complete",
        StopReason::MaxStates => "stopped at --max-states",
        StopReason::MaxDepth => "stopped at --max-depth",
        StopReason::MaxPreemptions => "stopped at --max-preemptions",
        StopReason::MaxDelays => "stopped at --max-delays",
        StopReason::TimeLimit => "stopped at --time-limit",
        StopReason::MemoryLimit => "stopped at --memory-limit",
        StopReason::Interrupted => "interrupted",
        StopReason::RandomSchedules => "random schedules",
    }
}

/// Where a search stopped at its memory limit: which limit, and how large.
fn memory_limit_line(out: &mut String, r: &CheckResult) {
    if let Some((bytes, default)) = r.memory_limit {
        let size = if bytes >= 1 << 30 {
            format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
        } else {
            format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
        };
        let _ = writeln!(
            out,
            "  the process reached its memory limit, {size}{}",
            if default {
                format!(
                    ", {} % of this machine's memory (set another limit with --memory-limit)",
                    crate::explore::DEFAULT_MEMORY_SHARE
                )
            } else {
                String::new()
            }
        );
    }
}

/// `n` and what it counts, plural unless one: `1 delay`, `3 states`.
fn count(n: impl Into<u64>, what: &str) -> String {
    let n = n.into();
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// What an incomplete search covered, and why it stopped.
fn covered_line(r: &CheckResult) -> String {
    if let Some((k, states)) = r.delays_covered {
        // `--max-delays auto`: the last bound searched in full, and where
        // the search one delay further (or at the cap) ended.
        let next = count(k + 1, "delay");
        let how = match r.stop {
            StopReason::MaxDelays => "--max-delays auto raises the bound no further".to_string(),
            StopReason::Interrupted => {
                format!("the search within {next} was interrupted after {}", count(r.stats.states, "state"))
            }
            stop => format!("the search within {next} {} after {}", stop_text(stop), count(r.stats.states, "state")),
        };
        return format!(
            "nothing found in any schedule with at most {} ({states} states; searched for hung sets, deadlocks and violations, not for the partial deadlocks only a complete search shows); {how}",
            count(k, "delay")
        );
    }
    let how = match r.stop {
        StopReason::Interrupted => "the search was interrupted before it was complete".to_string(),
        StopReason::MaxPreemptions | StopReason::MaxDelays => format!(
            "the schedules within the {} bound were searched for hung sets, deadlocks and violations (not for the partial deadlocks only a complete search shows); raise the bound or drop it to search them all",
            if r.stop == StopReason::MaxDelays { "delay" } else { "preemption" }
        ),
        StopReason::MaxStates | StopReason::TimeLimit | StopReason::MemoryLimit if r.schedule_bound.is_none() => {
            "raise the bound to finish the search, or bound the schedules instead (--max-delays 2, or --max-delays auto to raise that bound as far as the limits allow), which covers every schedule within the bound".to_string()
        }
        _ => "raise the bound to finish the search".to_string(),
    };
    format!("nothing found in the {} states covered (depth {}); {how}", r.stats.states, r.stats.max_depth)
}

/// A verdict that reports something found (not `ok`, not `incomplete`).
fn finding(v: Verdict) -> bool {
    !matches!(v, Verdict::Ok | Verdict::Incomplete)
}

fn wait_block(out: &mut String, w: &WaitReport, arrow: &str) {
    let _ = writeln!(out, "  {} ({}) [{}]", w.task, w.pids, w.state);
    if !w.waits_in.is_empty() {
        let _ = writeln!(out, "      in: {}", w.waits_in.join(" <- "));
    }
    if !w.waits_for.is_empty() {
        let _ = writeln!(out, "      {arrow} {}", w.waits_for);
    }
    let _ = writeln!(out, "      why: {}", w.reason);
}

pub fn render(scenario: &str, r: &CheckResult) -> String {
    let mut out = String::new();
    let how = match r.random {
        Some((n, seed)) if r.verdict != Verdict::Incomplete => format!("found on random schedule {n}, seed {seed}"),
        _ if r.verdict == Verdict::ModelError => "the search stopped there".to_string(),
        _ => match r.memory_limit {
            Some((_, true)) => "stopped at the default memory limit".to_string(),
            _ => stop_text(r.stop).to_string(),
        },
    };
    let _ = writeln!(
        out,
        "{scenario} on {}: {} ({} states, {} transitions, {how})",
        r.kernel,
        r.verdict.as_str().to_uppercase(),
        r.stats.states,
        r.stats.transitions,
    );
    if let Some(why) = &r.symmetry_dropped {
        let _ = writeln!(out, "  searched without symmetry reduction: {why}");
    }
    if let Some(m) = &r.message {
        let _ = writeln!(out, "  {m}");
    }
    if let Some(at) = &r.at {
        let _ = writeln!(out, "  at {at}");
    }
    if let (Verdict::Incomplete, Some((n, seed))) = (r.verdict, r.random) {
        let _ = writeln!(
            out,
            "  nothing found in {} (seed {seed}, {} steps); random schedules never prove a scenario free of deadlocks",
            count(n, "random schedule"),
            r.stats.transitions
        );
    } else if r.verdict == Verdict::Incomplete {
        memory_limit_line(&mut out, r);
        let _ = writeln!(out, "  {}", covered_line(r));
    }
    if let (Some((k, states)), true) = (r.delays_covered, finding(r.verdict)) {
        let _ = writeln!(
            out,
            "  found by the search within {}; the search within {} found nothing ({states} states)",
            count(k + 1, "delay"),
            count(k, "delay"),
        );
    }
    if r.verdict == Verdict::Deadlock {
        let _ = writeln!(
            out,
            "\n{} deadlock: {}",
            if r.global { "Global" } else { "Partial" },
            if r.global {
                "no task can run any more."
            } else {
                "these tasks can never run again, whatever the others do."
            }
        );
        if !r.cycle.is_empty() {
            let _ = writeln!(out, "Wait-for cycle:");
            for w in &r.cycle {
                wait_block(&mut out, w, "waits for");
            }
        }
        if !r.also_stuck.is_empty() {
            let _ = writeln!(out, "Also blocked:");
            for w in &r.also_stuck {
                wait_block(&mut out, w, "waits for");
            }
        }
    }
    if let Some(t) = &r.diagnostics {
        diagnostics(&mut out, t);
    }
    if !r.trace.is_empty() {
        if r.left_out > 0 {
            let _ = writeln!(
                out,
                "\nTrace ({} steps; {} of {} left out, which the deadlock does not need; --full-trace shows all):",
                r.trace.len(),
                count(r.left_out as u64, "step"),
                r.left_out_tasks.join(", ")
            );
        } else {
            let _ = writeln!(out, "\nTrace ({} steps):", r.trace.len());
        }
        let width = r.trace.iter().map(|s| s.task.len()).max().unwrap_or(4);
        for s in &r.trace {
            let at = if s.at.is_empty() { String::new() } else { format!("  [{}]", s.at) };
            let _ = writeln!(out, "  {:>3}. {:<width$}  {}{}", s.step, s.task, s.action, at);
            for o in &s.output {
                let _ = writeln!(out, "         {:<width$}  stdout: {o}", "");
            }
            for e in &s.events {
                let _ = writeln!(out, "         {:<width$}  -> {e}", "");
            }
        }
        let _ = writeln!(out, "Replay: taskcheck check SCENARIO --kernel {} --replay {}", r.kernel, r.schedule);
    }
    if let Some(c) = &r.census {
        census(&mut out, c);
    }
    out
}

/// Per task, the points it stood at in the most expanded states (the three
/// most, each in at least 1 % of them).
fn census(out: &mut String, c: &crate::check::CensusReport) {
    let _ = writeln!(
        out,
        "Where the states are (--census): of the {} states expanded, the share in which each task stood at each point (its three most)",
        c.states
    );
    let width = c.places.iter().map(|p| p.task.chars().count()).max().unwrap_or(0);
    let mut last: Option<&str> = None;
    let mut shown = 0;
    for p in &c.places {
        let first = last != Some(p.task.as_str());
        if first {
            shown = 0;
        }
        last = Some(p.task.as_str());
        let share = 100.0 * p.states as f64 / c.states.max(1) as f64;
        if shown == 3 || share < 1.0 {
            continue;
        }
        shown += 1;
        let name = if shown == 1 { p.task.as_str() } else { "" };
        let place = if p.function.is_empty() { String::new() } else { format!(" in {}() at {}", p.function, p.at) };
        let _ = writeln!(out, "  {name:<width$}  {share:5.1} %  {}{place}", p.how);
    }
}

/// The table of who would notice: one row per stuck task, one column per detector.
fn diagnostics(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nWhat the kernel would print (the trace again in virtual time, then {} on; \
         kernel.hung_task_timeout_secs={}, do_exit watchdog {}s):",
        human(t.horizon),
        t.hung_task_timeout_secs,
        t.do_exit_watchdog_secs
    );
    // Short column names; the legend below gives the JSON names.
    let col = |d: Detector| match d {
        Detector::HungTask => "hung_task",
        Detector::RcuTasksStall => "stall",
        Detector::RcuTasksStallInfo => "stall_info",
        Detector::PostscanStall => "postscan",
        Detector::GpSyncStall => "gp_sync*",
        Detector::DoExitWatchdog => "do_exit*",
    };
    let width = t.rows.iter().map(|r| r.task.len()).max().unwrap_or(4).max(4);
    let mut head = format!("  {:<width$}  {:<20}", "task", "state");
    for d in Detector::ALL {
        let _ = write!(head, "  {}", col(d));
    }
    let _ = writeln!(out, "{}", head.trim_end());
    let mut firsts = Vec::new();
    for chunk in t.rows.chunk_by(|a, b| a.task == b.task) {
        let mut line = format!("  {:<width$}  {:<20}", chunk[0].task, chunk[0].state);
        for row in chunk {
            let cell = row.cell();
            let _ = write!(line, "  {:<w$}", cell, w = col(row.detector).len());
            if let Some(l) = &row.line {
                firsts.push(format!("    {} ({}): {l}", row.task, row.detector.name()));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(
        out,
        "  (seconds after the task last ran, in this run; -: silent; n/a: not in this kernel; *: proposed in the seed, \
         in no kernel; the hung-task detector reports between one and two timeouts after a task blocks, by where \
         khungtaskd's checks fall)\n  \
         (hung_task: kernel/hung_task.c; stall, stall_info: the holdout loop's stall warning and pre-stall lines; \
         postscan: tasks_rcu_exit_srcu_stall(); gp_sync: stall warnings on the grace period's synchronize_*(); \
         do_exit: a watchdog from PF_EXITING to do_task_dead())"
    );
    if !t.note.is_empty() {
        let _ = writeln!(out, "  Note: {}.", t.note);
    }
    if !firsts.is_empty() {
        let _ = writeln!(out, "  First lines:");
        for f in firsts {
            let _ = writeln!(out, "{f}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stopped_at_memory(bytes: u64, default: bool) -> String {
        let mut r = CheckResult::new("v6.9");
        r.verdict = Verdict::Incomplete;
        r.complete = false;
        r.stop = StopReason::MemoryLimit;
        r.memory_limit = Some((bytes, default));
        r.stats.states = 1234;
        render("big.c", &r)
    }

    #[test]
    fn a_memory_limit_says_which_and_how_much() {
        let given = stopped_at_memory(3 << 29, false);
        assert!(given.contains("1234 states, 0 transitions, stopped at --memory-limit)"), "{given}");
        assert!(given.contains("the process reached its memory limit, 1.5 GiB\n"), "{given}");
        let default = stopped_at_memory(300 << 20, true);
        assert!(default.contains("stopped at the default memory limit)"), "{default}");
        assert!(
            default.contains(
                "its memory limit, 300.0 MiB, 80 % of this machine's memory (set another limit with --memory-limit)"
            ),
            "{default}"
        );
        assert!(default.contains("nothing found in the 1234 states covered"), "{default}");
    }
}
