//! The search on two threads gives the outcome of one thread: the same
//! verdict, the same trace, the same state and transition counts.

use std::path::Path;

use taskcheck::check::{self, Options};
use taskcheck::explore::Order;
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

fn outcome(scenario: &str, kernel: &str, threads: usize) -> String {
    outcome_with(scenario, kernel, &Options { threads, ..Options::default() })
}

fn outcome_with(scenario: &str, kernel: &str, opts: &Options) -> String {
    outcome_of(scenario, kernel, opts, false)
}

fn outcome_of(scenario: &str, kernel: &str, opts: &Options, symmetry: bool) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin(kernel).unwrap();
    let (mut sys, _) = check::build(&mut map, &model, scenario, &text).unwrap();
    sys.set_symmetry(symmetry);
    let mut r = check::check(&map, &sys, kernel, opts);
    r.stats.seconds = 0.0;
    let trace: Vec<String> =
        r.trace.iter().map(|s| format!("{} {} {}", s.task, s.action, s.events.join("; "))).collect();
    format!(
        "{} {:?} {:?} {} {}\n{}",
        r.verdict.as_str(),
        r.stats,
        r.stop,
        r.message.unwrap_or_default(),
        r.schedule,
        trace.join("\n")
    )
}

#[test]
fn two_threads_give_the_verdict_trace_and_state_count_of_one() {
    let scenarios = [
        "seed_unshare_deadlock.c",
        "seed_deadlock_beside_a_running_task.c",
        "exit_tail_trampoline.c",
        "reaper_waits_child_in_gp.c",
        "zap_waits_for_outside_parent.c",
        "fork_interrupted_by_sigkill.c",
        "sigchld_ignored_autoreap.c",
    ];
    for s in scenarios {
        for k in models::builtin_names() {
            assert_eq!(outcome(s, k, 1), outcome(s, k, 2), "{s} on {k}");
        }
    }
}

#[test]
fn with_symmetry_two_threads_give_the_outcome_of_one() {
    // The state a class of renamings is known by is the first met: the
    // threads must meet them in the order one thread does.
    let scenarios = [
        "seed_unshare_deadlock.c",
        "symmetric_forks_two_parents.c",
        "symmetric_forks_wait_any.c",
        "seed_deadlock_beside_a_running_task.c",
        "orphan_to_ns_init.c",
    ];
    for s in scenarios {
        for k in models::builtin_names() {
            for order in [Order::FewestPreemptions, Order::BreadthFirst] {
                let opts = |threads| Options { threads, order, preempt_frontier: Some(64), ..Options::default() };
                assert_eq!(outcome_of(s, k, &opts(1), true), outcome_of(s, k, &opts(2), true), "{s} on {k}");
            }
        }
    }
}

#[test]
fn fewest_preemptions_first_hands_over_to_two_threads_with_the_outcome_of_one() {
    // A small frontier makes the default order turn breadth-first early,
    // with the frontier out of index order: on two threads the rest of the
    // search (and the partial-deadlock graph) must be that of one thread.
    let scenarios = [
        "seed_unshare_deadlock.c",
        "seed_reap_before_sync.c",
        "seed_sa_nocldwait.c",
        "threaded_reaper_zap_in_thread.c",
        "reaper_waits_child_in_gp.c",
    ];
    for s in scenarios {
        for k in models::builtin_names() {
            let opts = |threads| Options {
                threads,
                order: Order::FewestPreemptions,
                preempt_frontier: Some(64),
                ..Options::default()
            };
            assert_eq!(outcome_with(s, k, &opts(1)), outcome_with(s, k, &opts(2)), "{s} on {k}");
        }
    }
}
