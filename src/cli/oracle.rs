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

/// A temporary directory removed when it goes out of scope.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check_runs(runs: u32) -> Result<(), String> {
    if (1..=10_000).contains(&runs) {
        Ok(())
    } else {
        Err(format!("--runs {runs}: between 1 and 10000"))
    }
}

pub fn cmd_oracle(a: &OracleArgs) -> u8 {
    if let Err(e) = check_runs(a.runs) {
        return usage_error(&e);
    }
    let Ok(time_limit) = Duration::try_from_secs_f64(a.time_limit) else {
        return usage_error(&format!("--time-limit {}: not a number of seconds", a.time_limit));
    };
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
    let opts = Options { bounds: Bounds { time_limit: Some(time_limit), ..Bounds::default() }, ..Options::default() };
    let r = check::check(&map, &sys, &model.name, &opts);
    // What the program may print: every finished interleaving's lines.
    let printing = text.contains("printf");
    let allowed = if printing {
        sys.outcomes = true;
        Some(emit::outcomes::model_outcomes(&sys, a.max_states))
    } else {
        None
    };
    let dir = TempDir(std::env::temp_dir().join(format!("taskcheck-oracle-{}", std::process::id())));
    let bin = match oracle::compile(&emit::emit_c(&name, &text), &dir.0) {
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
    drop(dir);
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
    if ["synchronize_rcu_tasks(", "synchronize_rcu_tasks_trace(", "trampoline_update("].iter().any(|t| text.contains(t))
    {
        // emit-c makes them no-ops (user space cannot run a grace period
        // on its own): say what "agree" then leaves out.
        println!(
            "  note: synchronize_rcu_tasks(), synchronize_rcu_tasks_trace() and trampoline_update() do nothing \
             in the real program, so the runs check fork, exit, wait, signals and namespaces, not the RCU Tasks \
             waits"
        );
    }
    let mut ends: Vec<(String, usize)> = Vec::new();
    let mut mismatches = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let what = match &run.end {
            oracle::RealEnd::Exited(c) => format!("exit {c}"),
            oracle::RealEnd::Killed(s) => format!("killed by signal {s}"),
            oracle::RealEnd::Hung { running: true } => "still running at the timeout (a task runs for ever)".into(),
            oracle::RealEnd::Hung { running: false } => "hung: every task asleep at the timeout".into(),
        };
        let what = match run.leftover {
            Some(true) => format!("{what}, a descendant still running at the timeout"),
            Some(false) => format!("{what}, descendants asleep at the timeout"),
            None => what,
        };
        match ends.iter_mut().find(|(w, _)| *w == what) {
            Some(e) => e.1 += 1,
            None => ends.push((what.clone(), 1)),
        }
        if proves_ok && run.assertion_failed() {
            mismatches.push((i + 1, format!("an assertion failed: {}", run.stderr.trim())));
        }
        if proves_ok && run.all_asleep() {
            mismatches.push((i + 1, "every task left slept for ever, which the model says cannot happen".into()));
        }
        if let (Some(Ok(set)), true) = (&allowed, run.finished()) {
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

#[derive(clap::Args, Clone)]
pub struct FuzzArgs {
    /// Seed of the first program (program i uses seed S+i).
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// How many programs.
    #[arg(long, value_name = "N", default_value_t = 100)]
    count: u64,
    /// Real runs per program.
    #[arg(long, value_name = "N", default_value_t = 3)]
    runs: u32,
    /// The kernel model to compare with (default: the one closest to the running kernel).
    #[arg(long, value_name = "NAME")]
    kernel: Option<String>,
    /// Seconds after which a run counts as hung.
    #[arg(long, value_name = "SECS", default_value_t = 3)]
    timeout: u64,
    /// States the model may use per program (bigger ones are skipped).
    #[arg(long, value_name = "N", default_value_t = 300_000)]
    max_states: u64,
    /// Where to write each disagreement, minimised, as a scenario.
    #[arg(long, value_name = "DIR", default_value = "fuzz-disagreements")]
    out: PathBuf,
    /// Print the programs instead of running them.
    #[arg(long)]
    show: bool,
}

/// A real run that printed what the model never prints.
struct Disagreement {
    seen: emit::outcomes::Outcome,
    allowed: std::collections::BTreeSet<emit::outcomes::Outcome>,
    events: Vec<String>,
}

/// Run one program on the model and the kernel: Ok(None) they agree,
/// Ok(Some) they do not, Err why it was not compared.
fn differ(
    p: &emit::fuzz::Program,
    model: &crate::kernel::models::KernelModel,
    a: &FuzzArgs,
    dir: &std::path::Path,
) -> Result<Option<Disagreement>, String> {
    let name = format!("fuzz-{}.c", p.seed);
    let text = emit::fuzz::render(p, "");
    let mut map = SourceMap::default();
    let (mut sys, _) = check::build(&mut map, model, &name, &text)
        .map_err(|d| format!("the generator wrote a program the model rejects:\n{}", diag::render(&map, &d, false)))?;
    sys.outcomes = true;
    let allowed = match emit::outcomes::model_outcomes(&sys, a.max_states) {
        Ok(set) if set.is_empty() => return Err("no run of the model finishes".into()),
        Ok(set) => set,
        Err(emit::outcomes::Incomplete::States(n)) => return Err(format!("more than {n} states")),
        Err(emit::outcomes::Incomplete::Fault(f)) => return Err(format!("not modelled: {f}")),
    };
    let bin = oracle::compile(&emit::emit_c(&name, &text), dir)?;
    let mut finished = 0;
    for _ in 0..a.runs {
        let run = oracle::run_once(&bin, Duration::from_secs(a.timeout.max(1)))?;
        if run.lacks_privilege() {
            return Err("unshare(CLONE_NEWPID) needs root".into());
        }
        if !run.finished() {
            continue;
        }
        finished += 1;
        let seen = run.outcome();
        if !allowed.contains(&seen) {
            return Ok(Some(Disagreement { seen, allowed, events: run.events }));
        }
    }
    if finished == 0 {
        return Err("no real run finished within the timeout".into());
    }
    Ok(None)
}

pub fn cmd_fuzz(a: &FuzzArgs) -> u8 {
    if let Err(e) = check_runs(a.runs) {
        return usage_error(&e);
    }
    if a.show {
        for i in 0..a.count {
            let seed = a.seed.wrapping_add(i);
            print!("{}", emit::fuzz::render(&emit::fuzz::generate(seed), &format!("taskcheck fuzz --seed {seed}")));
        }
        return EXIT_OK;
    }
    let release = oracle::running_release();
    let kname = a.kernel.clone().unwrap_or_else(|| oracle::closest_model(&release).to_string());
    let model = match super::resolve_kernel(&kname) {
        Ok(m) => m,
        Err(e) => return usage_error(&e),
    };
    oracle::adopt_orphans();
    let tmp = TempDir(std::env::temp_dir().join(format!("taskcheck-fuzz-{}", std::process::id())));
    let dir = tmp.0.clone();
    let start = std::time::Instant::now();
    let (mut agree, mut skipped, mut found) = (0u64, Vec::new(), Vec::new());
    for i in 0..a.count {
        let p = emit::fuzz::generate(a.seed.wrapping_add(i));
        match differ(&p, &model, a, &dir) {
            Ok(None) => agree += 1,
            Err(why) if why.starts_with("the generator") || why.starts_with("cannot run cc") => {
                eprintln!("seed {}: {why}", p.seed);
                return EXIT_USAGE;
            }
            Err(why) if why.contains("needs root") => {
                println!("fuzz: unshare(CLONE_NEWPID) failed with EPERM: run as root");
                return EXIT_NO_PRIVILEGE;
            }
            Err(why) => skipped.push((p.seed, why)),
            Ok(Some(d)) => {
                // Minimise: drop statements while the disagreement stays.
                let (mut cur, mut last) = (p, d);
                'shrink: loop {
                    for cand in emit::fuzz::shrink(&cur) {
                        if let Ok(Some(d)) = differ(&cand, &model, a, &dir) {
                            (cur, last) = (cand, d);
                            continue 'shrink;
                        }
                    }
                    break;
                }
                let file = a.out.join(format!("fuzz-{}.c", cur.seed));
                let mut header = format!(
                    "Found by `taskcheck fuzz --seed {} --count 1` and minimised: on the running kernel\n\
                     {release} a run printed what no interleaving of the model {} prints.\nThe run printed:\n",
                    cur.seed, model.name
                );
                for lines in last.seen.values() {
                    header.push_str(&format!("  {}\n", lines.join(" | ")));
                }
                header.push_str(&format!("The model allows {} outputs, for example:\n", last.allowed.len()));
                for o in last.allowed.iter().take(3) {
                    for lines in o.values() {
                        header.push_str(&format!("  {}\n", lines.join(" | ")));
                    }
                    header.push_str("  --\n");
                }
                header.push_str(&format!("Events of the run: {}\n", last.events.join("; ")));
                let _ = std::fs::create_dir_all(&a.out);
                let _ = std::fs::write(&file, emit::fuzz::render(&cur, &header));
                println!("DISAGREE seed {}: written to {}", cur.seed, file.display());
                found.push(cur.seed);
            }
        }
    }
    drop(tmp);
    println!(
        "fuzz: {} programs (seeds {}..{}) against {} on {release} in {:.1}s: {agree} agree, {} disagree, {} not compared",
        a.count,
        a.seed,
        a.seed.wrapping_add(a.count),
        model.name,
        start.elapsed().as_secs_f64(),
        found.len(),
        skipped.len()
    );
    // Why programs were not compared, by reason, with the first seeds.
    let mut reasons: Vec<(&str, Vec<u64>)> = Vec::new();
    for (seed, why) in &skipped {
        match reasons.iter_mut().find(|(w, _)| w == why) {
            Some(r) => r.1.push(*seed),
            None => reasons.push((why, vec![*seed])),
        }
    }
    for (why, seeds) in &reasons {
        let first: Vec<String> = seeds.iter().take(5).map(|s| s.to_string()).collect();
        println!(
            "  not compared ({why}): {} programs, seeds {}{}",
            seeds.len(),
            first.join(", "),
            if seeds.len() > 5 { ", ..." } else { "" }
        );
    }
    if found.is_empty() {
        EXIT_OK
    } else {
        EXIT_FOUND
    }
}
