//! Steps whose successor is built from an effect already seen.
//!
//! Most of the transitions of an interleaving search close a diamond: a
//! state `p` has steps `a` and `b` of two tasks that touch different
//! objects, and `a(b(p))` is `b(a(p))`. Running `b` again after `a` redoes
//! in the interpreter what `b` did from `p`. So when a state is expanded,
//! the effect of each step (`Model::Effect`: what it read and wrote, and the
//! written objects as they are after it) is kept, and each new successor
//! inherits the effects that its own step left valid (`Model::commutes`: it
//! wrote nothing they read or wrote; for the kernel model, see
//! `kernel/footprint.rs` for what counts). In that successor those steps are
//! built from their effects, not run. The outcome is exactly the plain
//! search's (`replay` must give what `next` gives), only cheaper; the
//! `run_every_step` setting turns it off, for comparison.
//!
//! This is the commutation of sleep sets (Godefroid), used to reuse work:
//! no state, edge or trace changes.
//!
//! # Sleep sets
//!
//! The same commutation also lets a breadth-first search leave steps out
//! (`SearchConfig::sleep_sets`, Godefroid's sleep sets). A state's sleep
//! set holds the actors whose one step need not be taken there: a step `u`
//! that was taken, or was asleep, in the parent `p` beside the step `a`
//! into the state, and is independent of it there (each leaves the other's
//! effect as it is: `Model::commutes` both ways), so `a(u(p))` is
//! `u(a(p))`, which the search reaches through the other order.
//!
//! Every state is still visited, at its shortest depth. Of the shortest
//! schedules to a state, take the least in step order (`Model::steps`
//! order at each state). Each of its prefixes is the least shortest
//! schedule to where it leads, and breadth-first search meets states in
//! the order of these schedules, so each state on it is *first* met
//! through its prefix. If one of its steps were asleep there, following
//! the sleep set back to where that step was taken gives a chain of
//! independent steps it can be moved across, and a lesser schedule of
//! the same length. So a state's sleep set is the one it was first met
//! with; meeting it again changes nothing. This needs the breadth-first
//! order from one start with an empty sleep set, which is why the
//! fewest-preemptions-first order starts again from the initial state
//! where it turns breadth-first (`Search::restart_breadth_first`), and
//! the threaded search merges in the order of one thread.
//!
//! Sleep sets name actors by slot. Under a quotient, a state that is not
//! its own class's representative is expanded renamed (`expanded_as`),
//! so it is given none, and one first met in such a state gets none.
//!
//! A step with no inherited effect may still have run in some other state
//! with everything it depends on as it is here: the model is asked
//! (`Model::remembered_effect`; for the kernel, `kernel/memo.rs`) before
//! the step is run, and told each effect recorded (`remember_effect`).

use std::sync::Arc;

use super::Model;

/// A state's steps with a known effect, shared by all of its successors.
pub(super) type EffectList<M> = Arc<[(<M as Model>::Step, Arc<<M as Model>::Effect>)]>;

/// A successor's state, and the effect of the step to it if known.
pub(super) type Built<M> = (<M as Model>::State, Option<Arc<<M as Model>::Effect>>);

/// A successor as `Expansion::share` sees it: the step to it, and its effect.
pub(super) type Child<'a, M> = (<M as Model>::Step, Option<&'a Arc<<M as Model>::Effect>>);

/// A step's successor as the expansion gives it.
pub(super) struct Successor<M: Model> {
    pub(super) fingerprint: super::Fingerprint,
    /// Whether the successor is its own class's representative (see
    /// `Model::fingerprint_as_is`): only then does a sleep set name its
    /// tasks as the state the search expands names them.
    pub(super) as_is: bool,
    made: Made<M>,
}

/// How a successor was made: run (the state, and the step's effect if the
/// model records one), from the effect at this position of the inherited
/// list, or from an effect the model remembered (the state not built yet).
enum Made<M: Model> {
    Run(M::State, Option<Arc<M::Effect>>),
    Replayed(usize),
    Remembered(Arc<M::Effect>),
}

/// A successor still to build: the state, its effect's position in the
/// inherited list (see `Expansion::into_inherited`), or its effect.
pub(super) enum Pending<M: Model> {
    Built(M::State),
    Replay(usize),
    Effect(Arc<M::Effect>),
}

impl<M: Model> Pending<M> {
    /// The state, if it was built already.
    pub(super) fn built(self) -> Option<M::State> {
        match self {
            Pending::Built(s) => Some(s),
            Pending::Replay(_) | Pending::Effect(_) => None,
        }
    }

    /// Whether the state is still to be built from its parent.
    pub(super) fn needs_parent(&self) -> bool {
        !matches!(self, Pending::Built(_))
    }

    /// The state, building it from `inherited` (the expanded state's) if need be.
    pub(super) fn state(
        self,
        model: &M,
        inherited: &Known<M>,
        parent: &M::State,
        step: M::Step,
    ) -> Result<M::State, M::Violation> {
        match self {
            Pending::Built(s) => Ok(s),
            Pending::Replay(j) => match inherited.effect(j) {
                Some(effect) => build(model, parent, step, effect),
                None => model.next(parent, step),
            },
            Pending::Effect(effect) => build(model, parent, step, &effect),
        }
    }
}

impl<M: Model> Successor<M> {
    pub(super) fn into_pending(self) -> Pending<M> {
        match self.made {
            Made::Run(s, _) => Pending::Built(s),
            Made::Replayed(j) => Pending::Replay(j),
            Made::Remembered(e) => Pending::Effect(e),
        }
    }
}

/// The successor of `parent` by `step`, built from the step's `effect`.
fn build<M: Model>(model: &M, parent: &M::State, step: M::Step, effect: &M::Effect) -> Result<M::State, M::Violation> {
    match model.replay(parent, effect) {
        Some(s) => Ok(s),
        // A model that gave a fingerprint gives the state too; if not, run it.
        None => model.next(parent, step),
    }
}

/// What is known of a frontier state's steps: the entries of its parent's
/// list that are still valid in it (one bit each, so at most 64 entries).
pub(super) struct Known<M: Model> {
    list: Option<EffectList<M>>,
    valid: u64,
    /// The state's sleep set (Godefroid): actors whose one step need not
    /// be taken here, as every state it leads to is reached by another
    /// path the search takes (see `Expansion::asleep`). Set by the search
    /// when it first meets the state.
    pub(super) sleep: super::ActorSet,
    /// The state is known to be its own class's representative (it was
    /// met `as_is`, or is the representative `expanded_as` gave), so the
    /// search need not ask `Model::representative`, and the model may use
    /// it (`Model::replay_fingerprint_as_is`).
    pub(super) as_is: bool,
}

impl<M: Model> Known<M> {
    /// Take what `Expansion::share` gives a successor (the effects it
    /// inherits), keeping what the search set of it (its sleep set, and
    /// whether it is its own representative).
    pub(super) fn inherit(&mut self, shared: Known<M>) {
        self.list = shared.list;
        self.valid = shared.valid;
    }

    /// Whether it holds a list (whose drop is worth doing elsewhere).
    pub(super) fn holds_list(&self) -> bool {
        self.list.is_some()
    }

    /// The effect at position `j` of the list.
    fn effect(&self, j: usize) -> Option<&Arc<M::Effect>> {
        self.list.as_ref().and_then(|l| l.get(j)).map(|(_, e)| e)
    }
}

impl<M: Model> Default for Known<M> {
    fn default() -> Self {
        Known { list: None, valid: 0, sleep: 0, as_is: false }
    }
}

impl<M: Model> Clone for Known<M> {
    fn clone(&self) -> Self {
        Known { list: self.list.clone(), valid: self.valid, sleep: self.sleep, as_is: self.as_is }
    }
}

/// The expansion of one state: the effects it inherited, and those of its
/// own steps as they are taken.
pub(super) struct Expansion<M: Model> {
    /// What the state knows from its parent.
    inherited: Known<M>,
    /// This state's steps with a known effect, in step order: an entry of
    /// the inherited list (by position), or an effect recorded here.
    here: Vec<(M::Step, Source<M>)>,
    /// Each entry of `here`: the position of its step in the state's steps.
    here_at: Vec<usize>,
    /// The entries of `here` whose step was asleep (not taken), one bit each.
    asleep: u64,
    masks: Vec<u64>,
    enabled: bool,
}

enum Source<M: Model> {
    Inherited(usize),
    Recorded(Arc<M::Effect>),
}

impl<M: Model> Expansion<M> {
    pub(super) fn new(enabled: bool) -> Self {
        Expansion {
            inherited: Known::default(),
            here: Vec::new(),
            here_at: Vec::new(),
            asleep: 0,
            masks: Vec::new(),
            enabled,
        }
    }

    /// Start the expansion of a state that knows `known`.
    pub(super) fn start(&mut self, known: &Known<M>) {
        self.here.clear();
        self.here_at.clear();
        self.asleep = 0;
        self.inherited = if self.enabled { known.clone() } else { Known::default() };
    }

    /// The steps of `steps` that are asleep (`asleep`), one bit each, found
    /// before any is taken: a successor's sleep set counts every sleeping
    /// step, wherever it stands.
    pub(super) fn asleep_steps(&mut self, model: &M, steps: &[M::Step]) -> u64 {
        if self.inherited.sleep == 0 {
            return 0;
        }
        let mut mask = 0;
        for i in 0..steps.len().min(64) {
            if self.asleep(model, steps, i) {
                mask |= 1 << i;
            }
        }
        mask
    }

    /// Whether step `i` of `steps` is asleep: its actor is in the state's
    /// sleep set, and has this one step. A sleeping step is not taken (no
    /// successor, no transition); its inherited effect still counts for
    /// the sleep sets of the successors (`sleep_of`).
    fn asleep(&mut self, model: &M, steps: &[M::Step], i: usize) -> bool {
        let step = steps[i];
        let actor = model.actor(step);
        if self.inherited.sleep & super::bit(actor) == 0 {
            return false;
        }
        if steps.iter().filter(|&&s| model.actor(s) == actor).count() != 1 {
            return false;
        }
        if self.here.len() < 64 {
            if let Some((j, _)) = self.inherited_effect(step) {
                self.asleep |= 1 << self.here.len();
                self.here.push((step, Source::Inherited(j)));
                self.here_at.push(i);
            }
        }
        true
    }

    /// The sleep set of `successor`, by step `i` of `steps`: the actors
    /// whose step was taken before it here, or is asleep here, and is
    /// independent of it (each leaves the other's effect as it is, so the
    /// two orders reach one state). Their steps from that successor lead to
    /// states the search reaches through the other order (see the module's
    /// comment on sleep sets). None for a successor that is not its own
    /// representative: sleep sets name slots, and it is expanded renamed.
    /// Asked only of a successor new to the search: a state's sleep set is
    /// the one it was first met with.
    pub(super) fn sleep_of(&self, model: &M, steps: &[M::Step], i: usize, successor: &Successor<M>) -> super::ActorSet {
        if !successor.as_is {
            return 0;
        }
        let Some(effect) = self.effect(successor) else { return 0 };
        let actor = model.actor(steps[i]);
        let mut sleep = 0;
        for (j, ((s, source), &at)) in self.here.iter().zip(&self.here_at).enumerate() {
            if at >= i && self.asleep & (1 << j) == 0 {
                continue;
            }
            let other = model.actor(*s);
            if other == actor {
                continue;
            }
            if let Some(e) = self.effect_of(source) {
                if model.commutes(effect, e) && model.commutes(e, effect) {
                    sleep |= super::bit(other);
                }
            }
        }
        sleep
    }

    /// The fingerprint of the state an asleep `step` leads to (the search
    /// reaches it by another path): from its inherited effect, which is
    /// known for nearly every asleep step, else by running it. Only for the
    /// graph of a state whose every step sleeps (`Search::restore_asleep_edges`);
    /// None if the step commits a violation.
    pub(super) fn asleep_successor(&self, model: &M, state: &M::State, step: M::Step) -> Option<super::Fingerprint> {
        if let Some((_, effect)) = self.inherited_effect(step) {
            if let Some((fingerprint, _)) = model.replay_fingerprint_as_is(state, effect, self.inherited.as_is) {
                return Some(fingerprint);
            }
        }
        model.next(state, step).ok().map(|next| model.fingerprint(&next))
    }

    /// The effect of the step to `successor`, if known.
    pub(super) fn effect<'a>(&'a self, successor: &'a Successor<M>) -> Option<&'a Arc<M::Effect>> {
        match &successor.made {
            Made::Run(_, e) => e.as_ref(),
            Made::Replayed(j) => self.inherited.effect(*j),
            Made::Remembered(e) => Some(e),
        }
    }

    /// The state of `successor`, of `parent` by `step`, and the step's
    /// effect if known (what the successor's own successors may inherit).
    pub(super) fn build(
        &self,
        model: &M,
        successor: Successor<M>,
        parent: &M::State,
        step: M::Step,
    ) -> Result<Built<M>, M::Violation> {
        let effect = self.effect(&successor).cloned();
        let state = successor.into_pending().state(model, &self.inherited, parent, step)?;
        Ok((state, effect))
    }

    /// What the expanded state inherited, for `Pending::state`.
    pub(super) fn into_inherited(self) -> Known<M> {
        self.inherited
    }

    /// The inherited effect of `step`, if any, and its position.
    fn inherited_effect(&self, step: M::Step) -> Option<(usize, &Arc<M::Effect>)> {
        let list = self.inherited.list.as_ref()?;
        let mut valid = self.inherited.valid;
        while valid != 0 {
            let j = valid.trailing_zeros() as usize;
            valid &= valid - 1;
            match list.get(j) {
                Some((s, e)) if *s == step => return Some((j, e)),
                _ => {}
            }
        }
        None
    }

    fn effect_of<'a>(&'a self, source: &'a Source<M>) -> Option<&'a Arc<M::Effect>> {
        match source {
            Source::Recorded(e) => Some(e),
            Source::Inherited(j) => self.inherited.effect(*j),
        }
    }

    /// The successor of `state` by `step` (the `i`th of `steps`): its
    /// fingerprint, the state unless it was built from a known effect (see
    /// `Successor::state`), and the step's effect if the model records one.
    pub(super) fn next(
        &mut self,
        model: &M,
        state: &M::State,
        steps: &[M::Step],
        i: usize,
    ) -> Result<Successor<M>, M::Violation> {
        let step = steps[i];
        if !self.enabled {
            let next = model.next(state, step)?;
            let (fingerprint, as_is) = model.fingerprint_as_is(&next);
            return Ok(Successor { fingerprint, as_is, made: Made::Run(next, None) });
        }
        // Only the step of an actor with no other step (no choice) is kept:
        // an effect stands for one branch of the actor's next move.
        let actor = model.actor(step);
        let single = steps.iter().filter(|&&s| model.actor(s) == actor).count() == 1;
        // At most 64 entries: one bit each in a mask.
        let room = self.here.len() < 64;
        if single && room {
            if let Some((j, effect)) = self.inherited_effect(step) {
                if let Some((fingerprint, as_is)) = model.replay_fingerprint_as_is(state, effect, self.inherited.as_is)
                {
                    self.here.push((step, Source::Inherited(j)));
                    self.here_at.push(i);
                    return Ok(Successor { fingerprint, as_is, made: Made::Replayed(j) });
                }
            }
        }
        // Else the step may have had the same effect in another state: a
        // state of the search mostly differs from the ones met before in
        // what other tasks did.
        if let Some(effect) = model.remembered_effect(state, step) {
            if let Some((fingerprint, as_is)) = model.replay_fingerprint_as_is(state, &effect, self.inherited.as_is) {
                if single && room {
                    self.here.push((step, Source::Recorded(effect.clone())));
                    self.here_at.push(i);
                }
                return Ok(Successor { fingerprint, as_is, made: Made::Remembered(effect) });
            }
        }
        let (next, effect) = model.next_with_effect(state, step)?;
        let effect = effect.map(Arc::new);
        if let Some(e) = &effect {
            model.remember_effect(state, step, e);
        }
        if let (true, true, Some(e)) = (single, room, &effect) {
            self.here.push((step, Source::Recorded(e.clone())));
            self.here_at.push(i);
        }
        let (fingerprint, as_is) = model.fingerprint_as_is(&next);
        Ok(Successor { fingerprint, as_is, made: Made::Run(next, effect) })
    }

    /// What each successor knows, once every step was taken: the effects
    /// of this state's steps that its own step (`children`: the step and
    /// its effect, per successor) left valid, into `out`. The successors
    /// share one list of the effects some successor keeps; the others are
    /// let go.
    pub(super) fn share<'a>(
        &mut self,
        model: &M,
        children: impl IntoIterator<Item = Child<'a, M>>,
        out: &mut Vec<Known<M>>,
    ) where
        M::Effect: 'a,
    {
        out.clear();
        self.masks.clear();
        for (step, effect) in children {
            let mut valid = 0u64;
            if let Some(effect) = effect {
                let actor = model.actor(step);
                for (j, (s, source)) in self.here.iter().enumerate() {
                    if model.actor(*s) != actor && self.effect_of(source).is_some_and(|e| model.commutes(effect, e)) {
                        valid |= 1 << j;
                    }
                }
            }
            self.masks.push(valid);
        }
        let used = self.masks.iter().fold(0u64, |a, m| a | m);
        if used == 0 {
            out.extend(self.masks.iter().map(|_| Known::default()));
            return;
        }
        // Entry j of `here` is entry `rank(j)` of the shared list.
        let list: EffectList<M> = self
            .here
            .iter()
            .enumerate()
            .filter(|(j, _)| used & (1 << j) != 0)
            .filter_map(|(_, (s, source))| self.effect_of(source).map(|e| (*s, e.clone())))
            .collect();
        for &m in &self.masks {
            if m == 0 {
                out.push(Known::default());
                continue;
            }
            let mut valid = 0u64;
            let mut rank = 0;
            for j in 0..self.here.len() {
                if used & (1 << j) != 0 {
                    if m & (1 << j) != 0 {
                        valid |= 1 << rank;
                    }
                    rank += 1;
                }
            }
            out.push(Known { list: Some(list.clone()), valid, sleep: 0, as_is: false });
        }
    }
}
