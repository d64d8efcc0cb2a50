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
        _ => "an unknown value",
    }
}
