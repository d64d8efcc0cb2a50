//! The search is exhaustive: its state count equals the one an independent
//! search computes (a depth-first walk over the same model that compares whole
//! kernel states, with no fingerprints and no shared code with `explore`).

use std::collections::HashSet;

use taskcheck::check;
use taskcheck::explore::{self, Model, SearchConfig, StopReason};
use taskcheck::kernel::models;
use taskcheck::kernel::Kernel;
use taskcheck::lang::diag::SourceMap;

// A kernel's shared parts cache their hash (interior mutability that never
// changes what the hash is); equality compares the contents.
#[allow(clippy::mutable_key_type)]
fn count_independently(sys: &taskcheck::kernel::system::System) -> usize {
    let mut seen: HashSet<Kernel> = HashSet::new();
    let init = sys.initial().unwrap();
    let mut stack = vec![init.clone()];
    seen.insert(init);
    let mut steps = Vec::new();
    while let Some(s) = stack.pop() {
        steps.clear();
        sys.steps(&s, &mut steps);
        for &st in &steps {
            if let Ok(n) = sys.next(&s, st) {
                if seen.insert(n.clone()) {
                    stack.push(n);
                }
            }
        }
    }
    seen.len()
}

fn system(src: &str) -> taskcheck::kernel::system::System {
    let mut map = SourceMap::default();
    let model = models::builtin("v6.1").unwrap();
    check::build(&mut map, &model, "t.c", src).map_err(|d| taskcheck::lang::diag::render(&map, &d, false)).unwrap().0
}

fn bfs_states(sys: &taskcheck::kernel::system::System) -> u64 {
    let out = explore::search(sys, &SearchConfig::default());
    assert_eq!(out.stop, StopReason::Complete);
    assert!(out.finding.is_none(), "{:?}", out.finding.map(|_| "finding"));
    out.stats.states
}

#[test]
fn bfs_counts_the_same_states_as_an_independent_dfs_for_fork_and_wait() {
    let sys = system("int main(void) { int s; pid_t c = fork(); if (c == 0) _exit(3); waitpid(c, &s, 0); assert(WEXITSTATUS(s) == 3); return 0; }");
    assert_eq!(bfs_states(&sys), count_independently(&sys) as u64);
}

#[test]
fn bfs_counts_the_same_states_as_an_independent_dfs_for_a_namespace_reaper() {
    let sys = system("int main(void) { unshare(CLONE_NEWPID); pid_t b = fork(); if (b == 0) _exit(0); waitpid(b, NULL, 0); return 0; }");
    assert_eq!(bfs_states(&sys), count_independently(&sys) as u64);
}

#[test]
fn an_empty_main_has_a_handful_of_states() {
    // init sleeps in wait4 for main; main exits; init reaps it and sleeps
    // for more children; the kthread never runs. A small, fixed number.
    let sys = system("int main(void) { return 0; }");
    let n = bfs_states(&sys);
    assert_eq!(n, count_independently(&sys) as u64);
    assert!(n > 3 && n < 200, "{n}");
}
