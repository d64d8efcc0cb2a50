//! The search's shortcuts agree with the plain search on random lifecycle
//! programs (`taskcheck fuzz`'s generator: fork trees, waits, kills, PID
//! namespaces, subreapers, threads), not only on the corpus the model was
//! written against: the dead-variable reduction (`--no-reduction`), the
//! successors built from effects (`--run-every-step`), and the threads.

use taskcheck::check::{self, CheckResult, Options, Verdict};
use taskcheck::emit::fuzz;
use taskcheck::explore::{Bounds, Order};
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

/// Programs per kernel: enough to reach namespaces, threads and subreapers.
const PROGRAMS: u64 = 24;

fn outcome(r: &CheckResult) -> String {
    format!(
        "{:?} states={} transitions={} depth={} schedule={:?}",
        r.verdict, r.stats.states, r.stats.transitions, r.stats.max_depth, r.schedule
    )
}

#[test]
fn reduction_effects_and_threads_agree_with_the_plain_search_on_random_programs() {
    let mut bad = Vec::new();
    let (mut complete, mut verdicts) = (0, std::collections::BTreeSet::new());
    for seed in 0..PROGRAMS {
        let text = fuzz::render(&fuzz::generate(seed), "// random lifecycle program");
        for k in ["v6.1", "v6.3"] {
            let model = models::builtin(k).expect("a built-in kernel");
            let mut map = SourceMap::default();
            let (sys, _) = match check::build(&mut map, &model, "random.c", &text) {
                Ok(built) => built,
                Err(_) => {
                    bad.push(format!("seed {seed} [{k}]: the generated program does not compile"));
                    continue;
                }
            };
            let (mut plain, _) = check::build(&mut map, &model, "random.c", &text).expect("compiled once");
            plain.keep_dead_locals = true;
            let bounds = Bounds { max_states: Some(30_000), ..Default::default() };
            let bfs = Options { order: Order::BreadthFirst, threads: 1, bounds: bounds.clone(), ..Options::default() };
            let base = check::check(&map, &sys, k, &bfs);
            verdicts.insert(format!("{:?}", base.verdict));
            // Same order, same bound: the very same outcome, state for state.
            for (what, other) in [
                ("two threads", check::check(&map, &sys, k, &Options { threads: 2, ..bfs.clone() })),
                ("every step run", check::check(&map, &sys, k, &Options { run_every_step: true, ..bfs.clone() })),
            ] {
                if outcome(&other) != outcome(&base) {
                    bad.push(format!("seed {seed} [{k}] {what}: {} against {}", outcome(&other), outcome(&base)));
                }
            }
            if base.verdict == Verdict::Incomplete {
                continue;
            }
            complete += 1;
            // A complete search: every order and the plain search find
            // something exactly when it does (which finding comes first may
            // differ between orders), the plain one over at least as many states.
            let unreduced = check::check(&map, &plain, k, &Options { no_reduction: true, ..bfs.clone() });
            let preempt = check::check(&map, &sys, k, &Options { order: Order::FewestPreemptions, ..bfs.clone() });
            let dfs = check::check(&map, &sys, k, &Options { order: Order::DepthFirst, ..bfs.clone() });
            for (what, other) in [("plain", &unreduced), ("fewest preemptions", &preempt), ("depth-first", &dfs)] {
                let found = |v: Verdict| v != Verdict::Ok;
                if other.verdict != Verdict::Incomplete && found(other.verdict) != found(base.verdict) {
                    bad.push(format!("seed {seed} [{k}] {what}: {:?} against {:?}", other.verdict, base.verdict));
                }
            }
            if base.verdict == Verdict::Ok
                && unreduced.verdict == Verdict::Ok
                && unreduced.stats.states < base.stats.states
            {
                bad.push(format!(
                    "seed {seed} [{k}]: the plain search has fewer states ({}) than the reduced one ({})",
                    unreduced.stats.states, base.stats.states
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(complete >= PROGRAMS, "only {complete} of {} searches completed", 2 * PROGRAMS);
    assert!(verdicts.len() >= 2, "every program got the same verdict: {verdicts:?}");
}
