//! Steps whose successor is built from an effect already seen.
//!
//! Most of the transitions of an interleaving search close a diamond: a
//! state `p` has steps `a` and `b` of two tasks that touch different
//! objects, and `a(b(p))` is `b(a(p))`. Running `b` again after `a` redoes
//! in the interpreter what `b` did from `p`. So when a state is expanded,
//! the effect of each step (`Model::Effect`: what it read and wrote, and the
//! written objects as they are after it) is kept, and each new successor
//! inherits the effects that its own step left valid (`Model::commutes`: it
//! wrote nothing they read or wrote). In that successor those steps are
//! built from their effects, not run. The outcome is exactly the plain
//! search's (`replay` must give what `next` gives), only cheaper; the
//! `run_every_step` setting turns it off, for comparison.
//!
//! This is the commutation of sleep sets (Godefroid), used to reuse work
//! rather than to skip transitions, so no state, edge or trace changes.

use std::sync::Arc;

use super::Model;

/// A state's steps with a known effect, shared by all of its successors.
pub(super) type EffectList<M> = Arc<[(<M as Model>::Step, Arc<<M as Model>::Effect>)]>;

/// A successor as `Expansion::share` sees it: the step to it, and its effect.
pub(super) type Child<'a, M> = (<M as Model>::Step, Option<&'a Arc<<M as Model>::Effect>>);

/// A step's successor as the expansion gives it.
pub(super) struct Successor<M: Model> {
    pub(super) fingerprint: super::Fingerprint,
    /// None when it was built from a known effect: `state()` builds it.
    state: Option<M::State>,
    pub(super) effect: Option<Arc<M::Effect>>,
}

impl<M: Model> Successor<M> {
    /// The successor state of `parent` by `step`.
    pub(super) fn state(self, model: &M, parent: &M::State, step: M::Step) -> Result<M::State, M::Violation> {
        if let Some(s) = self.state {
            return Ok(s);
        }
        match self.effect.as_deref().and_then(|e| model.replay(parent, e)) {
            Some(s) => Ok(s),
            // A model that gave a fingerprint gives the state too; if not, run it.
            None => model.next(parent, step),
        }
    }
}

/// What is known of a frontier state's steps: the entries of its parent's
/// list that are still valid in it (one bit each, so at most 64 entries).
pub(super) struct Known<M: Model> {
    list: Option<EffectList<M>>,
    valid: u64,
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
    inherited: Vec<(M::Step, Arc<M::Effect>)>,
    here: Vec<(M::Step, Arc<M::Effect>)>,
    enabled: bool,
}

impl<M: Model> Expansion<M> {
    pub(super) fn new(enabled: bool) -> Self {
        Expansion { inherited: Vec::new(), here: Vec::new(), enabled }
    }

    /// Start the expansion of a state that knows `known`.
    pub(super) fn start(&mut self, known: &Known<M>) {
        self.inherited.clear();
        self.here.clear();
        if let (Some(list), true) = (&known.list, self.enabled) {
            for (j, entry) in list.iter().enumerate() {
                if known.valid & (1 << j) != 0 {
                    self.inherited.push(entry.clone());
                }
            }
        }
    }

    /// The successor of `state` by `step` (the `i`th of `steps`): its
    /// fingerprint, the state unless it was built from a known effect (see
    /// `state`), and the step's effect if the model records one.
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
            return Ok(Successor { fingerprint: model.fingerprint(&next), state: Some(next), effect: None });
        }
        // Only the step of an actor with no other step (no choice) is kept:
        // an effect stands for one branch of the actor's next move.
        let actor = model.actor(step);
        let single =
            (i == 0 || model.actor(steps[i - 1]) != actor) && steps.get(i + 1).is_none_or(|&s| model.actor(s) != actor);
        if single {
            if let Some((_, effect)) = self.inherited.iter().find(|(s, _)| *s == step) {
                if let Some(fingerprint) = model.replay_fingerprint(state, effect) {
                    let effect = effect.clone();
                    self.here.push((step, effect.clone()));
                    return Ok(Successor { fingerprint, state: None, effect: Some(effect) });
                }
            }
        }
        let (next, effect) = model.next_with_effect(state, step)?;
        let effect = effect.map(Arc::new);
        if let (true, Some(e)) = (single, &effect) {
            if self.here.len() < 64 {
                self.here.push((step, e.clone()));
            }
        }
        Ok(Successor { fingerprint: model.fingerprint(&next), state: Some(next), effect })
    }

    /// What each successor knows, once every step was taken: the effects
    /// of this state's steps that its own step (`children`: the step and
    /// its effect, per successor) left valid. The successors share one list
    /// of the effects some successor keeps; the others are let go.
    pub(super) fn share(&mut self, model: &M, children: &[Child<'_, M>]) -> Vec<Known<M>> {
        let masks: Vec<u64> =
            children.iter().map(|(step, effect)| valid_after(model, &self.here, *step, *effect)).collect();
        let used = masks.iter().fold(0u64, |a, m| a | m);
        if used == 0 {
            return children.iter().map(|_| Known::default()).collect();
        }
        // Entry j of `here` is entry `rank(j)` of the shared list.
        let list: EffectList<M> =
            self.here.iter().enumerate().filter(|(j, _)| used & (1 << j) != 0).map(|(_, e)| e.clone()).collect();
        masks
            .into_iter()
            .map(|m| {
                if m == 0 {
                    return Known::default();
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
                Known { list: Some(list.clone()), valid }
            })
            .collect()
    }
}

/// Which entries of `list` a successor by `step` (with `effect`) keeps:
/// those of other actors that the step left valid.
fn valid_after<M: Model>(
    model: &M,
    list: &[(M::Step, Arc<M::Effect>)],
    step: M::Step,
    effect: Option<&Arc<M::Effect>>,
) -> u64 {
    let Some(effect) = effect else { return 0 };
    let actor = model.actor(step);
    let mut valid = 0u64;
    for (j, (s, e)) in list.iter().enumerate() {
        if model.actor(*s) != actor && model.commutes(effect, e) {
            valid |= 1 << j;
        }
    }
    valid
}
