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
//! This is the commutation of sleep sets (Godefroid), used to reuse work
//! rather than to skip transitions, so no state, edge or trace changes.
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
}

impl<M: Model> Known<M> {
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
        Known { list: None, valid: 0 }
    }
}

impl<M: Model> Clone for Known<M> {
    fn clone(&self) -> Self {
        Known { list: self.list.clone(), valid: self.valid }
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
    masks: Vec<u64>,
    enabled: bool,
}

enum Source<M: Model> {
    Inherited(usize),
    Recorded(Arc<M::Effect>),
}

impl<M: Model> Expansion<M> {
    pub(super) fn new(enabled: bool) -> Self {
        Expansion { inherited: Known::default(), here: Vec::new(), masks: Vec::new(), enabled }
    }

    /// Start the expansion of a state that knows `known`.
    pub(super) fn start(&mut self, known: &Known<M>) {
        self.here.clear();
        self.inherited = if self.enabled { known.clone() } else { Known::default() };
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
            return Ok(Successor { fingerprint: model.fingerprint(&next), made: Made::Run(next, None) });
        }
        // Only the step of an actor with no other step (no choice) is kept:
        // an effect stands for one branch of the actor's next move.
        let actor = model.actor(step);
        let single = steps.iter().filter(|&&s| model.actor(s) == actor).count() == 1;
        // At most 64 entries: one bit each in a mask.
        let room = self.here.len() < 64;
        if single && room {
            if let Some((j, effect)) = self.inherited_effect(step) {
                if let Some(fingerprint) = model.replay_fingerprint(state, effect) {
                    self.here.push((step, Source::Inherited(j)));
                    return Ok(Successor { fingerprint, made: Made::Replayed(j) });
                }
            }
        }
        // Else the step may have had the same effect in another state: a
        // state of the search mostly differs from the ones met before in
        // what other tasks did.
        if let Some(effect) = model.remembered_effect(state, step) {
            if let Some(fingerprint) = model.replay_fingerprint(state, &effect) {
                if single && room {
                    self.here.push((step, Source::Recorded(effect.clone())));
                }
                return Ok(Successor { fingerprint, made: Made::Remembered(effect) });
            }
        }
        let (next, effect) = model.next_with_effect(state, step)?;
        let effect = effect.map(Arc::new);
        if let Some(e) = &effect {
            model.remember_effect(state, step, e);
        }
        if let (true, true, Some(e)) = (single, room, &effect) {
            self.here.push((step, Source::Recorded(e.clone())));
        }
        Ok(Successor { fingerprint: model.fingerprint(&next), made: Made::Run(next, effect) })
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
            out.push(Known { list: Some(list.clone()), valid });
        }
    }
}
