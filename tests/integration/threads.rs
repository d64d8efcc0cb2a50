//! The search on two threads gives the outcome of one thread: the same
//! verdict, the same trace, the same state and transition counts.

use std::path::Path;

use taskcheck::check::{self, Options};
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

fn outcome(scenario: &str, kernel: &str, threads: usize) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin(kernel).unwrap();
    let (sys, _) = check::build(&mut map, &model, scenario, &text).unwrap();
    let mut r = check::check(&map, &sys, kernel, &Options { threads, ..Options::default() });
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
