//! The modelled system: a compiled kernel model plus a scenario, booted into
//! an initial `Kernel`, and seen by the search as an `explore::Model`.

use super::fingerprint::fingerprint_of;
pub use super::fingerprint::{fingerprint, seal};
use super::footprint::{self, part};
use super::objects::*;
use super::{Fault, Kernel, Shared, Tracked};
use crate::explore::{bit, ActorSet, Fingerprint, Model};
use crate::lang::ast::Span;
use crate::lang::bytecode::Program;
use crate::lang::compile::Entries;
use crate::vm::interp::{self, Located, StepLog};
use crate::vm::{Parked, TaskVm};

/// One scheduling decision: which task runs, and which branch of a choice it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    pub task: u8,
    pub choice: u8,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// Model code faulted, or a scenario's `assert()` failed.
    Fault(Fault),
    /// A trampoline was freed while a task still executes in it.
    TrampolineUseAfterFree { task: TaskId, trampoline: u8 },
    /// A zombie nobody reaps at the end of a run.
    Leak { task: TaskId },
}

/// A violation found by running the model: what, who, and where in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub kind: ViolationKind,
    pub task: Option<TaskId>,
    pub span: Option<Span>,
    pub function: String,
}

pub struct System {
    pub prog: Program,
    pub entries: Entries,
    /// Every task value met so far, by fingerprint: a step's new task is
    /// swapped for an equal one already stored, so the states of the
    /// frontier share their tasks instead of each holding its own copy.
    tasks_seen: Interner<std::sync::Arc<Task>>,
    /// The same for the thread groups and the pids, the parts of the state
    /// that change most after the tasks.
    groups_seen: Interner<super::Shared<Vec<SignalStruct>, { part::GROUPS }>>,
    pids_seen: Interner<super::Shared<Vec<Pid>, { part::PIDS }>>,
    /// Boot kernels that keep what user code prints (`Kernel::outcomes`).
    pub outcomes: bool,
    /// Which locals each pc may still read: the others are zeroed between steps.
    liveness: crate::vm::liveness::Liveness,
    /// Which of a task's private fields its frames may still read: the
    /// others are zeroed between steps too.
    field_liveness: crate::vm::liveness::FieldLiveness,
    /// Keep dead locals and fields as they are (`--no-reduction`: the plain search).
    keep_dead_locals: bool,
    /// Keep RCU Tasks' lists (holdouts, exit list, callbacks) sorted by
    /// task, not in the order the model built them: no model step can tell
    /// the two apart, so states that differ only there are one. That holds
    /// because each list is walked whole within one step, by
    /// `holdout_first()`/`holdout_next()`, `rtp_exit_list_first()`/
    /// `rtp_exit_list_next()` or `rcu_tasks_invoke_cbs()`, and what the walk
    /// does to one task does not depend on the others; `*_first()` alone
    /// only tests for an empty list. A walk that goes on in a later step is
    /// refused (`prims::rcu_list_next`); a patched model that took one
    /// task per step, or stopped a walk halfway, would have to be checked
    /// with `--no-reduction`. Off for `--no-reduction`, and for `taskcheck
    /// run`, whose stall warnings list the holdouts in the kernel's order.
    pub sort_rcu_lists: bool,
    /// Symmetry reduction (`symmetry`): states are known by the canonical
    /// fingerprint of their renamings, the objects of the boot kernel fixed.
    symmetry: Option<super::symmetry::Fixed>,
    /// Set when a search found symmetry unsound for this scenario: the
    /// search is run again with plain fingerprints (`check::check`).
    symmetry_dropped: std::sync::atomic::AtomicBool,
    /// This system among those of the process, and its search (see
    /// `begin_search`), for the steps each thread remembers (`memo`).
    id: u64,
    searches: std::sync::atomic::AtomicU64,
    /// Where the expanded states' tasks stand (`check --census`), while on.
    census: std::sync::Mutex<Option<Census>>,
    census_on: std::sync::atomic::AtomicBool,
}

/// Where the states of a search are: for each task slot and the point its
/// top frame stands at (function, pc, how it is parked), in how many of the
/// expanded states it stands there. What a scenario's state space is made
/// of, to trim it.
#[derive(Debug, Default)]
pub struct Census {
    /// States expanded.
    pub states: u64,
    /// Per point: the task's name, the least slot it had there (tasks in
    /// creation order), and the count.
    pub places: rustc_hash::FxHashMap<CensusKey, (String, u16, u64)>,
}

/// A task, by a hash of its name (symmetry moves tasks between slots; the
/// name goes with the task), and where it stands: its top frame's function
/// and pc (none once exited), and how it is parked.
pub type CensusKey = (u64, Option<crate::lang::bytecode::FuncId>, u32, Parked);

/// The next `System::id`.
static SYSTEMS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// pid numbers of the boot tasks, as on the machine of the original report.
pub const INIT_PID: PidNr = 1;
pub const KTHREAD_PID: PidNr = 11;
/// Steps init and rcu_tasks_kthread may take at boot to reach their first sleep.
const BOOT_STEPS: usize = 1000;
/// The first pid the scenario's `main` gets.
pub const MAIN_PID: PidNr = 100;

impl System {
    pub fn new(prog: Program, entries: Entries) -> System {
        System {
            liveness: crate::vm::liveness::Liveness::of(&prog),
            field_liveness: crate::vm::liveness::FieldLiveness::of(&prog, super::fields::model_only_task_fields()),
            prog,
            entries,
            tasks_seen: Default::default(),
            groups_seen: Default::default(),
            pids_seen: Default::default(),
            outcomes: false,
            keep_dead_locals: false,
            sort_rcu_lists: true,
            symmetry: None,
            symmetry_dropped: Default::default(),
            id: SYSTEMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            searches: Default::default(),
            census: Default::default(),
            census_on: Default::default(),
        }
    }

    /// Symmetry reduction on or off (see `symmetry`). Its soundness rests
    /// on what `Program::symmetry` records: a search that ran into one of
    /// those operations must be run again without it.
    pub fn set_symmetry(&mut self, on: bool) {
        self.symmetry = on.then(|| super::symmetry::Fixed::of(&self.boot()));
        self.new_memo_scope();
    }

    pub fn symmetry(&self) -> bool {
        self.fixed().is_some()
    }

    /// A new search begins: forget the symmetry breaks the last one met,
    /// and the steps it ran. A step remembered from an earlier search would
    /// not run again, and so not record a break it makes (`Program::symmetry`)
    /// in this one.
    pub fn begin_search(&self) {
        self.prog.symmetry.reset();
        self.new_memo_scope();
        self.reset_census();
    }

    /// Count where the expanded states' tasks stand from now on (`Census`).
    pub fn enable_census(&self) {
        self.census_on.store(true, std::sync::atomic::Ordering::Relaxed);
        self.reset_census();
    }

    /// Start the count again (a search that starts again).
    pub fn reset_census(&self) {
        if self.census_on.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(mut c) = self.census.lock() {
                *c = Some(Census::default());
            }
        }
    }

    /// The count so far, if on.
    pub fn take_census(&self) -> Option<Census> {
        self.census.lock().ok().and_then(|mut c| c.take())
    }

    /// The system and its search, as the step memo knows them.
    fn memo_scope(&self) -> u64 {
        self.id << 32 | (self.searches.load(std::sync::atomic::Ordering::Relaxed) & 0xffff_ffff)
    }

    /// Plain fingerprints from now on: symmetry turned out unsound here.
    pub fn drop_symmetry(&self) {
        self.symmetry_dropped.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Symmetry's fixed objects while it is on: never when the states keep
    /// what user code printed (`outcomes`), which may show pid numbers.
    fn fixed(&self) -> Option<super::symmetry::Fixed> {
        self.symmetry.filter(|_| !self.outcomes && !self.symmetry_dropped.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The plain search (`--no-reduction`), or with the reductions that
    /// merge states no step can tell apart: dead locals zeroed, RCU Tasks'
    /// lists sorted (`reduced_form()` is what they make of a plain state).
    pub fn set_reductions(&mut self, on: bool) {
        self.keep_dead_locals = !on;
        self.sort_rcu_lists = on;
        // Steps run with the other setting clear dead locals otherwise.
        self.new_memo_scope();
    }

    /// Steps remembered so far (`memo`) are not to be used from now on.
    fn new_memo_scope(&self) {
        self.searches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// A trace of a search that expanded representatives
    /// (`Model::representative`), as the schedule from the initial state it
    /// stands for: each step's task followed back through every renaming
    /// made before it. (A task a step creates takes the next slot in both.)
    pub fn realize_trace(&self, trace: &[Step]) -> Vec<Step> {
        let Ok(mut at) = self.initial() else { return trace.to_vec() };
        // The slot of each of `at`'s tasks in the schedule from the start.
        let mut real: Vec<u16> = (0..at.tasks.len() as u16).collect();
        let mut out = Vec::with_capacity(trace.len());
        for (i, &step) in trace.iter().enumerate() {
            if let Some((image, moved)) = self.representative(&at) {
                let mut renamed = real.clone();
                for (old, &new) in moved.iter().enumerate() {
                    if let (Some(slot), Some(&r)) = (renamed.get_mut(new as usize), real.get(old)) {
                        *slot = r;
                    }
                }
                real = renamed;
                at = image;
            }
            let task = real.get(step.task as usize).map_or(step.task, |&r| r as u8);
            out.push(Step { task, choice: step.choice });
            match self.next(&at, step) {
                Ok(next) => at = next,
                // Only a trace's last step commits a violation.
                Err(_) => {
                    out.extend_from_slice(&trace[i + 1..]);
                    break;
                }
            }
            while real.len() < at.tasks.len() {
                real.push(real.len() as u16);
            }
        }
        out
    }

    /// Share the tasks a step wrote with equal ones of other states.
    fn intern_tasks(&self, k: &mut Kernel) {
        for t in k.tasks.iter_mut() {
            // Only a task this step copied is held by this state alone.
            if std::sync::Arc::strong_count(t) == 1 {
                if let Some(same) = self.tasks_seen.get_or_insert(t.hash.0, t) {
                    *t = same;
                }
            }
        }
        intern_part(&self.groups_seen, &mut k.groups);
        intern_part(&self.pids_seen, &mut k.pids);
    }

    fn boot_task(
        &self,
        k: &mut Kernel,
        name: &str,
        nr: PidNr,
        parent: Option<TaskId>,
        vm: TaskVm,
        kthread: bool,
    ) -> TaskId {
        let id = TaskId(k.tasks.len() as u16);
        k.ns_mut(NsId(0)).last_pid = nr;
        k.ns_mut(NsId(0)).pid_allocated += 1;
        k.pids.push(Pid { numbers: vec![(NsId(0), nr)], users: vec![(id, 0), (id, 1)], freed: false });
        let pid = PidId(k.pids.len() as u16 - 1);
        k.groups.push(SignalStruct {
            leader: id,
            threads: vec![id],
            live: 1,
            quick_threads: 1,
            flags: 0,
            group_exit_code: 0,
            is_child_subreaper: false,
            has_child_subreaper: false,
            sigchld: SigchldAction::default(),
            shared_pending: 0,
            globals: self.prog.user_globals.clone(),
        });
        let group = GroupId(k.groups.len() as u16 - 1);
        // Boot tasks are already running, hashed and attached.
        let mut task = Task::new(name.to_string(), pid, group, true, parent, vm);
        task.sibling_of = parent;
        task.attached = true;
        task.hashed = true;
        task.state = RunState::Running;
        task.sleeping = false;
        task.flags = if kthread { PF_KTHREAD } else { 0 };
        k.tasks.push(std::sync::Arc::new(task));
        if let Some(p) = parent {
            k.task_mut(p).children.push(id);
        }
        id
    }

    /// The system at the start: init (pid 1) and rcu_tasks_kthread, and the
    /// scenario's `main` as a child of init, all in the root namespace.
    pub fn boot(&self) -> Kernel {
        let mut k = Kernel {
            tasks: Vec::new(),
            groups: Shared::default(),
            namespaces: Shared::new(vec![PidNamespace {
                level: 0,
                parent: None,
                child_reaper: None,
                pid_allocated: PIDNS_ADDING,
                last_pid: 0,
            }]),
            pids: Shared::default(),
            srcu: Tracked::new(Srcu::default()),
            rcu_tasks: Shared::default(),
            // A tracer attached at boot: its trampoline #0 is live at every
            // traceable function entry (only when the scenario updates it).
            trampolines: Shared::new(if self.prog.uses_trampolines { vec![TrampolineState::Live] } else { Vec::new() }),
            kernel_globals: Shared::new(self.prog.kernel_globals.clone()),
            outcomes: self.outcomes,
            sorted_lists: self.sort_rcu_lists,
        };
        let vm_of = |f: crate::lang::bytecode::FuncId| TaskVm::new(f, vec![0; self.prog.func(f).locals as usize]);
        let init = self.boot_task(&mut k, "init", INIT_PID, None, vm_of(self.entries.init_start), false);
        k.ns_mut(NsId(0)).child_reaper = Some(init);
        k.group_mut(GroupId(0)).flags |= SIGNAL_UNKILLABLE;
        let kthread = self.boot_task(&mut k, "rcu_tasks_kthread", KTHREAD_PID, None, vm_of(self.entries.kthread), true);
        self.boot_task(&mut k, "main", MAIN_PID, Some(init), vm_of(self.entries.main_start), false);
        // init and rcu_tasks_kthread have run since boot when main starts:
        // init sleeps in do_wait() for its child main, the kthread waits for
        // callbacks. Run each to that first sleep, so that no interleaving
        // has them still starting up beside the scenario (which would also
        // make every state exist once per step of their start-up).
        for t in [init, kthread] {
            for _ in 0..BOOT_STEPS {
                // Only while the way is unique: a choice (a nondet() or a live
                // trampoline in an exported or patched model) is left for the
                // search to explore both ways.
                if !matches!(interp::choices(&self.prog, &k, t), Ok(1)) {
                    break;
                }
                let mut next = k.clone();
                footprint::start();
                // A fault here is left for the search to report, at that step.
                let stepped = interp::step(&self.prog, &mut next, t, 0, None);
                footprint::list_walks_end();
                if stepped.is_err() {
                    break;
                }
                self.clear_dead_locals(&mut next);
                canonicalize(&mut next, None);
                k = next;
            }
        }
        canonicalize(&mut k, None);
        k
    }

    /// Run one step. With `log`, record what it did (for traces).
    pub fn run_step(&self, k: &Kernel, step: Step, log: Option<&mut StepLog>) -> Result<Kernel, Violation> {
        self.step_kernel(k, step, log, true)
    }

    /// Run one step of a single execution (`taskcheck run`): like `run_step`,
    /// but nothing is kept for other states to share, so a long run does
    /// not grow the interning tables.
    pub fn run_step_alone(&self, k: &Kernel, step: Step) -> Result<Kernel, Violation> {
        self.step_kernel(k, step, None, false)
    }

    fn step_kernel(
        &self,
        k: &Kernel,
        step: Step,
        log: Option<&mut StepLog>,
        intern: bool,
    ) -> Result<Kernel, Violation> {
        self.step_recorded(k, step, log, intern).map(|(next, _)| next)
    }

    /// Run one step, and what it read and wrote (everything it did, down to
    /// the canonical form of the state).
    fn step_recorded(
        &self,
        k: &Kernel,
        step: Step,
        log: Option<&mut StepLog>,
        intern: bool,
    ) -> Result<(Kernel, footprint::Footprint), Violation> {
        footprint::start();
        let mut next = k.clone();
        let t = TaskId(step.task as u16);
        let r = interp::step(&self.prog, &mut next, t, step.choice as u32, log);
        footprint::list_walks_end();
        self.clear_dead_locals(&mut next);
        canonicalize(&mut next, Some(&k.rcu_tasks.peek().holdouts));
        self.note_changed_views(k, &next);
        let footprint = footprint::current();
        seal(&mut next);
        if intern {
            self.intern_tasks(&mut next);
        }
        match r {
            Ok(()) => match next.violation_after_step() {
                None => Ok((next, footprint)),
                Some(kind) => Err(Violation { kind, task: Some(t), span: None, function: String::new() }),
            },
            Err(Located { fault, span, function }) => {
                Err(Violation { kind: ViolationKind::Fault(fault), task: Some(t), span, function })
            }
        }
    }

    /// Record which written tasks' RCU Tasks view the step changed (a new
    /// task's counts as changed): the steps that read only that view of a
    /// task commute with a step that leaves it as it was.
    fn note_changed_views(&self, before: &Kernel, after: &Kernel) {
        let mut written = footprint::current().write_tasks;
        while written != 0 {
            let i = written.trailing_zeros() as usize;
            written &= written - 1;
            let same = match (before.tasks.get(i), after.tasks.get(i)) {
                (Some(a), Some(b)) => {
                    super::prims::rcu_tasks_view(&self.prog, a) == super::prims::rcu_tasks_view(&self.prog, b)
                }
                _ => false,
            };
            if !same {
                footprint::changed_view(i);
            }
        }
    }

    /// Zero the dead locals of the tasks this step wrote (the others' frames
    /// did not move, and were cleared when they last did).
    fn clear_dead_locals(&self, k: &mut Kernel) {
        if self.keep_dead_locals {
            return;
        }
        for slot in k.tasks.iter_mut() {
            if slot.hash.0 == 0 {
                self.clear_dead(std::sync::Arc::make_mut(slot));
            }
        }
    }

    /// Zero `t`'s dead locals and dead private fields.
    fn clear_dead(&self, t: &mut Task) {
        self.liveness.clear_dead(&mut t.vm);
        let mut dead = self.field_liveness.tracked() & !self.field_liveness.live(&t.vm);
        while dead != 0 {
            let id = dead.trailing_zeros() as u16;
            dead &= dead - 1;
            super::fields::zero_task_field(t, id);
        }
    }

    /// `k` with the dead locals of every task zeroed and RCU Tasks' lists
    /// sorted: what the reductions make of a state of the plain search
    /// (`--no-reduction`).
    pub fn reduced_form(&self, k: &Kernel) -> Kernel {
        let mut k = k.clone();
        for slot in k.tasks.iter_mut() {
            let t = std::sync::Arc::make_mut(slot);
            self.clear_dead(t);
            t.hash = TaskHash::default();
        }
        k.sorted_lists = true;
        sort_rcu_lists(&mut k);
        seal(&mut k);
        k
    }

    /// Whether task t is blocked in a wait that expects a wakeup.
    pub fn is_waiting(&self, k: &Kernel, t: TaskId) -> bool {
        let task = k.task(t);
        match task.vm.parked {
            Parked::Schedule | Parked::WaitEvent { daemon: false } => {
                interp::choices(&self.prog, k, t).map(|c| c == 0).unwrap_or(false)
            }
            _ => false,
        }
    }
}

/// Keep states finite and canonical: only whether a holdout's `nvcsw` moved
/// since the scan is observable (by check_holdout_task()), not the count;
/// and a reaped task keeps only what can still be read of it.
///
/// Between steps, every snapshot `rcu_tasks_nvcsw` is 0, a holdout's `nvcsw`
/// is 1 if it moved since the scan and 0 if not, and any other task's is 0.
/// A step can upset that only for the tasks it wrote, the tasks whose
/// snapshot it set, and the tasks it took off the holdout list (`before`,
/// the list before the step; None at boot: every task). Each is looked at
/// for what it depends on, and the step's footprint records that: the task
/// (written anyway), the holdout list where membership decides, and the
/// RCU view of a task it did not write.
fn canonicalize(k: &mut Kernel, before: Option<&[TaskId]>) {
    sort_rcu_lists(k);
    let written = |k: &Kernel, i: usize| k.tasks[i].hash.0 == 0;
    let rcu = k.rcu_tasks.peek();
    // Which tasks to look at: bit i for slot i (at most 64 tasks).
    let look: u64 = match before {
        None => u64::MAX,
        Some(before) => {
            let mut look = 0;
            for &(t, _) in &rcu.holdout_nvcsw {
                look |= bit(t.0 as usize);
            }
            if footprint::current().write & part::HOLDOUTS != 0 {
                for t in before.iter().filter(|t| !rcu.holdouts.contains(t)) {
                    look |= bit(t.0 as usize);
                }
            }
            look
        }
    };
    for i in 0..k.tasks.len().min(64) {
        // A task written by the step is looked at too.
        if look & bit(i) == 0 && !written(k, i) {
            continue;
        }
        let id = TaskId(i as u16);
        if written(k, i) {
            footprint::read_task(i);
        } else {
            footprint::read_view(i);
        }
        let rcu = k.rcu_tasks.peek();
        let snap = rcu.holdout_nvcsw(id);
        if snap != 0 {
            // Set by this step, which wrote the part.
            footprint::read_part(part::RCU_TASKS);
        }
        let t: &Task = &k.tasks[i];
        let moved = t.nvcsw != snap;
        // Whether it is a holdout matters only if its `nvcsw` moved.
        let nvcsw = if moved {
            footprint::read_part(part::HOLDOUTS);
            rcu.holdouts.contains(&id) as u32
        } else {
            0
        };
        // A reaped task (off the task list, its pid freed, EXIT_DEAD, never
        // to run again) can no longer be found by pid or through a parent,
        // child or thread list: what signals it had pending, its exit code
        // and errno are read by no one. Forget them, so that states that
        // differ only there are one. (Only the step that reaps it writes it.)
        let reaped = !t.hashed && t.vm.parked == Parked::Dead && t.exit_state == EXIT_DEAD;
        let forget = reaped && (t.pending != 0 || t.sigpending || t.vm.errno != 0 || t.exit_code != 0);
        // Write only what changes: unchanged tasks stay shared.
        if forget || t.nvcsw != nvcsw {
            footprint::write_task(i);
            let t = std::sync::Arc::make_mut(&mut k.tasks[i]);
            t.hash = TaskHash::default();
            t.nvcsw = nvcsw;
            if forget {
                t.pending = 0;
                t.sigpending = false;
                t.vm.errno = 0;
                t.exit_code = 0;
            }
        }
    }
    if !k.rcu_tasks.peek().holdout_nvcsw.is_empty() {
        k.rcu_tasks.holdout_nvcsw.clear();
    }
}

/// Put RCU Tasks' lists in task order, if the kernel keeps them sorted
/// (`System::sort_rcu_lists`): the holdout list, the exit list, and the
/// callbacks (waiters of synchronize_rcu_tasks(), whom
/// rcu_tasks_invoke_cbs() completes all in one step). All were sorted
/// before the step, so only a step that added to one of them (and recorded
/// a write of it) finds it out of order.
fn sort_rcu_lists(k: &mut Kernel) {
    if !k.sorted_lists {
        return;
    }
    let r = k.rcu_tasks.peek();
    let holdouts = !r.holdouts.is_sorted();
    if holdouts || !r.exit_list.is_sorted() || !r.cbs_queued.is_sorted() || !r.cbs_gp.is_sorted() {
        if holdouts {
            footprint::write_part(part::HOLDOUTS);
        }
        let r = &mut *k.rcu_tasks;
        for list in [&mut r.holdouts, &mut r.exit_list, &mut r.cbs_queued, &mut r.cbs_gp] {
            list.sort_unstable();
        }
    }
}

impl Kernel {
    /// Safety properties checked after every step.
    fn violation_after_step(&self) -> Option<ViolationKind> {
        trampoline_use_after_free(self.tasks.len(), |i| &self.tasks[i], self.trampolines.peek())
    }
}

/// A freed trampoline with a task still inside it, among the first `len`
/// tasks (one check for a state run and one built from an effect).
fn trampoline_use_after_free<'a>(
    len: usize,
    task: impl Fn(usize) -> &'a std::sync::Arc<Task>,
    trampolines: &[TrampolineState],
) -> Option<ViolationKind> {
    if !trampolines.contains(&TrampolineState::Freed) {
        return None;
    }
    (0..len).find_map(|i| {
        let tr = task(i).in_trampoline?;
        (trampolines.get(tr as usize) == Some(&TrampolineState::Freed))
            .then_some(ViolationKind::TrampolineUseAfterFree { task: TaskId(i as u16), trampoline: tr })
    })
}

/// One thread's own copies of the parts of states, by fingerprint (see
/// `Model::thread_local_copy`). Per thread, so it needs no lock; the
/// threads of a search end with it, and their copies with them.
#[derive(Default)]
struct LocalParts {
    tasks: rustc_hash::FxHashMap<u128, std::sync::Arc<Task>>,
    groups: rustc_hash::FxHashMap<u128, super::Shared<Vec<SignalStruct>, { part::GROUPS }>>,
    namespaces: rustc_hash::FxHashMap<u128, super::Shared<Vec<super::PidNamespace>, { part::NAMESPACES }>>,
    pids: rustc_hash::FxHashMap<u128, super::Shared<Vec<Pid>, { part::PIDS }>>,
    rcu_tasks: rustc_hash::FxHashMap<u128, super::Shared<super::RcuTasks, { part::RCU_TASKS }>>,
    trampolines: rustc_hash::FxHashMap<u128, super::Shared<Vec<super::TrampolineState>, { part::TRAMPOLINES }>>,
    kernel_globals: rustc_hash::FxHashMap<u128, super::Shared<Vec<i64>, { part::KERNEL_GLOBALS }>>,
}

thread_local! {
    static LOCAL_PARTS: std::cell::RefCell<LocalParts> = std::cell::RefCell::new(LocalParts::default());
}

/// This thread's copy of `part`, made on first use.
fn local_part<T: Clone + std::hash::Hash, const P: u16>(
    map: &mut rustc_hash::FxHashMap<u128, super::Shared<T, P>>,
    part: &super::Shared<T, P>,
) -> super::Shared<T, P> {
    map.entry(part.fingerprint()).or_insert_with(|| part.own_copy()).clone()
}

/// `k` with every part swapped for this thread's copy.
fn thread_local_copy(k: &Kernel) -> Kernel {
    LOCAL_PARTS.with(|cell| {
        let mut guard = cell.borrow_mut();
        let l = &mut *guard;
        let tasks = k
            .tasks
            .iter()
            .map(|t| match t.hash.0 {
                0 => t.clone(),
                h => l.tasks.entry(h).or_insert_with(|| std::sync::Arc::new((**t).clone())).clone(),
            })
            .collect();
        Kernel {
            tasks,
            groups: local_part(&mut l.groups, &k.groups),
            namespaces: local_part(&mut l.namespaces, &k.namespaces),
            pids: local_part(&mut l.pids, &k.pids),
            srcu: k.srcu.clone(),
            rcu_tasks: local_part(&mut l.rcu_tasks, &k.rcu_tasks),
            trampolines: local_part(&mut l.trampolines, &k.trampolines),
            kernel_globals: local_part(&mut l.kernel_globals, &k.kernel_globals),
            outcomes: k.outcomes,
            sorted_lists: k.sorted_lists,
        }
    })
}

/// Values by fingerprint, in shards so that threads seldom wait for each other.
struct Interner<T> {
    shards: Vec<std::sync::Mutex<rustc_hash::FxHashMap<u128, T>>>,
}

impl<T: Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner { shards: (0..64).map(|_| Default::default()).collect() }
    }
}

impl<T: Clone> Interner<T> {
    /// The value stored under `h`, or None after storing `v` there.
    fn get_or_insert(&self, h: u128, v: &T) -> Option<T> {
        let shard = self.shards.get((h as usize) % self.shards.len())?;
        let Ok(mut map) = shard.lock() else { return None };
        match map.get(&h) {
            Some(same) => Some(same.clone()),
            None => {
                map.insert(h, v.clone());
                None
            }
        }
    }
}

/// Swap a part of the state this step copied for an equal one already stored.
fn intern_part<T: Clone + std::hash::Hash, const P: u16>(
    seen: &Interner<super::Shared<T, P>>,
    part: &mut super::Shared<T, P>,
) {
    if !part.is_unique() {
        return;
    }
    if let Some(same) = seen.get_or_insert(part.fingerprint(), part) {
        *part = same;
    }
}

/// What one step did: its footprint, and the objects it wrote as they are
/// after it (shared with the successor it was taken to, so keeping it costs
/// a few reference counts).
pub struct Effect {
    footprint: footprint::Footprint,
    /// The written tasks by slot, ascending (a fork's new task last).
    tasks: Box<[(u16, std::sync::Arc<Task>)]>,
    /// The other written parts (most steps write none).
    parts: Box<[Written]>,
}

/// A written part of the state other than a task, as it is after the step.
enum Written {
    Groups(Shared<Vec<SignalStruct>, { part::GROUPS }>),
    Namespaces(Shared<Vec<super::PidNamespace>, { part::NAMESPACES }>),
    Pids(Shared<Vec<Pid>, { part::PIDS }>),
    Srcu(Tracked<Srcu, { part::SRCU_ALL }>),
    RcuTasks(Shared<super::RcuTasks, { part::RCU_TASKS }>),
    Trampolines(Shared<Vec<super::TrampolineState>, { part::TRAMPOLINES }>),
    KernelGlobals(Shared<Vec<i64>, { part::KERNEL_GLOBALS }>),
}

/// A state as a step's effect would leave it, read in place: the parent's
/// objects, with those the effect wrote put over them.
struct Composed<'a> {
    k: &'a Kernel,
    e: &'a Effect,
    len: usize,
}

impl<'a> Composed<'a> {
    /// None when the effect's new tasks do not follow the parent's.
    fn new(k: &'a Kernel, e: &'a Effect) -> Option<Self> {
        let mut len = k.tasks.len();
        for (i, _) in e.tasks.iter() {
            match (*i as usize).cmp(&len) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => len += 1,
                std::cmp::Ordering::Greater => return None,
            }
        }
        Some(Composed { k, e, len })
    }
    fn task(&self, i: usize) -> &'a std::sync::Arc<Task> {
        match self.e.tasks.iter().find(|(j, _)| *j as usize == i) {
            Some((_, t)) => t,
            None => &self.k.tasks[i],
        }
    }
    fn part<T>(&self, pick: impl Fn(&'a Written) -> Option<&'a T>, own: &'a T) -> &'a T {
        self.e.parts.iter().find_map(pick).unwrap_or(own)
    }
    fn groups(&self) -> &'a Shared<Vec<SignalStruct>, { part::GROUPS }> {
        self.part(|w| if let Written::Groups(p) = w { Some(p) } else { None }, &self.k.groups)
    }
    fn namespaces(&self) -> &'a Shared<Vec<super::PidNamespace>, { part::NAMESPACES }> {
        self.part(|w| if let Written::Namespaces(p) = w { Some(p) } else { None }, &self.k.namespaces)
    }
    fn pids(&self) -> &'a Shared<Vec<Pid>, { part::PIDS }> {
        self.part(|w| if let Written::Pids(p) = w { Some(p) } else { None }, &self.k.pids)
    }
    /// The parent's `tasks_rcu_exit_srcu` with what the effect wrote of it
    /// (its index, a reader count) put over it: a step between may have
    /// written the other count.
    fn srcu(&self) -> Tracked<Srcu, { part::SRCU_ALL }> {
        let mut srcu = self.k.srcu.peek().clone();
        if let Some(w) = self.e.parts.iter().find_map(|w| if let Written::Srcu(p) = w { Some(p.peek()) } else { None })
        {
            let written = self.e.footprint.write;
            if written & part::SRCU != 0 {
                srcu.idx = w.idx;
            }
            for (i, bit) in part::SRCU_READERS.iter().enumerate() {
                if written & bit != 0 {
                    srcu.readers[i] = w.readers[i];
                }
            }
        }
        Tracked::new(srcu)
    }
    fn rcu_tasks(&self) -> &'a Shared<super::RcuTasks, { part::RCU_TASKS }> {
        self.part(|w| if let Written::RcuTasks(p) = w { Some(p) } else { None }, &self.k.rcu_tasks)
    }
    fn trampolines(&self) -> &'a Shared<Vec<super::TrampolineState>, { part::TRAMPOLINES }> {
        self.part(|w| if let Written::Trampolines(p) = w { Some(p) } else { None }, &self.k.trampolines)
    }
    fn kernel_globals(&self) -> &'a Shared<Vec<i64>, { part::KERNEL_GLOBALS }> {
        self.part(|w| if let Written::KernelGlobals(p) = w { Some(p) } else { None }, &self.k.kernel_globals)
    }

    /// What `violation_after_step()` says of the state, without building it.
    fn violation(&self) -> bool {
        trampoline_use_after_free(self.len, |i| self.task(i), self.trampolines().peek()).is_some()
    }

    /// `fingerprint()` of the state, without building it.
    fn fingerprint(&self) -> Fingerprint {
        fingerprint_of(
            self.len,
            |i| self.task(i),
            (self.groups(), self.namespaces(), self.pids(), &self.srcu()),
            (self.rcu_tasks(), self.trampolines(), self.kernel_globals()),
        )
    }

    fn build(&self) -> Kernel {
        let k = self.k;
        Kernel {
            tasks: (0..self.len).map(|i| self.task(i).clone()).collect(),
            groups: self.groups().clone(),
            namespaces: self.namespaces().clone(),
            pids: self.pids().clone(),
            srcu: self.srcu(),
            rcu_tasks: self.rcu_tasks().clone(),
            trampolines: self.trampolines().clone(),
            kernel_globals: self.kernel_globals().clone(),
            outcomes: k.outcomes,
            sorted_lists: k.sorted_lists,
        }
    }
}

impl super::memo::StepEffect for Effect {
    fn footprint(&self) -> &footprint::Footprint {
        &self.footprint
    }
}

thread_local! {
    /// This thread's steps remembered (`memo`).
    static STEP_MEMO: std::cell::RefCell<super::memo::StepMemo<Effect>> = std::cell::RefCell::new(Default::default());
}

/// The canonical fingerprint of a state whose plain one is `plain` (from
/// the cache, else from `compute`), and whether the state is its own
/// canonical image: exactly when that image's fingerprint is its own
/// (`symmetry::fingerprint_in_order`).
fn canonical_as_is(
    plain: Fingerprint,
    fixed: super::symmetry::Fixed,
    compute: impl FnOnce() -> Fingerprint,
) -> (Fingerprint, bool) {
    let canonical = super::symmetry::canonical_fingerprint_cached(plain, fixed, compute);
    (canonical, canonical == plain)
}

impl Effect {
    /// Whether the effect leaves alone all that decides how symmetry
    /// reduction renames a state (`symmetry::representative`): the task
    /// table's length, the thread groups, the pids, the namespaces, and each
    /// task's children, pid, group and leadership. Then a state and its
    /// successor are renamed alike.
    fn keeps_shape(&self, k: &Kernel) -> bool {
        let shape = part::TASK_COUNT | part::GROUPS | part::PIDS | part::NAMESPACES;
        self.footprint.write & shape == 0
            && self.tasks.iter().all(|(i, after)| {
                k.tasks.get(*i as usize).is_some_and(|before| {
                    before.pid == after.pid
                        && before.group == after.group
                        && before.leader == after.leader
                        && before.children == after.children
                })
            })
    }

    fn of(footprint: footprint::Footprint, next: &Kernel) -> Effect {
        let written = |p: u16| footprint.write & p != 0;
        let mut tasks = Vec::new();
        let mut mask = footprint.write_tasks;
        while mask != 0 {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if let Some(t) = next.tasks.get(i) {
                tasks.push((i as u16, t.clone()));
            }
        }
        let mut parts = Vec::new();
        if written(part::GROUPS) {
            parts.push(Written::Groups(next.groups.clone()));
        }
        if written(part::NAMESPACES) {
            parts.push(Written::Namespaces(next.namespaces.clone()));
        }
        if written(part::PIDS) {
            parts.push(Written::Pids(next.pids.clone()));
        }
        if written(part::SRCU_ALL) {
            parts.push(Written::Srcu(next.srcu.clone()));
        }
        if written(part::RCU_TASKS | part::HOLDOUTS) {
            parts.push(Written::RcuTasks(next.rcu_tasks.clone()));
        }
        if written(part::TRAMPOLINES) {
            parts.push(Written::Trampolines(next.trampolines.clone()));
        }
        if written(part::KERNEL_GLOBALS) {
            parts.push(Written::KernelGlobals(next.kernel_globals.clone()));
        }
        Effect { footprint, tasks: tasks.into(), parts: parts.into() }
    }
}

impl Model for System {
    type State = Kernel;
    type Step = Step;
    type Violation = Violation;
    type Effect = Effect;

    fn initial(&self) -> Result<Kernel, Violation> {
        let mut k = self.boot();
        seal(&mut k);
        Ok(k)
    }

    fn steps(&self, k: &Kernel, out: &mut Vec<Step>) {
        self.steps_and_waiting(k, out);
    }

    /// One `choices()` per task for both: a task parked in a wait that
    /// expects a wakeup is waiting when it has no step (`is_waiting`).
    fn steps_and_waiting(&self, k: &Kernel, out: &mut Vec<Step>) -> ActorSet {
        let mut waiting = 0;
        for t in k.task_ids() {
            match interp::choices(&self.prog, k, t) {
                Ok(n) => {
                    for c in 0..n.min(255) {
                        out.push(Step { task: t.0 as u8, choice: c as u8 });
                    }
                    let waits = matches!(k.task(t).vm.parked, Parked::Schedule | Parked::WaitEvent { daemon: false });
                    if n == 0 && waits {
                        waiting |= 1 << t.0;
                    }
                }
                // A fault while evaluating a wait condition: the step reports it.
                Err(_) => out.push(Step { task: t.0 as u8, choice: u8::MAX }),
            }
        }
        waiting
    }

    fn next(&self, k: &Kernel, step: Step) -> Result<Kernel, Violation> {
        if step.choice == u8::MAX {
            let t = TaskId(step.task as u16);
            if let Err(Located { fault, span, function }) = interp::choices(&self.prog, k, t) {
                return Err(Violation { kind: ViolationKind::Fault(fault), task: Some(t), span, function });
            }
        }
        self.run_step(k, step, None)
    }

    fn fingerprint(&self, k: &Kernel) -> Fingerprint {
        self.fingerprint_as_is(k).0
    }

    fn next_with_effect(&self, k: &Kernel, step: Step) -> Result<(Kernel, Option<Effect>), Violation> {
        if step.choice == u8::MAX {
            return self.next(k, step).map(|n| (n, None));
        }
        let (next, footprint) = self.step_recorded(k, step, None, true)?;
        let effect = Effect::of(footprint, &next);
        Ok((next, Some(effect)))
    }

    fn fingerprint_as_is(&self, k: &Kernel) -> (Fingerprint, bool) {
        let plain = fingerprint(k);
        match self.fixed() {
            Some(fixed) => canonical_as_is(plain, fixed, || super::symmetry::canonical_fingerprint(k, fixed)),
            None => (plain, true),
        }
    }

    fn replay_fingerprint(&self, k: &Kernel, effect: &Effect) -> Option<Fingerprint> {
        self.replay_fingerprint_as_is(k, effect, false).map(|(fp, _)| fp)
    }

    fn replay_fingerprint_as_is(&self, k: &Kernel, effect: &Effect, own_image: bool) -> Option<(Fingerprint, bool)> {
        let next = Composed::new(k, effect)?;
        // What is checked after every step looks at every task: a step the
        // check would fail on is run for real, to report it as it happens.
        if next.violation() {
            return None;
        }
        let plain = next.fingerprint();
        if let Some(fixed) = self.fixed() {
            // Its own image's successor by a step that moved no task in the
            // tree, no pid and no group is its own image too.
            if own_image && effect.keeps_shape(k) {
                return Some((plain, true));
            }
            return Some(canonical_as_is(plain, fixed, || {
                super::symmetry::canonical_fingerprint(&next.build(), fixed)
            }));
        }
        Some((plain, true))
    }

    fn remembered_effect(&self, k: &Kernel, step: Step) -> Option<std::sync::Arc<Effect>> {
        STEP_MEMO.with(|m| m.borrow().recall(self.memo_scope(), &self.prog, k, step.task, step.choice))
    }

    fn remember_effect(&self, k: &Kernel, step: Step, effect: &std::sync::Arc<Effect>) {
        STEP_MEMO.with(|m| m.borrow_mut().remember(self.memo_scope(), &self.prog, k, step.task, step.choice, effect))
    }

    fn replay(&self, k: &Kernel, effect: &Effect) -> Option<Kernel> {
        Composed::new(k, effect).map(|c| c.build())
    }

    fn commutes(&self, taken: &Effect, kept: &Effect) -> bool {
        !taken.footprint.disturbs(&kept.footprint)
    }

    fn actor(&self, step: Step) -> usize {
        step.task as usize
    }

    fn waiting(&self, k: &Kernel) -> ActorSet {
        let mut set = 0;
        for t in k.task_ids() {
            if self.is_waiting(k, t) {
                set |= 1 << t.0;
            }
        }
        set
    }

    /// Drop the tasks that only wait for a task still running in the
    /// component (directly, or through a zombie whose parent runs): a parent
    /// in an endless loop never reaping is not a kernel deadlock.
    fn refine_stuck(&self, k: &Kernel, stuck: ActorSet, moving: ActorSet) -> ActorSet {
        let waits = super::waitfor::waits_of(&self.prog, k);
        let mut live = moving;
        loop {
            let mut changed = false;
            for w in &waits {
                let bit = 1u64 << w.task.0;
                if live & bit == 0 && (w.any && live != 0 || w.waits_for.iter().any(|u| live & (1 << u.0) != 0)) {
                    live |= bit;
                    changed = true;
                }
            }
            if !changed {
                return stuck & !live;
            }
        }
    }

    fn hung(&self, k: &Kernel) -> ActorSet {
        super::hung::hung_set(&self.prog, k)
    }

    fn representative(&self, k: &Kernel) -> Option<(Kernel, Vec<u16>)> {
        let (mut image, moved) = super::symmetry::representative(k, self.fixed()?)?;
        seal(&mut image);
        self.intern_tasks(&mut image);
        Some((image, moved))
    }

    fn expanded(&self, k: &Kernel) {
        if !self.census_on.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let Ok(mut guard) = self.census.lock() else { return };
        let Some(c) = guard.as_mut() else { return };
        c.states += 1;
        for t in k.task_ids() {
            let task = k.task(t);
            let (func, pc) = task.vm.frames.last().map_or((None, 0), |f| (Some(f.func), f.pc));
            let name = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &task.name);
            let place = c.places.entry((name, func, pc, task.vm.parked)).or_insert_with(|| (task.name.clone(), t.0, 0));
            place.1 = place.1.min(t.0);
            place.2 += 1;
        }
    }

    fn search_restarted(&self) {
        self.reset_census();
    }

    fn thread_local_copy(&self, k: &Kernel) -> Option<Kernel> {
        Some(thread_local_copy(k))
    }

    fn check_final(&self, k: &Kernel) -> Option<Violation> {
        // A zombie nobody will reap, or a pid never freed, at the end of a run.
        for t in k.task_ids() {
            let task = k.task(t);
            if task.attached && task.hashed && task.exit_state == EXIT_ZOMBIE {
                return Some(Violation {
                    kind: ViolationKind::Leak { task: t },
                    task: Some(t),
                    span: None,
                    function: String::new(),
                });
            }
        }
        None
    }
}
