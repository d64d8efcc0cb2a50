//! What a step reads and writes, by kernel object: each task, and each part
//! of the state held as one piece (the thread groups, the namespaces, the
//! pids, `tasks_rcu_exit_srcu`, the RCU Tasks state and its holdout list,
//! the trampolines, the kernel globals, the number of tasks).
//!
//! Recorded as the step runs: `Kernel::task()`/`task_mut()` and the parts'
//! `Deref`/`DerefMut` note each access in a per-thread footprint, so no
//! access of model code or of a primitive is missed, whatever a patched
//! model does.
//!
//! One part of a task is tracked apart: what RCU's grace periods read of it
//! (`prims::rcu_tasks_view()`: on the task list, on a runqueue, `nvcsw`,
//! user mode or kernel, preemption disabled, dead). A
//! reader of only that records `read_view`; a step *changes* it only if it
//! differs after the step (`System::note_changed_views`). So the RCU Tasks
//! kthread's check of a holdout, and its synchronize_rcu() wait, commute
//! with a step of that task that leaves its view as it was: nearly every
//! step in the kernel. So does the scan: the holdout fields it writes are
//! kept in the RCU Tasks part (`RcuTasks::holdout_flags`), not in the task.
//! Likewise each reader count of `tasks_rcu_exit_srcu` is a part of its
//! own (`part::SRCU_READERS`).
//!
//! Two steps whose footprints do not meet commute; the search uses that to
//! build a step's successor from the effect it had in an earlier state
//! (see `Model::replay_effect`) instead of running it again.

use std::cell::Cell;

/// Parts of the kernel state other than the tasks, one bit each.
pub mod part {
    /// The length of the task table (a fork appends a task).
    pub const TASK_COUNT: u16 = 1 << 0;
    pub const GROUPS: u16 = 1 << 1;
    pub const NAMESPACES: u16 = 1 << 2;
    pub const PIDS: u16 = 1 << 3;
    /// `tasks_rcu_exit_srcu`'s index, which readers take and
    /// synchronize_srcu() flips.
    pub const SRCU: u16 = 1 << 4;
    pub const RCU_TASKS: u16 = 1 << 5;
    /// The holdout list of RCU Tasks, which `canonicalize()` reads for a
    /// task whose `nvcsw` moved: a write of it is also a write of `RCU_TASKS`.
    pub const HOLDOUTS: u16 = 1 << 6;
    pub const TRAMPOLINES: u16 = 1 << 7;
    pub const KERNEL_GLOBALS: u16 = 1 << 8;
    /// The reader counts of `tasks_rcu_exit_srcu`, one per index: a reader
    /// entering on the current index does not disturb synchronize_srcu()
    /// waiting for the other one to drain.
    pub const SRCU_READERS: [u16; 2] = [1 << 9, 1 << 10];
    /// All of `tasks_rcu_exit_srcu`.
    pub const SRCU_ALL: u16 = SRCU | SRCU_READERS[0] | SRCU_READERS[1];
}

/// The objects a step read and wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub read_tasks: u64,
    pub write_tasks: u64,
    /// Tasks whose RCU Tasks view was read (and nothing else of them, unless
    /// `read_tasks` says so too), and those whose view the step changed.
    pub read_views: u64,
    pub changed_views: u64,
    pub read: u16,
    pub write: u16,
}

impl Footprint {
    /// Whether a step with footprint `self` may change what a step with
    /// footprint `other` does or writes: it writes something `other` reads
    /// or writes, or changes the RCU view of a task whose view `other`
    /// reads. If not, `other` has the same effect after `self` as before.
    pub fn disturbs(&self, other: &Footprint) -> bool {
        self.write_tasks & (other.read_tasks | other.write_tasks) != 0
            || self.changed_views & other.read_views != 0
            || self.write & (other.read | other.write) != 0
    }
}

/// The footprint being recorded, one cell per word (each access sets one
/// bit of one word).
struct Recording {
    read_tasks: Cell<u64>,
    write_tasks: Cell<u64>,
    read_views: Cell<u64>,
    changed_views: Cell<u64>,
    read: Cell<u16>,
    write: Cell<u16>,
    /// The RCU Tasks lists whose walk began in this step (see `list_walk_begins`).
    walking: Cell<u8>,
}

thread_local! {
    static CURRENT: Recording = const {
        Recording {
            read_tasks: Cell::new(0),
            write_tasks: Cell::new(0),
            read_views: Cell::new(0),
            changed_views: Cell::new(0),
            read: Cell::new(0),
            write: Cell::new(0),
            walking: Cell::new(0),
        }
    };
}

fn task_bit(i: usize) -> u64 {
    // Tasks are at most 64 (`dup_task_struct()` refuses more).
    1u64.checked_shl(i as u32).unwrap_or(0)
}

#[inline]
pub fn read_task(i: usize) {
    CURRENT.with(|c| c.read_tasks.set(c.read_tasks.get() | task_bit(i)))
}

#[inline]
pub fn write_task(i: usize) {
    CURRENT.with(|c| c.write_tasks.set(c.write_tasks.get() | task_bit(i)))
}

/// Task `i`'s RCU Tasks view is read, nothing else of it.
#[inline]
pub fn read_view(i: usize) {
    CURRENT.with(|c| c.read_views.set(c.read_views.get() | task_bit(i)))
}

/// The step changed task `i`'s RCU view (found by comparing the task
/// before and after the step, see `System::note_changed_views`).
#[inline]
pub fn changed_view(i: usize) {
    CURRENT.with(|c| c.changed_views.set(c.changed_views.get() | task_bit(i)))
}

/// Every one of the first `n` tasks is read (a walk of the task table).
pub fn read_all_tasks(n: usize) {
    CURRENT.with(|c| {
        c.read_tasks.set(c.read_tasks.get() | if n >= 64 { u64::MAX } else { (1u64 << n) - 1 });
        c.read.set(c.read.get() | part::TASK_COUNT);
    })
}

#[inline]
pub fn read_part(p: u16) {
    if p != 0 {
        CURRENT.with(|c| c.read.set(c.read.get() | p))
    }
}

#[inline]
pub fn write_part(p: u16) {
    if p != 0 {
        CURRENT.with(|c| c.write.set(c.write.get() | p))
    }
}

/// Start recording a step: forget what was recorded before.
pub fn start() {
    CURRENT.with(|c| {
        c.read_tasks.set(0);
        c.write_tasks.set(0);
        c.read_views.set(0);
        c.changed_views.set(0);
        c.read.set(0);
        c.write.set(0);
        c.walking.set(0);
    })
}

/// The RCU Tasks lists walked through `*_first()`/`*_next()`, one bit each.
pub mod list {
    pub const HOLDOUTS: u8 = 1 << 0;
    pub const EXITS: u8 = 1 << 1;
}

/// `holdout_first()` or `rtp_exit_list_first()` (`list` says which) ran in
/// this step. The lists are kept sorted between steps
/// (`System::sort_rcu_lists`), which is sound only while every walk of them
/// ends in the step it began in.
pub fn list_walk_begins(list: u8) {
    CURRENT.with(|c| c.walking.set(c.walking.get() | list))
}

/// Whether a walk of `list` began in this step.
pub fn in_list_walk(list: u8) -> bool {
    CURRENT.with(|c| c.walking.get() & list != 0)
}

/// A step ended: a walk still open is one that crossed a scheduling point
/// (and wait conditions evaluated between steps walk nothing).
pub fn list_walks_end() {
    CURRENT.with(|c| c.walking.set(0))
}

/// What was recorded since `start()`.
pub fn current() -> Footprint {
    CURRENT.with(|c| Footprint {
        read_tasks: c.read_tasks.get(),
        write_tasks: c.write_tasks.get(),
        read_views: c.read_views.get(),
        changed_views: c.changed_views.get(),
        read: c.read.get(),
        write: c.write.get(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_disturbs_readers_and_writers_of_the_same_object_only() {
        let a = Footprint { read_tasks: 0b01, write_tasks: 0b01, read: part::SRCU, ..Footprint::default() };
        let b = Footprint { read_tasks: 0b10, write_tasks: 0b10, read: part::SRCU, ..Footprint::default() };
        assert!(!a.disturbs(&b) && !b.disturbs(&a), "own tasks, both only read srcu");
        let c = Footprint { write: part::SRCU, ..b };
        assert!(c.disturbs(&a), "c writes what a reads");
        assert!(!a.disturbs(&c), "a writes nothing c touches");
        let d = Footprint { read_tasks: 0b11, ..b };
        assert!(a.disturbs(&d), "a writes task 0, which d reads");
        // The kthread reads task 0's view only: a step of task 0 disturbs it
        // only if it changed that view.
        let kthread = Footprint { read_views: 0b01, write_tasks: 0b100, ..Footprint::default() };
        assert!(!a.disturbs(&kthread), "task 0 written, its view unchanged");
        let switched = Footprint { changed_views: 0b01, ..a };
        assert!(switched.disturbs(&kthread), "task 0's view changed");
        assert!(kthread.disturbs(&Footprint { read_tasks: 0b100, ..Footprint::default() }), "the kthread's own task");
    }

    #[test]
    fn recording_collects_every_access_since_start() {
        start();
        read_task(3);
        write_task(5);
        read_part(part::PIDS);
        write_part(part::GROUPS);
        read_all_tasks(2);
        read_view(4);
        changed_view(6);
        let f = current();
        assert_eq!(f.read_views, 0b10000);
        assert_eq!(f.changed_views, 0b1000000);
        assert_eq!(f.read_tasks, 0b1011);
        assert_eq!(f.write_tasks, 0b100000);
        assert_eq!(f.read, part::PIDS | part::TASK_COUNT);
        assert_eq!(f.write, part::GROUPS);
        start();
        assert_eq!(current(), Footprint::default());
    }
}
