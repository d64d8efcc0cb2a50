//! The command line: `check`, `run`, `test`, `kernels`, `emit-c`, `oracle`. Exit codes and messages live here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

mod oracle;
mod run;

use crate::check::{self, expect, CheckResult, Options, Verdict};
use crate::explore::{Bounds, Progress, ProgressFn, RandomConfig};
use crate::kernel::models::{self, KernelModel};
use crate::lang::diag::{self, SourceMap};

/// Exit statuses (design.md).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FOUND: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "taskcheck",
    version,
    about = "Model checker for the Linux task lifecycle, PID namespaces, SRCU and RCU Tasks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum SearchOrder {
    Bfs,
    Dfs,
    Preempt,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Clone)]
struct SearchArgs {
    #[command(flatten)]
    kernel: KernelArgs,
    /// Stop after this many distinct states.
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
    /// Do not explore past this many steps (the search is then breadth-first).
    #[arg(long, value_name = "N")]
    max_depth: Option<u32>,
    /// Search only the schedules with at most N preemptions, a preemption
    /// being a step of another task while the one that ran last could go on
    /// (CHESS's preemption bounding; the search is then fewest-preemptions
    /// first, and counts a state once per task that ran last into it).
    /// Deadlocks seldom take more than two; without a finding the verdict
    /// says what was covered, and is `ok` only if the bound left out no step.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=250), conflicts_with_all = ["max_depth", "random"])]
    max_preemptions: Option<u32>,
    /// Search only the schedules a round-robin scheduler makes with at most
    /// N delays (delay-bounded scheduling): it runs the task that ran last
    /// while it can, then the next able task in creation order, and each
    /// able task it passes over is a delay. A task that blocks does not hand
    /// the CPU to every other for free, as under --max-preemptions, so this
    /// bound still cuts where many tasks block and wake. Counts a state once
    /// per task that ran last into it; `ok` only if the bound left out no step.
    /// `auto`: 0 delays, then 1, 2, ... until a search is complete, finds
    /// something, or a limit (--time-limit, --memory-limit, --max-states,
    /// Ctrl-C) stops it; the report says the largest bound searched in full.
    /// For a scenario too big for the exhaustive search.
    #[arg(long, value_name = "N|auto", value_parser = parse_delay_bound, conflicts_with_all = ["max_depth", "random", "max_preemptions"])]
    max_delays: Option<DelayBound>,
    /// Stop after this many seconds (per kernel; for all the searches of
    /// `--max-delays auto` together).
    #[arg(long, value_name = "SECS")]
    time_limit: Option<f64>,
    /// Stop when the process uses this much memory (e.g. `4G`, `500M`). By default 80 % of the memory the machine, or the cgroup the process runs in, has: a search too big to finish stops with what it covered instead of being killed by the OOM killer
    #[arg(long, value_name = "SIZE")]
    memory_limit: Option<String>,
    /// Instead of the exhaustive search, run N seeded random schedules
    /// (PCT-style) and report the first finding; never reports `ok`.
    #[arg(long, value_name = "N")]
    random: Option<u64>,
    /// Seed of the random schedules.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Worker threads of the breadth-first search (`--search bfs`, and
    /// `preempt` once it turns breadth-first; `dfs` runs on one). 0: all
    /// cores; by default `check` shares the cores among the kernels it
    /// checks side by side, and `test` uses one per check. Verdicts,
    /// traces and state counts never depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Show every step of a deadlock's trace; by default the trace shows the
    /// steps of the stuck tasks and of those that changed what they wait on.
    #[arg(long)]
    full_trace: bool,
    /// Search without the reductions: keep in each state the locals and
    /// the tasks' private fields no path reads again (by default they are
    /// zeroed, which merges states that differ only there) and RCU Tasks'
    /// lists in the order the model built them; implies --no-symmetry and
    /// --no-sleep-sets. Same verdicts, more states; for comparison.
    #[arg(long)]
    no_reduction: bool,
    /// Search without symmetry reduction: by default states that differ
    /// only in which task, pid or thread group got which slot and which pid
    /// number are one state (a scenario that computes with pid numbers is
    /// searched again without it, and the report says why). Implied by
    /// --no-reduction.
    #[arg(long)]
    no_symmetry: bool,
    /// Run every step in the interpreter, never building a successor from
    /// the effect the same step had in a parent state (by default a step
    /// that commutes with the one before it is not run again). The same
    /// states, transitions and traces, slower; for comparison.
    #[arg(long)]
    run_every_step: bool,
    /// Take every step in every state: by default a breadth-first search
    /// leaves out a step whose successor it reaches by another path of the
    /// same length (sleep sets). The same states, verdicts and trace
    /// lengths, more transitions; for comparison. Implied by --no-reduction.
    #[arg(long)]
    no_sleep_sets: bool,
    /// Count where each task stands in the states the exhaustive search
    /// expands (its function and source line, and whether it runs, waits or
    /// has exited) and show, per task, the points that hold the most states:
    /// what the state space is made of, to trim a scenario that does not
    /// finish. Also in --format json
    #[arg(long)]
    census: bool,
    /// Order of the exhaustive search; a complete search visits the same states
    /// in any. `preempt`: schedules with the fewest preemptions first (deadlocks
    /// that take few are met after a few hundred states), breadth-first on
    /// every thread once 16384 states wait. `dfs`: deepest state first,
    /// least memory, one thread. `bfs`: level by level, shortest traces,
    /// every thread. Under --max-depth the
    /// search is breadth-first whatever this says (only that order sees every
    /// schedule of up to N steps).
    #[arg(long, value_enum, default_value_t = SearchOrder::Preempt)]
    search: SearchOrder,
    #[command(flatten)]
    detectors: run::DetectorArgs,
}

/// Reports to write beside the one on standard output.
#[derive(clap::Args, Clone, Default)]
struct Pictures {
    /// Write the wait-for graph of the deadlock (of the first kernel with one) in Graphviz DOT.
    #[arg(long, value_name = "FILE")]
    dot: Option<PathBuf>,
    /// Write the trace as a lane diagram in SVG (a lane per task, arrows for forks,
    /// wakeups, signals and reaps, the wait-for cycle at the bottom).
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write a self-contained HTML report: the verdicts, the cycle, what the kernel
    /// would print, the lane diagram and the trace beside its source lines.
    #[arg(long = "report", value_name = "FILE.html")]
    html: Option<PathBuf>,
}

/// Which kernel models, and the user's patches on top.
#[derive(clap::Args, Clone)]
struct KernelArgs {
    /// Kernel model: a built-in name (see `taskcheck kernels`) or a model directory. Repeatable.
    #[arg(long = "kernel", value_name = "NAME|DIR")]
    kernels: Vec<String>,
    /// Every built-in kernel model.
    #[arg(long)]
    all_kernels: bool,
    /// Apply this patch (unified diff, e.g. `git format-patch` output) to every kernel model,
    /// after the model's own series. Repeatable: applied in order.
    #[arg(long = "patch", value_name = "FILE")]
    patches: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Explore every interleaving of a scenario and report deadlocks and safety violations.
    Check {
        scenario: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Follow one schedule (from a report's `Replay:` line) instead of searching.
        #[arg(long, value_name = "SCHEDULE")]
        replay: Option<String>,
        #[command(flatten)]
        pictures: Pictures,
    },
    /// Run a scenario once in virtual time and print what the kernel would log
    /// (hung-task reports, RCU Tasks stall warnings, the proposed watchdogs).
    Run(run::RunArgs),
    /// Write a scenario as a self-contained C program for a real kernel.
    #[command(name = "emit-c")]
    EmitC(oracle::EmitArgs),
    /// Run a scenario's C program on the running kernel and compare with the model.
    Oracle(oracle::OracleArgs),
    /// Random process-lifecycle programs, each run on the model and on the running kernel.
    Fuzz(oracle::FuzzArgs),
    /// Run every scenario of a directory against the kernels of its `//! expect` lines.
    Test {
        dir: PathBuf,
        #[command(flatten)]
        search: SearchArgs,
    },
    /// List the built-in kernel models, or export one as files.
    Kernels {
        /// Write built-in model NAME into DIR, to edit and check with `--kernel DIR`.
        #[arg(long, num_args = 2, value_names = ["NAME", "DIR"])]
        export: Option<Vec<String>>,
        /// List the primitives model code may call (what the kernel does under one lock).
        #[arg(long)]
        primitives: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check { scenario, search, format, replay, pictures } => {
            cmd_check(&scenario, &search, format, replay.as_deref(), &pictures)
        }
        Command::Test { dir, search } => cmd_test(&dir, &search),
        Command::Run(args) => run::cmd_run(&args),
        Command::EmitC(args) => oracle::cmd_emit_c(&args),
        Command::Oracle(args) => oracle::cmd_oracle(&args),
        Command::Fuzz(args) => oracle::cmd_fuzz(&args),
        Command::Kernels { export, primitives } => {
            if primitives {
                print_primitives()
            } else {
                cmd_kernels(export)
            }
        }
    };
    ExitCode::from(code)
}

fn usage_error(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

fn resolve_kernel(spec: &str) -> Result<KernelModel, String> {
    if let Some(m) = models::builtin(spec) {
        return Ok(m);
    }
    let p = Path::new(spec);
    if p.is_dir() {
        return models::load_dir(p);
    }
    Err(format!(
        "unknown kernel model `{spec}`: not a built-in ({}) nor a directory",
        models::builtin_names().join(", ")
    ))
}

/// The `--patch` files: (name as given, text).
fn read_patches(search: &KernelArgs) -> Result<Vec<(String, String)>, String> {
    search
        .patches
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

/// A kernel model with the `--patch` files applied.
fn patched(mut model: KernelModel, patches: &[(String, String)]) -> Result<KernelModel, String> {
    for (name, text) in patches {
        models::apply_patch(&mut model, name, text)?;
    }
    Ok(model)
}

fn kernels_of(search: &KernelArgs, exps: &[expect::Expectation]) -> Result<Vec<KernelModel>, String> {
    let mut names: Vec<String> = search.kernels.clone();
    if search.all_kernels {
        names = models::builtin_names().into_iter().map(String::from).collect();
    }
    if names.is_empty() {
        // The kernels the scenario states expectations for, else the default.
        for e in exps {
            for k in &e.kernels {
                if !names.contains(k) && models::builtin(k).is_some() {
                    names.push(k.clone());
                }
            }
        }
        names.sort_by_key(|n| models::builtin_names().iter().position(|b| b == n));
    }
    if names.is_empty() {
        names.push("v6.1".into());
    }
    let patches = read_patches(search)?;
    names.iter().map(|n| patched(resolve_kernel(n)?, &patches)).collect()
}

fn options(search: &SearchArgs, interrupt: Arc<AtomicBool>) -> Result<Options, String> {
    let time_limit = match search.time_limit {
        Some(s) if !(s.is_finite() && s >= 0.0) => return Err(format!("--time-limit {s}: not a number of seconds")),
        Some(s) => Some(Duration::try_from_secs_f64(s).map_err(|_| format!("--time-limit {s}: too many seconds"))?),
        None => None,
    };
    let (memory_limit, default_memory_limit) = match &search.memory_limit {
        Some(s) => (
            Some(parse_size(s).ok_or_else(|| format!("--memory-limit {s}: write a size like 4G, 500M or 2000000"))?),
            false,
        ),
        None => (crate::explore::default_memory_limit(), true),
    };
    let random = search.random.map(|n| RandomConfig {
        schedules: n,
        seed: search.seed,
        max_steps: search.max_depth.unwrap_or(RandomConfig::default().max_steps),
        ..RandomConfig::default()
    });
    Ok(Options {
        bounds: Bounds {
            max_states: search.max_states,
            max_depth: search.max_depth,
            max_preemptions: search.max_preemptions,
            max_delays: match search.max_delays {
                Some(DelayBound::At(k)) => Some(k),
                Some(DelayBound::Auto) => Some(0),
                None => None,
            },
            time_limit,
            memory_limit,
        },
        default_memory_limit,
        interrupt: Some(interrupt),
        progress: progress_line(memory_limit),
        random,
        threads: match search.threads {
            Some(0) => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Some(n) => n,
            None => 1,
        },
        diagnose: None,
        full_trace: search.full_trace,
        no_reduction: search.no_reduction,
        no_symmetry: search.no_symmetry || search.no_reduction,
        run_every_step: search.run_every_step,
        no_sleep_sets: search.no_sleep_sets || search.no_reduction,
        census: search.census,
        deepen_delays: search.max_delays == Some(DelayBound::Auto),
        preempt_frontier: None,
        order: match search.search {
            SearchOrder::Bfs => crate::explore::Order::BreadthFirst,
            SearchOrder::Dfs => crate::explore::Order::DepthFirst,
            SearchOrder::Preempt => crate::explore::Order::FewestPreemptions,
        },
    })
}

/// `--max-delays`: a bound, or `auto` (raise it until the search ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DelayBound {
    At(u32),
    Auto,
}

fn parse_delay_bound(s: &str) -> Result<DelayBound, String> {
    if s.trim() == "auto" {
        return Ok(DelayBound::Auto);
    }
    match s.trim().parse::<u32>() {
        Ok(k) if k <= crate::check::MAX_DELAY_BOUND => Ok(DelayBound::At(k)),
        _ => Err(format!("write a number of delays from 0 to {}, or auto", crate::check::MAX_DELAY_BOUND)),
    }
}

/// `4G`, `500M`, `64K` or plain bytes.
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'G' | 'g') => (&s[..i], 1u64 << 30),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'K' | 'k') => (&s[..i], 1 << 10),
        _ => (s, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * mult as f64) as u64)
}

/// A progress line on stderr (states, states/s, frontier, depth, memory
/// and the memory limit), only when stderr is a terminal.
fn progress_line(memory_limit: Option<u64>) -> Option<ProgressFn> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    /// The line goes away with the search's options.
    struct Line(indicatif::ProgressBar);
    impl Drop for Line {
        fn drop(&mut self) {
            self.0.finish_and_clear();
        }
    }
    let bar = Line(indicatif::ProgressBar::new_spinner());
    bar.0.set_style(indicatif::ProgressStyle::with_template("{spinner} {msg}").ok()?);
    Some(Arc::new(move |p: &Progress| {
        let bar = &bar.0;
        let rate = if p.seconds > 0.0 { p.states as f64 / p.seconds } else { 0.0 };
        let limit = memory_limit.map(|l| format!(" of {} MiB", l >> 20)).unwrap_or_default();
        let mem = crate::explore::resident_bytes().map(|b| format!(", {} MiB{limit}", b >> 20)).unwrap_or_default();
        bar.set_message(format!(
            "{} states ({:.0}/s), frontier {}, depth {}{mem}",
            p.states, rate, p.frontier, p.depth
        ));
        bar.tick();
    }))
}

fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // A second handler cannot be installed (tests call twice): then Ctrl-C just kills.
    let _ = ctrlc::set_handler(move || f.store(true, std::sync::atomic::Ordering::Relaxed));
    flag
}

fn read_scenario(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Build and check one scenario against one kernel model; Err is the rendered diagnostics.
fn check_one(
    name: &str,
    text: &str,
    model: &KernelModel,
    opts: &Options,
    replay: Option<&str>,
) -> Result<CheckResult, String> {
    let mut map = SourceMap::default();
    let color = std::io::stderr().is_terminal();
    let (mut sys, _) = check::build(&mut map, model, name, text).map_err(|d| diag::render(&map, &d, color))?;
    sys.set_reductions(!opts.no_reduction);
    // check() itself leaves it off for random schedules and schedule
    // bounds; a replay follows its schedule without a visited set.
    sys.set_symmetry(!opts.no_symmetry);
    match replay {
        Some(s) => check::replay_schedule(&map, &sys, &model.name, s),
        None => Ok(check::check(&map, &sys, &model.name, opts)),
    }
}

/// A finding on any kernel wins; then a model that could not go on (the
/// scenario used what it does not cover, or a patched model is wrong: bad
/// input, as a compile error is); then a bound that was hit.
fn exit_code(results: &[CheckResult]) -> u8 {
    if results.iter().any(|r| !matches!(r.verdict, Verdict::Ok | Verdict::Incomplete | Verdict::ModelError)) {
        EXIT_FOUND
    } else if results.iter().any(|r| r.verdict == Verdict::ModelError) {
        EXIT_USAGE
    } else if results.iter().any(|r| r.verdict == Verdict::Incomplete) {
        EXIT_INCOMPLETE
    } else {
        EXIT_OK
    }
}

fn cmd_check(path: &Path, search: &SearchArgs, format: Format, replay: Option<&str>, pictures: &Pictures) -> u8 {
    let text = match read_scenario(path) {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let exps = match expect::parse(&text) {
        Ok(e) => e,
        Err((line, msg)) => return usage_error(&format!("{}:{line}:1: {msg}", path.display())),
    };
    let kernels = match kernels_of(&search.kernel, &exps) {
        Ok(k) => k,
        Err(e) => return usage_error(&e),
    };
    let mut opts = match options(search, interrupt_flag()) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    if search.threads.is_none() {
        // The kernels run side by side, one core each: the cores they leave
        // go to the breadth-first search's threads.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        opts.threads = (cores / kernels.len().max(1)).max(1);
    }
    let tunables = match search.detectors.tunables() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let name = path.display().to_string();
    // The kernels are checked side by side, one core each: every search is
    // deterministic on its own, and the results are reported in kernel order.
    let checked: Vec<Result<CheckResult, String>> = {
        use rayon::prelude::*;
        kernels
            .par_iter()
            .with_max_len(1)
            .map(|m| {
                let opts =
                    Options { diagnose: Some((tunables.clone(), crate::diagnose::Features::of(m))), ..opts.clone() };
                check_one(&name, &text, m, &opts, replay)
            })
            .collect()
    };
    let mut results = Vec::new();
    for r in checked {
        match r {
            Ok(r) => results.push(r),
            Err(rendered) => {
                eprint!("{rendered}");
                return EXIT_USAGE;
            }
        }
    }
    let comparisons =
        if replay.is_none() { fix_beside_bug(&name, &text, &results, &kernels, &opts) } else { Vec::new() };
    if let Err(e) = write_pictures(&name, &text, &results, &kernels, &exps, &comparisons, pictures) {
        return usage_error(&e);
    }
    match format {
        Format::Json => println!("{}", crate::report::json::render_with(&name, &results, &comparisons, true)),
        Format::Text => {
            if results.len() > 1 {
                print!("{}", matrix(&name, &results, &exps));
                println!();
            }
            for r in &results {
                if results.len() > 1 && r.verdict == Verdict::Ok {
                    continue;
                }
                println!("{}", crate::report::text::render(&name, r));
            }
            for c in &comparisons {
                println!("{}", crate::check::compare::render(c));
            }
        }
    }
    exit_code(&results)
}

/// Each kernel without a finding beside the first that deadlocks: the
/// deadlock's schedule replayed on it.
fn fix_beside_bug(
    name: &str,
    text: &str,
    results: &[CheckResult],
    kernels: &[KernelModel],
    opts: &Options,
) -> Vec<crate::check::compare::Comparison> {
    let Some(bug) = results.iter().find(|r| r.verdict == Verdict::Deadlock) else { return Vec::new() };
    let mut out = Vec::new();
    for (r, m) in results.iter().zip(kernels) {
        if r.verdict != Verdict::Ok {
            continue;
        }
        let mut map = SourceMap::default();
        let Ok((mut sys, _)) = check::build(&mut map, m, name, text) else { continue };
        sys.set_reductions(!opts.no_reduction);
        if let Some(c) = crate::check::compare::compare(bug, &map, &sys, &m.name) {
            out.push(c);
        }
    }
    out
}

/// The result the pictures show: the first kernel's with a deadlock, else
/// the first with a trace, else the first.
fn pictured(results: &[CheckResult]) -> Option<&CheckResult> {
    results
        .iter()
        .find(|r| r.verdict == Verdict::Deadlock)
        .or_else(|| results.iter().find(|r| !r.trace.is_empty()))
        .or_else(|| results.first())
}

/// Write the `--dot`, `--svg` and `--report` files.
fn write_pictures(
    name: &str,
    text: &str,
    results: &[CheckResult],
    kernels: &[KernelModel],
    exps: &[expect::Expectation],
    comparisons: &[crate::check::compare::Comparison],
    pictures: &Pictures,
) -> Result<(), String> {
    let Some(r) = pictured(results) else { return Ok(()) };
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = &pictures.dot {
        write(path, crate::report::dot::render(name, r))?;
    }
    if let Some(path) = &pictures.svg {
        write(path, crate::report::svg::render(name, r))?;
    }
    if let Some(path) = &pictures.html {
        let rows: Vec<crate::report::html::Row> = results
            .iter()
            .map(|r| crate::report::html::Row { result: r, expectation: expectation_text(exps, r) })
            .collect();
        let mut sources = std::collections::BTreeMap::new();
        sources.insert(name.to_string(), text.to_string());
        if let Some(m) = kernels.iter().find(|m| m.name == r.kernel) {
            for (file, body) in &m.files {
                sources.insert(file.clone(), body.clone());
            }
        }
        let compared: Vec<String> = comparisons.iter().map(crate::check::compare::render).collect();
        write(path, crate::report::html::render(name, &rows, r, &sources, &compared))?;
    }
    Ok(())
}

/// What the scenario expects of the kernel, and whether the result meets it.
fn expectation_text(exps: &[expect::Expectation], r: &CheckResult) -> Option<String> {
    expect::for_kernel(exps, &r.kernel).map(|e| match expect::meets(e, r) {
        Ok(()) => "as expected".to_string(),
        Err(why) => format!("UNEXPECTED: {why}"),
    })
}

/// The verdict matrix of one scenario over several kernels.
fn matrix(name: &str, results: &[CheckResult], exps: &[expect::Expectation]) -> String {
    let mut s = format!("{name}\n");
    for r in results {
        let exp = expectation_text(exps, r);
        s.push_str(&format!(
            "  {:<12} {:<26} {:>8} states{}\n",
            r.kernel,
            r.verdict.as_str(),
            r.stats.states,
            exp.map(|e| format!("  ({e})")).unwrap_or_default()
        ));
    }
    // The `ok` kernels get no report of their own: say here which searches
    // stepped back from symmetry reduction, and why.
    let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in results.iter().filter(|r| r.verdict == Verdict::Ok) {
        let Some(dropped) = &r.symmetry_dropped else { continue };
        let why = dropped.why.as_str();
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, kernels)) => kernels.push(&r.kernel),
            None => reasons.push((why, vec![&r.kernel])),
        }
    }
    for (why, kernels) in reasons {
        s.push_str(&format!("  searched without symmetry reduction on {}: {why}\n", kernels.join(", ")));
    }
    s
}

fn cmd_test(dir: &Path, search: &SearchArgs) -> u8 {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => {
            rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "c")).collect()
        }
        Err(e) => return usage_error(&format!("cannot read {}: {e}", dir.display())),
    };
    files.sort();
    let opts = match options(search, interrupt_flag()) {
        Ok(o) => o,
        Err(e) => return usage_error(&e),
    };
    let patches = match read_patches(&search.kernel) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let only: Vec<String> = search.kernel.kernels.clone();
    // One line per check, in file and kernel order: either settled while
    // reading (a file or kernel that is no good) or a check to run.
    enum Line {
        Done(bool, String),
        Check { name: String, text: Arc<String>, exp: expect::Expectation, kernel: String, model: Box<KernelModel> },
    }
    let mut lines = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = match read_scenario(&f) {
            Ok(t) => Arc::new(t),
            Err(e) => {
                lines.push(Line::Done(false, format!("FAIL {name}: {e}")));
                continue;
            }
        };
        let exps = match expect::parse(&text) {
            Ok(e) => e,
            Err((line, msg)) => {
                lines.push(Line::Done(false, format!("FAIL {name}:{line}: {msg}")));
                continue;
            }
        };
        if exps.is_empty() {
            lines.push(Line::Done(false, format!("FAIL {name}: no `//! expect` line")));
            continue;
        }
        for e in &exps {
            for k in &e.kernels {
                if !only.is_empty() && !only.contains(k) {
                    continue;
                }
                let model = match resolve_kernel(k) {
                    Ok(m) => m,
                    Err(err) => {
                        lines.push(Line::Done(false, format!("FAIL {name} [{k}]: {err}")));
                        continue;
                    }
                };
                // A patch that does not apply is bad input, as with `check`.
                let model = match patched(model, &patches) {
                    Ok(m) => m,
                    Err(err) => return usage_error(&err),
                };
                let (name, text, exp, kernel) = (name.clone(), text.clone(), e.clone(), k.clone());
                lines.push(Line::Check { name, text, exp, kernel, model: Box::new(model) });
            }
        }
    }
    // The checks run side by side on all cores; each is deterministic, and
    // the lines come out in the order above.
    let outcomes: Vec<(bool, String)> = {
        use rayon::prelude::*;
        lines
            .into_par_iter()
            .with_max_len(1)
            .map(|line| match line {
                Line::Done(ok, text) => (ok, text),
                Line::Check { name, text, exp, kernel, model } => match check_one(&name, &text, &model, &opts, None) {
                    Ok(r) => match expect::meets(&exp, &r) {
                        Ok(()) => (
                            true,
                            format!("ok   {name} [{kernel}]: {} ({} states)", r.verdict.as_str(), r.stats.states),
                        ),
                        Err(why) => (false, format!("FAIL {name} [{kernel}]: {why}")),
                    },
                    Err(rendered) => (false, format!("FAIL {name} [{kernel}]: does not compile\n{rendered}")),
                },
            })
            .collect()
    };
    let (mut passed, mut failed) = (0, 0);
    for (ok, text) in outcomes {
        println!("{text}");
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        EXIT_FOUND
    } else {
        EXIT_OK
    }
}

fn print_primitives() -> u8 {
    use crate::kernel::prims::{PrimFn, Visibility, PRIMS};
    println!("Primitives of the kernel object model (a scheduling point: the step ends before it, unless a spinlock is held):");
    for p in PRIMS {
        let params: Vec<String> = p.params.iter().map(|t| t.to_string()).collect();
        let kind = match p.f {
            PrimFn::Pure(_) => "reads",
            PrimFn::Mut(_) | PrimFn::Effect(_) => "writes",
        };
        println!(
            "  {:<28} ({}) -> {}  [{kind}{}]",
            p.name,
            params.join(", "),
            p.ret,
            match p.visible {
                Visibility::Always => ", scheduling point",
                Visibility::OtherThreads => ", scheduling point while another thread of the process is left",
                Visibility::Never => "",
            }
        );
    }
    println!("Builtins: wait_event(state, cond), wait_event_daemon(state, cond), set_current_state(s), __set_current_state(s), schedule(), schedule_timeout_idle(t), panic(msg), WARN_ON(cond); objects: current, tasklist_lock, pidmap_lock, tasks_rcu_exit_srcu");
    EXIT_OK
}

fn cmd_kernels(export: Option<Vec<String>>) -> u8 {
    if let Some(args) = export {
        let (name, dir) = (&args[0], Path::new(&args[1]));
        let Some(m) = models::builtin(name) else {
            return usage_error(&format!(
                "unknown built-in kernel model `{name}` ({})",
                models::builtin_names().join(", ")
            ));
        };
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage_error(&format!("cannot create {}: {e}", dir.display()));
        }
        for (file, text) in &m.files {
            let base = file.rsplit('/').next().unwrap_or(file);
            if let Err(e) = std::fs::write(dir.join(base), text) {
                return usage_error(&format!("cannot write {}: {e}", dir.join(base).display()));
            }
        }
        println!(
            "exported {name} to {} ({} files); check against it with --kernel {}",
            dir.display(),
            m.files.len(),
            dir.display()
        );
        return EXIT_OK;
    }
    for n in models::builtin_names() {
        if let Some(m) = models::builtin(n) {
            println!(
                "{:<12} {}\n{:<12} kernels: {}\n{:<12} commits: {}",
                m.name, m.description, "", m.versions, "", m.commits
            );
        }
    }
    EXIT_OK
}
