//! `taskcheck emit-c` and `taskcheck oracle`: the scenario as a real program,
//! and that program on the running kernel against the model.

use std::path::PathBuf;
use std::time::Duration;

use crate::check::{self, Options, Verdict};
use crate::emit::{self, oracle};
use crate::explore::Bounds;
use crate::lang::diag::{self, SourceMap};

use super::{usage_error, EXIT_FOUND, EXIT_OK, EXIT_USAGE};

/// The program could not do what the scenario asks (no CLONE_NEWPID).
pub const EXIT_NO_PRIVILEGE: u8 = 4;

#[derive(clap::Args, Clone)]
pub struct EmitArgs {
    scenario: PathBuf,
    /// Write the program here instead of to standard output.
    #[arg(short = 'o', value_name = "FILE.c")]
    output: Option<PathBuf>,
}

pub fn cmd_emit_c(a: &EmitArgs) -> u8 {
    let text = match super::read_scenario(&a.scenario) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let c = emit::emit_c(&a.scenario.display().to_string(), &text);
    match &a.output {
        Some(p) => match std::fs::write(p, c) {
            Ok(()) => EXIT_OK,
            Err(e) => usage_error(&format!("cannot write {}: {e}", p.display())),
        },
        None => {
            print!("{c}");
            EXIT_OK
        }
    }
}

#[derive(clap::Args, Clone)]
pub struct OracleArgs {
    scenario: PathBuf,
    /// How many times to run the program.
    #[arg(long, value_name = "N", default_value_t = 20)]
    runs: u32,
    /// The kernel model to compare with (default: the one closest to the running kernel).
    #[arg(long, value_name = "NAME")]
    kernel: Option<String>,
    /// Seconds after which a run counts as hung and is killed.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    timeout: u64,
    /// Bound of the model's search, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    time_limit: f64,
    /// Bound of the search for what the program may print, in states.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    max_states: u64,
}

pub fn cmd_oracle(a: &OracleArgs) -> u8 {
    let name = a.scenario.display().to_string();
    let text = match super::read_scenario(&a.scenario) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let release = oracle::running_release();
    let kname = a.kernel.clone().unwrap_or_else(|| oracle::closest_model(&release).to_string());
    let model = match super::resolve_kernel(&kname) {
        Ok(m) => m,
        Err(e) => return usage_error(&e),
    };
    let mut map = SourceMap::default();
    let (mut sys, _) = match check::build(&mut map, &model, &name, &text) {
        Ok(s) => s,
        Err(d) => {
            eprint!("{}", diag::render(&map, &d, false));
            return EXIT_USAGE;
        }
    };
    let opts = Options {
        bounds: Bounds { time_limit: Some(Duration::from_secs_f64(a.time_limit.max(0.0))), ..Bounds::default() },
        ..Options::default()
    };
    let r = check::check(&map, &sys, &model.name, &opts);
    // What the program may print: every finished interleaving's lines.
    let printing = text.contains("printf");
    let allowed = if printing {
        sys.outcomes = true;
        Some(emit::outcomes::model_outcomes(&sys, a.max_states))
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("taskcheck-oracle-{}", std::process::id()));
    let bin = match oracle::compile(&emit::emit_c(&name, &text), &dir) {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    oracle::adopt_orphans();
    let mut runs = Vec::new();
    for _ in 0..a.runs {
        match oracle::run_once(&bin, Duration::from_secs(a.timeout.max(1))) {
            Ok(run) => runs.push(run),
            Err(e) => return usage_error(&e),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{name} on the running kernel {release}, against the model {} ({} runs)", model.name, runs.len());
    if runs.iter().any(|r| r.lacks_privilege()) {
        println!("  unshare(CLONE_NEWPID) failed with EPERM: run as root (CAP_SYS_ADMIN) to compare this scenario");
        return EXIT_NO_PRIVILEGE;
    }
    let proves_ok = r.verdict == Verdict::Ok && r.complete;
    println!(
        "  model: {}{}",
        r.verdict.as_str(),
        match (r.verdict, r.complete) {
            (Verdict::Ok, true) => " (no assertion can fail and no set of tasks sleeps for ever, in any interleaving)",
            (Verdict::Incomplete, _) => " (the search did not finish: nothing is compared)",
            _ => " (a finding in some interleaving; real runs may or may not meet it)",
        }
    );
    let mut ends: Vec<(String, usize)> = Vec::new();
    let mut mismatches = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let what = match &run.end {
            oracle::RealEnd::Exited(c) => format!("exit {c}"),
            oracle::RealEnd::Killed(s) => format!("killed by signal {s}"),
            oracle::RealEnd::Hung { running: true } => "still running at the timeout (a task runs for ever)".into(),
            oracle::RealEnd::Hung { running: false } => "hung: every task asleep at the timeout".into(),
        };
        match ends.iter_mut().find(|(w, _)| *w == what) {
            Some(e) => e.1 += 1,
            None => ends.push((what.clone(), 1)),
        }
        if proves_ok && run.assertion_failed() {
            mismatches.push((i + 1, format!("an assertion failed: {}", run.stderr.trim())));
        }
        if proves_ok && run.end == (oracle::RealEnd::Hung { running: false }) {
            mismatches.push((i + 1, "every task slept for ever, which the model says cannot happen".into()));
        }
        if let (Some(Ok(set)), oracle::RealEnd::Exited(_) | oracle::RealEnd::Killed(_)) = (&allowed, &run.end) {
            let seen = run.outcome();
            if !set.is_empty() && !set.contains(&seen) {
                mismatches
                    .push((i + 1, format!("it printed what no interleaving of the model prints:\n{}", show(&seen))));
            }
        }
    }
    match &allowed {
        Some(Ok(set)) => println!("  model: {} possible outputs of finished runs", set.len()),
        Some(Err(emit::outcomes::Incomplete::States(n))) => {
            println!("  model: outputs not compared (more than {n} states; raise --max-states)")
        }
        Some(Err(emit::outcomes::Incomplete::Fault(f))) => println!("  model: outputs not compared ({f})"),
        None => {}
    }
    for (what, n) in &ends {
        println!("  runs: {n} x {what}");
    }
    if mismatches.is_empty() {
        println!("  agree");
        return EXIT_OK;
    }
    if let Some(Ok(set)) = &allowed {
        if mismatches.iter().any(|(_, m)| m.starts_with("it printed")) {
            println!("  the model allows, for example:");
            for o in set.iter().take(3) {
                println!("{}", show(o));
            }
        }
    }
    for (i, m) in &mismatches {
        println!("  MISMATCH in run {i}: {m}");
        if let Some(run) = runs.get(i - 1) {
            for e in &run.events {
                println!("      {e}");
            }
        }
    }
    EXIT_FOUND
}

/// An outcome, a line per process.
fn show(o: &emit::outcomes::Outcome) -> String {
    o.values().map(|lines| format!("      {}", lines.join(" | "))).collect::<Vec<_>>().join("\n")
}
