//! Steps run before, remembered across states (`Model::remembered_effect`).
//!
//! A step is a function of what it reads: the task that takes it (its code
//! position, locals, fields) and the objects its footprint names. In any
//! state where all of those are as they were when the step ran, it runs the
//! same instructions on the same values, reads nothing else, and writes the
//! same objects with the same values: its effect holds there too. This is
//! the argument the search already uses from a state to its successors
//! (`Model::commutes`: a step that wrote nothing an effect read or wrote
//! leaves it valid), applied to any two states. An interleaving search meets
//! the same step of a task again and again, in states that differ only in
//! what other tasks did: on the seed plus one helper, 74 % of the steps run
//! (v6.9) and 90 % (v6.3) had run before with everything they read as it is.
//!
//! Each thread keeps its own tables of a fixed size (no lock, no growth;
//! `System` holds them in a thread-local). The first gives, for the
//! stepping task's state and the step, the footprints the step had (one
//! per path through it); the second, for those and a hash of what a
//! footprint covered, the effect. A lookup hashes the same objects in the
//! state at hand.
//!
//! Entries are kept for one search of one `System` with one setting of its
//! reductions: running a step also records, outside the state, whether it
//! breaks symmetry (`Program::symmetry`), and a search must meet every
//! break it could run into itself (`System::begin_search`); and what a step
//! leaves of dead locals depends on the setting (`System::set_reductions`).

use std::sync::Arc;

use super::fingerprint::hash_of;
use super::footprint::{part, Footprint};
use super::Kernel;
use crate::lang::bytecode::Program;

/// What the table keeps of a step: its effect, which knows its footprint.
pub trait StepEffect {
    fn footprint(&self) -> &Footprint;
}

/// Sets of the table of footprints, by the stepping task's state and step.
const STEP_SETS: usize = 1 << 15;
/// Footprints remembered per step: a step whose control flow depends on
/// what it reads has one per path.
const PATHS: usize = 2;
/// Sets of the table of effects, by step and what its footprint covered.
const EFFECT_SETS: usize = 1 << 16;
const WAYS: usize = 2;

/// The footprints a step had, newest first.
#[derive(Default)]
struct Paths {
    /// As `Entry::system`.
    system: u64,
    tag: u128,
    footprints: [Option<Footprint>; PATHS],
}

struct Entry<E> {
    /// The `System` (program and kernel model) and the search the step
    /// ran in (`System::begin_search`).
    system: u64,
    tag: u128,
    contents: u128,
    effect: Option<Arc<E>>,
}

impl<E> Default for Entry<E> {
    fn default() -> Self {
        Entry { system: 0, tag: 0, contents: 0, effect: None }
    }
}

/// One thread's steps remembered, made on first use.
pub struct StepMemo<E> {
    paths: Box<[Paths]>,
    effects: Box<[[Entry<E>; WAYS]]>,
}

impl<E> Default for StepMemo<E> {
    fn default() -> Self {
        StepMemo { paths: Box::new([]), effects: Box::new([]) }
    }
}

/// The state of the task in slot `task` and the step it takes (`choice`),
/// as one key; None for a task whose fingerprint is not computed (a state
/// not sealed).
fn tag(k: &Kernel, task: u8, choice: u8) -> Option<u128> {
    let h = k.tasks.get(task as usize)?.hash.0;
    // The task's hash is uniform: the step's small numbers only need to
    // land on different bits for different steps.
    const ODD: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;
    (h != 0).then(|| h ^ (((task as u128) << 8 | choice as u128) + 1).wrapping_mul(ODD))
}

fn paths_of(tag: u128) -> usize {
    (tag >> 64) as usize & (STEP_SETS - 1)
}

fn effects_of(tag: u128, contents: u128) -> usize {
    ((tag ^ contents) as usize) & (EFFECT_SETS - 1)
}

/// What a step with footprint `f` depends on in `k`: each task it read or
/// wrote (the RCU view alone of those it only looked at that way), each
/// part, the length of the task table, and the kernel's two settings.
fn contents(prog: &Program, k: &Kernel, f: &Footprint) -> u128 {
    hash_of(&DependsOn { prog, k, f })
}

/// See `contents()`: hashed in place, without collecting anything.
struct DependsOn<'a> {
    prog: &'a Program,
    k: &'a Kernel,
    f: &'a Footprint,
}

impl std::hash::Hash for DependsOn<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (k, f) = (self.k, self.f);
        let whole = f.read_tasks | f.write_tasks;
        let views = f.read_views & !whole;
        let rw = f.read | f.write;
        // Which objects follow, so that the values of one footprint's
        // objects never pass for another's: a lookup hashes the state at
        // hand with each footprint the step had, and must match only an
        // entry recorded with that footprint.
        state.write_u64(whole);
        state.write_u64(views);
        state.write_u16(rw);
        for (i, t) in k.tasks.iter().enumerate().take(64) {
            if whole >> i & 1 != 0 {
                state.write_u128(t.hash.0);
            } else if views >> i & 1 != 0 {
                super::prims::rcu_tasks_view(self.prog, t).hash(state);
            }
        }
        if rw & part::TASK_COUNT != 0 {
            state.write_usize(k.tasks.len());
        }
        if rw & part::GROUPS != 0 {
            state.write_u128(k.groups.fingerprint());
        }
        if rw & part::NAMESPACES != 0 {
            state.write_u128(k.namespaces.fingerprint());
        }
        if rw & part::PIDS != 0 {
            state.write_u128(k.pids.fingerprint());
        }
        if rw & (part::RCU_TASKS | part::HOLDOUTS) != 0 {
            state.write_u128(k.rcu_tasks.fingerprint());
        }
        if rw & part::TRAMPOLINES != 0 {
            state.write_u128(k.trampolines.fingerprint());
        }
        if rw & part::KERNEL_GLOBALS != 0 {
            state.write_u128(k.kernel_globals.fingerprint());
        }
        if rw & part::SRCU_ALL != 0 {
            k.srcu.peek().hash(state);
        }
        (k.outcomes, k.sorted_lists).hash(state);
    }
}

impl<E: StepEffect> StepMemo<E> {
    /// The effect the step of the task in slot `task` with `choice` had
    /// before in a state that agrees with `k` on all it depends on, if
    /// remembered for `system` (see `Entry::system`).
    pub fn recall(&self, system: u64, prog: &Program, k: &Kernel, task: u8, choice: u8) -> Option<Arc<E>> {
        let tag = tag(k, task, choice)?;
        let paths = self.paths.get(paths_of(tag)).filter(|p| p.system == system && p.tag == tag)?;
        paths.footprints.iter().flatten().find_map(|f| {
            let contents = contents(prog, k, f);
            let set = self.effects.get(effects_of(tag, contents))?;
            set.iter().find_map(|e| {
                e.effect.as_ref().filter(|_| e.system == system && e.tag == tag && e.contents == contents).cloned()
            })
        })
    }

    /// Remember that the step of the task in slot `task` with `choice` had
    /// `effect` in `k`.
    pub fn remember(&mut self, system: u64, prog: &Program, k: &Kernel, task: u8, choice: u8, effect: &Arc<E>) {
        let Some(tag) = tag(k, task, choice) else { return };
        let footprint = *effect.footprint();
        let contents = contents(prog, k, &footprint);
        if self.paths.is_empty() {
            self.paths = (0..STEP_SETS).map(|_| Default::default()).collect();
            self.effects = (0..EFFECT_SETS).map(|_| Default::default()).collect();
        }
        if let Some(paths) = self.paths.get_mut(paths_of(tag)) {
            if paths.system != system || paths.tag != tag {
                *paths = Paths { system, tag, footprints: Default::default() };
            }
            if !paths.footprints.contains(&Some(footprint)) {
                paths.footprints.rotate_right(1);
                paths.footprints[0] = Some(footprint);
            }
        }
        if let Some(set) = self.effects.get_mut(effects_of(tag, contents)) {
            // The newest first; the older one stays as the second way.
            set.rotate_right(1);
            set[0] = Entry { system, tag, contents, effect: Some(effect.clone()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Model;

    /// A state of the seed with several tasks, and its system.
    fn seed_state() -> (crate::kernel::system::System, Kernel) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed_unshare_deadlock.c");
        let text = std::fs::read_to_string(path).expect("the seed");
        let model = crate::kernel::models::builtin("v6.1").expect("a built-in kernel");
        let mut map = crate::lang::diag::SourceMap::default();
        let Ok((sys, _)) = crate::check::build(&mut map, &model, "seed.c", &text) else { panic!("the seed builds") };
        let k = sys.initial().expect("boots");
        (sys, k)
    }

    #[test]
    fn what_a_footprint_covers_is_told_apart_from_another_footprints_equal_values() {
        let (sys, a) = seed_state();
        assert!(a.tasks.len() >= 2);
        // In b, tasks 0 and 1 trade places: a's task 0 is b's task 1.
        let mut b = a.clone();
        b.tasks.swap(0, 1);
        let first = Footprint { read_tasks: 0b01, write_tasks: 0b01, ..Footprint::default() };
        let second = Footprint { read_tasks: 0b10, write_tasks: 0b10, ..Footprint::default() };
        assert_ne!(contents(&sys.prog, &a, &first), contents(&sys.prog, &b, &second));
        let viewed = Footprint { read_views: 0b10, ..Footprint::default() };
        let whole = Footprint { read_tasks: 0b10, ..Footprint::default() };
        assert_ne!(contents(&sys.prog, &a, &viewed), contents(&sys.prog, &a, &whole));
        // The same footprint over the same values agrees, and over other values does not.
        assert_eq!(contents(&sys.prog, &a, &first), contents(&sys.prog, &a.clone(), &first));
        assert_ne!(contents(&sys.prog, &a, &first), contents(&sys.prog, &b, &first));
    }
}
