//! Breadth-first search on several threads, with the outcome of one thread:
//! the frontier is taken in chunks in index order, the chunk's states are
//! expanded in parallel (successors, fingerprints, which actors wait), and
//! the successors are merged into the visited set in the order a single
//! thread would have discovered them. New states are checked for hung sets
//! in parallel too, and the first event in that order wins. So verdicts,
//! traces and state counts do not depend on the thread count. (Ctrl-C, the
//! time and the memory limits are checked once per chunk: where they stop a
//! search depends on timing anyway.)

use super::bfs::{Entry, Record, Search};
use super::bit;
use super::known::{Expansion, Known, Pending};
use super::visited::VisitedSet;
use super::{ActorSet, Finding, Fingerprint, Model, Outcome, SearchConfig, Stats, StopReason};

/// Parent states expanded between two merges: a block of the frontier.
const CHUNK: usize = super::frontier::BLOCK;

/// One parent state, expanded.
struct Expanded<M: Model> {
    index: u32,
    depth: u32,
    /// No step at all: a terminal state (then `waiting`/`final_violation` tell).
    terminal: bool,
    /// Past the depth bound: not expanded.
    cut_off: bool,
    waiting: ActorSet,
    moves: ActorSet,
    final_violation: Option<M::Violation>,
    /// Steps left out as asleep (`SearchConfig::sleep_sets`).
    asleep: u64,
    /// For the graph: the successors by the asleep steps of a state whose
    /// every step sleeps while an actor waits (`bfs::asleep_edges`); None
    /// where the graph leaves them out.
    asleep_edges: Option<Vec<Fingerprint>>,
    /// Each step's successor: its fingerprint, and the state itself unless
    /// it was visited before this chunk (dropped at once, on its own thread).
    successors: Vec<(M::Step, Successor<M>)>,
    /// The expanded state, and what it inherited, kept while a successor
    /// is still to be built from it (`Pending::needs_parent`).
    parent: Option<(M::State, Known<M>)>,
}

/// A successor's fingerprint, and the state (if new) with what it knows of
/// its steps; or the violation its step commits.
type Successor<M> = Result<(Fingerprint, Option<(Pending<M>, Known<M>)>), <M as Model>::Violation>;

/// Buffers an expansion fills and empties again, one set per worker's run
/// of a chunk: an expansion allocates only what it hands to the merge.
struct Scratch<M: Model> {
    steps: Vec<M::Step>,
    effects: Vec<Option<std::sync::Arc<M::Effect>>>,
    known: Vec<Known<M>>,
}

impl<M: Model> Default for Scratch<M> {
    fn default() -> Self {
        Scratch { steps: Vec::new(), effects: Vec::new(), known: Vec::new() }
    }
}

fn expand<M: Model>(
    model: &M,
    config: &SearchConfig,
    visited: Option<&VisitedSet>,
    scratch: &mut Scratch<M>,
    (index, depth, owned, known): Entry<M>,
) -> Expanded<M> {
    let (owned, known, _) = super::bfs::expanded_as(model, config, owned, known);
    model.expanded(&owned);
    let state = &owned;
    let known = &known;
    let local = model.thread_local_copy(state);
    let state = local.as_ref().unwrap_or(state);
    let steps = &mut scratch.steps;
    steps.clear();
    let waiting = model.steps_and_waiting(state, steps);
    let mut e = Expanded {
        index,
        depth,
        terminal: steps.is_empty(),
        cut_off: false,
        waiting,
        moves: 0,
        final_violation: None,
        asleep: 0,
        asleep_edges: None,
        successors: Vec::with_capacity(steps.len()),
        parent: None,
    };
    if e.terminal {
        if waiting == 0 {
            e.final_violation = model.check_final(state);
        }
        return e;
    }
    if config.bounds.max_depth.is_some_and(|max| depth >= max) {
        e.cut_off = true;
        return e;
    }
    let mut expansion = Expansion::new(!config.run_every_step);
    expansion.start(known);
    let effects = &mut scratch.effects;
    effects.clear();
    let sleep_sets = config.sleep_sets;
    let asleep = if sleep_sets { expansion.asleep_steps(model, steps) } else { 0 };
    for (i, &step) in steps.iter().enumerate() {
        e.moves |= bit(model.actor(step));
        if i < 64 && asleep & (1 << i) != 0 {
            e.asleep += 1;
            continue;
        }
        let mut effect = None;
        let next = expansion.next(model, state, steps, i).map(|successor| {
            let fp = successor.fingerprint;
            if visited.is_some_and(|v| v.contains(fp)) {
                return (fp, None);
            }
            effect = expansion.effect(&successor).cloned();
            // Set as for a state first met here (see `known`); the merge
            // keeps it only if it is.
            let mut known = Known::default();
            known.sleep = if sleep_sets { expansion.sleep_of(model, steps, i, &successor) } else { 0 };
            known.as_is = successor.as_is;
            (fp, Some((successor.into_pending(), known)))
        });
        effects.push(effect);
        e.successors.push((step, next));
    }
    if asleep != 0 && config.partial_deadlocks {
        e.asleep_edges = super::bfs::asleep_edges(model, &expansion, state, steps, asleep, waiting);
    }
    // What each kept successor knows, once every step's effect is.
    let kept = e
        .successors
        .iter()
        .zip(effects.iter())
        .filter(|((_, next), _)| matches!(next, Ok((_, Some(_)))))
        .map(|((step, _), effect)| (*step, effect.as_ref()));
    let known_out = &mut scratch.known;
    expansion.share(model, kept, known_out);
    let mut known = known_out.drain(..);
    for (_, next) in &mut e.successors {
        if let Ok((_, Some((_, k)))) = next {
            k.inherit(known.next().unwrap_or_default());
        }
    }
    // The successors still to build need their parent in the merge.
    if e.successors.iter().any(|(_, n)| matches!(n, Ok((_, Some((p, _)))) if p.needs_parent())) {
        e.parent = Some((owned, expansion.into_inherited()));
    }
    e
}

/// `f` over `items` on the search's thread pool, keeping their order.
fn par_map<T: Sync, R: Send>(pool: &rayon::ThreadPool, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    pool.install(|| items.par_iter().with_min_len(16).map(f).collect())
}

/// `f` over `items`, taken by value, on the search's thread pool, keeping
/// their order; each worker's run of items shares one `S`.
fn par_map_owned<T: Send, S: Default, R: Send>(
    pool: &rayon::ThreadPool,
    items: Vec<T>,
    f: impl Fn(&mut S, T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    pool.install(|| items.into_par_iter().with_min_len(16).map_init(S::default, f).collect())
}

/// What ends the search at a point of the merge, in single-thread order.
struct Event<M: Model> {
    finding: Option<Finding<M>>,
    stop: StopReason,
    /// The counts when it happened.
    stats: Stats,
}

/// `search` on `config.threads` threads: the same outcome, faster.
pub fn search_threads<M>(model: &M, config: &SearchConfig) -> Outcome<M>
where
    M: Model + Sync,
    M::State: Send + Sync,
    M::Step: Send + Sync,
    M::Violation: Send,
{
    // Depth-first pops one state at a time, each after its predecessor's
    // successors; so does fewest-preemptions-first until it turns breadth-first.
    let order = config.effective_order();
    let hands_over = order == super::Order::FewestPreemptions && config.bounds.schedule_bound().is_none();
    if config.threads <= 1 || !(order == super::Order::BreadthFirst || hands_over) {
        return super::search(model, config);
    }
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(config.threads).build() else {
        return super::search(model, config);
    };
    search_in_chunks(model, config, &pool, hands_over, CHUNK)
}

/// The parallel search in chunks of `chunk` states: breadth-first from the
/// start, or with `hand_over`, fewest preemptions first on this thread until
/// the frontier holds `config.preempt_frontier` states and breadth-first on
/// the pool from there.
fn search_in_chunks<M>(
    model: &M,
    config: &SearchConfig,
    pool: &rayon::ThreadPool,
    hand_over: bool,
    chunk: usize,
) -> Outcome<M>
where
    M: Model + Sync,
    M::State: Send + Sync,
    M::Step: Send + Sync,
    M::Violation: Send,
{
    let mut search = Search::new(model, config);
    if hand_over {
        search.hand_over = true;
        let (finding, stop) = search.run();
        if !search.switched {
            return search.finish(finding, stop);
        }
        if config.sleep_sets {
            if let Some((finding, stop)) = search.restart_breadth_first() {
                return search.finish(finding, stop);
            }
        }
    } else if let Some((finding, stop)) = search.start() {
        return search.finish(finding, stop);
    }
    let (finding, stop) = run(&mut search, pool, chunk.max(1));
    search.finish(finding, stop)
}

/// The breadth-first search from the frontier `s` holds (after `start()`,
/// or where the fewest-preemptions-first order turned breadth-first).
fn run<M>(s: &mut Search<'_, M>, pool: &rayon::ThreadPool, chunk_len: usize) -> (Option<Finding<M>>, StopReason)
where
    M: Model + Sync,
    M::State: Send + Sync,
    M::Step: Send + Sync,
    M::Violation: Send,
{
    let model = s.model;
    let config = s.config;
    let mut cut_off = false;
    // Expanded and not merged yet. The merge of one chunk runs beside the
    // expansion of the next (the states at the frontier's front, queued
    // before this merge adds any): the merge is the one part that runs on
    // a single thread, and would otherwise leave the other cores idle.
    let mut pending: Vec<Expanded<M>> = Vec::new();
    // What the merge lets go of (successors found visited, expanded parents
    // and what they knew), dropped beside the next merge on another thread;
    // the emptied buffers are used again, as is the merge's list of new states.
    let mut garbage = Garbage::default();
    let mut spare = Garbage::default();
    let mut discovered = Vec::new();
    loop {
        if let Some(stop) = s.limit_reached() {
            return (None, stop);
        }
        if pending.is_empty() {
            if s.frontier.is_empty() {
                break;
            }
            let chunk = s.frontier.take_front(chunk_len);
            let visited = &s.visited;
            pending = par_map_owned(pool, chunk, |scratch, entry| expand(model, config, Some(visited), scratch, entry));
        }
        let expanded = std::mem::take(&mut pending);
        let chunk = s.frontier.take_front(chunk_len);
        let mut to_drop = std::mem::take(&mut garbage);
        let to_fill = std::mem::take(&mut spare);
        let ((event, filled), (emptied, next)) = pool.install(|| {
            rayon::join(
                || merge(s, expanded, &mut cut_off, &mut discovered, to_fill),
                || {
                    to_drop.clear();
                    (to_drop, par_map_owned(pool, chunk, |scratch, entry| expand(model, config, None, scratch, entry)))
                },
            )
        });
        pending = next;
        garbage = filled;
        spare = emptied;

        // A hung set discovered before the event comes first.
        if config.hung_sets && !discovered.is_empty() {
            let first_new = discovered[0].0;
            let states: Vec<(u32, &M::State)> = s
                .frontier
                .iter()
                .rev()
                .take_while(|(i, _, _, _)| *i >= first_new)
                .map(|(i, _, st, _)| (*i, st))
                .collect();
            let hung = par_map(pool, &states, |&(i, st)| (i, model.hung(st)));
            if let Some(&(i, stuck)) = hung.iter().filter(|(_, h)| *h != 0).min_by_key(|(i, _)| *i) {
                if let Some(&(_, stats)) = discovered.iter().find(|d| d.0 == i) {
                    s.stats = stats;
                    return (
                        Some(Finding::Deadlock { stuck, terminal: false, trace: s.trace(i) }),
                        StopReason::Complete,
                    );
                }
            }
        }
        if let Some(ev) = event {
            s.stats = ev.stats;
            return (ev.finding, ev.stop);
        }
    }
    (None, if cut_off { StopReason::MaxDepth } else { StopReason::Complete })
}

/// What the merge lets go of, to drop on another thread: successors that
/// were already visited, expanded parents, and what they knew of their steps.
struct Garbage<M: Model> {
    states: Vec<M::State>,
    known: Vec<Known<M>>,
}

impl<M: Model> Default for Garbage<M> {
    fn default() -> Self {
        Garbage { states: Vec::new(), known: Vec::new() }
    }
}

impl<M: Model> Garbage<M> {
    fn clear(&mut self) {
        self.states.clear();
        self.known.clear();
    }

    /// A state and what it knew; an empty `Known` costs nothing to drop here.
    fn let_go(&mut self, state: Option<M::State>, known: Known<M>) {
        self.states.extend(state);
        if known.holds_list() {
            self.known.push(known);
        }
    }
}

/// Merge a chunk's expansions into the search in single-thread order, up to
/// the first event, which it returns with what it let go of (in `garbage`,
/// empty buffers to fill). The new states go to `discovered`: (index,
/// transitions and depth at discovery).
fn merge<M: Model>(
    s: &mut Search<'_, M>,
    expanded: Vec<Expanded<M>>,
    cut_off: &mut bool,
    discovered: &mut Vec<(u32, Stats)>,
    mut garbage: Garbage<M>,
) -> (Option<Event<M>>, Garbage<M>) {
    discovered.clear();
    let mut event = None;
    let mut successors = Vec::new();
    // Each expansion's buckets of the visited set are fetched while the
    // one before it is merged.
    let prefetch = |s: &Search<'_, M>, e: &Expanded<M>| {
        for (_, next) in &e.successors {
            if let Ok((fp, _)) = next {
                s.visited.prefetch(*fp);
            }
        }
    };
    let mut expanded = expanded.into_iter().peekable();
    if let Some(first) = expanded.peek() {
        prefetch(s, first);
    }
    'merge: while let Some(e) = expanded.next() {
        if let Some(after) = expanded.peek() {
            prefetch(s, after);
        }
        if e.terminal {
            if let Some(graph) = &mut s.graph {
                if !graph.set_state(e.index as usize, &[], e.waiting, 0) {
                    event = Some(snapshot(s, None, StopReason::MaxStates));
                    break 'merge;
                }
            }
            let finding = if e.waiting != 0 {
                Some(Finding::Deadlock { stuck: e.waiting, terminal: true, trace: s.trace(e.index) })
            } else {
                e.final_violation.map(|violation| Finding::Violation { violation, trace: s.trace(e.index) })
            };
            if finding.is_some() {
                event = Some(snapshot(s, finding, StopReason::Complete));
                break 'merge;
            }
            continue;
        }
        if e.cut_off {
            *cut_off = true;
            if let Some(graph) = &mut s.graph {
                if !graph.set_state(e.index as usize, &[], 0, 0) {
                    event = Some(snapshot(s, None, StopReason::MaxStates));
                    break 'merge;
                }
            }
            continue;
        }
        successors.clear();
        s.stats.asleep += e.asleep;
        for (step, next) in e.successors {
            let (fp, next) = match next {
                Ok(n) => n,
                Err(violation) => {
                    let finding = s.violation_finding(e.index, step, violation);
                    event = Some(snapshot(s, Some(finding), StopReason::Complete));
                    break 'merge;
                }
            };
            s.stats.transitions += 1;
            let target = match s.visited.insert(fp) {
                Some(Ok(old)) => {
                    if let Some((pending, known)) = next {
                        garbage.let_go(pending.built(), known);
                    }
                    old
                }
                None => {
                    event = Some(snapshot(s, None, StopReason::MaxStates));
                    break 'merge;
                }
                Some(Err(target)) => {
                    // Not visited before the chunk: the state was kept.
                    let (Some((next, known)), false) = (next, s.stats.states >= s.max_states) else {
                        event = Some(snapshot(s, None, StopReason::MaxStates));
                        break 'merge;
                    };
                    let next = match (next, &e.parent) {
                        (Pending::Built(n), _) => n,
                        (pending, Some((parent, inherited))) => match pending.state(s.model, inherited, parent, step) {
                            Ok(n) => n,
                            Err(violation) => {
                                let finding = s.violation_finding(e.index, step, violation);
                                event = Some(snapshot(s, Some(finding), StopReason::Complete));
                                break 'merge;
                            }
                        },
                        // `expand` keeps the parent of every successor still to build.
                        (_, None) => {
                            debug_assert!(false, "a successor to build from an effect without its parent");
                            continue;
                        }
                    };
                    let depth = e.depth.saturating_add(1);
                    s.records.push(Record { parent: e.index, step: Some(step) });
                    s.stats.states += 1;
                    s.stats.max_depth = s.stats.max_depth.max(depth);
                    discovered.push((target, s.stats));
                    s.frontier.push_back((target, depth, next, known));
                    target
                }
            };
            successors.push(target);
        }
        if let Some(graph) = &mut s.graph {
            let incomplete =
                e.asleep != 0 && !super::bfs::add_asleep_edges(&s.visited, e.asleep_edges, &mut successors);
            if !graph.set_state(e.index as usize, &successors, e.waiting, e.moves) {
                event = Some(snapshot(s, None, StopReason::MaxStates));
                break 'merge;
            }
            graph.set_incomplete(e.index as usize, incomplete);
        }
        // Dropped beside the next merge, not on this thread.
        if let Some((parent, inherited)) = e.parent {
            garbage.let_go(Some(parent), inherited);
        }
    }
    (event, garbage)
}

fn snapshot<M: Model>(s: &Search<'_, M>, finding: Option<Finding<M>>, stop: StopReason) -> Event<M> {
    Event { finding, stop, stats: s.stats }
}

#[cfg(test)]
mod tests {
    use super::super::toy::{partial, Counters, GraphModel, Philosophers};
    use super::super::Bounds;
    use super::*;

    fn both<M>(m: &M, config: &SearchConfig) -> (String, String)
    where
        M: Model + Sync + std::fmt::Debug,
        M::State: Send + Sync,
        M::Step: Send + Sync,
        M::Violation: Send,
    {
        let show = |mut o: Outcome<M>| {
            o.stats.seconds = 0.0;
            format!("{:?} {:?} {:?}", o.finding, o.stats, o.stop)
        };
        let one = show(super::super::search(m, config));
        let two = show(search_threads(m, &SearchConfig { threads: 3, ..config.clone() }));
        // Successors built from known effects (the counters record theirs):
        // the outcome of running every step, on one thread and on three, in
        // every order.
        for order in
            [super::super::Order::BreadthFirst, super::super::Order::DepthFirst, super::super::Order::FewestPreemptions]
        {
            for threads in [1, 3] {
                let reuse = SearchConfig { order, threads, ..config.clone() };
                let run = SearchConfig { run_every_step: true, ..reuse.clone() };
                let (a, b) = (show(search_threads(m, &reuse)), show(search_threads(m, &run)));
                assert_eq!(a, b, "{order:?} on {threads} threads");
            }
        }
        // Small chunks: the merge of one runs beside the expansion of the next.
        let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(2).build() else { panic!("no thread pool") };
        let config = SearchConfig { threads: 2, ..config.clone() };
        for chunk in [1, 2, 3, 7] {
            assert_eq!(one, show(search_in_chunks(m, &config, &pool, false, chunk)), "chunks of {chunk}");
        }
        // Fewest preemptions first, turning breadth-first at a small
        // frontier: on the pool from there, with the outcome of one thread.
        if config.bounds.max_depth.is_none() {
            for cap in [1, 2, 5] {
                let preempt = SearchConfig {
                    order: super::super::Order::FewestPreemptions,
                    preempt_frontier: Some(cap),
                    ..config.clone()
                };
                let alone = show(super::super::search(m, &preempt));
                for chunk in [1, 3] {
                    let threads = show(search_in_chunks(m, &preempt, &pool, true, chunk));
                    assert_eq!(alone, threads, "frontier cap {cap}, chunks of {chunk}");
                }
            }
        }
        (one, two)
    }

    #[test]
    fn three_threads_give_the_outcome_of_one_on_toy_graphs() {
        let configs = [
            partial(),
            SearchConfig::default(),
            SearchConfig { bounds: Bounds { max_depth: Some(3), ..Bounds::default() }, ..partial() },
            SearchConfig { bounds: Bounds { max_states: Some(40), ..Bounds::default() }, ..partial() },
        ];
        for config in &configs {
            let (a, b) = both(&Counters { n: 3, k: 4, bad: None }, config);
            assert_eq!(a, b);
            let (a, b) = both(&Counters { n: 3, k: 4, bad: Some(vec![4, 2, 3]) }, config);
            assert_eq!(a, b);
            let (a, b) = both(&Philosophers { n: 4 }, config);
            assert_eq!(a, b);
            let m = GraphModel::new(4).edge(0, 0, 1).edge(0, 1, 2).edge(1, 1, 3).edge(2, 0, 3).wait(3, 1);
            let (a, b) = both(&m, config);
            assert_eq!(a, b);
            // Fewest preemptions first expands 0, 1 and turns breadth-first
            // with the frontier out of index order (3, 2, 4): the partial
            // deadlock in 2 (actor 1 waits while actor 0 loops) must keep its
            // edges under its own index after the hand-over.
            let m = GraphModel::new(5)
                .edge(0, 0, 1)
                .edge(0, 1, 2)
                .edge(1, 0, 3)
                .edge(1, 1, 4)
                .edge(2, 0, 2)
                .wait(2, 0b10)
                .cycle(0, &[3, 4])
                .cycle(1, &[3, 4]);
            let (a, b) = both(&m, config);
            assert_eq!(a, b);
            // Two levels of six: a hung set and a violation in the second,
            // each first in one order of the edges, so that in chunks the
            // one discovered first in single-thread order must still win.
            for (hung, bad) in [(9, 11), (11, 9), (8, 8)] {
                let mut m = GraphModel::new(13);
                for i in 1..=6 {
                    m = m.edge(0, i - 1, i as u32).edge(i as u32, 0, 6 + i as u32);
                }
                let mut m = m.hung_in(hung, 1);
                m.bad = Some(bad);
                let (a, b) = both(&m, &SearchConfig { hung_sets: true, ..config.clone() });
                assert_eq!(a, b);
            }
        }
    }
}
