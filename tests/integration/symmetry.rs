//! Symmetry reduction (`kernel::symmetry`): it merges exactly the states
//! that are renamings of each other (counted against a brute force over
//! every renaming), a renamed state steps like the original, and the
//! verdicts on the corpus are those of the plain search.

use std::collections::{HashMap, HashSet, VecDeque};

use taskcheck::check::{self, Options, Verdict};
use taskcheck::explore::Model;
use taskcheck::kernel::symmetry::{self, Fixed, Renaming};
use taskcheck::kernel::system::{self, System};
use taskcheck::kernel::{models, Kernel};
use taskcheck::lang::diag::SourceMap;

fn build(file: &str, kernel: &str) -> System {
    build_with_map(file, kernel).1
}

fn build_with_map(file: &str, kernel: &str) -> (SourceMap, System) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = SourceMap::default();
    let sys = check::build(&mut map, &models::builtin(kernel).unwrap(), file, &text).unwrap().0;
    (map, sys)
}

/// Every reachable state of the plain search (symmetry off).
fn reachable(sys: &System) -> Vec<Kernel> {
    let initial = sys.initial().unwrap();
    let mut seen = HashSet::from([sys.fingerprint(&initial)]);
    let mut queue = VecDeque::from([initial.clone()]);
    let mut all = vec![initial];
    let mut steps = Vec::new();
    while let Some(k) = queue.pop_front() {
        steps.clear();
        sys.steps(&k, &mut steps);
        for &step in &steps {
            let Ok(next) = sys.next(&k, step) else { continue };
            if seen.insert(sys.fingerprint(&next)) {
                queue.push_back(next.clone());
                all.push(next);
            }
        }
    }
    all
}

/// Every order of the tasks that keeps the fixed ones in place.
fn orders(n: usize, fixed: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut order: Vec<usize> = (0..n).collect();
    fn go(order: &mut Vec<usize>, pos: usize, out: &mut Vec<Vec<usize>>) {
        if pos >= order.len() {
            out.push(order.clone());
            return;
        }
        for i in pos..order.len() {
            order.swap(pos, i);
            go(order, pos + 1, out);
            order.swap(pos, i);
        }
    }
    go(&mut order, fixed, &mut out);
    out
}

/// The image of `k` under the renaming that puts its tasks in `order`.
fn renamed(k: &Kernel, fixed: Fixed, order: &[usize]) -> Kernel {
    let mut r = Renaming::from_order(k, fixed, order).apply(k);
    system::seal(&mut r);
    r
}

/// The least fingerprint over every renaming: the orbit's name.
fn brute_force(k: &Kernel, fixed: Fixed) -> u128 {
    orders(k.tasks.len(), fixed.tasks).iter().map(|o| system::fingerprint(&renamed(k, fixed, o))).min().unwrap()
}

const SMALL: &[(&str, &str)] = &[
    ("symmetric_forks_two_parents.c", "v6.1"),
    ("symmetric_forks_two_parents.c", "v6.9"),
    ("seed_unshare_deadlock.c", "v6.3"),
    ("fork_from_thread_then_thread_exits.c", "v6.11"),
    ("symmetric_forks_wait_any.c", "v6.3"),
];

#[test]
fn the_exact_canonical_form_counts_the_orbits_and_the_search_lies_between() {
    for &(file, kernel) in SMALL {
        let sys = build(file, kernel);
        let fixed = Fixed::of(&sys.boot());
        let states = reachable(&sys);
        let mut pairs = HashSet::new();
        let (mut exact, mut orbits) = (HashSet::new(), HashSet::new());
        for k in &states {
            let (e, b) = (symmetry::fingerprint_of_order(k, fixed, true), brute_force(k, fixed));
            exact.insert(e);
            orbits.insert(b);
            pairs.insert((e, b));
        }
        // One exact fingerprint per orbit, and one orbit per fingerprint.
        assert_eq!(exact.len(), orbits.len(), "{file} [{kernel}]: exact canonical forms vs orbits");
        assert_eq!(pairs.len(), orbits.len(), "{file} [{kernel}]: the two partitions differ");
        // The search's own (cheaper) form merges only within orbits.
        let mut sym = build(file, kernel);
        sym.set_symmetry(true);
        let searched: HashSet<u128> = states.iter().map(|k| sym.fingerprint(k)).collect();
        assert!(
            orbits.len() <= searched.len() && searched.len() <= states.len(),
            "{file} [{kernel}]: {} orbits, {} symmetric fingerprints, {} states",
            orbits.len(),
            searched.len(),
            states.len()
        );
        let mut by_fp: HashMap<u128, u128> = HashMap::new();
        for k in &states {
            let b = brute_force(k, fixed);
            let prev = by_fp.insert(sym.fingerprint(k), b);
            assert!(prev.is_none_or(|p| p == b), "{file} [{kernel}]: one symmetric fingerprint for two orbits");
        }
        if file.starts_with("symmetric_forks") {
            assert!(orbits.len() < states.len(), "{file} [{kernel}]: no two states were renamings");
        }
    }
}

#[test]
fn a_renamed_state_steps_like_the_original() {
    for &(file, kernel) in SMALL {
        let sys = build(file, kernel);
        let fixed = Fixed::of(&sys.boot());
        let successors = |k: &Kernel| -> (HashSet<u128>, usize) {
            let mut steps = Vec::new();
            sys.steps(k, &mut steps);
            let mut out = HashSet::new();
            let mut violations = 0;
            for &s in &steps {
                match sys.next(k, s) {
                    Ok(n) => {
                        out.insert(symmetry::fingerprint_of_order(&n, fixed, true));
                    }
                    Err(_) => violations += 1,
                }
            }
            (out, violations)
        };
        let states = reachable(&sys);
        // Every state with more than one renamable task, every renaming of it.
        for k in states.iter().filter(|k| k.tasks.len() > fixed.tasks + 1).step_by(7) {
            let want = successors(k);
            for o in orders(k.tasks.len(), fixed.tasks) {
                let got = successors(&renamed(k, fixed, &o));
                assert_eq!(got, want, "{file} [{kernel}]: a renaming ({o:?}) steps otherwise");
            }
        }
    }
}

#[test]
fn symmetry_keeps_every_verdict_of_the_corpus() {
    let mut bad = Vec::new();
    let (mut merged, mut dropped) = (0u64, 0);
    crate::each_corpus_system(|name, kernel, map, plain| {
        let opts = Options { threads: 1, ..Options::default() };
        let want = check::check(map, plain, kernel, &opts);
        let mut map2 = SourceMap::default();
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name))
                .unwrap();
        let (mut sym, _) = check::build(&mut map2, &models::builtin(kernel).unwrap(), name, &text).unwrap();
        sym.set_symmetry(true);
        let got = check::check(&map2, &sym, kernel, &opts);
        if got.symmetry_dropped.is_some() {
            dropped += 1;
        }
        merged += want.stats.states.saturating_sub(got.stats.states);
        let stuck = |r: &check::CheckResult| {
            let mut v: Vec<String> = r.cycle.iter().chain(&r.also_stuck).map(|w| w.task.clone()).collect();
            v.sort();
            v
        };
        if got.verdict != want.verdict
            || got.complete != want.complete
            || got.global != want.global
            || (got.verdict == Verdict::Deadlock && stuck(&got) != stuck(&want))
        {
            bad.push(format!(
                "{name} [{kernel}]: {:?} {:?} with symmetry, {:?} {:?} without",
                got.verdict,
                stuck(&got),
                want.verdict,
                stuck(&want)
            ));
        }
    });
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(merged > 0, "symmetry merged no state on the corpus");
    assert!(dropped > 0, "no corpus scenario computes with pid numbers: the fallback went untested");
}

/// The search expands one representative per class (`Model::representative`):
/// an image of the state with the class's fingerprint that is its own
/// representative; and a trace of steps taken from representatives maps
/// back (`System::realize_trace`) to a schedule from the initial state that
/// every state along it offers and that ends in the same class.
#[test]
fn representatives_are_canonical_and_their_traces_are_real_schedules() {
    let (mut renamed_states, mut renamed_traces) = (0, 0);
    for &(file, kernel) in SMALL {
        let mut sys = build(file, kernel);
        sys.set_symmetry(true);
        let fixed = Fixed::of(&sys.boot());
        let expand = |k: &Kernel| sys.representative(k).map_or_else(|| k.clone(), |(image, _)| image);
        let initial = sys.initial().unwrap();
        let mut seen = HashSet::from([sys.fingerprint(&initial)]);
        let mut queue = VecDeque::from([(initial, Vec::new())]);
        let mut steps = Vec::new();
        while let Some((k, trace)) = queue.pop_front() {
            if let Some((image, moved)) = sys.representative(&k) {
                renamed_states += 1;
                assert_eq!(sys.fingerprint(&image), sys.fingerprint(&k), "{file} [{kernel}]: another class");
                assert!(sys.representative(&image).is_none(), "{file} [{kernel}]: not its own representative");
                assert_eq!(moved.len(), k.tasks.len());
            }
            let k = expand(&k);
            steps.clear();
            sys.steps(&k, &mut steps);
            for &step in &steps {
                let Ok(next) = sys.next(&k, step) else { continue };
                if !seen.insert(sys.fingerprint(&next)) {
                    continue;
                }
                let mut trace = trace.clone();
                trace.push(step);
                // The schedule it stands for, from the start.
                let real = sys.realize_trace(&trace);
                assert_eq!(real.len(), trace.len());
                renamed_traces += usize::from(real != trace);
                let mut at = sys.initial().unwrap();
                let mut offered = Vec::new();
                for s in &real {
                    offered.clear();
                    sys.steps(&at, &mut offered);
                    assert!(offered.contains(s), "{file} [{kernel}]: {real:?} takes a step not offered ({s:?})");
                    at = sys.next(&at, *s).unwrap();
                }
                // In one orbit (the search's own form keeps reaped tasks in
                // slot order, which the two need not share).
                let orbit = |k: &Kernel| symmetry::fingerprint_of_order(k, fixed, true);
                assert_eq!(orbit(&at), orbit(&next), "{file} [{kernel}]: {real:?} ends elsewhere");
                queue.push_back((next, trace));
            }
        }
    }
    assert!(renamed_states > 0 && renamed_traces > 0, "no representative renamed anything: untested");
}

/// A search that meets a symmetry break reports it even when an earlier
/// search of the same system ran the step that breaks it: steps remembered
/// from that search (`kernel/memo.rs`) must not skip the interpreter's
/// record of the break.
#[test]
fn a_second_search_of_a_system_meets_its_symmetry_break_again() {
    let why = |r: &check::CheckResult| r.symmetry_dropped.as_ref().map(|d| d.why.clone());
    let opts = Options { threads: 1, ..Options::default() };
    let mut exercised = 0;
    for file in ["errno_per_thread.c", "kill0_visibility.c", "nested_pidns_numbers.c", "three_level_pidns.c"] {
        let symmetric = || {
            let (map, mut sys) = build_with_map(file, "v6.9");
            sys.set_symmetry(true);
            (map, sys)
        };
        let (map, sys) = symmetric();
        let fresh = check::check(&map, &sys, "v6.9", &opts);
        assert!(why(&fresh).is_some_and(|w| w.contains(file)), "{file}: {:?}", why(&fresh));
        let (map, sys) = symmetric();
        // Bounded: the break is met, but an incomplete search keeps symmetry.
        let max_states = Some(fresh.stats.states / 2);
        let bounds = taskcheck::explore::Bounds { max_states, ..Default::default() };
        let first = check::check(&map, &sys, "v6.9", &Options { bounds, ..opts.clone() });
        assert!(!first.complete && first.symmetry, "{file}: the bounded search keeps symmetry");
        if sys.prog.symmetry.first().is_none() {
            continue;
        }
        exercised += 1;
        let second = check::check(&map, &sys, "v6.9", &opts);
        assert_eq!(why(&second), why(&fresh), "{file}");
        assert_eq!(second.stats.states, fresh.stats.states, "{file}");
    }
    assert!(exercised >= 2, "only {exercised} scenarios met their break within the bound");
}
