//! Named constants visible to scenarios and kernel model files, with the
//! kernel's (x86-64) values.

use super::objects::*;

pub const TASK_RUNNING: i64 = 0;
pub const TASK_INTERRUPTIBLE: i64 = 1;
pub const TASK_UNINTERRUPTIBLE: i64 = 2;
pub const TASK_IDLE: i64 = 0x402;

pub const SIG_DFL: i64 = 0;
pub const SIG_IGN: i64 = 1;
pub const SA_NOCLDWAIT: i64 = 2;

pub const PIDTYPE_PID: i64 = 0;
pub const PIDTYPE_TGID: i64 = 1;
pub const PIDTYPE_MAX: i64 = 4;

pub const SEND_SIG_NOINFO: i64 = 0;
pub const SEND_SIG_PRIV: i64 = 1;
pub const SEND_SIG_USER: i64 = 2;

pub const WNOHANG: i64 = 1;
pub const WUNTRACED: i64 = 2;
pub const WEXITED: i64 = 4;
pub const WCONTINUED: i64 = 8;
pub const WNOTHREAD: i64 = 0x2000_0000;
pub const WALL: i64 = 0x4000_0000;
pub const WCLONE: i64 = 0x8000_0000;

pub const CLONE_THREAD: i64 = 0x0001_0000;
pub const CLONE_NEWPID: i64 = 0x2000_0000;

pub const EPERM: i64 = 1;
pub const ESRCH: i64 = 3;
pub const EINTR: i64 = 4;
pub const ECHILD: i64 = 10;
pub const EAGAIN: i64 = 11;
pub const ENOMEM: i64 = 12;
pub const EINVAL: i64 = 22;
pub const ENOSPC: i64 = 28;
pub const ENOSYS: i64 = 38;
pub const ERESTARTSYS: i64 = 512;
pub const ERESTARTNOINTR: i64 = 513;

pub const HZ: i64 = 250;

/// Every constant by name. Scenario code sees the user-space ones; model code sees all.
pub fn lookup(name: &str) -> Option<i64> {
    Some(match name {
        "NULL" | "false" => 0,
        "true" => 1,
        "TASK_RUNNING" => TASK_RUNNING,
        "TASK_INTERRUPTIBLE" => TASK_INTERRUPTIBLE,
        "TASK_UNINTERRUPTIBLE" => TASK_UNINTERRUPTIBLE,
        "TASK_IDLE" => TASK_IDLE,
        "EXIT_ZOMBIE" => EXIT_ZOMBIE,
        "EXIT_DEAD" => EXIT_DEAD,
        "PF_EXITING" => PF_EXITING,
        "PF_KTHREAD" => PF_KTHREAD,
        "SIGNAL_GROUP_EXIT" => SIGNAL_GROUP_EXIT,
        "SIGNAL_UNKILLABLE" => SIGNAL_UNKILLABLE,
        "PIDNS_ADDING" => PIDNS_ADDING,
        name if signal_number(name).is_some() => signal_number(name)?,
        "SIG_DFL" => SIG_DFL,
        "SIG_IGN" => SIG_IGN,
        "SA_NOCLDWAIT" => SA_NOCLDWAIT,
        "PIDTYPE_PID" => PIDTYPE_PID,
        "PIDTYPE_TGID" => PIDTYPE_TGID,
        "PIDTYPE_MAX" => PIDTYPE_MAX,
        "SEND_SIG_NOINFO" => SEND_SIG_NOINFO,
        "SEND_SIG_PRIV" => SEND_SIG_PRIV,
        "SEND_SIG_USER" => SEND_SIG_USER,
        "WNOHANG" => WNOHANG,
        "WUNTRACED" => WUNTRACED,
        "WEXITED" => WEXITED,
        "WCONTINUED" => WCONTINUED,
        "__WNOTHREAD" => WNOTHREAD,
        "__WALL" => WALL,
        "__WCLONE" => WCLONE,
        "CLONE_THREAD" => CLONE_THREAD,
        "CLONE_NEWPID" => CLONE_NEWPID,
        "EPERM" => EPERM,
        "ESRCH" => ESRCH,
        "EINTR" => EINTR,
        "ECHILD" => ECHILD,
        "EAGAIN" => EAGAIN,
        "ENOMEM" => ENOMEM,
        "EINVAL" => EINVAL,
        "ENOSPC" => ENOSPC,
        "ENOSYS" => ENOSYS,
        "ERESTARTSYS" => ERESTARTSYS,
        "ERESTARTNOINTR" => ERESTARTNOINTR,
        "TIF_SIGPENDING" => 2,
        "MAX_PID_NS_LEVEL" => 32,
        "HZ" => HZ,
        "PR_SET_CHILD_SUBREAPER" => 36,
        "EXIT_SUCCESS" => 0,
        "EXIT_FAILURE" => 1,
        _ => return None,
    })
}

/// The signals of `<signal.h>` on x86-64 Linux (asm/signal.h), with glibc's
/// SIGRTMIN (34: NPTL keeps 32 and 33) and SIGRTMAX.
pub const SIGNALS: &[(&str, i64)] = &[
    ("SIGHUP", 1),
    ("SIGINT", 2),
    ("SIGQUIT", 3),
    ("SIGILL", 4),
    ("SIGTRAP", 5),
    ("SIGABRT", 6),
    ("SIGIOT", 6),
    ("SIGBUS", 7),
    ("SIGFPE", 8),
    ("SIGKILL", SIGKILL),
    ("SIGUSR1", SIGUSR1),
    ("SIGSEGV", 11),
    ("SIGUSR2", 12),
    ("SIGPIPE", 13),
    ("SIGALRM", 14),
    ("SIGTERM", SIGTERM),
    ("SIGSTKFLT", 16),
    ("SIGCHLD", SIGCHLD),
    ("SIGCONT", SIGCONT),
    ("SIGSTOP", SIGSTOP),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIGVTALRM", 26),
    ("SIGPROF", 27),
    ("SIGWINCH", 28),
    ("SIGIO", 29),
    ("SIGPOLL", 29),
    ("SIGPWR", 30),
    ("SIGSYS", 31),
    ("SIGRTMIN", 34),
    ("SIGRTMAX", 64),
];

pub fn signal_number(name: &str) -> Option<i64> {
    SIGNALS.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

/// Constants a scenario may use (the rest are kernel-internal).
pub fn is_user_visible(name: &str) -> bool {
    signal_number(name).is_some()
        || matches!(
            name,
            "NULL"
                | "true"
                | "false"
                | "SIG_DFL"
                | "SIG_IGN"
                | "SA_NOCLDWAIT"
                | "WNOHANG"
                | "WUNTRACED"
                | "WCONTINUED"
                | "__WNOTHREAD"
                | "__WALL"
                | "__WCLONE"
                | "CLONE_NEWPID"
                | "EPERM"
                | "ESRCH"
                | "EINTR"
                | "ECHILD"
                | "EAGAIN"
                | "ENOMEM"
                | "EINVAL"
                | "ENOSPC"
                | "ENOSYS"
                | "PR_SET_CHILD_SUBREAPER"
                | "EXIT_SUCCESS"
                | "EXIT_FAILURE"
        )
}
