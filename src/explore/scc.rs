//! Partial deadlocks: bottom strongly connected components of the explored
//! state graph in which some waiting actor can never move again.
//!
//! A run that stays forever inside a bottom SCC visits (fairly) all of its
//! states, so an actor that has a step in any state of it does move; the
//! stuck actors are those waiting in every state and enabled in none.

use super::chunked::{ChunkedRuns, ChunkedVec, RunAddr};
use super::ActorSet;

/// The explored state graph in compressed sparse row form, built by the
/// search as it expands states (in index order breadth-first, out of it in
/// the other orders: `set_state`).
#[derive(Clone, Debug)]
pub struct Graph {
    /// State `i`'s successors: `targets.run(starts[i], lens[i])`.
    starts: ChunkedVec<RunAddr>,
    lens: ChunkedVec<u16>,
    targets: ChunkedRuns<u32>,
    /// Per state: an index into `actor_sets` (few distinct pairs occur, so
    /// 4 bytes a state instead of 16).
    sets: ChunkedVec<u32>,
    /// The distinct (waiting, moves) pairs: the model's `waiting` set, and
    /// the actors that have at least one step there.
    actor_sets: Vec<(ActorSet, ActorSet)>,
    actor_set_ids: rustc_hash::FxHashMap<(ActorSet, ActorSet), u32>,
    /// One bit per state: some step of it was left out as asleep and its
    /// edge is not recorded (see `Search::restore_asleep_edges`).
    incomplete: ChunkedVec<u64>,
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl Graph {
    pub fn new() -> Self {
        Graph {
            starts: ChunkedVec::default(),
            lens: ChunkedVec::default(),
            targets: ChunkedRuns::default(),
            sets: ChunkedVec::default(),
            // Pair 0 is (none waiting, none moving): what a state not set yet reads.
            actor_sets: vec![(0, 0)],
            actor_set_ids: [((0, 0), 0)].into_iter().collect(),
            incomplete: ChunkedVec::default(),
        }
    }

    /// One past the highest state index whose edges are recorded (after a
    /// complete search: the number of states).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record the next state's successors, its `waiting` set and the actors
    /// with a step there; false if the graph cannot hold more (then the
    /// search stops as at its state bound).
    #[must_use]
    pub fn push_state(&mut self, successors: &[u32], waiting: ActorSet, moves: ActorSet) -> bool {
        self.set_state(self.len(), successors, waiting, moves)
    }

    /// Record state `index`'s successors and actor sets, whatever the order
    /// states are expanded in (a depth-first search expands them out of
    /// index order); states in between stay without edges until set.
    #[must_use]
    pub fn set_state(&mut self, index: usize, successors: &[u32], waiting: ActorSet, moves: ActorSet) -> bool {
        let (Some(start), Ok(len)) = (self.targets.push_run(successors), u16::try_from(successors.len())) else {
            return false;
        };
        let next = self.actor_sets.len() as u32;
        let id = *self.actor_set_ids.entry((waiting, moves)).or_insert(next);
        if id == next {
            self.actor_sets.push((waiting, moves));
        }
        self.starts.set(index, start, 0);
        self.lens.set(index, len, 0);
        self.sets.set(index, id, 0);
        true
    }

    /// Note that state `v`'s edges leave out a step (or, with `false`, no
    /// longer do).
    pub fn set_incomplete(&mut self, v: usize, incomplete: bool) {
        let word = self.incomplete.get(v / 64).copied().unwrap_or(0);
        let bit = 1u64 << (v % 64);
        let word = if incomplete { word | bit } else { word & !bit };
        self.incomplete.set(v / 64, word, 0);
    }

    /// Whether state `v`'s edges leave out a step.
    pub fn is_incomplete(&self, v: usize) -> bool {
        self.incomplete.get(v / 64).is_some_and(|w| w >> (v % 64) & 1 != 0)
    }

    /// State `v`'s waiting set.
    pub fn waiting(&self, v: usize) -> ActorSet {
        self.sets.get(v).and_then(|&i| self.actor_sets.get(i as usize)).map_or(0, |p| p.0)
    }

    /// The actors with a step in state `v`.
    pub fn moves(&self, v: usize) -> ActorSet {
        self.sets.get(v).and_then(|&i| self.actor_sets.get(i as usize)).map_or(0, |p| p.1)
    }

    pub fn successors(&self, state: usize) -> &[u32] {
        match (self.starts.get(state), self.lens.get(state)) {
            (Some(&a), Some(&n)) => self.targets.run(a, usize::from(n)),
            _ => &[],
        }
    }
}

/// A bottom SCC in which the actors of `stuck` never move again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StuckComponent {
    /// The component's state with the smallest index.
    pub first: u32,
    pub stuck: ActorSet,
    /// Actors that move somewhere in the component.
    pub moving: ActorSet,
}

const UNVISITED: u32 = u32::MAX;

/// Working arrays of Tarjan's algorithm: 9 bytes a state, plus the stacks
/// (the search's graph has millions of states, and this pass runs when the
/// search has all of them in memory).
struct Tarjan {
    index: Vec<u32>,
    lowlink: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    /// Simulated call stack: (state, position of the next edge to follow).
    calls: Vec<(u32, u32)>,
    counter: u32,
}

impl Tarjan {
    fn enter(&mut self, v: usize) {
        self.index[v] = self.counter;
        self.lowlink[v] = self.counter;
        self.counter += 1;
        self.on_stack[v] = true;
        self.stack.push(v as u32);
        self.calls.push((v as u32, 0));
    }
}

/// Call `f` with each strongly connected component (its states), found by
/// an iterative Tarjan (no recursion: millions of states), in reverse
/// topological order: every component an edge leads to from the one given
/// was given before. `f` also gets whether a state is in the component
/// given or in one not given yet (on Tarjan's stack), which for the target
/// of an edge from the component means: in the component. Edges to unknown
/// states are ignored.
fn each_component(graph: &Graph, mut f: impl FnMut(&[u32], &dyn Fn(u32) -> bool)) {
    let n = graph.len();
    let mut t = Tarjan {
        index: vec![UNVISITED; n],
        lowlink: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        counter: 0,
    };
    for root in 0..n {
        if t.index[root] != UNVISITED {
            continue;
        }
        t.enter(root);
        while let Some(top) = t.calls.last_mut() {
            let v = top.0 as usize;
            if let Some(&w) = graph.successors(v).get(top.1 as usize) {
                top.1 += 1;
                let w = w as usize;
                if w >= n {
                    continue;
                }
                if t.index[w] == UNVISITED {
                    t.enter(w);
                } else if t.on_stack[w] {
                    t.lowlink[v] = t.lowlink[v].min(t.index[w]);
                }
                continue;
            }
            // All edges of v followed: return to the caller.
            t.calls.pop();
            if let Some(&(u, _)) = t.calls.last() {
                let u = u as usize;
                t.lowlink[u] = t.lowlink[u].min(t.lowlink[v]);
            }
            if t.lowlink[v] == t.index[v] {
                let at = t.stack.iter().rposition(|&w| w as usize == v).unwrap_or(0);
                let on_stack = &t.on_stack;
                f(&t.stack[at..], &|w| on_stack.get(w as usize).copied().unwrap_or(false));
                for &w in &t.stack[at..] {
                    t.on_stack[w as usize] = false;
                }
                t.stack.truncate(at);
            }
        }
    }
}

/// The component id of every state and the number of components (ids in
/// the order `each_component` finds them).
#[cfg(test)]
fn components(graph: &Graph) -> (Vec<u32>, u32) {
    let mut component = vec![UNVISITED; graph.len()];
    let mut count = 0u32;
    each_component(graph, |states, _| {
        for &v in states {
            component[v as usize] = count;
        }
        count += 1;
    });
    (component, count)
}

/// What the passes below need of a bottom component with a cycle: one no
/// edge leaves, with more than one state or a self-loop, where a run can
/// stay for ever. (Single states without a self-loop are terminal states,
/// the search's business.)
struct BottomCycle {
    /// The component's state with the smallest index.
    first: u32,
    /// Actors waiting in every state of it, in some state of it, and with
    /// a step in some state of it.
    waiting_all: ActorSet,
    waiting_any: ActorSet,
    moves_any: ActorSet,
}

/// Call `f` with each bottom component (one no edge leaves), summed up as
/// it is found, and whether it has a cycle (more than one state, or a
/// self-loop): what is kept is proportional to those, not to all
/// components (a search's graph is mostly acyclic, nearly one component
/// per state).
fn each_bottom_component(graph: &Graph, mut f: impl FnMut(&[u32], bool, BottomCycle)) {
    each_component(graph, |states, inside| {
        let mut c = BottomCycle { first: u32::MAX, waiting_all: !0, waiting_any: 0, moves_any: 0 };
        let mut cycle = states.len() > 1;
        for &v in states {
            for &w in graph.successors(v as usize) {
                if (w as usize) >= graph.len() {
                    continue;
                }
                if !inside(w) {
                    return;
                }
                cycle |= w == v;
            }
            c.first = c.first.min(v);
            c.waiting_all &= graph.waiting(v as usize);
            c.waiting_any |= graph.waiting(v as usize);
            c.moves_any |= graph.moves(v as usize);
        }
        f(states, cycle, c);
    });
}

impl BottomCycle {
    /// The actors stuck in the component (waiting in every state, never
    /// moving), and those that move.
    fn stuck(&self) -> StuckComponent {
        StuckComponent { first: self.first, stuck: self.waiting_all & !self.moves_any, moving: self.moves_any }
    }
}

/// The bottom components with a cycle.
fn bottom_cycles(graph: &Graph) -> Vec<BottomCycle> {
    let mut found = Vec::new();
    each_bottom_component(graph, |_, cycle, c| {
        if cycle {
            found.push(c);
        }
    });
    found
}

/// A bottom component in which some actor waits and some has a step.
pub struct WaitingComponent {
    pub states: Vec<u32>,
    /// More than one state, or a self-loop: a run can stay in it for ever.
    pub cycle: bool,
    /// The actors stuck in it (waiting in every state, never moving), and
    /// those that move somewhere in it.
    pub stuck: StuckComponent,
}

/// Every bottom component in which some actor waits and some actor has a
/// step: where a partial deadlock could be. That includes a single state
/// whose every step was left out of the graph (asleep), which looks
/// terminal here though it is not.
pub fn waiting_bottom_components(graph: &Graph) -> Vec<WaitingComponent> {
    let mut found = Vec::new();
    each_bottom_component(graph, |states, cycle, c| {
        if c.waiting_any != 0 && c.moves_any != 0 {
            found.push(WaitingComponent { states: states.to_vec(), cycle, stuck: c.stuck() });
        }
    });
    found
}

/// Every bottom component (with a cycle) in which some actors wait and never
/// move, ordered by smallest state index.
pub fn stuck_components(graph: &Graph) -> Vec<StuckComponent> {
    stuck_in_order(bottom_cycles(graph).iter().map(BottomCycle::stuck))
}

/// The same, of bottom components found by `waiting_bottom_components`.
pub fn stuck_components_of(components: &[WaitingComponent]) -> Vec<StuckComponent> {
    stuck_in_order(components.iter().filter(|c| c.cycle).map(|c| c.stuck))
}

/// Those of `components` with a stuck actor, by their first state.
fn stuck_in_order(components: impl Iterator<Item = StuckComponent>) -> Vec<StuckComponent> {
    let mut all: Vec<StuckComponent> = components.filter(|s| s.stuck != 0).collect();
    all.sort_by_key(|s| s.first);
    all
}

/// Whether some bottom component with a cycle has a state in which some
/// actor waits: where a partial deadlock could be, for a graph whose actor
/// indices do not name the same actor from state to state.
pub fn waits_in_a_bottom_cycle(graph: &Graph) -> bool {
    bottom_cycles(graph).iter().any(|c| c.waiting_any != 0)
}

/// The stuck bottom component whose smallest state index is smallest.
pub fn partial_deadlock(graph: &Graph) -> Option<StuckComponent> {
    stuck_components(graph).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a graph from adjacency lists, with `waiting` per state and
    /// `moves` set to actor 0 wherever a state has an edge.
    fn graph(adjacency: &[&[u32]], waiting: &[ActorSet]) -> Graph {
        let mut g = Graph::new();
        for (v, succ) in adjacency.iter().enumerate() {
            let moves = if succ.is_empty() { 0 } else { 1 };
            assert!(g.push_state(succ, waiting[v], moves));
        }
        g
    }

    #[test]
    fn waits_in_a_bottom_cycle_only_where_a_run_can_stay_with_a_waiting_actor() {
        // A bottom cycle whose second state has a waiting actor.
        assert!(waits_in_a_bottom_cycle(&graph(&[&[1], &[0]], &[0, 0b10])));
        // Waiting only in a terminal state, or in a cycle that can be left.
        assert!(!waits_in_a_bottom_cycle(&graph(&[&[1], &[]], &[0b10, 0b10])));
        assert!(!waits_in_a_bottom_cycle(&graph(&[&[1], &[0, 2], &[]], &[0b10, 0b10, 0])));
        // A bottom cycle where nobody waits.
        assert!(!waits_in_a_bottom_cycle(&graph(&[&[1], &[0]], &[0, 0])));
    }

    #[test]
    fn a_chain_has_one_component_per_state() {
        let g = graph(&[&[1], &[2], &[]], &[0, 0, 0]);
        let (component, count) = components(&g);
        assert_eq!(count, 3);
        // Tarjan closes components in reverse topological order.
        assert_eq!(component, vec![2, 1, 0]);
    }

    #[test]
    fn two_cycles_joined_one_way_are_two_components() {
        let g = graph(&[&[1], &[0, 2], &[3], &[2]], &[0; 4]);
        let (component, count) = components(&g);
        assert_eq!(count, 2);
        assert_eq!(component[0], component[1]);
        assert_eq!(component[2], component[3]);
        assert_ne!(component[0], component[2]);
    }

    #[test]
    fn a_million_state_cycle_does_not_overflow_the_stack() {
        let n = 1_000_000u32;
        let mut g = Graph::new();
        for v in 0..n {
            assert!(g.push_state(&[(v + 1) % n], 0b10, 0b01));
        }
        let (_, count) = components(&g);
        assert_eq!(count, 1);
        assert_eq!(partial_deadlock(&g).map(|c| (c.first, c.stuck)), Some((0, 0b10)));
    }

    #[test]
    fn the_bottom_cycle_not_the_escapable_one_is_reported() {
        // 0 <-> 1 can escape to 2 <-> 3; both wait for actor 1 (bit 0b10).
        let g = graph(&[&[1], &[0, 2], &[3], &[2]], &[0b10; 4]);
        assert_eq!(partial_deadlock(&g).map(|c| (c.first, c.stuck)), Some((2, 0b10)));
    }

    #[test]
    fn a_single_state_without_self_loop_is_not_a_partial_deadlock() {
        let g = graph(&[&[1], &[]], &[0b10, 0b10]);
        assert_eq!(partial_deadlock(&g), None);
    }

    #[test]
    fn a_self_loop_is_a_bottom_component() {
        let g = graph(&[&[1], &[1]], &[0, 0b100]);
        assert_eq!(partial_deadlock(&g).map(|c| (c.first, c.stuck)), Some((1, 0b100)));
    }

    #[test]
    fn an_actor_that_moves_somewhere_in_the_component_is_not_stuck() {
        let mut g = Graph::new();
        assert!(g.push_state(&[1], 0b10, 0b01));
        assert!(g.push_state(&[0], 0b10, 0b11));
        assert_eq!(partial_deadlock(&g), None);
    }

    #[test]
    fn edges_to_unknown_states_are_ignored() {
        let g = graph(&[&[7, 0]], &[0b10]);
        assert_eq!(partial_deadlock(&g).map(|c| (c.first, c.stuck)), Some((0, 0b10)));
    }
}

/// Partial deadlocks as the search reports them, on explicit graphs.
#[cfg(test)]
mod search_tests {
    use super::super::toy::{deadlock, e, partial, GraphModel};
    use super::super::{search, SearchConfig, StopReason};

    #[test]
    fn actor_blocked_while_another_loops_is_a_partial_deadlock() {
        let m = GraphModel::new(3).edge(0, 1, 1).cycle(0, &[1, 2]).wait(1, 0b10).wait(2, 0b10);
        let out = search(&m, &partial());
        assert_eq!(deadlock(&out), (0b10, false, vec![e(1, 1)]));
        assert_eq!(out.stop, StopReason::Complete);
    }

    #[test]
    fn partial_deadlocks_are_only_sought_when_asked() {
        let m = GraphModel::new(2).cycle(0, &[0, 1]).wait(0, 0b10).wait(1, 0b10);
        let out = search(&m, &SearchConfig::default());
        assert!(out.finding.is_none());
        assert_eq!(out.stop, StopReason::Complete);
    }

    #[test]
    fn cycle_that_can_escape_to_a_clean_end_has_no_finding() {
        let m = GraphModel::new(3).cycle(0, &[0, 1]).edge(1, 0, 2).wait(0, 0b10).wait(1, 0b10);
        let out = search(&m, &partial());
        assert!(out.finding.is_none());
        assert_eq!(out.stats.states, 3);
    }

    #[test]
    fn actor_enabled_somewhere_in_the_bottom_cycle_is_not_stuck() {
        let m = GraphModel::new(2).cycle(0, &[0, 1]).edge(1, 1, 0).wait(0, 0b10).wait(1, 0b10);
        assert!(search(&m, &partial()).finding.is_none());
    }

    #[test]
    fn actor_waiting_in_only_part_of_the_cycle_is_not_stuck() {
        let m = GraphModel::new(2).cycle(0, &[0, 1]).wait(0, 0b10);
        assert!(search(&m, &partial()).finding.is_none());
    }

    #[test]
    fn self_loop_bottom_component_is_a_partial_deadlock() {
        let m = GraphModel::new(2).edge(0, 0, 1).edge(1, 0, 1).wait(1, 0b100);
        let out = search(&m, &partial());
        assert_eq!(deadlock(&out), (0b100, false, vec![e(0, 1)]));
    }

    #[test]
    fn of_two_stuck_bottom_cycles_the_first_discovered_is_reported() {
        let cycles = |first: u32, second: u32| {
            GraphModel::new(5)
                .edge(0, 0, first)
                .edge(0, 0, second)
                .cycle(0, &[1, 2])
                .cycle(0, &[3, 4])
                .wait(1, 0b10)
                .wait(2, 0b10)
                .wait(3, 0b100)
                .wait(4, 0b100)
        };
        assert_eq!(deadlock(&search(&cycles(1, 3), &partial())), (0b10, false, vec![e(0, 1)]));
        assert_eq!(deadlock(&search(&cycles(3, 1), &partial())), (0b100, false, vec![e(0, 3)]));
    }

    #[test]
    fn terminal_deadlock_wins_over_partial_deadlock() {
        let m = GraphModel::new(4).edge(0, 0, 1).edge(0, 0, 3).cycle(0, &[1, 2]).wait(1, 2).wait(2, 2).wait(3, 1);
        assert_eq!(deadlock(&search(&m, &partial())), (1, true, vec![e(0, 3)]));
    }
}
