//! The search's shortcuts agree with the plain search on random lifecycle
//! programs (`taskcheck fuzz`'s generator: fork trees, waits, kills, PID
//! namespaces, subreapers, threads), not only on the corpus the model was
//! written against: the dead-variable reduction (`--no-reduction`), the
//! successors built from effects (`--run-every-step`), the steps left
//! asleep (`--no-sleep-sets`), and the threads.

use taskcheck::check::{self, CheckResult, Options, Verdict};
use taskcheck::emit::fuzz;
use taskcheck::explore::{Bounds, Order};
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

/// Programs, each on one kernel (v6.1 and v6.3 in turn).
const PROGRAMS: u64 = 32;

/// The program with the seed's cycle beside it: `main` forks a process that
/// runs the random program, then unshares a PID namespace, forks its reaper
/// and another child, and waits in synchronize_rcu_tasks() (a deadlock on
/// v6.1, with the random tasks running beside it), so that the searches
/// have findings to agree on.
fn beside_the_seed(program: &str) -> String {
    program.replacen("int main(void)\n{", "int random_part(void)\n{", 1)
        + "\nint main(void)\n{\n\tpid_t h = fork();\n\tif (h == 0) {\n\t\trandom_part();\n\t\t_exit(0);\n\t}\n\
           \tunshare(CLONE_NEWPID);\n\tpid_t b = fork();\n\tif (b == 0)\n\t\t_exit(0);\n\
           \tpid_t c = fork();\n\tif (c == 0)\n\t\t_exit(0);\n\tsynchronize_rcu_tasks();\n\
           \twaitpid(c, NULL, 0);\n\twaitpid(b, NULL, 0);\n\twaitpid(h, NULL, 0);\n\treturn 0;\n}\n"
}

/// `outcome` without the transitions, which sleep sets take fewer of.
fn states_and_trace(r: &CheckResult) -> String {
    format!("{:?} states={} depth={} schedule={:?}", r.verdict, r.stats.states, r.stats.max_depth, r.schedule)
}

fn outcome(r: &CheckResult) -> String {
    format!(
        "{:?} states={} transitions={} depth={} schedule={:?}",
        r.verdict, r.stats.states, r.stats.transitions, r.stats.max_depth, r.schedule
    )
}

#[test]
fn reduction_effects_and_threads_agree_with_the_plain_search_on_random_programs() {
    let mut bad = Vec::new();
    let (mut complete, mut found) = (0u64, 0u64);
    for seed in 0..PROGRAMS {
        let program = fuzz::render(&fuzz::generate(seed / 2), "random lifecycle program");
        let text = if seed % 2 == 0 { program } else { beside_the_seed(&program) };
        let k = if (seed / 2) % 2 == 0 { "v6.1" } else { "v6.3" };
        let model = models::builtin(k).expect("a built-in kernel");
        let mut map = SourceMap::default();
        let (sys, _) = match check::build(&mut map, &model, "random.c", &text) {
            Ok(built) => built,
            Err(_) => {
                bad.push(format!("program {seed} [{k}]: does not compile:\n{text}"));
                continue;
            }
        };
        let (mut plain, _) = check::build(&mut map, &model, "random.c", &text).expect("compiled once");
        plain.set_reductions(false);
        let bounds = Bounds { max_states: Some(30_000), ..Default::default() };
        let bfs = Options { order: Order::BreadthFirst, threads: 1, bounds: bounds.clone(), ..Options::default() };
        let base = check::check(&map, &sys, k, &bfs);
        let base_preempt = check::check(&map, &sys, k, &Options { order: Order::FewestPreemptions, ..bfs.clone() });
        // Every step taken: the same states in the same order, so the same
        // outcome under the same bound, with more transitions.
        let every = Options { no_sleep_sets: true, ..bfs.clone() };
        let taken = check::check(&map, &sys, k, &every);
        if states_and_trace(&taken) != states_and_trace(&base) {
            bad.push(format!(
                "program {seed} [{k}] every step taken: {} against {} with sleep sets",
                states_and_trace(&taken),
                states_and_trace(&base)
            ));
        }
        let every_preempt = Options { order: Order::FewestPreemptions, ..every.clone() };
        let taken_preempt = check::check(&map, &sys, k, &every_preempt);
        // Fewest preemptions first, turning breadth-first early, where
        // the threads take over.
        let preempt = Options { order: Order::FewestPreemptions, preempt_frontier: Some(64), ..bfs.clone() };
        let handed_over = check::check(&map, &sys, k, &preempt);
        // Same order, same bound: the very same outcome, state for state.
        for (what, expect, other) in [
            ("two threads", &base, check::check(&map, &sys, k, &Options { threads: 2, ..bfs.clone() })),
            ("every step run", &taken, check::check(&map, &sys, k, &Options { run_every_step: true, ..every.clone() })),
            (
                "fewest preemptions, every step run",
                &taken_preempt,
                check::check(&map, &sys, k, &Options { run_every_step: true, ..every_preempt.clone() }),
            ),
            (
                "fewest preemptions turning breadth-first, two threads",
                &handed_over,
                check::check(&map, &sys, k, &Options { threads: 2, ..preempt.clone() }),
            ),
        ] {
            if outcome(&other) != outcome(expect) {
                bad.push(format!("program {seed} [{k}] {what}: {} against {}", outcome(&other), outcome(expect)));
            }
        }
        // Every search that completes finds something exactly when the
        // others do (which finding comes first may differ between orders);
        // the plain search has at least as many states.
        let unreduced = check::check(&map, &plain, k, &Options { no_reduction: true, ..bfs.clone() });
        let unreduced_preempt = check::check(
            &map,
            &plain,
            k,
            &Options { no_reduction: true, order: Order::FewestPreemptions, ..bfs.clone() },
        );
        let dfs = check::check(&map, &sys, k, &Options { order: Order::DepthFirst, ..bfs.clone() });
        let searches = [
            ("breadth-first", &base),
            ("plain", &unreduced),
            ("fewest preemptions", &base_preempt),
            ("plain, fewest preemptions", &unreduced_preempt),
            ("depth-first", &dfs),
        ];
        let done: Vec<_> = searches.iter().filter(|(_, r)| r.verdict != Verdict::Incomplete).collect();
        let finds = |r: &CheckResult| r.verdict != Verdict::Ok;
        if let Some((first, r)) = done.first() {
            complete += 1;
            found += u64::from(finds(r));
            for (what, other) in &done[1..] {
                if finds(other) != finds(r) {
                    bad.push(format!(
                        "program {seed} [{k}] {what}: {:?} against {:?} of {first}",
                        other.verdict, r.verdict
                    ));
                }
            }
        }
        if base.verdict == Verdict::Ok && unreduced.verdict == Verdict::Ok && unreduced.stats.states < base.stats.states
        {
            bad.push(format!(
                "program {seed} [{k}]: the plain search has fewer states ({}) than the reduced one ({})",
                unreduced.stats.states, base.stats.states
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(complete >= PROGRAMS / 2, "only {complete} of {PROGRAMS} searches completed");
    assert!(found >= 4 && found < complete, "{found} of {complete} complete searches found something");
}
