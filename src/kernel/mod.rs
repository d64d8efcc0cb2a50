//! The kernel layer: the object model (`objects`), the primitives the kernel
//! performs atomically under one lock (`prims`), field access for model code
//! (`fields`), what the VM and the compiler see of it (`host`), the built-in
//! kernel models (`models`), boot, and the system as an `explore::Model`
//! (`system`).

pub mod consts;
pub mod fields;
pub mod fingerprint;
pub mod footprint;
pub mod host;
pub mod hung;
mod memo;
pub mod models;
pub mod objects;
pub mod prims;
pub mod symmetry;
pub mod system;
pub mod waitfor;

use std::sync::Arc;

use objects::*;

/// Faults of model code are the VM's: the kernel's primitives raise them too.
pub use crate::vm::Fault;

pub type KResult<T> = Result<T, Fault>;

pub fn fault<T>(msg: impl Into<String>) -> KResult<T> {
    Err(Fault::Model(msg.into()))
}

/// A part of the kernel state shared between states until it is written:
/// reading goes through `Deref`, writing through `DerefMut` copies it first
/// if another state still holds it. Cloning a state is then a few reference
/// counts instead of a deep copy (most steps change one task and little else).
///
/// The part's fingerprint is kept beside it once computed, so a state's
/// fingerprint hashes only the parts its last step wrote: `Hash` writes that
/// 128-bit fingerprint, not the contents.
///
/// `PART` is the part's bit in a step's footprint (`footprint::part`): every
/// `Deref` is recorded as a read of it, every `DerefMut` as a write.
#[derive(Clone, Debug, Default)]
pub struct Shared<T: Clone, const PART: u16 = 0>(Arc<SharedPart<T>>);

#[derive(Debug, Default)]
struct SharedPart<T> {
    value: T,
    fingerprint: std::sync::OnceLock<u128>,
}

impl<T: Clone> Clone for SharedPart<T> {
    /// A copy is made to be written: its fingerprint is computed anew.
    fn clone(&self) -> Self {
        SharedPart { value: self.value.clone(), fingerprint: std::sync::OnceLock::new() }
    }
}

impl<T: Clone, const PART: u16> Shared<T, PART> {
    pub fn new(v: T) -> Self {
        Shared(Arc::new(SharedPart { value: v, fingerprint: std::sync::OnceLock::new() }))
    }
    /// Held by one state only (a copy a step just made).
    pub fn is_unique(&self) -> bool {
        Arc::strong_count(&self.0) == 1
    }
    /// The value, read without recording it in the step's footprint: for
    /// what the checker itself looks at (canonical forms, reports).
    pub fn peek(&self) -> &T {
        &self.0.value
    }
}

impl<T: Clone + std::hash::Hash, const PART: u16> Shared<T, PART> {
    /// xxh3-128 of the part's canonical bytes, computed once per version.
    pub fn fingerprint(&self) -> u128 {
        *self.0.fingerprint.get_or_init(|| fingerprint::hash_of(&self.0.value))
    }
    /// An equal part in an allocation of its own (its fingerprint kept).
    pub fn own_copy(&self) -> Self {
        let fingerprint = std::sync::OnceLock::new();
        let _ = fingerprint.set(self.fingerprint());
        Shared(Arc::new(SharedPart { value: self.0.value.clone(), fingerprint }))
    }
}

impl<T: Clone, const PART: u16> std::ops::Deref for Shared<T, PART> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        footprint::read_part(PART);
        &self.0.value
    }
}

impl<T: Clone, const PART: u16> std::ops::DerefMut for Shared<T, PART> {
    fn deref_mut(&mut self) -> &mut T {
        footprint::write_part(PART);
        let part = Arc::make_mut(&mut self.0);
        // Written (or about to be): the old fingerprint no longer holds.
        part.fingerprint = std::sync::OnceLock::new();
        &mut part.value
    }
}

impl<T: Clone + PartialEq, const PART: u16> PartialEq for Shared<T, PART> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.value == other.0.value
    }
}

impl<T: Clone + Eq, const PART: u16> Eq for Shared<T, PART> {}

impl<T: Clone + std::hash::Hash, const PART: u16> std::hash::Hash for Shared<T, PART> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u128(self.fingerprint());
    }
}

/// A small part of the state kept inline, its accesses recorded like a
/// `Shared` part's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tracked<T, const PART: u16>(T);

impl<T, const PART: u16> Tracked<T, PART> {
    pub fn new(v: T) -> Self {
        Tracked(v)
    }
    pub fn peek(&self) -> &T {
        &self.0
    }
    /// The value to write, without recording it: for an access whose
    /// caller records a finer footprint itself.
    pub fn poke(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T, const PART: u16> std::ops::Deref for Tracked<T, PART> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        footprint::read_part(PART);
        &self.0
    }
}

impl<T, const PART: u16> std::ops::DerefMut for Tracked<T, PART> {
    fn deref_mut(&mut self) -> &mut T {
        footprint::write_part(PART);
        &mut self.0
    }
}

/// The whole kernel state: every object of the model. Part of the search state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    /// Shared between states until written (`task_mut()` copies on write):
    /// a step changes one or two tasks, so a successor state shares the rest.
    pub tasks: Vec<Arc<Task>>,
    pub groups: Shared<Vec<SignalStruct>, { footprint::part::GROUPS }>,
    pub namespaces: Shared<Vec<PidNamespace>, { footprint::part::NAMESPACES }>,
    pub pids: Shared<Vec<Pid>, { footprint::part::PIDS }>,
    /// A plain access counts as one of all of it; the readers' primitives
    /// record the index or the one count they touch (`part::SRCU_READERS`).
    pub srcu: Tracked<Srcu, { footprint::part::SRCU_ALL }>,
    pub rcu_tasks: Shared<RcuTasks, { footprint::part::RCU_TASKS }>,
    pub trampolines: Shared<Vec<TrampolineState>, { footprint::part::TRAMPOLINES }>,
    pub kernel_globals: Shared<Vec<i64>, { footprint::part::KERNEL_GLOBALS }>,
    /// Keep what user code prints in the state (`taskcheck oracle` and
    /// `fuzz` enumerate the possible outputs); off for `check`.
    pub outcomes: bool,
    /// Keep the holdout list, the exit list and the callbacks of RCU Tasks
    /// sorted (see `System::sort_rcu_lists`).
    pub sorted_lists: bool,
}

/// The printed lines by id, and the ids by line (shared by every state).
type OutputLines = (Vec<String>, Option<std::collections::HashMap<String, u32>>);
static OUTPUT_LINES: std::sync::Mutex<OutputLines> = std::sync::Mutex::new((Vec::new(), None));

/// The id of a printed line, interning it.
pub fn output_line_id(line: &str) -> u32 {
    let Ok(mut guard) = OUTPUT_LINES.lock() else { return u32::MAX };
    let (lines, ids) = &mut *guard;
    let ids = ids.get_or_insert_with(Default::default);
    if let Some(&id) = ids.get(line) {
        return id;
    }
    lines.push(line.to_string());
    let id = (lines.len() - 1) as u32;
    ids.insert(line.to_string(), id);
    id
}

/// The line of an id from `output_line_id`.
pub fn output_line(id: u32) -> String {
    OUTPUT_LINES.lock().ok().and_then(|l| l.0.get(id as usize).cloned()).unwrap_or_default()
}

impl Kernel {
    pub fn task(&self, t: TaskId) -> &Task {
        footprint::read_task(t.0 as usize);
        &self.tasks[t.0 as usize]
    }
    /// The task, for a reader of only its RCU view (`prims::rcu_tasks_view`):
    /// recorded as such, so a step of the task that leaves the view as it
    /// was does not disturb the reader. Read nothing else through it.
    pub fn task_view(&self, t: TaskId) -> &Task {
        footprint::read_view(t.0 as usize);
        &self.tasks[t.0 as usize]
    }
    pub fn task_mut(&mut self, t: TaskId) -> &mut Task {
        footprint::write_task(t.0 as usize);
        let task = Arc::make_mut(&mut self.tasks[t.0 as usize]);
        // Written: its fingerprint is computed again (see `seal()`).
        task.hash = TaskHash::default();
        task
    }
    pub fn group(&self, g: GroupId) -> &SignalStruct {
        &self.groups[g.0 as usize]
    }
    pub fn group_mut(&mut self, g: GroupId) -> &mut SignalStruct {
        &mut self.groups[g.0 as usize]
    }
    pub fn ns(&self, n: NsId) -> &PidNamespace {
        &self.namespaces[n.0 as usize]
    }
    pub fn ns_mut(&mut self, n: NsId) -> &mut PidNamespace {
        &mut self.namespaces[n.0 as usize]
    }
    pub fn pid(&self, p: PidId) -> &Pid {
        &self.pids[p.0 as usize]
    }
    pub fn pid_mut(&mut self, p: PidId) -> &mut Pid {
        &mut self.pids[p.0 as usize]
    }
    pub fn task_ids(&self) -> impl Iterator<Item = TaskId> {
        footprint::read_part(footprint::part::TASK_COUNT);
        (0..self.tasks.len()).map(|i| TaskId(i as u16))
    }
    /// `task_active_pid_ns()`: the namespace of the task's own pid.
    pub fn active_ns(&self, t: TaskId) -> NsId {
        let pid = self.pid(self.task(t).pid);
        pid.numbers.last().map(|n| n.0).unwrap_or(NsId(0))
    }
    /// The task's pid number in `ns`, if it has one there.
    pub fn pid_nr_in(&self, t: TaskId, ns: NsId) -> Option<PidNr> {
        self.pid(self.task(t).pid).nr_in(ns)
    }
    /// The thread-group id's pid number in `ns`.
    pub fn tgid_nr_in(&self, t: TaskId, ns: NsId) -> Option<PidNr> {
        let leader = self.group(self.task(t).group).leader;
        self.pid_nr_in(leader, ns)
    }
    /// Every pid number of the task, outermost first: `[(ns, nr)]`.
    pub fn pid_numbers(&self, t: TaskId) -> &[(NsId, PidNr)] {
        &self.pid(self.task(t).pid).numbers
    }
    /// The global (init_pid_ns) pid number.
    pub fn global_pid(&self, t: TaskId) -> PidNr {
        self.pid_nr_in(t, NsId(0)).unwrap_or(0)
    }
    /// The task whose pid number in `ns` is `nr` and which is still attached
    /// to its pid (`pid_task(find_pid_ns(nr, ns), PIDTYPE_PID)`).
    pub fn find_task_by_nr(&self, ns: NsId, nr: PidNr) -> Option<TaskId> {
        self.pids.iter().enumerate().find_map(|(i, p)| {
            if p.freed || p.nr_in(ns) != Some(nr) {
                return None;
            }
            let _ = i;
            p.users.iter().find(|u| u.1 == 0).map(|u| u.0)
        })
    }
    pub fn find_pid_by_nr(&self, ns: NsId, nr: PidNr) -> Option<PidId> {
        self.pids.iter().position(|p| !p.freed && p.nr_in(ns) == Some(nr)).map(|i| PidId(i as u16))
    }
    pub fn thread_group_empty(&self, t: TaskId) -> bool {
        // thread_group_empty(): no other thread left on the thread list.
        let g = self.group(self.task(t).group);
        g.threads.iter().all(|&x| x == t || !self.task(x).hashed)
    }
    pub fn is_leader(&self, t: TaskId) -> bool {
        self.task(t).leader
    }
    /// Short human description of a task: `b (pid 4, 1 in ns1)`.
    pub fn describe(&self, t: TaskId) -> String {
        format!("{} ({})", self.task(t).name, self.describe_pids(t))
    }
    /// `pid 4, 1 in ns1` — every number the task has, outermost first.
    pub fn describe_pids(&self, t: TaskId) -> String {
        let mut s = String::new();
        for (i, (ns, nr)) in self.pid_numbers(t).iter().enumerate() {
            if i == 0 {
                s.push_str(&format!("pid {nr}"));
            } else {
                s.push_str(&format!(", {nr} in ns{}", ns.0));
            }
        }
        s
    }
}
