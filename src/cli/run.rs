//! `taskcheck run`: one execution in virtual time, with the kernel's
//! detectors, and the detector flags `check` shares.

use std::path::PathBuf;

use crate::check;
use crate::diagnose::{self, clock, Features, RunEnd, RunOptions, Tunables};
use crate::kernel::models::KernelModel;
use crate::lang::diag::{self, SourceMap};
use crate::report::run::RunReport;

use super::{usage_error, Format, KernelArgs, EXIT_FOUND, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE};

/// The detectors' tunables, in the kernel's names.
#[derive(clap::Args, Clone, Default)]
pub struct DetectorArgs {
    /// A hung-task sysctl, e.g. `kernel.hung_task_timeout_secs=140` (also
    /// `kernel.hung_task_check_interval_secs`, `kernel.hung_task_warnings`). Repeatable.
    #[arg(long = "sysctl", value_name = "NAME=VALUE")]
    sysctl: Vec<String>,
    /// A boot parameter, e.g. `rcupdate.rcu_task_stall_timeout=JIFFIES` (also
    /// `rcupdate.rcu_task_stall_info`, `rcupdate.rcu_task_stall_info_mult`). Repeatable.
    #[arg(long = "cmdline", value_name = "PARAM=VALUE")]
    cmdline: Vec<String>,
    /// The seed's proposed diagnostics: `do_exit=SECS` (a task too long between
    /// PF_EXITING and do_task_dead()), `rcu_tasks_gp` (stall warnings on the
    /// grace period's synchronize_rcu()/synchronize_srcu()). Repeatable.
    #[arg(long = "watchdog", value_name = "do_exit=SECS|rcu_tasks_gp")]
    watchdog: Vec<String>,
}

impl DetectorArgs {
    pub fn tunables(&self) -> Result<Tunables, String> {
        let mut t = Tunables::default();
        for a in &self.sysctl {
            t.set_sysctl(a)?;
        }
        for a in &self.cmdline {
            t.set_cmdline(a)?;
        }
        for a in &self.watchdog {
            t.set_watchdog(a)?;
        }
        Ok(t)
    }
}

#[derive(clap::Args, Clone)]
pub struct RunArgs {
    scenario: PathBuf,
    #[command(flatten)]
    kernel: KernelArgs,
    /// Seed of the scheduler (after the `--schedule` steps, if any).
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Take these steps first: a `Replay:` line of `check` (`task[.choice],...`).
    #[arg(long, value_name = "SCHEDULE")]
    schedule: Option<String>,
    /// Virtual time to run for (e.g. `30m`, `900s`, `2h`).
    #[arg(long, value_name = "TIME", default_value = "30m")]
    until: String,
    /// Steps to take at most (each costs its task 1 ms of virtual time).
    #[arg(long, value_name = "N", default_value_t = diagnose::run::MAX_STEPS)]
    max_steps: u64,
    #[command(flatten)]
    detectors: DetectorArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn cmd_run(a: &RunArgs) -> u8 {
    let text = match super::read_scenario(&a.scenario) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let exps = match check::expect::parse(&text) {
        Ok(e) => e,
        Err((line, msg)) => return usage_error(&format!("{}:{line}:1: {msg}", a.scenario.display())),
    };
    let kernels = match super::kernels_of(&a.kernel, &exps) {
        Ok(k) => k,
        Err(e) => return usage_error(&e),
    };
    let until = match clock::parse_duration(&a.until) {
        Ok(u) => u,
        Err(e) => return usage_error(&format!("--until {e}")),
    };
    let tunables = match a.detectors.tunables() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let schedule = match a.schedule.as_deref().map(check::parse_schedule).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return usage_error(&e),
    };
    let name = a.scenario.display().to_string();
    let mut reports = Vec::new();
    let mut code = EXIT_OK;
    for model in &kernels {
        let opts = RunOptions {
            seed: a.seed,
            schedule: schedule.clone(),
            until,
            max_steps: a.max_steps,
            tunables: tunables.clone(),
            features: Features::of(model),
        };
        match run_one(&name, &text, model, &opts) {
            Ok((rep, c)) => {
                code = code.max(c);
                reports.push(rep);
            }
            Err(rendered) => {
                eprint!("{rendered}");
                return EXIT_USAGE;
            }
        }
    }
    match a.format {
        Format::Json => println!("{}", crate::report::run::json(&name, &reports)),
        Format::Text => {
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print!("{}", r.text());
            }
        }
    }
    code
}

fn run_one(name: &str, text: &str, model: &KernelModel, opts: &RunOptions) -> Result<(RunReport, u8), String> {
    let mut map = SourceMap::default();
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (mut sys, _) = check::build(&mut map, model, name, text).map_err(|d| diag::render(&map, &d, color))?;
    // The stall warnings list the holdouts in the kernel's order (list_add()
    // at the head, as the model does).
    sys.sort_rcu_lists = false;
    let r = diagnose::run(&sys, &map, opts);
    let violation = r.violation.as_ref().map(|v| check::describe_violation(&map, &sys, &r.steps, v));
    let code = match &r.end {
        RunEnd::Done => EXIT_OK,
        RunEnd::Deadline | RunEnd::StepLimit => EXIT_INCOMPLETE,
        // A use the model does not cover is bad input, as for `check`.
        RunEnd::Violation(_)
            if r.violation.as_ref().is_some_and(|v| check::Verdict::of(&v.kind) == check::Verdict::ModelError) =>
        {
            EXIT_USAGE
        }
        RunEnd::Hung { .. } | RunEnd::Violation(_) => EXIT_FOUND,
        RunEnd::BadSchedule(m) => return Err(format!("error: {m}\n")),
    };
    Ok((RunReport::new(name, &model.name, opts.seed, &sys, &map, &r, violation), code))
}
