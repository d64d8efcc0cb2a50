//! The search engine. It knows states only through the [`Model`] trait: the
//! kernel model is one implementation, the toy graphs of the tests are others.
//!
//! Vocabulary (one word per concept across the crate): a `State` is a node,
//! a `Step` is one scheduling decision (which actor moves, which nondet choice),
//! a `Fingerprint` is the 128-bit xxh3 of a state's canonical bytes, the
//! `VisitedSet` maps fingerprints to state indices, the `Frontier` holds states
//! still to expand, a `Trace` is the list of steps from the initial state.

pub mod bfs;
pub mod chunked;
pub mod frontier;
mod known;
pub mod parallel;
pub mod random;
pub mod scc;
#[cfg(test)]
pub mod toy;
pub mod visited;

use std::fmt::Debug;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

pub use bfs::search;
pub use parallel::search_threads;
pub use random::{random_search, RandomConfig};

/// 128-bit hash of a state's canonical encoding.
pub type Fingerprint = u128;

/// A set of actors (tasks), one bit each: models have at most 64 actors.
pub type ActorSet = u64;

/// The bit of `actor`; out-of-range actors (a model bug) count as none.
pub fn bit(actor: usize) -> ActorSet {
    u32::try_from(actor).ok().and_then(|a| ActorSet::from(1u8).checked_shl(a)).unwrap_or(0)
}

/// What the search needs to know about a system.
pub trait Model {
    type State: Clone;
    /// One scheduling decision. Must be cheap to copy and print.
    type Step: Copy + Debug + Eq;
    /// A safety violation (assertion, use-after-free, model error).
    type Violation: Clone + Debug;
    /// What a step did, kept so that the step's successor can be built in
    /// another state without running the step again (see `replay`); `()`
    /// for a model that does not record effects.
    type Effect: Send + Sync;

    fn initial(&self) -> Result<Self::State, Self::Violation>;

    /// Enabled steps of `state`, appended to `out` in a deterministic order.
    /// No steps means the state is terminal.
    fn steps(&self, state: &Self::State, out: &mut Vec<Self::Step>);

    /// The successor of `state` by `step`, or the violation that step commits.
    fn next(&self, state: &Self::State, step: Self::Step) -> Result<Self::State, Self::Violation>;

    fn fingerprint(&self, state: &Self::State) -> Fingerprint;

    /// `fingerprint`, and whether `state` is its own class's representative
    /// under `SearchConfig::quotient` (the search expands it as it is, not
    /// renamed: `representative` gives None). Always true without one.
    fn fingerprint_as_is(&self, state: &Self::State) -> (Fingerprint, bool) {
        (self.fingerprint(state), true)
    }

    /// `next`, and what the step did, if the model records it.
    #[allow(clippy::type_complexity)]
    fn next_with_effect(
        &self,
        state: &Self::State,
        step: Self::Step,
    ) -> Result<(Self::State, Option<Self::Effect>), Self::Violation> {
        self.next(state, step).map(|n| (n, None))
    }

    /// The fingerprint of the successor of `state` by the step that had
    /// `effect` in an earlier state, from the effect alone; or None to run
    /// the step. The search only asks this where every step taken since
    /// `commutes` with the effect, and it must be `fingerprint(next(..))`.
    fn replay_fingerprint(&self, _state: &Self::State, _effect: &Self::Effect) -> Option<Fingerprint> {
        None
    }

    /// `replay_fingerprint`, and whether that successor is its own class's
    /// representative (as `fingerprint_as_is`). `own_image`: `state` is
    /// known to be its own class's representative, which a model may use
    /// to tell the successor's without renaming it.
    fn replay_fingerprint_as_is(
        &self,
        state: &Self::State,
        effect: &Self::Effect,
        _own_image: bool,
    ) -> Option<(Fingerprint, bool)> {
        self.replay_fingerprint(state, effect).map(|fp| (fp, true))
    }

    /// That successor itself, for a successor not visited before; exactly
    /// what `next` would give. Asked only after `replay_fingerprint` gave
    /// a fingerprint.
    fn replay(&self, _state: &Self::State, _effect: &Self::Effect) -> Option<Self::State> {
        None
    }

    /// The effect `step` had in some earlier state, if the model remembers
    /// one that holds in `state` too (what the step read and wrote is as it
    /// was then, so it would do the same again). The search then builds the
    /// successor from it (`replay_fingerprint`, `replay`) instead of running
    /// the step.
    fn remembered_effect(&self, _state: &Self::State, _step: Self::Step) -> Option<Arc<Self::Effect>> {
        None
    }

    /// Remember that `step` had `effect` in `state`, for `remembered_effect`.
    fn remember_effect(&self, _state: &Self::State, _step: Self::Step, _effect: &Arc<Self::Effect>) {}

    /// Whether a step with effect `kept` still has that effect after a step
    /// with effect `taken` (of another actor) ran: `taken` wrote nothing
    /// `kept` read or wrote.
    fn commutes(&self, _taken: &Self::Effect, _kept: &Self::Effect) -> bool {
        false
    }

    /// Which actor a step moves (0..64).
    fn actor(&self, step: Self::Step) -> usize;

    /// `steps` into `out`, and `waiting`: a model that finds both in one
    /// look at each actor answers both at once.
    fn steps_and_waiting(&self, state: &Self::State, out: &mut Vec<Self::Step>) -> ActorSet {
        self.steps(state, out);
        self.waiting(state)
    }

    /// Actors that are blocked and expect to be woken, i.e. neither finished nor
    /// idle by design (an init with no children, a kthread with no work).
    /// A terminal state with a nonempty `waiting` set is a deadlock; in a bottom
    /// strongly connected component, the actors that are waiting in every state
    /// of it and never move are a partial deadlock.
    fn waiting(&self, state: &Self::State) -> ActorSet;

    /// A violation that only a terminal state without waiting actors can show
    /// (for the kernel model: a zombie or pid left at the end of the run).
    fn check_final(&self, _state: &Self::State) -> Option<Self::Violation> {
        None
    }

    /// Of the actors `stuck` in a bottom component (waiting, never moving)
    /// while the actors of `moving` still run, those that are deadlocked: a
    /// model may drop actors that merely wait for a running one (a parent in
    /// an endless loop is no deadlock). `state` is the component's first state.
    fn refine_stuck(&self, _state: &Self::State, stuck: ActorSet, _moving: ActorSet) -> ActorSet {
        stuck
    }

    /// A set of blocked actors that can never move again, whatever the others
    /// do (a hung set), or 0. Checked in every new state, so a deadlock is
    /// reported as soon as it exists, even while other actors run for ever.
    /// Must be sound: no member of the set moves in any continuation.
    fn hung(&self, _state: &Self::State) -> ActorSet {
        0
    }

    /// Under `SearchConfig::quotient`, where `fingerprint` stands for a
    /// class of equivalent states: the member of `state`'s class to expand
    /// in its place, and the actor each of `state`'s actors is in it (by
    /// index); None to expand `state` itself. The steps recorded from the
    /// state are then the representative's, and a `Finding`'s trace must be
    /// mapped back to the schedule from the initial state it stands for
    /// (for the kernel model, `System::realize_trace`).
    fn representative(&self, _state: &Self::State) -> Option<(Self::State, Vec<u16>)> {
        None
    }

    /// Called once for each state the exhaustive search takes from its
    /// frontier to expand (the representative, under a quotient), on
    /// whichever thread expands it; `search_restarted` when the search drops
    /// what it expanded and starts again from the initial state. For a count
    /// of where the states are (`check --census`); nothing by default.
    fn expanded(&self, _state: &Self::State) {}
    fn search_restarted(&self) {}

    /// For a search on several threads: an equal copy of `state` whose shared
    /// parts are this thread's own, so that the successors made from it do
    /// not write reference counts that the other threads keep writing too
    /// (cache lines bouncing between cores). None: use `state` as it is.
    fn thread_local_copy(&self, _state: &Self::State) -> Option<Self::State> {
        None
    }
}

/// Limits of one search. `None` means unbounded.
#[derive(Clone, Debug, Default)]
pub struct Bounds {
    pub max_states: Option<u64>,
    pub max_depth: Option<u32>,
    /// Only schedules with at most this many preemptions (a step of another
    /// task while the one that moved last could move on): CHESS's
    /// preemption bounding. The search is then fewest-preemptions-first.
    pub max_preemptions: Option<u32>,
    /// Only schedules with at most this many delays of a round-robin
    /// scheduler (delay-bounded scheduling, Emmi, Qadeer and Rakamarić,
    /// POPL 2011): the scheduler runs the task that moved last while it can,
    /// then the next able one in task order, and each able task it is made
    /// to pass over is a delay. Unlike a preemption bound, a task that
    /// blocks does not hand the CPU to every other for free. The search is
    /// then fewest-delays-first (one queue per count of delays).
    pub max_delays: Option<u32>,
    pub time_limit: Option<Duration>,
    /// Resident memory of the process, in bytes.
    pub memory_limit: Option<u64>,
}

/// What a schedule bound counts (see `Bounds::max_preemptions`, `max_delays`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switches {
    Preemptions,
    Delays,
}

impl Switches {
    /// What the step of `actor` costs where `enabled` can move and `last`
    /// moved last: a preemption if `last` could go on and another moves; the
    /// able tasks passed over, in task order from `last` round, for delays.
    pub fn cost(self, last: Option<usize>, enabled: ActorSet, actor: usize) -> u8 {
        let last_can_move = last.is_some_and(|l| enabled & 1u64.checked_shl(l as u32).unwrap_or(0) != 0);
        match self {
            Switches::Preemptions => u8::from(last_can_move && Some(actor) != last),
            Switches::Delays => {
                let start = last.unwrap_or(0);
                // Actors below `n`, as a set.
                let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
                let passed = if actor >= start { below(actor) & !below(start) } else { !below(start) | below(actor) };
                (enabled & passed).count_ones() as u8
            }
        }
    }
}

impl Bounds {
    /// The schedule bound, if any, and what it counts.
    pub fn schedule_bound(&self) -> Option<(Switches, u32)> {
        match (self.max_preemptions, self.max_delays) {
            (Some(k), _) => Some((Switches::Preemptions, k)),
            (None, Some(k)) => Some((Switches::Delays, k)),
            (None, None) => None,
        }
    }
}

/// Where a search stands, for a progress line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub states: u64,
    pub transitions: u64,
    /// States discovered but not expanded yet.
    pub frontier: u64,
    pub depth: u32,
    pub seconds: f64,
}

/// Called now and then with where the search stands.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How the program hands memory it freed back to the system (set once by
/// the binary, which knows its allocator); nothing where unset.
static RELEASE_FREE_MEMORY: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Set how `release_free_memory` works (the first call wins).
pub fn set_memory_release(release: fn()) {
    let _ = RELEASE_FREE_MEMORY.set(release);
}

/// Hand freed memory back to the system, so that the resident size a
/// memory limit reads is what is still in use: an allocator keeps freed
/// pages a while, and a search after another would otherwise be charged
/// for what the first one freed.
pub fn release_free_memory() {
    if let Some(release) = RELEASE_FREE_MEMORY.get() {
        release();
    }
}

/// The resident memory of this process in bytes, where the system tells.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The memory this process may use, in bytes: the machine's, or the
/// cgroup's limit where that is lower (a container, a `systemd-run -p
/// MemoryMax=`), where the system tells.
pub fn machine_memory() -> Option<u64> {
    let physical = physical_memory();
    let cgroup = cgroup_memory_limit();
    match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    }
}

#[cfg(unix)]
fn physical_memory() -> Option<u64> {
    // SAFETY: sysconf() reads a system constant; it has no preconditions.
    let (pages, page) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    (pages > 0 && page > 0).then(|| pages as u64 * page as u64)
}

#[cfg(not(unix))]
fn physical_memory() -> Option<u64> {
    None
}

/// The memory limit of this process's cgroup (v2 `memory.max`, or v1
/// `memory.limit_in_bytes`), if it sets one.
fn cgroup_memory_limit() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let limit = |path: String| -> Option<u64> {
        let text = std::fs::read_to_string(path).ok()?;
        // "max" in v2, a page-rounded 2^63 in v1: no limit.
        text.trim().parse::<u64>().ok().filter(|&b| b < 1 << 60)
    };
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let found = if controllers.is_empty() {
            limit(format!("/sys/fs/cgroup{path}/memory.max")).or_else(|| limit("/sys/fs/cgroup/memory.max".into()))
        } else if controllers.split(',').any(|c| c == "memory") {
            limit(format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"))
                .or_else(|| limit("/sys/fs/cgroup/memory/memory.limit_in_bytes".into()))
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The share of `machine_memory()` a search stops at when no
/// `--memory-limit` is given: it ends with what it covered rather than be
/// killed by the kernel's OOM killer with nothing said. Percent.
pub const DEFAULT_MEMORY_SHARE: u64 = 80;

/// The memory limit of a search without `--memory-limit`.
pub fn default_memory_limit() -> Option<u64> {
    machine_memory().map(|m| m / 100 * DEFAULT_MEMORY_SHARE)
}

/// The order states are expanded in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Level by level: every finding comes with a shortest trace, and the
    /// search runs on several threads with the outcome of one.
    #[default]
    BreadthFirst,
    /// Deepest state first: the same states when the search completes, but
    /// a deadlock many steps deep is often met after a small part of them,
    /// and only the path's siblings wait in the frontier. Traces are the
    /// first path found, not the shortest; one thread.
    DepthFirst,
    /// Fewest preemptions first (CHESS's preemption bounding, as an order):
    /// a step of the task that moved last, or of any task when that one
    /// cannot move, is expanded before every step that preempts it, which
    /// waits at the back of the frontier. Deadlocks that take few
    /// preemptions are met after a few hundred states, whatever else runs.
    /// The preempting states pile up, though: once the frontier holds
    /// `bfs::PREEMPT_FRONTIER` states the rest of the search is
    /// breadth-first, on every thread of `SearchConfig::threads`.
    FewestPreemptions,
}

#[derive(Clone, Default)]
pub struct SearchConfig {
    pub bounds: Bounds,
    /// Set (e.g. by a Ctrl-C handler) to stop the search cleanly.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Keep the state graph and look for partial deadlocks after a complete search.
    pub partial_deadlocks: bool,
    /// Check every new state for a hung set (`Model::hung`).
    pub hung_sets: bool,
    pub progress: Option<ProgressFn>,
    /// Worker threads of `search_threads` (0 or 1: one).
    pub threads: usize,
    pub order: Order,
    /// States the frontier may hold before fewest-preemptions-first turns
    /// breadth-first (None: `bfs::PREEMPT_FRONTIER`; tests make it small).
    pub preempt_frontier: Option<usize>,
    /// Run every step, never building a successor from an effect already
    /// seen (see `known`): the same outcome, slower; for comparison.
    pub run_every_step: bool,
    /// The model's fingerprints merge states that are renamings of each
    /// other (symmetry reduction): an actor's index means another task from
    /// state to state, so the pass over bottom components cannot tell which
    /// actors never move. It only says whether one may exist
    /// (`Outcome::unsure_partial`).
    pub quotient: bool,
    /// Breadth-first, leave out the steps that are asleep (Godefroid's
    /// sleep sets: see `known`). Every state is still visited, at its
    /// shortest depth, so a finding in a state is found with a shortest
    /// trace; fewer transitions are taken. The state graph then lacks
    /// edges; the pass over bottom components puts back those it needs
    /// (`Search::restore_asleep_edges`), and is as sure as without.
    pub sleep_sets: bool,
}

impl Order {
    /// The order's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Order::BreadthFirst => "bfs",
            Order::DepthFirst => "dfs",
            Order::FewestPreemptions => "preempt",
        }
    }
}

impl SearchConfig {
    /// The order the search runs in: breadth-first under a depth bound,
    /// whatever was asked, since only that order sees every state within
    /// the bound (the others may first meet a state on a path longer than
    /// the bound and cut it off there, though a shorter path leads to it);
    /// fewest preemptions first under a preemption bound, for the same reason.
    pub fn effective_order(&self) -> Order {
        if self.bounds.max_depth.is_some() {
            Order::BreadthFirst
        } else if self.bounds.schedule_bound().is_some() {
            Order::FewestPreemptions
        } else {
            self.order
        }
    }
}

impl std::fmt::Debug for SearchConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchConfig")
            .field("bounds", &self.bounds)
            .field("partial_deadlocks", &self.partial_deadlocks)
            .field("hung_sets", &self.hung_sets)
            .field("threads", &self.threads)
            .field("order", &self.order)
            .field("sleep_sets", &self.sleep_sets)
            .finish()
    }
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Every reachable state was expanded (or a finding ended the search early).
    Complete,
    MaxStates,
    MaxDepth,
    /// Some schedule needed more preemptions than `Bounds::max_preemptions`.
    MaxPreemptions,
    /// Some schedule needed more delays than `Bounds::max_delays`.
    MaxDelays,
    TimeLimit,
    MemoryLimit,
    Interrupted,
    /// A random search ran all its schedules (it never completes).
    RandomSchedules,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Distinct states discovered.
    pub states: u64,
    /// Successors computed (including those already visited).
    pub transitions: u64,
    /// Steps not taken because they were asleep (`SearchConfig::sleep_sets`):
    /// each leads to a state reached by another path.
    pub asleep: u64,
    /// The deepest state's depth: the length of its shortest path in
    /// breadth-first order, of the path the search followed in the others.
    pub max_depth: u32,
    pub seconds: f64,
}

/// A steps list from the initial state.
pub type Trace<S> = Vec<S>;

#[derive(Clone, Debug)]
pub enum Finding<M: Model> {
    /// `trace` leads from the initial state to the step that commits `violation`
    /// (the last step of the trace is that step).
    Violation { violation: M::Violation, trace: Trace<M::Step> },
    /// `trace` leads to a state in which the actors of `stuck` can never move
    /// again. `terminal`: no actor at all can move in that state.
    Deadlock { stuck: ActorSet, terminal: bool, trace: Trace<M::Step> },
}

#[derive(Debug)]
pub struct Outcome<M: Model> {
    /// The first finding in the search's order (in breadth-first order its
    /// trace is a shortest one).
    pub finding: Option<Finding<M>>,
    pub stats: Stats,
    pub stop: StopReason,
    /// Under `SearchConfig::quotient` (or where the steps left asleep could
    /// not be put back): the complete search found no finding, but a
    /// bottom component with a cycle has waiting actors, so a partial
    /// deadlock may hide in it; the search must be run without.
    pub unsure_partial: bool,
}

#[cfg(test)]
mod memory_tests {
    #[test]
    fn the_default_memory_limit_is_a_share_of_what_the_process_may_use() {
        // Linux always tells; the limit leaves room for the rest of the machine.
        let Some(machine) = super::machine_memory() else { return };
        let limit = super::default_memory_limit().unwrap_or(0);
        assert!(limit > 0 && limit < machine, "{limit} of {machine}");
        assert!(super::resident_bytes().is_some_and(|r| r < limit));
    }
}
