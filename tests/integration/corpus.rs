//! Every scenario of `scenarios/` meets the `//! expect` line of each built-in
//! kernel it names, and every deadlock's trace as shown (sliced to the steps
//! that matter to it) replays to the same wait-for cycle. The (scenario, kernel) checks run on all cores; each
//! check is deterministic, so the order they finish in changes nothing.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use taskcheck::check::{self, expect, Options};
use taskcheck::explore::{Order, RandomConfig};
use taskcheck::kernel::models;
use taskcheck::kernel::system::System;
use taskcheck::lang::diag::{self, SourceMap};

/// The shown trace of a deadlock (sliced, unless `--full-trace`) replays to
/// the same wait-for cycle. Returns the steps the slice left out.
fn slice_replays(map: &SourceMap, sys: &System, k: &str, name: &str, r: &check::CheckResult) -> Result<usize, String> {
    if r.verdict != check::Verdict::Deadlock {
        return Ok(0);
    }
    let again = check::replay_schedule(map, sys, k, &r.schedule).map_err(|e| format!("{name} [{k}]: {e}"))?;
    let cycle = |r: &check::CheckResult| r.cycle.iter().map(|w| w.task.clone()).collect::<Vec<_>>();
    if again.verdict != check::Verdict::Deadlock || cycle(&again) != cycle(r) {
        return Err(format!(
            "{name} [{k}]: the shown trace ({} steps, {} left out) replays to {:?} {:?}, not to the cycle {:?}",
            r.trace.len(),
            r.left_out,
            again.verdict,
            cycle(&again),
            cycle(r)
        ));
    }
    Ok(r.left_out)
}

/// Steps left out of traces, and states the dead-variable reduction saved.
fn run_one(f: &Path, text: &str, e: &expect::Expectation, k: &str) -> Result<(usize, u64), String> {
    let name = f.file_name().unwrap().to_string_lossy().to_string();
    let model = models::builtin(k).ok_or_else(|| format!("{name}: unknown kernel {k}"))?;
    let mut map = SourceMap::default();
    let (mut sys, _) = check::build(&mut map, &model, &name, text)
        .map_err(|d| format!("{name} [{k}]: does not compile\n{}", diag::render(&map, &d, false)))?;
    let r = check::check(&map, &sys, k, &Options::default());
    expect::meets(e, &r).map_err(|why| format!("{name} [{k}]: {why}"))?;
    let mut left_out = slice_replays(&map, &sys, k, &name, &r)?;
    // The other orders meet the same expectation; without a finding they
    // visit exactly the same states, and the same steps, taken or left
    // asleep (breadth-first leaves some asleep, depth-first none).
    for order in [Order::DepthFirst, Order::FewestPreemptions] {
        let d = check::check(&map, &sys, k, &Options { order, ..Options::default() });
        expect::meets(e, &d).map_err(|why| format!("{name} [{k}] {order:?}: {why}"))?;
        left_out += slice_replays(&map, &sys, k, &name, &d)?;
        let counts = |r: &check::CheckResult| (r.stats.states, r.stats.transitions + r.stats.asleep);
        if r.verdict == check::Verdict::Ok && counts(&d) != counts(&r) {
            return Err(format!(
                "{name} [{k}]: {order:?} visits {:?} (states, steps), breadth-first {:?}",
                counts(&d),
                counts(&r)
            ));
        }
    }
    if r.verdict == check::Verdict::Deadlock {
        // Random schedules wander through bystanders: their traces are the
        // ones slicing shortens.
        let random = Some(RandomConfig { schedules: 20, ..RandomConfig::default() });
        let rr = check::check(&map, &sys, k, &Options { random, ..Options::default() });
        left_out += slice_replays(&map, &sys, k, &name, &rr)?;
    }
    // Sleep sets leave out transitions, never states: breadth-first with
    // every step taken meets the same states in the same order, so it
    // has the same verdict, counts and trace, and takes exactly the steps
    // the search with sleep sets took or left asleep.
    let n = check::check(&map, &sys, k, &Options { no_sleep_sets: true, ..Options::default() });
    let same = |r: &check::CheckResult| (r.verdict, r.stats.states, r.stats.max_depth, r.schedule.clone());
    if same(&n) != same(&r) || n.stats.asleep != 0 {
        return Err(format!("{name} [{k}]: with every step taken {:?}, with sleep sets {:?}", same(&n), same(&r)));
    }
    if r.verdict == check::Verdict::Ok && n.stats.transitions != r.stats.transitions + r.stats.asleep {
        return Err(format!(
            "{name} [{k}]: {} transitions with every step taken, {} taken and {} asleep with sleep sets",
            n.stats.transitions, r.stats.transitions, r.stats.asleep
        ));
    }
    // The reductions merge states and change no verdict: the plain
    // search (`--no-reduction`) meets the same expectation with the same
    // verdict, and where both search everything it visits at least as many.
    sys.set_reductions(false);
    let p = check::check(&map, &sys, k, &Options { no_sleep_sets: true, ..Options::default() });
    expect::meets(e, &p).map_err(|why| format!("{name} [{k}] without reduction: {why}"))?;
    if p.verdict != r.verdict {
        return Err(format!("{name} [{k}]: {} without reduction, {} with", p.verdict.as_str(), r.verdict.as_str()));
    }
    let saved = if r.verdict == check::Verdict::Ok {
        if p.stats.states < r.stats.states {
            return Err(format!("{name} [{k}]: {} states without reduction, {} with", p.stats.states, r.stats.states));
        }
        p.stats.states - r.stats.states
    } else {
        0
    };
    Ok((left_out, saved))
}

#[test]
fn every_scenario_meets_its_expectations_on_every_builtin_kernel() {
    let files = crate::corpus_files();
    assert!(files.len() >= 30, "the corpus is missing");
    let mut jobs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let exps = expect::parse(&text).unwrap_or_else(|(l, m)| panic!("{}:{l}: {m}", f.display()));
        assert!(!exps.is_empty(), "{} has no expectation", f.display());
        let kernels: Vec<&String> = exps.iter().flat_map(|e| e.kernels.iter()).collect();
        for k in models::builtin_names() {
            assert!(kernels.iter().any(|x| x.as_str() == k), "{} has no expectation for {k}", f.display());
        }
        for e in exps {
            for k in e.kernels.clone() {
                jobs.push((f.clone(), text.clone(), e.clone(), k));
            }
        }
    }
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let left_out = AtomicUsize::new(0);
    let saved = std::sync::atomic::AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((f, text, e, k)) = jobs.get(i) else { break };
                match run_one(f, text, e, k) {
                    Ok((n, fewer)) => {
                        left_out.fetch_add(n, Ordering::Relaxed);
                        saved.fetch_add(fewer, Ordering::Relaxed);
                    }
                    Err(why) => failures.lock().unwrap().push(why),
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(failures.is_empty(), "{} of {} checks failed:\n{}", failures.len(), jobs.len(), failures.join("\n"));
    // Corpus traces seldom have steps to leave out (bystanders are rare in
    // exhaustive traces): `reports::slices_of_random_traces_with_bystanders`
    // puts slices that drop steps to the test.
    let _ = left_out.into_inner();
    // A reduction that never merges anything is off.
    assert!(saved.into_inner() > 0, "the dead-variable reduction saved no state on the whole corpus");
}
