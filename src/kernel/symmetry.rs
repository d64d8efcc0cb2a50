//! Symmetry reduction: states that differ only in which task, `struct pid`
//! and thread group got which slot, and which pid number, are one state up
//! to renaming, and the search keeps one of them: its visited set is keyed
//! by the canonical fingerprint, and it expands the canonical image
//! (`representative`), whatever member it met first. So its traces are
//! steps of renamed states, which `System::realize_trace` maps back to the
//! schedule from the start they stand for; and every search order keeps
//! the same states.
//!
//! In the scaled seed, say, a helper's child is forked while `main` forks
//! `b` and `c`: who gets pid 102 and who gets 103 depends on the
//! interleaving, and without renaming every later state exists once per
//! order.
//!
//! What is renamed: the tasks created after boot, their `struct pid`s and
//! thread groups (the boot tasks, pid 1 of every namespace, and the
//! namespaces stay), every handle to them (tagged values, `lang::value`,
//! the RCU snapshot's task set included), and the pid numbers of each
//! namespace, permuted among the renamed pids. The slot count and the idr
//! cursor (`last_pid`) stay, so a fork gives its task the same slot and
//! number in a state and in its image; and since the cursor only counts up,
//! never handing a number out twice, no step can tell one freed number from
//! another.
//!
//! Why that is sound: a state and its renamed image are bisimilar if no
//! step can tell them apart (each step of one is the same step of the
//! renamed task in the other, to renamed successors; the image need not be
//! reachable). Model code sees pid numbers as tagged values, and the
//! interpreter records (in `Program::symmetry`) every operation renaming
//! would change: arithmetic on a pid number or on a handle, ordering two of
//! them, comparing a number with a constant above 1, passing one to a
//! primitive as a plain number, a lookup by a number the kernel did not
//! hand out, a walk in creation order (the task list, the pid numbers) that
//! does not finish within its step. A complete search that met one and
//! found nothing is run again without symmetry (`check::check`); a finding
//! is kept if the schedule its trace stands for shows it (where a break
//! made renamed states differ, it may not), and otherwise the search is
//! run again too. That is complete: on the first
//! such operation of any path, every step before it was invariant, so the
//! reduced search reaches an image of the state before it, where the same
//! task runs the same operation, and records it. Lists whose order is
//! observable (children, threads, a pid's users, the `dead` list) keep their
//! order, renamed; RCU Tasks' lists are kept sorted
//! (`System::sort_rcu_lists`), and sorted again after renaming. A walk that
//! finishes within its step must have effects that do not depend on its
//! order: argued per model, as for the sorted lists (`kill(-1)`,
//! `zap_pid_ns_processes()`, the RCU Tasks scan send or note each task on
//! its own).

use std::sync::Arc;

use super::objects::*;
use super::{Kernel, Shared};
use crate::lang::value::{self, LOCK, NSPROXY, PID, PID_NR, SIGHAND, SIGNAL, TAG_MASK, TASK, TASK_SET};
use crate::vm::FrameKind;

/// The objects renaming leaves in place: those of the boot kernel.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fixed {
    pub tasks: usize,
    pub pids: usize,
    pub groups: usize,
}

impl Fixed {
    pub fn of(boot: &Kernel) -> Fixed {
        Fixed { tasks: boot.tasks.len(), pids: boot.pids.peek().len(), groups: boot.groups.peek().len() }
    }
}

/// Tie classes whose orders are all tried, up to this many orders in all;
/// beyond, ties keep their slot order (still sound, merges fewer states).
const MAX_ORDERS: usize = 24;

/// A renaming: old index to new, for tasks, pids and groups, and for the
/// pid numbers of each namespace (sorted by old number).
#[derive(Clone, Debug, Default, Hash)]
pub struct Renaming {
    task: Vec<u16>,
    pid: Vec<u16>,
    group: Vec<u16>,
    nrs: Vec<Vec<(PidNr, PidNr)>>,
}

/// What every renamed object of a kind is renamed to when a task's
/// signature is computed: a name no object has.
const ANY: u16 = u16::MAX - 1;
const ANY_NR: PidNr = 0x7fff_ffff;

impl Renaming {
    fn map(v: &[u16], i: usize) -> u16 {
        v.get(i).copied().unwrap_or(i as u16)
    }
    fn task(&self, t: TaskId) -> TaskId {
        TaskId(Self::map(&self.task, t.0 as usize))
    }
    fn pid(&self, p: PidId) -> PidId {
        PidId(Self::map(&self.pid, p.0 as usize))
    }
    fn group(&self, g: GroupId) -> GroupId {
        GroupId(Self::map(&self.group, g.0 as usize))
    }
    fn nr(&self, ns: usize, nr: PidNr) -> PidNr {
        let Some(pairs) = self.nrs.get(ns) else { return nr };
        match pairs.binary_search_by_key(&nr, |p| p.0) {
            Ok(i) => pairs[i].1,
            Err(_) => nr,
        }
    }
    /// A value of model code, renamed: handles by their object, pid numbers
    /// by their namespace's permutation; integers stay.
    pub fn value(&self, v: i64) -> i64 {
        if v <= 0 {
            return v;
        }
        let tag = v & TAG_MASK;
        let payload = value::payload(v);
        match tag {
            TASK | SIGNAL | SIGHAND | NSPROXY if payload >= 1 => {
                tag | (Self::map(&self.task, payload as usize - 1) as i64 + 1)
            }
            PID if payload >= 1 => tag | (Self::map(&self.pid, payload as usize - 1) as i64 + 1),
            LOCK if payload >= 2 => LOCK | (Self::map(&self.group, payload as usize - 2) as i64 + 2),
            PID_NR => {
                let (ns, nr) = value::pid_nr_parts(v);
                value::pid_nr(ns, self.nr(ns as usize, nr))
            }
            TASK_SET => {
                let mut set = 0i64;
                for i in 0..value::TASK_SET_BITS as usize {
                    if payload & 1 << i != 0 {
                        // A blurred task has no bit: the top bit stands for it.
                        let to = (Self::map(&self.task, i) as u32).min(value::TASK_SET_BITS - 1);
                        set |= 1 << to;
                    }
                }
                TASK_SET | set
            }
            _ => v,
        }
    }

    fn task_struct(&self, t: &Task) -> Task {
        let mut n = t.clone();
        n.pid = self.pid(t.pid);
        n.group = self.group(t.group);
        n.real_parent = t.real_parent.map(|p| self.task(p));
        n.sibling_of = t.sibling_of.map(|p| self.task(p));
        for c in n.children.iter_mut().chain(n.dead_list.iter_mut()) {
            *c = self.task(*c);
        }
        n.wait_chldexit = t.wait_chldexit.map(|(ty, pid)| (self.value(ty), self.value(pid)));
        for v in n.vm.locals.iter_mut().chain(n.vm.stack.iter_mut()) {
            *v = self.value(*v);
        }
        // A system call's result waits in its frame while
        // exit_to_user_mode() runs (a pid number, from fork() or wait()).
        for f in n.vm.frames.iter_mut() {
            if let FrameKind::ExitToUser { ret, .. } = &mut f.kind {
                *ret = self.value(*ret);
            }
        }
        n.hash = TaskHash::default();
        n
    }

    /// Whether renaming changes anything `t` holds (what `task_struct` renames).
    fn changes_task(&self, t: &Task) -> bool {
        let task = |x: TaskId| self.task(x) != x;
        task_refs_changed(t, &task, &|p| self.pid(p) != p, &|g| self.group(g) != g)
            || t.vm.locals.iter().chain(t.vm.stack.iter()).any(|&v| self.value(v) != v)
            || t.vm.frames.iter().any(|f| matches!(f.kind, FrameKind::ExitToUser { ret, .. } if self.value(ret) != ret))
            || t.wait_chldexit.is_some_and(|(a, b)| self.value(a) != a || self.value(b) != b)
    }

    fn signal_struct(&self, g: &SignalStruct) -> SignalStruct {
        let mut n = g.clone();
        n.leader = self.task(g.leader);
        for t in n.threads.iter_mut() {
            *t = self.task(*t);
        }
        for v in n.globals.iter_mut() {
            *v = self.value(*v);
        }
        n
    }

    fn pid_struct(&self, p: &Pid) -> Pid {
        Pid {
            numbers: p.numbers.iter().map(|&(ns, nr)| (ns, self.nr(ns.0 as usize, nr))).collect(),
            users: p.users.iter().map(|&(t, ty)| (self.task(t), ty)).collect(),
            freed: p.freed,
        }
    }

    /// `k` with every object renamed and put at its new slot.
    pub fn apply(&self, k: &Kernel) -> Kernel {
        // A task that names nothing renamed keeps its bytes and cached
        // fingerprint, wherever its slot goes. The others are renamed once
        // per renaming and kept (`RENAMED`), fingerprint and all: states
        // met again and again are renamed the same way again and again.
        let key = super::fingerprint::hash_of(self);
        let tasks = permuted(&k.tasks, &self.task, |t| {
            let rename = || {
                self.changes_task(t).then(|| {
                    let mut n = self.task_struct(t);
                    n.hash = TaskHash(super::fingerprint::task_hash(&n));
                    Arc::new(n)
                })
            };
            let renamed = match t.hash.0 {
                0 => rename(),
                h => kept(&RENAMED, (h, key), RENAMED_MAX, rename),
            };
            renamed.unwrap_or_else(|| t.clone())
        });
        let groups = permuted(k.groups.peek(), &self.group, |g| self.signal_struct(g));
        let pids = permuted(k.pids.peek(), &self.pid, |p| self.pid_struct(p));
        // The parts renaming leaves as they are stay shared, fingerprint and all.
        let moved = |t: &TaskId| self.task(*t) != *t;
        let namespaces = if k.namespaces.peek().iter().any(|n| n.child_reaper.as_ref().is_some_and(moved)) {
            let mut namespaces = k.namespaces.peek().clone();
            for n in namespaces.iter_mut() {
                n.child_reaper = n.child_reaper.map(|t| self.task(t));
            }
            Shared::new(namespaces)
        } else {
            k.namespaces.clone()
        };
        let r = k.rcu_tasks.peek();
        let flagged = (0..64u16).map(TaskId).filter(|&t| r.holdout(t));
        let rcu_tasks = if [&r.cbs_queued, &r.cbs_gp, &r.holdouts, &r.exit_list].iter().any(|l| l.iter().any(moved))
            || flagged.clone().any(|t| moved(&t))
            || r.holdout_nvcsw.iter().any(|(t, _)| moved(t))
        {
            let mut rcu = r.clone();
            rcu.holdout_flags = 0;
            for t in flagged {
                rcu.set_holdout(self.task(t), true);
            }
            for (t, _) in rcu.holdout_nvcsw.iter_mut() {
                *t = self.task(*t);
            }
            rcu.holdout_nvcsw.sort_unstable();
            for list in [&mut rcu.cbs_queued, &mut rcu.cbs_gp, &mut rcu.holdouts, &mut rcu.exit_list] {
                for t in list.iter_mut() {
                    *t = self.task(*t);
                }
                if k.sorted_lists {
                    list.sort_unstable();
                }
            }
            Shared::new(rcu)
        } else {
            k.rcu_tasks.clone()
        };
        let kernel_globals = if k.kernel_globals.peek().iter().any(|&v| self.value(v) != v) {
            Shared::new(k.kernel_globals.peek().iter().map(|&v| self.value(v)).collect())
        } else {
            k.kernel_globals.clone()
        };
        Kernel {
            tasks,
            groups: Shared::new(groups),
            namespaces,
            pids: Shared::new(pids),
            srcu: k.srcu.clone(),
            rcu_tasks,
            trampolines: k.trampolines.clone(),
            kernel_globals,
            outcomes: k.outcomes,
            sorted_lists: k.sorted_lists,
        }
    }

    /// The renaming that puts the tasks in `order` (new slot to old slot;
    /// the fixed tasks first, in place), their pids and groups in the order
    /// their tasks come in, and gives the pids, in that order, the sorted
    /// numbers of the renamed pids of each namespace (number 1 and the
    /// fixed pids' numbers stay). Freed numbers are renamed with the others:
    /// `alloc_pid()` never hands a number out twice (`pid_alloc_numbers()`
    /// only counts up), so whether a number is free is what its pid says,
    /// and moves with it.
    pub fn from_order(k: &Kernel, fixed: Fixed, order: &[usize]) -> Renaming {
        let n_tasks = k.tasks.len();
        let mut task = vec![0u16; n_tasks];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = task.get_mut(old) {
                *slot = new as u16;
            }
        }
        let pids = k.pids.peek();
        let groups = k.groups.peek();
        // Pids and groups by the order of their tasks, then the others.
        let pid_order = new_order(pids.len(), fixed.pids, order.iter().map(|&t| k.tasks[t].pid.0 as usize));
        let group_order = new_order(groups.len(), fixed.groups, order.iter().map(|&t| k.tasks[t].group.0 as usize));
        let mut pid = vec![0u16; pids.len()];
        for (new, &old) in pid_order.iter().enumerate() {
            pid[old] = new as u16;
        }
        let mut group = vec![0u16; groups.len()];
        for (new, &old) in group_order.iter().enumerate() {
            group[old] = new as u16;
        }
        let n_ns = k.namespaces.peek().len();
        let mut nrs = vec![Vec::new(); n_ns];
        for (ns, pairs) in nrs.iter_mut().enumerate() {
            let olds: Vec<PidNr> = pid_order[fixed.pids.min(pid_order.len())..]
                .iter()
                .filter_map(|&p| pids[p].nr_in(NsId(ns as u16)))
                .filter(|&nr| nr != 1)
                .collect();
            let mut sorted = olds.clone();
            sorted.sort_unstable();
            pairs.extend(olds.into_iter().zip(sorted));
            pairs.sort_unstable();
        }
        Renaming { task, pid, group, nrs }
    }

    fn is_identity(&self) -> bool {
        let id = |v: &[u16]| v.iter().enumerate().all(|(i, &n)| n as usize == i);
        id(&self.task) && id(&self.pid) && id(&self.group) && self.nrs.iter().flatten().all(|(a, b)| a == b)
    }

    /// Every renamed object named `ANY`, every renamed pid number `ANY_NR`.
    fn blur(k: &Kernel, fixed: Fixed) -> Renaming {
        let keep = |len: usize, fixed: usize| (0..len).map(|i| if i < fixed { i as u16 } else { ANY }).collect();
        let pids = k.pids.peek();
        let mut nrs = vec![Vec::new(); k.namespaces.peek().len()];
        for p in pids.iter().skip(fixed.pids) {
            for &(ns, nr) in &p.numbers {
                if nr != 1 {
                    if let Some(v) = nrs.get_mut(ns.0 as usize) {
                        v.push((nr, ANY_NR));
                    }
                }
            }
        }
        for v in nrs.iter_mut() {
            v.sort_unstable();
        }
        Renaming {
            task: keep(k.tasks.len(), fixed.tasks),
            pid: keep(pids.len(), fixed.pids),
            group: keep(k.groups.peek().len(), fixed.groups),
            nrs,
        }
    }
}

/// Values worked out per thread, by key: the search meets the same tasks
/// in state after state.
type Kept<K, V> = std::cell::RefCell<rustc_hash::FxHashMap<K, V>>;

/// The value `table` keeps under `key`, or `compute`'s, kept there from
/// now on (the table starts again once it holds `max`).
fn kept<K: Eq + std::hash::Hash, V: Clone>(
    table: &'static std::thread::LocalKey<Kept<K, V>>,
    key: K,
    max: usize,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(v) = table.with(|c| c.borrow().get(&key).cloned()) {
        return v;
    }
    let v = compute();
    table.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= max {
            c.clear();
        }
        c.insert(key, v.clone());
    });
    v
}

thread_local! {
    /// Renamed tasks by the task's fingerprint and the renaming's (None:
    /// the renaming changes nothing the task holds).
    static RENAMED: Kept<(u128, u128), Option<Arc<Task>>> = Default::default();
}

/// Renamed tasks kept per thread before the table starts again.
const RENAMED_MAX: usize = 1 << 17;

fn task_refs_changed(
    t: &Task,
    task: &impl Fn(TaskId) -> bool,
    pid: &impl Fn(PidId) -> bool,
    group: &impl Fn(GroupId) -> bool,
) -> bool {
    pid(t.pid)
        || group(t.group)
        || t.real_parent.is_some_and(task)
        || t.sibling_of.is_some_and(task)
        || t.children.iter().chain(t.dead_list.iter()).any(|&c| task(c))
}

/// The objects of `items`, each put at its new index (`to[old]`).
fn permuted<T: Clone>(items: &[T], to: &[u16], f: impl Fn(&T) -> T) -> Vec<T> {
    let mut out: Vec<Option<T>> = vec![None; items.len()];
    for (i, x) in items.iter().enumerate() {
        let at = Renaming::map(to, i) as usize;
        if let Some(slot) = out.get_mut(at) {
            *slot = Some(f(x));
        }
    }
    out.into_iter().zip(items).map(|(n, old)| n.unwrap_or_else(|| f(old))).collect()
}

/// New order (new index to old) of `len` objects: the first `fixed` in
/// place, then those `by` names in its order (each once), then the rest.
fn new_order(len: usize, fixed: usize, by: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut seen = vec![false; len];
    let mut order: Vec<usize> = (0..fixed.min(len)).collect();
    for i in order.iter() {
        seen[*i] = true;
    }
    for i in by.chain(0..len) {
        if i < len && !seen[i] {
            seen[i] = true;
            order.push(i);
        }
    }
    order
}

/// The fingerprint the search knows `k` by: that of its renamed image whose
/// tasks come in `tree_order()` (the reaped, on no list, in slot order).
/// Renamings of `k` get the same one, except where tasks were reaped in
/// different orders; a state in that order keeps its own fingerprint.
pub fn canonical_fingerprint(k: &Kernel, fixed: Fixed) -> crate::explore::Fingerprint {
    fingerprint_of_order(k, fixed, false)
}

/// The renamed image of `k` that `canonical_fingerprint` hashes, and where
/// each task went in it (old slot to new); None where that image is `k`.
/// The search expands this image instead of the state it first met
/// (`Model::representative`): most successors of a state in canonical
/// order are in canonical order too, and keep their plain fingerprint,
/// while every successor of a state in another order must be renamed to be
/// fingerprinted. Its own canonical image is itself: its tree tasks are in
/// slot order, and its reaped ones in the slot order they had.
pub fn representative(k: &Kernel, fixed: Fixed) -> Option<(Kernel, Vec<u16>)> {
    if !renamable(k, fixed) {
        return None;
    }
    let (mut order, rest) = tree_order(k, fixed);
    order.extend(rest);
    let r = renaming_to(k, fixed, &order)?;
    Some((r.apply(k), r.task))
}

/// Whether `k` is renamed at all. One with a single renamable task and pid
/// has nothing to permute; one with more tasks than a `TASK_SET` can name
/// keeps its plain fingerprint, which no renamed state can have.
fn renamable(k: &Kernel, fixed: Fixed) -> bool {
    let n = k.tasks.len();
    !(n <= fixed.tasks + 1 && k.pids.peek().len() <= fixed.pids + 1) && n <= value::TASK_SET_BITS as usize
}

/// A thread's last canonical fingerprints by plain fingerprint, one per
/// line of a fixed table (no allocation once made): a search meets most
/// states again and again, one successor for each way into them.
struct CanonCache(Box<[(u128, u128)]>);

const CANON_CACHE_LINES: usize = 1 << 18;

thread_local! {
    static CANON_CACHE: std::cell::RefCell<Option<CanonCache>> = const { std::cell::RefCell::new(None) };
}

/// The canonical fingerprint of the state whose plain fingerprint is
/// `plain`, from the cache, or from `compute` (run only on a miss).
pub fn canonical_fingerprint_cached(
    plain: u128,
    fixed: Fixed,
    compute: impl FnOnce() -> crate::explore::Fingerprint,
) -> crate::explore::Fingerprint {
    // The fixed objects are part of what the canonical form depends on.
    let key = plain ^ (fixed.tasks as u128) << 64 ^ (fixed.pids as u128) << 80 ^ (fixed.groups as u128) << 96;
    let line = (key as usize) & (CANON_CACHE_LINES - 1);
    let hit = CANON_CACHE.with(|c| c.borrow().as_ref().and_then(|c| c.0.get(line).filter(|e| e.0 == key).map(|e| e.1)));
    if let Some(fp) = hit {
        return fp;
    }
    let fp = compute();
    CANON_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let c = c.get_or_insert_with(|| CanonCache(vec![(0, 0); CANON_CACHE_LINES].into_boxed_slice()));
        c.0[line] = (key, fp);
    });
    fp
}

/// The fingerprint of `k`'s renamed image in `tree_order()`, the reaped
/// placed after the others. With `exact` (for tests), the reaped are sorted
/// by a signature no renaming changes (what a task is with every renamed
/// name blurred, and where the fixed tasks refer to it), and ties are
/// broken by trying every order, up to `MAX_ORDERS` of them, keeping the
/// least fingerprint: then states in one orbit get one fingerprint (beyond
/// `MAX_ORDERS`, ties keep their slot order). Without, the reaped keep
/// their slot order.
pub fn fingerprint_of_order(k: &Kernel, fixed: Fixed, exact: bool) -> crate::explore::Fingerprint {
    if !renamable(k, fixed) {
        return super::fingerprint::fingerprint(k);
    }
    let (mut order, mut rest) = tree_order(k, fixed);
    if rest.is_empty() {
        return fingerprint_in_order(k, fixed, &order);
    }
    if rest.len() == 1 || !exact {
        // The reaped in slot order: not canonical where tasks were reaped
        // in different orders, but cheap (sound either way).
        order.extend(rest);
        return fingerprint_in_order(k, fixed, &order);
    }
    let sigs = signatures(k, fixed);
    let sig = |i: usize| sigs[i - fixed.tasks];
    rest.sort_by_key(|&i| (sig(i), i));
    // Runs of equal signatures, and how many orders they allow.
    let at = order.len();
    let mut runs = Vec::new();
    let mut orders = 1usize;
    let mut i = 0;
    while i < rest.len() {
        let mut j = i + 1;
        while j < rest.len() && sig(rest[j]) == sig(rest[i]) {
            j += 1;
        }
        if j - i > 1 {
            runs.push((i, j));
            orders = orders.saturating_mul((1..=j - i).product());
        }
        i = j;
    }
    order.extend(rest);
    if runs.is_empty() || orders > MAX_ORDERS {
        return fingerprint_in_order(k, fixed, &order);
    }
    let mut best = u128::MAX;
    each_order(&mut order, at, &runs, 0, &mut |o| {
        best = best.min(fingerprint_in_order(k, fixed, o));
    });
    best
}

/// The tasks in an order no renaming changes, as far as lists give one:
/// the fixed tasks, then breadth-first through children and thread lists
/// in list order; and the tasks on no list (the reaped), in slot order.
pub fn tree_order(k: &Kernel, fixed: Fixed) -> (Vec<usize>, Vec<usize>) {
    let n = k.tasks.len();
    let mut order: Vec<usize> = (0..fixed.tasks.min(n)).collect();
    let mut placed = vec![false; n];
    for &i in &order {
        placed[i] = true;
    }
    let groups = k.groups.peek();
    let mut next = 0;
    while next < order.len() {
        let t = &k.tasks[order[next]];
        next += 1;
        let threads = if t.leader { groups.get(t.group.0 as usize).map_or(&[][..], |g| &g.threads[..]) } else { &[] };
        for c in t.children.iter().chain(threads) {
            let c = c.0 as usize;
            if c < n && !placed[c] {
                placed[c] = true;
                order.push(c);
            }
        }
    }
    let rest: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
    (order, rest)
}

fn fingerprint_in_order(k: &Kernel, fixed: Fixed, order: &[usize]) -> crate::explore::Fingerprint {
    match renaming_to(k, fixed, order) {
        Some(r) => super::fingerprint::fingerprint(&r.apply(k)),
        // Its own canonical form: the fingerprint it has, from cached parts.
        None => super::fingerprint::fingerprint(k),
    }
}

/// The renaming that puts `k`'s tasks in `order`, or None where that is
/// the identity: most states are their own canonical form (tasks made in
/// list order), which `renames_nothing` sees without building it.
fn renaming_to(k: &Kernel, fixed: Fixed, order: &[usize]) -> Option<Renaming> {
    if renames_nothing(k, fixed, order) {
        return None;
    }
    Some(Renaming::from_order(k, fixed, order)).filter(|r| !r.is_identity())
}

/// Whether `Renaming::from_order(k, fixed, order)` is the identity, found
/// without building it: the tasks in slot order, their pids and groups
/// first met in index order, and each namespace's renamed numbers rising
/// with the pids' indices.
fn renames_nothing(k: &Kernel, fixed: Fixed, order: &[usize]) -> bool {
    if order.iter().enumerate().any(|(i, &o)| i != o) {
        return false;
    }
    let (mut next_pid, mut next_group) = (fixed.pids, fixed.groups);
    for t in &k.tasks {
        let (p, g) = (t.pid.0 as usize, t.group.0 as usize);
        if p >= next_pid {
            if p != next_pid {
                return false;
            }
            next_pid += 1;
        }
        if g >= next_group {
            if g != next_group {
                return false;
            }
            next_group += 1;
        }
    }
    const MAX_NS: usize = 16;
    if k.namespaces.peek().len() > MAX_NS {
        return false;
    }
    let mut last = [0 as PidNr; MAX_NS];
    for p in k.pids.peek().iter().skip(fixed.pids) {
        for &(ns, nr) in &p.numbers {
            let Some(l) = last.get_mut(ns.0 as usize) else { return false };
            if nr != 1 {
                if nr <= *l {
                    return false;
                }
                *l = nr;
            }
        }
    }
    true
}

/// Call `f` with every order that permutes the runs (of `order[fixed..]`)
/// within themselves, from run `at` on.
fn each_order(order: &mut Vec<usize>, fixed: usize, runs: &[(usize, usize)], at: usize, f: &mut impl FnMut(&[usize])) {
    let Some(&(lo, hi)) = runs.get(at) else {
        f(order);
        return;
    };
    permute(order, fixed + lo, fixed + hi, &mut |o| each_order(o, fixed, runs, at + 1, f));
}

/// Every permutation of `order[pos..hi]`, by swapping in place.
fn permute(order: &mut Vec<usize>, pos: usize, hi: usize, f: &mut impl FnMut(&mut Vec<usize>)) {
    if pos + 1 >= hi {
        f(order);
        return;
    }
    for i in pos..hi {
        order.swap(pos, i);
        permute(order, pos + 1, hi, f);
        order.swap(pos, i);
    }
}

/// Per renamed task (slot `fixed.tasks + i`): a fingerprint no renaming
/// changes. What the task is with every renamed name blurred (its own pid's
/// and, for a leader, its group's too), and where fixed objects refer to it:
/// which local or global of which fixed task or group holds its handle or
/// pid number, and its place among a fixed task's children.
fn signatures(k: &Kernel, fixed: Fixed) -> Vec<u128> {
    let blur = Renaming::blur(k, fixed);
    let pids = k.pids.peek();
    let groups = k.groups.peek();
    // Who owns each pid and group, to credit a reference to: the task
    // attached to the pid (a task being forked still shows its parent's
    // pid), the group's leader. Nobody, where that is not yet settled.
    let pid_owner: Vec<usize> =
        pids.iter().map(|p| p.users.iter().find(|u| u.1 == 0).map_or(usize::MAX, |u| u.0 .0 as usize)).collect();
    let group_owner: Vec<usize> = groups.iter().map(|g| g.leader.0 as usize).collect();
    let nr_owner = |ns: u16, nr: PidNr| -> usize {
        pids.iter()
            .position(|p| p.nr_in(NsId(ns)) == Some(nr))
            .filter(|&p| p >= fixed.pids)
            .map_or(usize::MAX, |p| pid_owner[p])
    };
    let owner = |v: i64| -> usize {
        if v <= 0 {
            return usize::MAX;
        }
        let payload = value::payload(v);
        match v & TAG_MASK {
            TASK | SIGNAL | SIGHAND | NSPROXY => payload as usize - 1,
            PID => pid_owner.get(payload as usize - 1).copied().unwrap_or(usize::MAX),
            LOCK if payload >= 2 => group_owner.get(payload as usize - 2).copied().unwrap_or(usize::MAX),
            PID_NR => {
                let (ns, nr) = value::pid_nr_parts(v);
                nr_owner(ns, nr)
            }
            _ => usize::MAX,
        }
    };
    let n = k.tasks.len();
    let mut refs: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n.saturating_sub(fixed.tasks)];
    let mut credit = |who: usize, place: (u32, u32)| {
        if who >= fixed.tasks && who < n {
            refs[who - fixed.tasks].push(place);
        }
    };
    for (f, t) in k.tasks.iter().enumerate().take(fixed.tasks) {
        let f = f as u32;
        for (i, &v) in t.vm.locals.iter().enumerate() {
            credit(owner(v), (f, i as u32));
        }
        for (i, &v) in t.vm.stack.iter().enumerate() {
            credit(owner(v), (f, 1 << 16 | i as u32));
        }
        for (i, &c) in t.children.iter().enumerate() {
            credit(c.0 as usize, (f, 2 << 16 | i as u32));
        }
    }
    for (g, grp) in groups.iter().enumerate().take(fixed.groups) {
        for (i, &v) in grp.globals.iter().enumerate() {
            credit(owner(v), (1 << 16 | g as u32, i as u32));
        }
    }
    k.tasks
        .iter()
        .enumerate()
        .skip(fixed.tasks)
        .map(|(i, t)| {
            let own_pid = pids.get(t.pid.0 as usize).map(|p| blur.pid_struct(p));
            let own_group = if t.leader { groups.get(t.group.0 as usize).map(|g| blur.signal_struct(g)) } else { None };
            super::fingerprint::hash_of(&(blurred_task(t, &blur, fixed), own_pid, own_group, &refs[i - fixed.tasks]))
        })
        .collect()
}

thread_local! {
    /// Blurred task fingerprints by the task's own fingerprint and the
    /// fixed objects: most tasks of a state are unchanged from its parent's.
    static BLURRED: Kept<(u128, [usize; 3]), u128> = Default::default();
}

/// The fingerprint of `t` with every renamed name blurred.
fn blurred_task(t: &Task, blur: &Renaming, fixed: Fixed) -> u128 {
    let compute = || super::fingerprint::hash_of(&blur.task_struct(t));
    match t.hash.0 {
        0 => compute(),
        h => kept(&BLURRED, (h, [fixed.tasks, fixed.pids, fixed.groups]), 1 << 20, compute),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Model;

    /// Every state of a scenario's plain search, breadth-first, up to `cap`.
    fn states(file: &str, kernel: &str, cap: usize) -> (crate::kernel::system::System, Vec<Kernel>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
        let text = std::fs::read_to_string(path).expect("a corpus scenario");
        let model = crate::kernel::models::builtin(kernel).expect("a built-in kernel");
        let mut map = crate::lang::diag::SourceMap::default();
        let Ok((sys, _)) = crate::check::build(&mut map, &model, file, &text) else { panic!("{file} builds") };
        let mut seen = std::collections::HashSet::new();
        let mut all = vec![sys.initial().expect("boots")];
        let mut i = 0;
        let mut steps = Vec::new();
        while i < all.len() && all.len() < cap {
            steps.clear();
            sys.steps(&all[i], &mut steps);
            for &s in &steps {
                if let Ok(n) = sys.next(&all[i], s) {
                    if seen.insert(sys.fingerprint(&n)) {
                        all.push(n);
                    }
                }
            }
            i += 1;
        }
        (sys, all)
    }

    /// A renamed task taken from `RENAMED` is the task renamed afresh, with
    /// the fingerprint its bytes have: renaming a state a second time (from
    /// the table) or with the table emptied gives the same state and the
    /// same fingerprint as the first time.
    #[test]
    fn renamed_tasks_kept_per_renaming_are_the_tasks_renamed_afresh() {
        let mut renamed = 0;
        for (file, kernel) in [("symmetric_forks_two_parents.c", "v6.1"), ("symmetric_forks_wait_any.c", "v6.9")] {
            let (sys, all) = states(file, kernel, 5_000);
            let fixed = Fixed::of(&sys.boot());
            for mut k in all {
                super::super::fingerprint::seal(&mut k);
                let (mut order, rest) = tree_order(&k, fixed);
                order.extend(rest);
                let r = Renaming::from_order(&k, fixed, &order);
                let first = r.apply(&k);
                let again = r.apply(&k);
                RENAMED.with(|c| c.borrow_mut().clear());
                let fresh = r.apply(&k);
                for image in [&again, &fresh] {
                    assert_eq!(image.tasks, first.tasks, "{file} [{kernel}]");
                    assert_eq!(
                        super::super::fingerprint::fingerprint(image),
                        super::super::fingerprint::fingerprint(&first)
                    );
                }
                for t in first.tasks.iter().filter(|t| t.hash.0 != 0) {
                    assert_eq!(t.hash.0, super::super::fingerprint::task_hash(t), "{file} [{kernel}]");
                }
                renamed += usize::from(k.tasks.iter().zip(&first.tasks).any(|(a, b)| !Arc::ptr_eq(a, b)));
            }
        }
        assert!(renamed > 0, "no state had a task renamed");
    }

    #[test]
    fn the_identity_shortcut_agrees_with_the_renaming_it_skips() {
        let (mut identity, mut other) = (0, 0);
        for (file, kernel) in [
            ("symmetric_forks_two_parents.c", "v6.1"),
            ("symmetric_forks_wait_any.c", "v6.9"),
            ("fork_from_thread_then_thread_exits.c", "v6.11"),
        ] {
            let (sys, all) = states(file, kernel, 20_000);
            let fixed = Fixed::of(&sys.boot());
            for k in &all {
                let (mut order, rest) = tree_order(k, fixed);
                order.extend(rest);
                let slow = Renaming::from_order(k, fixed, &order).is_identity();
                assert_eq!(renames_nothing(k, fixed, &order), slow, "{file} [{kernel}]");
                if slow {
                    identity += 1;
                } else {
                    other += 1;
                }
            }
        }
        // Both answers occur, so both were compared.
        assert!(identity > 0 && other > 0, "{identity} identities, {other} others");
    }
}
