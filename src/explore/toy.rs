//! Small models whose state spaces can be counted by hand, for the tests of
//! the search engine.

use xxhash_rust::xxh3::xxh3_128;

use super::{ActorSet, Finding, Fingerprint, Model, Outcome, SearchConfig, Trace};

/// A search configuration that also looks for partial deadlocks.
pub fn partial() -> SearchConfig {
    SearchConfig { partial_deadlocks: true, ..SearchConfig::default() }
}

/// The (stuck, terminal, trace) of the outcome's deadlock; panics otherwise.
pub fn deadlock<M: Model + std::fmt::Debug>(outcome: &Outcome<M>) -> (ActorSet, bool, Trace<M::Step>) {
    match &outcome.finding {
        Some(Finding::Deadlock { stuck, terminal, trace }) => (*stuck, *terminal, trace.clone()),
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

/// Shorthand for an [`Edge`].
pub fn e(actor: usize, target: u32) -> Edge {
    Edge { actor, target }
}

/// Replays `trace` from the initial state, as a caller of `search` would.
pub fn replay<M: Model>(model: &M, trace: &[M::Step]) -> Result<M::State, M::Violation> {
    let mut state = model.initial()?;
    for &step in trace {
        state = model.next(&state, step)?;
    }
    Ok(state)
}

/// One edge of a [`GraphModel`]: `actor` moves the system to `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub actor: usize,
    pub target: u32,
}

/// An explicit graph: states `0..n`, state 0 initial, steps are the edges of
/// a state in insertion order.
#[derive(Clone, Debug, Default)]
pub struct GraphModel {
    pub edges: Vec<Vec<Edge>>,
    pub waiting: Vec<ActorSet>,
    /// Taking any edge into this state is a violation.
    pub bad: Option<u32>,
    /// This state, if terminal, fails `check_final`.
    pub bad_final: Option<u32>,
    pub bad_initial: bool,
    /// The hung set of each state (`Model::hung`); empty: none.
    pub hung: Vec<ActorSet>,
}

impl GraphModel {
    pub fn new(states: usize) -> Self {
        GraphModel { edges: vec![Vec::new(); states], waiting: vec![0; states], ..GraphModel::default() }
    }

    pub fn edge(mut self, from: u32, actor: usize, target: u32) -> Self {
        if let Some(out) = self.edges.get_mut(from as usize) {
            out.push(Edge { actor, target });
        }
        self
    }

    /// Adds a directed cycle through `states` moved by `actor`.
    pub fn cycle(mut self, actor: usize, states: &[u32]) -> Self {
        for (i, &from) in states.iter().enumerate() {
            let target = states[(i + 1) % states.len()];
            self = self.edge(from, actor, target);
        }
        self
    }

    pub fn wait(mut self, state: u32, actors: ActorSet) -> Self {
        if let Some(w) = self.waiting.get_mut(state as usize) {
            *w = actors;
        }
        self
    }

    /// `actors` form a hung set in `state`.
    pub fn hung_in(mut self, state: u32, actors: ActorSet) -> Self {
        self.hung.resize(self.edges.len(), 0);
        if let Some(h) = self.hung.get_mut(state as usize) {
            *h = actors;
        }
        self
    }
}

impl Model for GraphModel {
    type State = u32;
    type Step = Edge;
    /// The state the violation was committed in (or entered).
    type Violation = u32;
    type Effect = ();

    fn initial(&self) -> Result<u32, u32> {
        if self.bad_initial {
            Err(0)
        } else {
            Ok(0)
        }
    }

    fn steps(&self, state: &u32, out: &mut Vec<Edge>) {
        if let Some(edges) = self.edges.get(*state as usize) {
            out.extend_from_slice(edges);
        }
    }

    fn next(&self, _state: &u32, step: Edge) -> Result<u32, u32> {
        if self.bad == Some(step.target) {
            Err(step.target)
        } else {
            Ok(step.target)
        }
    }

    fn fingerprint(&self, state: &u32) -> Fingerprint {
        Fingerprint::from(*state)
    }

    fn actor(&self, step: Edge) -> usize {
        step.actor
    }

    fn waiting(&self, state: &u32) -> ActorSet {
        self.waiting.get(*state as usize).copied().unwrap_or(0)
    }

    fn check_final(&self, state: &u32) -> Option<u32> {
        (self.bad_final == Some(*state)).then_some(*state)
    }

    fn hung(&self, state: &u32) -> ActorSet {
        self.hung.get(*state as usize).copied().unwrap_or(0)
    }
}

/// `n` independent actors, each counting its own counter from 0 up to `k`.
/// `(k+1)^n` states, `n*k*(k+1)^(n-1)` transitions, nobody ever waits.
#[derive(Clone, Debug)]
pub struct Counters {
    pub n: usize,
    pub k: u8,
    /// Reaching exactly these counter values is a violation.
    pub bad: Option<Vec<u8>>,
}

impl Model for Counters {
    type State = Vec<u8>;
    type Step = usize;
    type Violation = Vec<u8>;
    /// The counter a step wrote, and its new value.
    type Effect = (usize, u8);

    fn initial(&self) -> Result<Vec<u8>, Vec<u8>> {
        Ok(vec![0; self.n])
    }

    fn steps(&self, state: &Vec<u8>, out: &mut Vec<usize>) {
        out.extend((0..state.len()).filter(|&i| state[i] < self.k));
    }

    fn next(&self, state: &Vec<u8>, step: usize) -> Result<Vec<u8>, Vec<u8>> {
        let mut next = state.clone();
        if let Some(c) = next.get_mut(step) {
            *c += 1;
        }
        if self.bad.as_ref() == Some(&next) {
            Err(next)
        } else {
            Ok(next)
        }
    }

    fn fingerprint(&self, state: &Vec<u8>) -> Fingerprint {
        xxh3_128(state)
    }

    fn next_with_effect(&self, state: &Vec<u8>, step: usize) -> Result<(Vec<u8>, Option<(usize, u8)>), Vec<u8>> {
        let next = self.next(state, step)?;
        let value = next.get(step).copied().unwrap_or(0);
        Ok((next, Some((step, value))))
    }

    fn replay_fingerprint(&self, state: &Vec<u8>, effect: &(usize, u8)) -> Option<Fingerprint> {
        self.replay(state, effect).map(|n| xxh3_128(&n))
    }

    fn replay(&self, state: &Vec<u8>, &(i, value): &(usize, u8)) -> Option<Vec<u8>> {
        let mut next = state.clone();
        *next.get_mut(i)? = value;
        // A violation is reported by running the step.
        (self.bad.as_ref() != Some(&next)).then_some(next)
    }

    fn commutes(&self, taken: &(usize, u8), kept: &(usize, u8)) -> bool {
        taken.0 != kept.0
    }

    fn actor(&self, step: usize) -> usize {
        step
    }

    fn waiting(&self, _state: &Vec<u8>) -> ActorSet {
        0
    }
}

/// One operation of a [`Registers`] actor on the shared registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegOp {
    /// `r[reg] = value`.
    Set(usize, u8),
    /// `r[reg] += 1` (mod 4): reads and writes `reg`.
    Bump(usize),
    /// `r[to] = r[from]`.
    Copy { from: usize, to: usize },
    /// Only if `r[reg] == value`: else the actor waits.
    Await(usize, u8),
    /// Go on at this position, touching no register (`Jump` to itself is
    /// a task spinning for ever).
    Jump(u8),
}

/// Actors that each run a straight-line program over a few shared
/// registers: some steps commute and some do not, and some actors wait on
/// registers others write, so the sleep sets have both to tell apart.
#[derive(Clone, Debug)]
pub struct Registers {
    pub programs: Vec<Vec<RegOp>>,
    pub registers: usize,
}

/// What a [`Registers`] step did: its actor and that actor's next
/// position, the registers it read and wrote (bits), and the values written.
#[derive(Clone, Debug)]
pub struct RegEffect {
    actor: usize,
    pc: u8,
    read: u32,
    written: u32,
    values: Vec<(usize, u8)>,
}

impl Registers {
    /// The state: each actor's position, then the registers.
    fn run(&self, state: &[u8], actor: usize) -> Option<RegEffect> {
        let pc = *state.get(actor)?;
        let op = *self.programs.get(actor)?.get(pc as usize)?;
        let r = |i: usize| state.get(self.programs.len() + i).copied().unwrap_or(0);
        let (read, written, values) = match op {
            RegOp::Jump(to) => return Some(RegEffect { actor, pc: to, read: 0, written: 0, values: Vec::new() }),
            RegOp::Set(reg, v) => (0, 1 << reg, vec![(reg, v)]),
            RegOp::Bump(reg) => (1 << reg, 1 << reg, vec![(reg, (r(reg) + 1) % 4)]),
            RegOp::Copy { from, to } => (1 << from, 1 << to, vec![(to, r(from))]),
            RegOp::Await(reg, v) if r(reg) == v => (1 << reg, 0, Vec::new()),
            RegOp::Await(..) => return None,
        };
        Some(RegEffect { actor, pc: pc + 1, read, written, values })
    }

    fn apply(&self, state: &[u8], e: &RegEffect) -> Vec<u8> {
        let mut next = state.to_vec();
        next[e.actor] = e.pc;
        for &(reg, v) in &e.values {
            next[self.programs.len() + reg] = v;
        }
        next
    }
}

impl Model for Registers {
    type State = Vec<u8>;
    type Step = usize;
    type Violation = ();
    type Effect = RegEffect;

    fn initial(&self) -> Result<Vec<u8>, ()> {
        Ok(vec![0; self.programs.len() + self.registers])
    }

    fn steps(&self, state: &Vec<u8>, out: &mut Vec<usize>) {
        out.extend((0..self.programs.len()).filter(|&a| self.run(state, a).is_some()));
    }

    fn next(&self, state: &Vec<u8>, step: usize) -> Result<Vec<u8>, ()> {
        self.run(state, step).map(|e| self.apply(state, &e)).ok_or(())
    }

    fn fingerprint(&self, state: &Vec<u8>) -> Fingerprint {
        xxh3_128(state)
    }

    fn next_with_effect(&self, state: &Vec<u8>, step: usize) -> Result<(Vec<u8>, Option<RegEffect>), ()> {
        let e = self.run(state, step).ok_or(())?;
        Ok((self.apply(state, &e), Some(e)))
    }

    fn replay_fingerprint(&self, state: &Vec<u8>, effect: &RegEffect) -> Option<Fingerprint> {
        Some(xxh3_128(&self.apply(state, effect)))
    }

    fn replay(&self, state: &Vec<u8>, effect: &RegEffect) -> Option<Vec<u8>> {
        Some(self.apply(state, effect))
    }

    fn commutes(&self, taken: &RegEffect, kept: &RegEffect) -> bool {
        taken.actor != kept.actor && taken.written & (kept.read | kept.written) == 0
    }

    fn actor(&self, step: usize) -> usize {
        step
    }

    /// An actor waits while it is at an `Await` that does not hold.
    fn waiting(&self, state: &Vec<u8>) -> ActorSet {
        (0..self.programs.len())
            .filter(|&a| {
                let pc = state[a] as usize;
                matches!(self.programs[a].get(pc), Some(RegOp::Await(..))) && self.run(state, a).is_none()
            })
            .fold(0, |set, a| set | 1 << a)
    }
}

/// Dining philosophers, each eating once: take the left fork, then the
/// right one, then put both down and leave. All holding their left fork is
/// the classic terminal deadlock.
#[derive(Clone, Debug)]
pub struct Philosophers {
    pub n: usize,
}

/// Per philosopher: 0 hungry, 1 holds the left fork, 2 eating, 3 gone.
pub type Table = Vec<u8>;

impl Philosophers {
    fn left(&self, i: usize) -> usize {
        i
    }

    fn right(&self, i: usize) -> usize {
        (i + 1) % self.n
    }

    /// Who holds fork `f`, if anyone.
    fn holder(&self, table: &Table, f: usize) -> Option<usize> {
        (0..self.n).find(|&i| {
            let stage = table[i];
            (stage == 1 && self.left(i) == f) || (stage == 2 && (self.left(i) == f || self.right(i) == f))
        })
    }

    fn enabled(&self, table: &Table, i: usize) -> bool {
        match table[i] {
            0 => self.holder(table, self.left(i)).is_none(),
            1 => self.holder(table, self.right(i)).is_none(),
            2 => true,
            _ => false,
        }
    }
}

impl Model for Philosophers {
    type State = Table;
    type Step = usize;
    type Violation = ();
    type Effect = ();

    fn initial(&self) -> Result<Table, ()> {
        Ok(vec![0; self.n])
    }

    fn steps(&self, table: &Table, out: &mut Vec<usize>) {
        out.extend((0..self.n).filter(|&i| self.enabled(table, i)));
    }

    fn next(&self, table: &Table, step: usize) -> Result<Table, ()> {
        let mut next = table.clone();
        if let Some(stage) = next.get_mut(step) {
            *stage += 1;
        }
        Ok(next)
    }

    fn fingerprint(&self, table: &Table) -> Fingerprint {
        xxh3_128(table)
    }

    fn actor(&self, step: usize) -> usize {
        step
    }

    fn waiting(&self, table: &Table) -> ActorSet {
        (0..self.n).filter(|&i| table[i] < 3 && !self.enabled(table, i)).fold(0, |set, i| set | 1 << i)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{search, Finding, Order, SearchConfig, Stats, StopReason};
    use super::*;

    /// Random graphs of up to 12 states and 3 actors; about half the states wait.
    fn graphs() -> impl Strategy<Value = GraphModel> {
        (1usize..=12).prop_flat_map(|n| {
            let edges = prop::collection::vec((0..n as u32, 0usize..3, 0..n as u32), 0..30);
            let waiting = prop::collection::vec(0u64..16, n);
            (edges, waiting).prop_map(move |(edges, waiting)| {
                let mut m = GraphModel::new(n);
                for (from, actor, to) in edges {
                    m = m.edge(from, actor, to);
                }
                m.waiting = waiting.iter().map(|&w| if w < 8 { w } else { 0 }).collect();
                m
            })
        })
    }

    /// Reflexive-transitive closure by Floyd–Warshall.
    fn closure(m: &GraphModel) -> Vec<Vec<bool>> {
        let n = m.edges.len();
        let mut r = vec![vec![false; n]; n];
        for (v, row) in r.iter_mut().enumerate() {
            row[v] = true;
            for e in &m.edges[v] {
                row[e.target as usize] = true;
            }
        }
        for k in 0..n {
            let via = r[k].clone();
            for row in r.iter_mut().filter(|row| row[k]) {
                for (to, &through) in row.iter_mut().zip(&via) {
                    *to |= through;
                }
            }
        }
        r
    }

    /// Shortest distances from state 0 (None: unreachable), by a plain BFS.
    fn distances(m: &GraphModel) -> Vec<Option<usize>> {
        let mut dist = vec![None; m.edges.len()];
        dist[0] = Some(0);
        let mut queue = std::collections::VecDeque::from([0usize]);
        while let Some(v) = queue.pop_front() {
            for e in &m.edges[v] {
                let w = e.target as usize;
                if dist[w].is_none() {
                    dist[w] = dist[v].map(|d| d + 1);
                    queue.push_back(w);
                }
            }
        }
        dist
    }

    /// Reachable states by an independent depth-first search.
    fn reachable_count(m: &GraphModel) -> u64 {
        let mut seen = vec![false; m.edges.len()];
        let mut stack = vec![0usize];
        while let Some(v) = stack.pop() {
            if !std::mem::replace(&mut seen[v], true) {
                stack.extend(m.edges[v].iter().map(|e| e.target as usize));
            }
        }
        seen.iter().filter(|&&s| s).count() as u64
    }

    /// For state `v`: the stuck set of its SCC if that SCC is a nontrivial
    /// bottom component, else None.
    fn stuck_bottom(m: &GraphModel, r: &[Vec<bool>], v: usize) -> Option<ActorSet> {
        let scc: Vec<usize> = (0..r.len()).filter(|&u| r[v][u] && r[u][v]).collect();
        let escapes = scc.iter().any(|&u| m.edges[u].iter().any(|e| !scc.contains(&(e.target as usize))));
        let looped = scc.len() > 1 || m.edges[v].iter().any(|e| e.target as usize == v);
        if escapes || !looped {
            return None;
        }
        let waiting = scc.iter().fold(!0, |w, &u| w & m.waiting[u]);
        let moves = scc.iter().flat_map(|&u| &m.edges[u]).fold(0, |s, e| s | 1 << e.actor);
        Some(waiting & !moves)
    }

    /// Random programs of 2 to 4 actors over 3 registers.
    fn register_programs() -> impl Strategy<Value = Registers> {
        let op = prop_oneof![
            (0usize..3, 0u8..4).prop_map(|(r, v)| RegOp::Set(r, v)),
            (0usize..3).prop_map(RegOp::Bump),
            (0usize..3, 0usize..3).prop_map(|(from, to)| RegOp::Copy { from, to }),
            (0usize..3, 0u8..2).prop_map(|(r, v)| RegOp::Await(r, v)),
            (0u8..5).prop_map(RegOp::Jump),
        ];
        prop::collection::vec(prop::collection::vec(op, 1..5), 2..=4)
            .prop_map(|programs| Registers { programs, registers: 3 })
    }

    proptest! {
        /// Sleep sets leave transitions out, never states: breadth-first
        /// with them meets the states of the plain search in the same
        /// order (the same count, depth and finding with the same trace),
        /// and the steps it takes or leaves asleep are the plain search's.
        #[test]
        fn sleep_sets_visit_every_state_the_plain_search_visits(
            m in register_programs(),
            order in prop_oneof![Just(Order::BreadthFirst), Just(Order::FewestPreemptions)],
            preempt_frontier in 1usize..6,
        ) {
            let plain = SearchConfig { order, preempt_frontier: Some(preempt_frontier), ..partial() };
            let sleeping = SearchConfig { sleep_sets: true, ..plain.clone() };
            let a = search(&m, &plain);
            let b = search(&m, &sleeping);
            let threads = super::super::search_threads(&m, &SearchConfig { threads: 3, ..sleeping.clone() });
            let depth_first = search(&m, &SearchConfig { order: Order::DepthFirst, ..plain.clone() });
            prop_assert_eq!(a.stop, StopReason::Complete);
            // The steps left asleep are put back where the pass for partial
            // deadlocks needs them: it is as sure as without sleep sets.
            prop_assert!(!b.unsure_partial && !threads.unsure_partial);
            let finding = |o: &Outcome<Registers>| format!("{:?}", o.finding);
            prop_assert_eq!(finding(&b), finding(&threads));
            prop_assert_eq!(b.stats, Stats { seconds: b.stats.seconds, ..threads.stats });
            if order == Order::BreadthFirst {
                prop_assert_eq!(finding(&a), finding(&b));
                prop_assert_eq!((a.stats.states, a.stats.max_depth), (b.stats.states, b.stats.max_depth));
            }
            if a.finding.is_none() && b.finding.is_none() {
                prop_assert_eq!(a.stats.states, b.stats.states);
                prop_assert_eq!(b.stats.states, depth_first.stats.states);
                prop_assert_eq!(depth_first.stats.transitions, b.stats.transitions + b.stats.asleep);
            } else {
                prop_assert_eq!(a.finding.is_some(), b.finding.is_some());
            }
        }
    }

    #[test]
    fn sleep_sets_leave_out_the_other_orders_of_independent_steps() {
        // Three actors, each setting its own register twice: 27 states,
        // 54 transitions, of which sleep sets take one into each state but
        // the first.
        let m =
            Registers { programs: (0..3).map(|r| vec![RegOp::Set(r, 1), RegOp::Set(r, 2)]).collect(), registers: 3 };
        let config = SearchConfig { sleep_sets: true, ..SearchConfig::default() };
        let out = search(&m, &config);
        assert_eq!(out.stats.states, 27);
        assert_eq!(out.stats.transitions, 26);
        assert_eq!(out.stats.transitions + out.stats.asleep, 54);
        // All three bumping one register: nothing commutes, nothing sleeps.
        let m = Registers { programs: (0..3).map(|_| vec![RegOp::Bump(0), RegOp::Bump(0)]).collect(), registers: 1 };
        let out = search(&m, &config);
        assert_eq!(out.stats.asleep, 0);
    }

    #[test]
    fn a_step_left_asleep_still_leads_out_of_a_cycle() {
        // Actor 1 spins for ever; actor 2 waits for actor 0 to set r0. By
        // the time actor 1 spins, actor 0's step sleeps (it commutes with
        // actor 1's), so the spin looks like a cycle no step leaves, with
        // actor 2 waiting in it; the pass over the graph takes the step
        // again and finds that actor 2 gets on.
        let spin_and_wait = |value| Registers {
            programs: vec![
                vec![RegOp::Set(0, 1)],
                vec![RegOp::Set(1, 1), RegOp::Jump(1)],
                vec![RegOp::Await(0, value)],
            ],
            registers: 2,
        };
        let sleeping = SearchConfig { sleep_sets: true, ..partial() };
        let out = search(&spin_and_wait(1), &sleeping);
        assert!(out.stats.asleep > 0);
        assert!(out.finding.is_none() && !out.unsure_partial);
        // Waiting for a value nobody writes: actor 2 waits for ever while
        // actor 1 spins, with sleep sets as without.
        for config in [partial(), sleeping.clone()] {
            let out = search(&spin_and_wait(2), &config);
            assert_eq!(deadlock(&out).0, 0b100);
            assert!(!deadlock(&out).1);
        }
        // Actor 0 waits for r2 to stay 0, actor 3 sets it, actor 2 spins
        // from the start: where actor 0 is left waiting, the spin sleeps
        // (it was taken before actor 3's step one state earlier), so that
        // state has no step in the graph. It is no terminal state: the
        // spin is put back, and actor 0 waits for ever beside it.
        let m = Registers {
            programs: vec![
                vec![RegOp::Await(2, 0)],
                vec![RegOp::Set(0, 0)],
                vec![RegOp::Jump(0)],
                vec![RegOp::Set(2, 1)],
            ],
            registers: 3,
        };
        for config in [partial(), sleeping] {
            let out = search(&m, &config);
            assert_eq!(deadlock(&out).0, 0b1);
            assert!(!deadlock(&out).1);
        }
    }

    proptest! {
        /// Every order finds what brute force finds; breadth-first with a
        /// shortest trace, the others with any path to it.
        #[test]
        fn search_agrees_with_brute_force_on_random_graphs(
            m in graphs(),
            order in prop_oneof![Just(Order::BreadthFirst), Just(Order::DepthFirst), Just(Order::FewestPreemptions)],
        ) {
            let config = SearchConfig { partial_deadlocks: true, order, ..SearchConfig::default() };
            let shortest_traces = order == Order::BreadthFirst;
            let clean = GraphModel { waiting: vec![0; m.edges.len()], ..m.clone() };
            let out = search(&clean, &config);
            prop_assert!(out.finding.is_none());
            prop_assert_eq!(out.stop, StopReason::Complete);
            prop_assert_eq!(out.stats.states, reachable_count(&m));

            let r = closure(&m);
            let dist = distances(&m);
            let reachable: Vec<usize> = (0..r.len()).filter(|&v| r[0][v]).collect();
            let terminal_deadlock = |v: usize| m.edges[v].is_empty() && m.waiting[v] != 0;
            let out = search(&m, &config);
            prop_assert_eq!(out.stop, StopReason::Complete);
            match out.finding {
                None => {
                    for &v in &reachable {
                        prop_assert!(!terminal_deadlock(v), "missed terminal deadlock at {}", v);
                        prop_assert!(stuck_bottom(&m, &r, v).unwrap_or(0) == 0, "missed partial deadlock at {}", v);
                    }
                }
                Some(Finding::Deadlock { stuck, terminal: true, trace }) => {
                    let v = replay(&m, &trace).unwrap_or(u32::MAX) as usize;
                    prop_assert!(terminal_deadlock(v));
                    prop_assert_eq!(stuck, m.waiting[v]);
                    if shortest_traces {
                        prop_assert_eq!(Some(trace.len()), dist[v]);
                        let shortest = reachable.iter().filter(|&&u| terminal_deadlock(u)).filter_map(|&u| dist[u]).min();
                        prop_assert_eq!(shortest, Some(trace.len()));
                    }
                }
                Some(Finding::Deadlock { stuck, terminal: false, trace }) => {
                    let v = replay(&m, &trace).unwrap_or(u32::MAX) as usize;
                    prop_assert!(!reachable.iter().any(|&u| terminal_deadlock(u)));
                    prop_assert_eq!(stuck_bottom(&m, &r, v), Some(stuck));
                    prop_assert!(stuck != 0);
                    if shortest_traces {
                        prop_assert_eq!(Some(trace.len()), dist[v]);
                    }
                }
                Some(other) => prop_assert!(false, "unexpected finding {:?}", other),
            }
        }
    }
}
