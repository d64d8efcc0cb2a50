//! Hung sets are sound: for every scenario of the corpus where the search
//! reports one, an exhaustive search onward from the reported state finds no
//! state in which a member of the set can take a step.

use std::collections::HashSet;
use std::path::Path;

use taskcheck::check::{self, expect};
use taskcheck::explore::{self, Finding, Model, SearchConfig};
use taskcheck::kernel::models;
use taskcheck::kernel::system::System;
use taskcheck::lang::diag::SourceMap;

/// States reachable from `start`, at most `limit`: whether any member of
/// `stuck` has a step in one of them (the offending actor), and how many
/// states were seen.
fn onward(sys: &System, start: taskcheck::kernel::Kernel, stuck: u64, limit: usize) -> (Option<usize>, usize) {
    let mut seen = HashSet::new();
    seen.insert(sys.fingerprint(&start));
    let mut queue = vec![start];
    let mut steps = Vec::new();
    while let Some(s) = queue.pop() {
        steps.clear();
        sys.steps(&s, &mut steps);
        for &st in &steps {
            let actor = sys.actor(st);
            if stuck & (1 << actor) != 0 {
                return (Some(actor), seen.len());
            }
            if let Ok(n) = sys.next(&s, st) {
                if seen.len() < limit && seen.insert(sys.fingerprint(&n)) {
                    queue.push(n);
                }
            }
        }
    }
    (None, seen.len())
}

#[test]
fn no_member_of_a_reported_hung_set_ever_moves_again() {
    let files = crate::corpus_files();
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for e in expect::parse(&text).unwrap() {
            if e.verdict != "deadlock" {
                continue;
            }
            for k in &e.kernels {
                let model = models::builtin(k).unwrap();
                let mut map = SourceMap::default();
                let (sys, _) = check::build(&mut map, &model, "s.c", &text).unwrap();
                let config = SearchConfig { hung_sets: true, ..SearchConfig::default() };
                let out = explore::search(&sys, &config);
                let Some(Finding::Deadlock { stuck, trace, terminal: false }) = out.finding else { continue };
                let mut s = sys.initial().unwrap();
                for &st in &trace {
                    s = sys.next(&s, st).unwrap();
                }
                assert_eq!(sys.hung(&s), stuck, "{} [{k}]: the trace does not lead to the hung set", f.display());
                let (moved, states) = onward(&sys, s, stuck, 300_000);
                assert!(states < 300_000, "{} [{k}]: the onward search was cut at {states} states", f.display());
                assert!(
                    moved.is_none(),
                    "{} [{k}]: task #{} of the hung set {stuck:#b} moves again ({states} states onward)",
                    f.display(),
                    moved.unwrap_or(0)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "only {checked} hung sets were checked");
}

/// Random schedules over `scenario` (in tests/integration/hung_cases/) on
/// `kernel`, hung sets checked at every step: the finding, if any.
fn random_finding(scenario: &str, kernel: &str, schedules: u64) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/hung_cases").join(scenario);
    let text = std::fs::read_to_string(path).unwrap();
    let model = models::builtin(kernel).unwrap();
    let mut map = SourceMap::default();
    let (sys, _) = check::build(&mut map, &model, scenario, &text).unwrap();
    let config = SearchConfig { hung_sets: true, ..SearchConfig::default() };
    let rc = explore::RandomConfig { schedules, seed: 1, ..explore::RandomConfig::default() };
    explore::random_search(&sys, &config, &rc).outcome.finding.map(|f| match f {
        Finding::Deadlock { stuck, .. } => format!("deadlock of {stuck:#b}"),
        Finding::Violation { violation, .. } => format!("{violation:?}"),
    })
}

#[test]
fn another_thread_of_the_parent_process_can_reap_a_zombie() {
    // A thread of main reaps c while main waits for the grace period.
    for k in ["v6.1", "v6.3"] {
        assert_eq!(random_finding("seed_thread_reaps_c.c", k, 300), None, "{k}");
    }
}

#[test]
fn a_thread_past_exit_notify_can_still_end_its_reapers_wait() {
    // c's leader is a zombie held back by a thread that is exiting: its
    // release_task() autoreaps the leader and wakes b in kernel_wait4().
    for k in ["v6.1", "v6.3"] {
        assert_eq!(random_finding("zap_reaps_threaded_child.c", k, 300), None, "{k}");
    }
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/hung_cases/zap_reaps_threaded_child.c"),
    )
    .unwrap();
    let model = models::builtin("v6.1").unwrap();
    let mut map = SourceMap::default();
    let (sys, _) = check::build(&mut map, &model, "zap_reaps_threaded_child.c", &text).unwrap();
    let out =
        explore::search(&sys, &SearchConfig { hung_sets: true, partial_deadlocks: true, ..SearchConfig::default() });
    assert!(out.finding.is_none(), "exhaustive search on v6.1 reports a finding");
}
