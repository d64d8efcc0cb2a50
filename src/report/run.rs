//! The report of one virtual-time run (`taskcheck run`): the kernel log with
//! printk timestamps, how the run ended, each task's final state and stack,
//! and the schedule that replays it.

use serde::Serialize;

use crate::diagnose::clock::{human, stamp, Micros, SEC};
use crate::diagnose::show;
use crate::diagnose::{RunEnd, RunResult};
use crate::kernel::objects::TaskId;
use crate::kernel::system::System;
use crate::lang::diag::SourceMap;

/// One run, ready to print.
pub struct RunReport {
    pub scenario: String,
    pub kernel: String,
    pub seed: u64,
    pub end: String,
    pub end_kind: &'static str,
    pub end_at: Micros,
    pub hung: Vec<String>,
    pub log: Vec<(Micros, String)>,
    pub tasks: Vec<TaskReport>,
    pub schedule: String,
}

#[derive(Serialize)]
pub struct TaskReport {
    pub task: String,
    pub pid: i64,
    pub ppid: i64,
    pub state: &'static str,
    /// When it last ran (seconds of virtual time).
    pub last_ran_s: f64,
    /// Innermost first: `function file:line`.
    pub stack: Vec<String>,
}

impl RunReport {
    pub fn new(
        scenario: &str,
        kernel: &str,
        seed: u64,
        sys: &System,
        map: &SourceMap,
        r: &RunResult,
        violation: Option<String>,
    ) -> RunReport {
        let k = &r.kernel;
        let names = |set: u64| k.task_ids().filter(|t| set & (1 << t.0) != 0).map(|t| k.task(t).name.clone()).collect();
        let (end_kind, end, hung) = match &r.end {
            RunEnd::Done => {
                ("done", "every task finished (init and the kernel thread wait for work)".to_string(), Vec::new())
            }
            RunEnd::Deadline => ("deadline", format!("the deadline came at {}", human(r.end_at)), Vec::new()),
            RunEnd::StepLimit => (
                "step-limit",
                format!("stopped after {} steps (--max-steps) at {}", r.steps.len(), human(r.end_at)),
                Vec::new(),
            ),
            RunEnd::Hung { tasks, global, at } => {
                let who: Vec<String> = names(*tasks);
                (
                    "hung",
                    format!(
                        "{} can never run again from {} on ({}); the clock ran on to {}",
                        who.join(", "),
                        human(*at),
                        if *global { "no task could run" } else { "others still ran" },
                        human(r.end_at)
                    ),
                    who,
                )
            }
            RunEnd::Violation(_) => ("violation", violation.unwrap_or_default(), Vec::new()),
            RunEnd::BadSchedule(m) => ("bad-schedule", m.clone(), Vec::new()),
        };
        let tasks = k
            .task_ids()
            .filter(|&t| k.task(t).hashed || k.task(t).exit_state != 0)
            .map(|t: TaskId| TaskReport {
                task: k.task(t).name.clone(),
                pid: show::pid(k, t),
                ppid: show::ppid(k, t),
                state: show::run_state_name(k, &r.times, t),
                last_ran_s: r.times.get(t.0 as usize).map_or(0.0, |x| x.last_ran as f64 / SEC as f64),
                stack: show::frames(sys, map, k, t).into_iter().map(|(f, at, _)| format!("{f} {at}")).collect(),
            })
            .collect();
        RunReport {
            scenario: scenario.to_string(),
            kernel: kernel.to_string(),
            seed,
            end,
            end_kind,
            end_at: r.end_at,
            hung,
            log: r.log.lines.iter().map(|l| (l.at, l.text.clone())).collect(),
            tasks,
            schedule: crate::check::schedule_line_compact(&r.steps),
        }
    }

    pub fn text(&self) -> String {
        let mut s = format!("{} on {} (seed {}): {}\n", self.scenario, self.kernel, self.seed, self.end);
        s.push_str("\nKernel log:\n");
        if self.log.is_empty() {
            s.push_str("  (nothing)\n");
        }
        for (at, line) in &self.log {
            s.push_str(&format!("{} {line}\n", stamp(*at)));
        }
        s.push_str(&format!("\nTasks at {}:\n", human(self.end_at)));
        for t in &self.tasks {
            s.push_str(&format!(
                "  {} (pid {}, ppid {}) {}, last ran at {:.3}s\n",
                t.task, t.pid, t.ppid, t.state, t.last_ran_s
            ));
            for f in &t.stack {
                s.push_str(&format!("      {f}\n"));
            }
        }
        s.push_str(&format!("\nSchedule: {}\n", self.schedule));
        s
    }
}

#[derive(Serialize)]
struct JsonLine<'a> {
    t: f64,
    line: &'a str,
}

#[derive(Serialize)]
struct JsonRun<'a> {
    kernel: &'a str,
    seed: u64,
    end: &'a str,
    message: &'a str,
    end_s: f64,
    hung: &'a [String],
    log: Vec<JsonLine<'a>>,
    tasks: &'a [TaskReport],
    schedule: &'a str,
}

pub fn json(scenario: &str, runs: &[RunReport]) -> String {
    let results: Vec<JsonRun> = runs
        .iter()
        .map(|r| JsonRun {
            kernel: &r.kernel,
            seed: r.seed,
            end: r.end_kind,
            message: &r.end,
            end_s: r.end_at as f64 / SEC as f64,
            hung: &r.hung,
            log: r.log.iter().map(|(at, line)| JsonLine { t: *at as f64 / SEC as f64, line }).collect(),
            tasks: &r.tasks,
            schedule: &r.schedule,
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "scenario": scenario, "runs": results }))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
