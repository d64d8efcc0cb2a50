//! Seeded random schedules, for systems beyond exhaustive reach: each
//! schedule is one run from the initial state under a PCT-style scheduler
//! (Burckhardt et al., ASPLOS 2010): every actor gets a random priority, the
//! highest-priority actor that can move runs, and at a few random points the
//! running actor drops below all others. Few such preemptions find most
//! concurrency bugs; a finding comes with its schedule, replayable step by
//! step. Same seed, same schedules, same finding.

use std::sync::atomic::Ordering;
use std::time::Instant;

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

use super::{ActorSet, Finding, Model, Outcome, SearchConfig, Stats, StopReason};

/// Settings of a random search.
#[derive(Clone, Copy, Debug)]
pub struct RandomConfig {
    /// How many schedules to try.
    pub schedules: u64,
    pub seed: u64,
    /// Steps of one schedule at most.
    pub max_steps: u32,
    /// Priority change points per schedule (PCT's d - 1).
    pub change_points: u32,
}

impl Default for RandomConfig {
    fn default() -> Self {
        RandomConfig { schedules: 1000, seed: 0, max_steps: 10_000, change_points: 3 }
    }
}

/// What a random search found, and how many schedules it ran.
pub struct RandomOutcome<M: Model> {
    pub outcome: Outcome<M>,
    pub schedules_run: u64,
}

fn below(rng: &mut Pcg64Mcg, n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        rng.next_u64() % n
    }
}

/// Run `random.schedules` seeded schedules and return the first finding.
pub fn random_search<M: Model>(model: &M, config: &SearchConfig, random: &RandomConfig) -> RandomOutcome<M> {
    let start = Instant::now();
    let mut stats = Stats::default();
    let mut steps = Vec::new();
    let mut run = 0;
    // PCT draws its change points over the length of a run: the longest run
    // seen so far stands for it.
    let mut run_length: u64 = 16;
    while run < random.schedules {
        if config.interrupt.as_ref().is_some_and(|f| f.load(Ordering::Relaxed)) {
            return done(stats, start, None, StopReason::Interrupted, run);
        }
        if config.bounds.time_limit.is_some_and(|l| start.elapsed() >= l) {
            return done(stats, start, None, StopReason::TimeLimit, run);
        }
        // Schedule i draws from its own stream (its change points also
        // depend on the longest run before it).
        let mut rng = Pcg64Mcg::seed_from_u64(random.seed ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        run += 1;
        let mut priority: Vec<u64> = (0..64).map(|_| rng.next_u64() | (1 << 63)).collect();
        let change_at: Vec<u64> =
            (0..random.change_points).map(|_| below(&mut rng, run_length.min(random.max_steps as u64))).collect();
        let mut state = match model.initial() {
            Ok(s) => s,
            Err(violation) => {
                let f = Finding::Violation { violation, trace: Vec::new() };
                return done(stats, start, Some(f), StopReason::Complete, run);
            }
        };
        let mut trace = Vec::new();
        for depth in 0..=random.max_steps {
            run_length = run_length.max(depth as u64 + 1);
            stats.states += 1;
            steps.clear();
            model.steps(&state, &mut steps);
            if steps.is_empty() {
                let waiting = model.waiting(&state);
                if waiting != 0 {
                    let f = Finding::Deadlock { stuck: waiting, terminal: true, trace };
                    return done(stats, start, Some(f), StopReason::Complete, run);
                }
                if let Some(violation) = model.check_final(&state) {
                    let f = Finding::Violation { violation, trace };
                    return done(stats, start, Some(f), StopReason::Complete, run);
                }
                break;
            }
            if depth == random.max_steps {
                // The last state of a bounded run was checked above.
                break;
            }
            // The enabled actor with the highest priority runs.
            let mut best = usize::MAX;
            for &s in &steps {
                let a = model.actor(s);
                if best == usize::MAX || priority.get(a) > priority.get(best) {
                    best = a;
                }
            }
            let mine: Vec<_> = steps.iter().copied().filter(|&s| model.actor(s) == best).collect();
            let step = mine[below(&mut rng, mine.len() as u64) as usize];
            if let Some(i) = change_at.iter().position(|&c| c == depth as u64) {
                if let Some(p) = priority.get_mut(best) {
                    *p = i as u64;
                }
            }
            trace.push(step);
            stats.transitions += 1;
            stats.max_depth = stats.max_depth.max(depth + 1);
            state = match model.next(&state, step) {
                Ok(n) => n,
                Err(violation) => {
                    let f = Finding::Violation { violation, trace };
                    return done(stats, start, Some(f), StopReason::Complete, run);
                }
            };
            if config.hung_sets {
                let stuck: ActorSet = model.hung(&state);
                if stuck != 0 {
                    let f = Finding::Deadlock { stuck, terminal: false, trace };
                    return done(stats, start, Some(f), StopReason::Complete, run);
                }
            }
        }
    }
    // Random schedules never prove anything: without a finding the search is
    // incomplete by nature.
    done(stats, start, None, StopReason::RandomSchedules, run)
}

fn done<M: Model>(
    mut stats: Stats,
    start: Instant,
    finding: Option<Finding<M>>,
    stop: StopReason,
    run: u64,
) -> RandomOutcome<M> {
    stats.seconds = start.elapsed().as_secs_f64();
    RandomOutcome { outcome: Outcome { finding, stats, stop, unsure_partial: false }, schedules_run: run }
}

#[cfg(test)]
mod tests {
    use super::super::toy::{Counters, Philosophers};
    use super::*;

    #[test]
    fn random_schedules_find_the_philosophers_deadlock_with_a_replayable_trace() {
        let m = Philosophers { n: 3 };
        let config = SearchConfig::default();
        let r = random_search(&m, &config, &RandomConfig { schedules: 200, seed: 7, ..RandomConfig::default() });
        match r.outcome.finding {
            Some(Finding::Deadlock { terminal: true, trace, .. }) => {
                assert_eq!(super::super::toy::replay(&m, &trace), Ok(vec![1, 1, 1]));
            }
            _ => panic!("no deadlock found in 200 schedules"),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_finding() {
        let m = Counters { n: 3, k: 3, bad: Some(vec![3, 1, 2]) };
        let config = SearchConfig::default();
        let rc = RandomConfig { schedules: 500, seed: 42, ..RandomConfig::default() };
        let a = random_search(&m, &config, &rc);
        let b = random_search(&m, &config, &rc);
        assert_eq!(format!("{:?}", a.outcome.finding), format!("{:?}", b.outcome.finding));
        assert_eq!(a.schedules_run, b.schedules_run);
    }

    #[test]
    fn without_a_finding_the_search_says_how_many_schedules_it_tried() {
        let m = Counters { n: 2, k: 2, bad: None };
        let r = random_search(&m, &SearchConfig::default(), &RandomConfig { schedules: 25, ..RandomConfig::default() });
        assert!(r.outcome.finding.is_none());
        assert_eq!((r.outcome.stop, r.schedules_run), (StopReason::RandomSchedules, 25));
    }
}
