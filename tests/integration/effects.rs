//! Successors built from a step's recorded effect (`Model::replay`) are
//! exactly the successors the interpreter computes, and the search that
//! uses them has the plain search's outcome, to the state, transition and
//! step of the trace.

use std::collections::{HashSet, VecDeque};

use taskcheck::check::{self, Options};
use taskcheck::explore::{Model, Order};
use taskcheck::kernel::system::{Step, System};
use taskcheck::kernel::Kernel;

/// Steps of `steps` whose actor has no other step.
fn singles(sys: &System, steps: &[Step]) -> Vec<Step> {
    steps.iter().copied().filter(|s| steps.iter().filter(|o| sys.actor(**o) == sys.actor(*s)).count() == 1).collect()
}

/// The first `cap` states of `sys`, breadth-first: `visit` gets each state
/// and its steps, and returns the successors it made, queued if new.
fn each_state(sys: &System, cap: usize, mut visit: impl FnMut(&Kernel, &[Step]) -> Vec<Kernel>) {
    let Ok(initial) = sys.initial() else { return };
    let mut seen = HashSet::from([sys.fingerprint(&initial)]);
    let mut queue = VecDeque::from([initial]);
    let mut steps = Vec::new();
    while let Some(k) = queue.pop_front() {
        steps.clear();
        sys.steps(&k, &mut steps);
        for next in visit(&k, &steps) {
            if seen.len() < cap && seen.insert(sys.fingerprint(&next)) {
                queue.push_back(next);
            }
        }
    }
}

/// In the first `cap` states (breadth-first) of `sys`, every pair of steps
/// `a`, `b` of two tasks where `a`'s effect leaves `b`'s valid: `b` after
/// `a`, built from `b`'s effect, is `b` run after `a`. Returns the pairs
/// checked and the mismatches.
fn diamonds(sys: &System, cap: usize) -> (usize, Vec<String>) {
    let (mut checked, mut bad) = (0, Vec::new());
    each_state(sys, cap, |k, steps| {
        let here = singles(sys, steps);
        let effects: Vec<_> = here.iter().map(|&b| (b, sys.next_with_effect(k, b))).collect();
        let mut successors = Vec::new();
        for &a in steps {
            let Ok((after_a, Some(effect_a))) = sys.next_with_effect(k, a) else { continue };
            let mut after_steps = Vec::new();
            sys.steps(&after_a, &mut after_steps);
            let after_singles = singles(sys, &after_steps);
            for (b, eb) in &effects {
                let Ok((_, Some(effect_b))) = eb else { continue };
                if sys.actor(*b) == sys.actor(a) || !sys.commutes(&effect_a, effect_b) || !after_singles.contains(b) {
                    continue;
                }
                let Some(replayed) = sys.replay_fingerprint(&after_a, effect_b) else { continue };
                checked += 1;
                let run = sys.next(&after_a, *b).map(|n| sys.fingerprint(&n));
                let built = sys.replay(&after_a, effect_b).map(|n| sys.fingerprint(&n));
                if run.as_ref().ok() != Some(&replayed) || built != Some(replayed) {
                    bad.push(format!("{b:?} after {a:?}"));
                }
            }
            successors.push(after_a);
        }
        successors
    });
    (checked, bad)
}

/// `check` on every corpus scenario and kernel: the checks made, and the
/// first three mismatches of each.
fn on_the_corpus(mut check: impl FnMut(&mut System) -> (usize, Vec<String>)) -> (usize, Vec<String>) {
    let (mut checked, mut bad) = (0, Vec::new());
    crate::each_corpus_system(|name, k, _, sys| {
        let (c, b) = check(sys);
        checked += c;
        bad.extend(b.into_iter().take(3).map(|d| format!("{name} [{k}]: {d}")));
    });
    (checked, bad)
}

#[test]
fn a_step_built_from_its_effect_is_the_step_run_on_every_corpus_diamond() {
    let (checked, bad) = on_the_corpus(|sys| diamonds(sys, 2000));
    assert!(bad.is_empty(), "built from the effect, not as run:\n{}", bad.join("\n"));
    assert!(checked > 10_000, "only {checked} commuting pairs checked");
}

/// In the first `cap` states (breadth-first) of `sys` that are their own
/// image under symmetry reduction, every step's successor told from its
/// effect without renaming it (`own_image`) gets the fingerprint, and the
/// answer whether it is its own image, that renaming it gives. Returns
/// the successors told so and the mismatches.
fn own_images(sys: &System, cap: usize) -> (usize, Vec<String>) {
    let (mut checked, mut bad) = (0, Vec::new());
    each_state(sys, cap, |k, steps| {
        let own = sys.fingerprint_as_is(k).1;
        let mut successors = Vec::new();
        for &step in steps {
            let Ok((next, Some(effect))) = sys.next_with_effect(k, step) else { continue };
            if own {
                let told = sys.replay_fingerprint_as_is(k, &effect, true);
                let renamed = sys.replay_fingerprint_as_is(k, &effect, false);
                checked += usize::from(told.is_some_and(|(_, as_is)| as_is));
                if told != renamed || told.is_some_and(|t| t != sys.fingerprint_as_is(&next)) {
                    bad.push(format!("{step:?}: {told:?} told, {renamed:?} renamed"));
                }
            }
            successors.push(next);
        }
        successors
    });
    (checked, bad)
}

#[test]
fn the_successor_of_a_state_in_its_own_image_is_told_as_renaming_tells_it() {
    let (checked, bad) = on_the_corpus(|sys| {
        sys.set_symmetry(true);
        own_images(sys, 1000)
    });
    assert!(bad.is_empty(), "told without renaming, not as renamed:\n{}", bad.join("\n"));
    assert!(checked > 100_000, "only {checked} successors told");
}

/// In the first `cap` states (breadth-first) of `sys`, every step whose
/// effect the model remembers from another state (`Model::remembered_effect`)
/// builds exactly the successor the interpreter computes there. Every step
/// run is remembered, as the search does. Returns the steps recalled and the
/// mismatches.
fn recalls(sys: &System, cap: usize) -> (usize, Vec<String>) {
    let (mut checked, mut bad) = (0, Vec::new());
    each_state(sys, cap, |k, steps| {
        let mut successors = Vec::new();
        for &step in steps {
            if let Some(effect) = sys.remembered_effect(k, step) {
                if let Some(replayed) = sys.replay_fingerprint(k, &effect) {
                    checked += 1;
                    let same = match (sys.next(k, step), sys.replay(k, &effect)) {
                        (Ok(run), Some(built)) => run == built && sys.fingerprint(&run) == replayed,
                        _ => false,
                    };
                    if !same {
                        bad.push(format!("{step:?}"));
                    }
                }
            }
            let Ok((next, Some(effect))) = sys.next_with_effect(k, step) else { continue };
            sys.remember_effect(k, step, &std::sync::Arc::new(effect));
            successors.push(next);
        }
        successors
    });
    (checked, bad)
}

#[test]
fn a_step_built_from_an_effect_remembered_from_another_state_is_the_step_run() {
    let (checked, bad) = on_the_corpus(|sys| recalls(sys, 1000));
    assert!(bad.is_empty(), "built from a remembered effect, not as run:\n{}", bad.join("\n"));
    assert!(checked > 100_000, "only {checked} remembered effects checked");
}

/// Along `walks` random paths of up to `len` steps, carry the effects the
/// search would carry (every single step's effect, kept while each step
/// taken commutes with it) and check, in every state on the way, each one
/// still kept against the step run there. Returns the checks and mismatches.
fn chains(sys: &System, walks: usize, len: usize, mut seed: u64) -> (usize, Vec<String>) {
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut checked, mut bad) = (0, Vec::new());
    let mut steps = Vec::new();
    for _ in 0..walks {
        let Ok(mut k) = sys.initial() else { return (0, bad) };
        // (step, its effect, how many steps ago it was recorded)
        let mut kept: Vec<(taskcheck::kernel::system::Step, taskcheck::kernel::system::Effect, usize)> = Vec::new();
        for _ in 0..len {
            steps.clear();
            sys.steps(&k, &mut steps);
            if steps.is_empty() {
                break;
            }
            let here = singles(sys, &steps);
            for (step, effect, age) in &kept {
                if !here.contains(step) {
                    continue;
                }
                let Some(replayed) = sys.replay_fingerprint(&k, effect) else { continue };
                checked += 1;
                if sys.next(&k, *step).map(|n| sys.fingerprint(&n)).ok() != Some(replayed) {
                    bad.push(format!("{step:?}, recorded {age} steps before"));
                }
            }
            // Record the effects of this state's steps the walk has none for.
            for &b in &here {
                if !kept.iter().any(|(s, _, _)| *s == b) {
                    if let Ok((_, Some(e))) = sys.next_with_effect(&k, b) {
                        kept.push((b, e, 0));
                    }
                }
            }
            let a = steps[(rand() % steps.len() as u64) as usize];
            let Ok((next, effect_a)) = sys.next_with_effect(&k, a) else { break };
            kept.retain(|(s, e, _)| {
                sys.actor(*s) != sys.actor(a) && effect_a.as_ref().is_some_and(|ea| sys.commutes(ea, e))
            });
            for entry in &mut kept {
                entry.2 += 1;
            }
            k = next;
        }
    }
    (checked, bad)
}

#[test]
fn effects_kept_along_random_paths_build_the_steps_as_run() {
    let mut n = 0u64;
    let (checked, bad) = on_the_corpus(|sys| {
        n += 1;
        chains(sys, 20, 80, 0x9e37_79b9_7f4a_7c15 ^ n)
    });
    assert!(bad.is_empty(), "built from an effect kept along the path, not as run:\n{}", bad.join("\n"));
    assert!(checked > 10_000, "only {checked} kept effects checked");
}

#[test]
fn every_corpus_search_has_the_outcome_of_running_every_step() {
    let mut bad = Vec::new();
    crate::each_corpus_system(|name, k, map, sys| {
        // The default order, and breadth-first on two threads (depth-first
        // takes the same steps one state at a time, as the default does).
        for (order, threads) in [(Order::FewestPreemptions, 1), (Order::BreadthFirst, 2)] {
            // Bounded, to stay quick: the bound stops both at the same state.
            let bounds = taskcheck::explore::Bounds { max_states: Some(20_000), ..Default::default() };
            // Every step taken: running every step leaves none asleep (the
            // corpus test compares sleep sets with taking every step).
            let opts = Options { order, threads, bounds, no_sleep_sets: true, ..Options::default() };
            let reused = check::check(map, sys, k, &opts);
            let run = check::check(map, sys, k, &Options { run_every_step: true, ..opts });
            let outcome = |r: &check::CheckResult| {
                (r.verdict, r.stats.states, r.stats.transitions, r.stats.max_depth, r.schedule.clone())
            };
            if outcome(&reused) != outcome(&run) {
                bad.push(format!(
                    "{name} [{k}] {order:?}: {:?} reusing effects, {:?} running every step",
                    outcome(&reused),
                    outcome(&run)
                ));
            }
        }
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `steps_and_waiting` answers in one pass what `steps` and `waiting` answer
/// apart, on the first states of every corpus scenario and kernel.
#[test]
fn steps_and_waiting_agree_with_steps_and_waiting_apart() {
    let (checked, bad) = on_the_corpus(|sys| {
        let (mut checked, mut bad) = (0, Vec::new());
        each_state(sys, 300, |k, steps| {
            let mut both = Vec::new();
            let waiting = sys.steps_and_waiting(k, &mut both);
            checked += 1;
            if both != steps || waiting != sys.waiting(k) {
                bad.push(format!("{both:?} / {waiting:#x} against {steps:?} / {:#x}", sys.waiting(k)));
            }
            steps.iter().filter_map(|&s| sys.next(k, s).ok()).collect()
        });
        (checked, bad)
    });
    assert!(bad.is_empty(), "steps_and_waiting differs:\n{}", bad.join("\n"));
    assert!(checked > 10_000, "only {checked} states checked");
}
