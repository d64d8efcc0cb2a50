//! How the kernel shows a task in a splat: `sched_show_task()`
//! (kernel/sched/core.c) and the call trace of `show_stack()`, with the
//! model's frames and their source lines in place of addresses.

use super::watch::{TaskTimes, Watch};
use crate::kernel::objects::*;
use crate::kernel::system::System;
use crate::kernel::Kernel;
use crate::lang::diag::SourceMap;
use crate::vm::Parked;

/// `comm` as the kernel stores it: 15 characters (TASK_COMM_LEN 16).
pub fn comm(k: &Kernel, t: TaskId) -> String {
    k.task(t).name.chars().take(15).collect()
}

/// task_state_to_char(): the state letter of `ps` and of sched_show_task().
pub fn state_char(k: &Kernel, t: TaskId) -> char {
    let task = k.task(t);
    match task.exit_state {
        EXIT_ZOMBIE => 'Z',
        EXIT_DEAD => 'X',
        _ => task.state.letter(),
    }
}

/// The kernel's name of the task's sleep state, for tables.
pub fn state_name(k: &Kernel, t: TaskId) -> &'static str {
    let task = k.task(t);
    match task.exit_state {
        EXIT_ZOMBIE => "EXIT_ZOMBIE",
        EXIT_DEAD => "EXIT_DEAD",
        _ => task.state.name(),
    }
}

/// In a run, a task in schedule_timeout_idle() sleeps TASK_IDLE until its
/// timer (the search has no time, so the model leaves it runnable).
fn on_timer(times: &[TaskTimes], k: &Kernel, t: TaskId) -> bool {
    k.task(t).exit_state == 0 && times.get(t.0 as usize).is_some_and(|x| x.timer.is_some())
}

/// `state_char()` as a run sees it.
pub fn run_state_char(k: &Kernel, times: &[TaskTimes], t: TaskId) -> char {
    if on_timer(times, k, t) {
        'I'
    } else {
        state_char(k, t)
    }
}

/// `state_name()` as a run sees it.
pub fn run_state_name(k: &Kernel, times: &[TaskTimes], t: TaskId) -> &'static str {
    if on_timer(times, k, t) {
        "TASK_IDLE"
    } else {
        state_name(k, t)
    }
}

/// (major, minor) of a release string like `6.1.0`; a user model counts as new.
fn release_version(release: &str) -> (u32, u32) {
    let mut it = release.split(|c: char| !c.is_ascii_digit()).filter(|x| !x.is_empty()).map(|x| x.parse().unwrap_or(0));
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => (a, b),
        _ => (u32::MAX, 0),
    }
}

/// The pid the kernel prints (`task_pid_nr()`, the init namespace's number).
pub fn pid(k: &Kernel, t: TaskId) -> PidNr {
    k.global_pid(t)
}

/// The parent's pid: kernel threads are children of kthreadd (pid 2), which
/// the model leaves out; init's parent is the idle task (pid 0).
pub fn ppid(k: &Kernel, t: TaskId) -> PidNr {
    let task = k.task(t);
    match task.real_parent {
        Some(p) => k.global_pid(p),
        None if task.is_kthread() => 2,
        None => 0,
    }
}

/// The model's stack of `t`, innermost first: (function, file:line, kernel code).
pub fn frames(sys: &System, map: &SourceMap, k: &Kernel, t: TaskId) -> Vec<(String, String, bool)> {
    let task = k.task(t);
    if task.vm.parked == Parked::Dead {
        return Vec::new();
    }
    task.vm
        .frames
        .iter()
        .rev()
        .map(|f| {
            let func = sys.prog.func(f.func);
            let at = func.spans.get(f.pc as usize).or(func.spans.last()).map(|&s| line_of(map, s)).unwrap_or_default();
            (func.name.clone(), at, func.kernel)
        })
        .filter(|(n, _, _)| !n.starts_with("_start"))
        .collect()
}

/// `file:line` of a span (the column is noise in a call trace).
fn line_of(map: &SourceMap, s: crate::lang::ast::Span) -> String {
    let loc = map.location(s);
    match loc.rsplit_once(':') {
        Some((fl, _col)) => fl.to_string(),
        None => loc,
    }
}

/// sched_show_task(): the `task:` line, then the call trace (kernel frames
/// between `<TASK>` and `</TASK>`; the user code it came from after).
pub fn sched_show_task(
    sys: &System,
    map: &SourceMap,
    k: &Kernel,
    times: &[TaskTimes],
    t: TaskId,
    release: &str,
) -> Vec<String> {
    let task = k.task(t);
    let letter = run_state_char(k, times, t);
    let running = if letter == 'R' { "  running task    " } else { "" };
    // TIF_SIGPENDING is bit 2 of the thread flags on x86.
    let tif = if task.sigpending { 0x4 } else { 0 };
    let (comm, state, pid, ppid) = (comm(k, t), letter, pid(k, t), ppid(k, t));
    let version = release_version(release);
    // The field layout of the kernel the model stands for: right-aligned
    // before 0f03d6805bfc (v6.0), `tgid:` from v6.6 on.
    let fields = if version < (6, 0) {
        format!(" stack:{:5} pid:{pid:5} ppid:{ppid:6} flags:0x{tif:08x}", 0)
    } else if version < (6, 6) {
        format!(" stack:{:<5} pid:{pid:<5} ppid:{ppid:<6} flags:0x{tif:08x}", 0)
    } else {
        let tgid = k.tgid_nr_in(t, crate::kernel::objects::NsId(0)).unwrap_or(pid);
        format!(" stack:{:<5} pid:{pid:<5} tgid:{tgid:<5} ppid:{ppid:<6} flags:0x{tif:08x}", 0)
    };
    let mut out = vec![format!("task:{comm:<15} state:{state}{running}{fields}")];
    let frames = frames(sys, map, k, t);
    if frames.is_empty() {
        return out;
    }
    // The `<TASK>` markers of show_trace_log_lvl() came with v5.16 (x86).
    let markers = version >= (5, 16);
    out.push("Call Trace:".into());
    if markers {
        out.push(" <TASK>".into());
    }
    for (f, at, _) in frames.iter().filter(|f| f.2) {
        out.push(format!(" {f} {at}"));
    }
    if markers {
        out.push(" </TASK>".into());
    }
    for (f, at, _) in frames.iter().filter(|f| !f.2).take(1) {
        out.push(format!("user: {f} {at}"));
    }
    out
}

/// `sched_show_task()` of task `t` as the detectors see the run at `w`.
pub fn show_task(w: &Watch, t: TaskId) -> Vec<String> {
    sched_show_task(w.sys, w.map, w.k, w.times, t, w.release)
}
