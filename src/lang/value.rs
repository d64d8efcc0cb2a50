//! Tagged values: kernel object handles and local addresses share the i64
//! value space with integers; the tag catches a model that mixes them up.
pub const TAG_SHIFT: u32 = 40;
pub const TAG_MASK: i64 = 0xff << TAG_SHIFT;
pub const TASK: i64 = 1 << TAG_SHIFT;
pub const NS: i64 = 2 << TAG_SHIFT;
pub const PID: i64 = 3 << TAG_SHIFT;
pub const SIGNAL: i64 = 4 << TAG_SHIFT;
pub const SIGHAND: i64 = 5 << TAG_SHIFT;
pub const NSPROXY: i64 = 6 << TAG_SHIFT;
pub const LOCK: i64 = 7 << TAG_SHIFT;
pub const SRCU: i64 = 8 << TAG_SHIFT;
pub const LOCAL: i64 = 9 << TAG_SHIFT;
pub const FUNC: i64 = 10 << TAG_SHIFT;
/// A pid number as model code got it (`fork()`, `getpid()`, `task_pid_vnr()`):
/// the number in the low 32 bits, the namespace it is a number of above
/// them. Every numeric use strips the tag (`number`), so the tag changes no
/// result; it tells symmetry reduction which values to rename when it
/// renames the tasks (`kernel::symmetry`).
pub const PID_NR: i64 = 11 << TAG_SHIFT;
/// A set of tasks, one bit per task slot (`rcu_gp_snapshot()`), tagged so
/// that symmetry reduction renames its bits with the tasks.
pub const TASK_SET: i64 = 12 << TAG_SHIFT;
/// Task slots a `TASK_SET` can hold.
pub const TASK_SET_BITS: u32 = TAG_SHIFT;

pub fn tag(v: i64) -> i64 {
    if v <= 0 {
        0
    } else {
        v & TAG_MASK
    }
}
pub fn payload(v: i64) -> i64 {
    v & !TAG_MASK
}
/// The value model code sees for pid number `nr` of namespace `ns`.
pub fn pid_nr(ns: u16, nr: i64) -> i64 {
    if (1..=u32::MAX as i64).contains(&nr) {
        PID_NR | (ns as i64) << 32 | nr
    } else {
        nr
    }
}
/// Integers model code may hold: below 2^40, where the tags begin (a
/// larger one could pass for a handle or a pid number).
pub const INT_LIMIT: i64 = 1 << TAG_SHIFT;
/// Whether a value of this tag and payload names an object symmetry
/// reduction renames (a task, a pid, a thread group's lock, a task set).
#[inline]
pub fn renamed_by_symmetry(tag: i64, payload: i64) -> bool {
    match tag {
        TASK | PID | SIGNAL | SIGHAND | NSPROXY | TASK_SET => true,
        LOCK => payload >= 2,
        _ => false,
    }
}
/// Whether `v` is a pid number (see `PID_NR`).
#[inline]
pub fn is_pid_nr(v: i64) -> bool {
    v > 0 && v & TAG_MASK == PID_NR
}
/// The namespace index and number of a pid number.
pub fn pid_nr_parts(v: i64) -> (u16, i64) {
    (((v >> 32) & 0xff) as u16, v & 0xffff_ffff)
}
/// The plain integer of a value: a pid number's number, anything else as it is.
#[inline]
pub fn number(v: i64) -> i64 {
    if is_pid_nr(v) {
        v & 0xffff_ffff
    } else {
        v
    }
}
pub fn local_addr(frame: usize, slot: u16) -> i64 {
    LOCAL | ((frame as i64) << 16) | slot as i64
}
pub fn tag_name(t: i64) -> &'static str {
    match t {
        0 => "an integer",
        TASK => "a struct task_struct *",
        NS => "a struct pid_namespace *",
        PID => "a struct pid *",
        SIGNAL => "a struct signal_struct *",
        SIGHAND => "a struct sighand_struct *",
        NSPROXY => "a struct nsproxy *",
        LOCK => "a lock",
        SRCU => "a struct srcu_struct *",
        LOCAL => "the address of a local",
        FUNC => "a function",
        PID_NR => "a pid number",
        TASK_SET => "a set of tasks",
        _ => "an unknown value",
    }
}
