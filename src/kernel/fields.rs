//! `obj->field` for kernel model code: which fields of which kernel objects
//! the model may read and write, and their types.

use super::objects::*;
use super::{fault, KResult, Kernel};
use crate::lang::types::Ty;
use crate::lang::value::{self, *};

pub struct FieldDef {
    pub of: Ty,
    pub name: &'static str,
    pub ty: Ty,
    pub writable: bool,
}

const fn f(of: Ty, name: &'static str, ty: Ty, writable: bool) -> FieldDef {
    FieldDef { of, name, ty, writable }
}

pub static FIELDS: &[FieldDef] = &[
    f(Ty::Task, "exit_state", Ty::Int, true),
    f(Ty::Task, "exit_code", Ty::Int, true),
    f(Ty::Task, "exit_signal", Ty::Int, true),
    f(Ty::Task, "flags", Ty::Int, true),
    f(Ty::Task, "real_parent", Ty::Task, true),
    f(Ty::Task, "parent", Ty::Task, false),
    f(Ty::Task, "group_leader", Ty::Task, false),
    f(Ty::Task, "signal", Ty::Signal, false),
    f(Ty::Task, "sighand", Ty::Sighand, false),
    f(Ty::Task, "nsproxy", Ty::Nsproxy, false),
    f(Ty::Task, "nvcsw", Ty::Int, false),
    f(Ty::Task, "on_rq", Ty::Int, false),
    f(Ty::Task, "rcu_tasks_holdout", Ty::Int, true),
    f(Ty::Task, "rcu_tasks_nvcsw", Ty::Int, true),
    f(Ty::Task, "rcu_tasks_idx", Ty::Int, true),
    f(Ty::Signal, "flags", Ty::Int, true),
    f(Ty::Signal, "group_exit_code", Ty::Int, true),
    f(Ty::Signal, "live", Ty::Int, true),
    f(Ty::Signal, "quick_threads", Ty::Int, true),
    f(Ty::Signal, "is_child_subreaper", Ty::Int, true),
    f(Ty::Signal, "has_child_subreaper", Ty::Int, true),
    f(Ty::Sighand, "siglock", Ty::Lock, false),
    f(Ty::Nsproxy, "pid_ns_for_children", Ty::Ns, true),
    f(Ty::Ns, "pid_allocated", Ty::Int, true),
    f(Ty::Ns, "child_reaper", Ty::Task, true),
    f(Ty::Ns, "level", Ty::Int, false),
    f(Ty::Ns, "parent", Ty::Ns, false),
    f(Ty::Srcu, "srcu_idx", Ty::Int, false),
];

/// Task fields the Rust part of the model never reads: it neither copies
/// them at fork nor shows them in a report, so only model code sees them.
/// Those model code reaches only as `current->f` are private to their task,
/// and the state zeroes them where the task's code can no longer read them
/// before writing them (`vm::liveness::FieldLiveness`).
const MODEL_ONLY_TASK_FIELDS: &[&str] = &["rcu_tasks_idx"];

/// `MODEL_ONLY_TASK_FIELDS` as a mask of field ids.
pub fn model_only_task_fields() -> u64 {
    MODEL_ONLY_TASK_FIELDS
        .iter()
        .filter_map(|name| lookup(Ty::Task, name))
        .fold(0, |m, id| m | 1u64.checked_shl(id as u32).unwrap_or(0))
}

/// Zero field `id` of `t`, one of `MODEL_ONLY_TASK_FIELDS` found dead.
pub fn zero_task_field(t: &mut Task, id: u16) {
    match FIELDS.get(id as usize).filter(|d| d.of == Ty::Task).map(|d| d.name) {
        Some("rcu_tasks_idx") => t.rcu_tasks_idx = 0,
        // Every name of MODEL_ONLY_TASK_FIELDS needs its arm above; a
        // missing one leaves the field as it is (sound, merges less).
        other => debug_assert!(other.is_none_or(|n| !MODEL_ONLY_TASK_FIELDS.contains(&n)), "{other:?}"),
    }
}

pub fn lookup(of: Ty, name: &str) -> Option<u16> {
    FIELDS.iter().position(|d| d.of == of && d.name == name).map(|i| i as u16)
}

pub fn handle_task(t: TaskId) -> i64 {
    TASK | (t.0 as i64 + 1)
}
pub fn handle_ns(n: NsId) -> i64 {
    NS | (n.0 as i64 + 1)
}
pub fn handle_pid(p: PidId) -> i64 {
    PID | (p.0 as i64 + 1)
}
fn opt_task(t: Option<TaskId>) -> i64 {
    t.map(handle_task).unwrap_or(0)
}

fn expect(v: i64, tag: i64, what: &str) -> KResult<u16> {
    if v == 0 {
        return fault(format!("NULL pointer dereference: {what} is NULL"));
    }
    if value::tag(v) != tag {
        return fault(format!("{what} should be {} but is {}", value::tag_name(tag), value::tag_name(value::tag(v))));
    }
    let p = value::payload(v) - 1;
    if !(0..=u16::MAX as i64).contains(&p) {
        return fault(format!("{what} is a corrupt handle"));
    }
    Ok(p as u16)
}

pub fn task_of(k: &Kernel, v: i64, what: &str) -> KResult<TaskId> {
    let i = expect(v, TASK, what)?;
    if i as usize >= k.tasks.len() {
        return fault(format!("{what} points to no task"));
    }
    Ok(TaskId(i))
}
pub fn ns_of(k: &Kernel, v: i64, what: &str) -> KResult<NsId> {
    let i = expect(v, NS, what)?;
    if i as usize >= k.namespaces.len() {
        return fault(format!("{what} points to no namespace"));
    }
    Ok(NsId(i))
}
pub fn pid_of(k: &Kernel, v: i64, what: &str) -> KResult<PidId> {
    let i = expect(v, PID, what)?;
    if i as usize >= k.pids.len() {
        return fault(format!("{what} points to no struct pid"));
    }
    Ok(PidId(i))
}
/// signal_struct, sighand_struct and nsproxy are reached through a task and
/// carry that task's id.
fn via_task(k: &Kernel, v: i64, tag: i64, what: &str) -> KResult<TaskId> {
    let i = expect(v, tag, what)?;
    if i as usize >= k.tasks.len() {
        return fault(format!("{what} is a corrupt handle"));
    }
    Ok(TaskId(i))
}

/// What a field access names in a fault: formatted only when one happens.
fn what(d: &FieldDef) -> String {
    format!("the {} of `->{}`", d.of.struct_name(), d.name)
}

pub fn get(k: &Kernel, field: u16, obj: i64) -> KResult<i64> {
    // The fast path names nothing; a fault is raised again with the words.
    get_named(k, field, obj, "").or_else(|_| get_named(k, field, obj, &what(&FIELDS[field as usize])))
}

fn get_named(k: &Kernel, field: u16, obj: i64, what: &str) -> KResult<i64> {
    let d = &FIELDS[field as usize];
    Ok(match d.of {
        Ty::Task => {
            let id = task_of(k, obj, what)?;
            // RCU Tasks' own fields of a task live in its part (`RcuTasks`).
            match d.name {
                "rcu_tasks_holdout" => return Ok(k.rcu_tasks.holdout(id) as i64),
                "rcu_tasks_nvcsw" => return Ok(k.rcu_tasks.holdout_nvcsw(id) as i64),
                _ => {}
            }
            // What RCU Tasks reads of a task is recorded apart (see
            // `prims::rcu_tasks_view`): a step of the task that leaves it as
            // it was does not disturb the reader.
            if let Some(v) = rcu_tasks_view_field(k.task_view(id), d.name) {
                return Ok(v);
            }
            let t = k.task(id);
            match d.name {
                "exit_state" => t.exit_state,
                "exit_code" => t.exit_code,
                "exit_signal" => t.exit_signal,
                "flags" => t.flags,
                "real_parent" | "parent" => opt_task(t.real_parent),
                "group_leader" => handle_task(k.group(t.group).leader),
                "signal" => SIGNAL | (value::payload(obj)),
                "sighand" => SIGHAND | (value::payload(obj)),
                "nsproxy" => NSPROXY | (value::payload(obj)),
                "rcu_tasks_idx" => t.rcu_tasks_idx,
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        Ty::Signal => {
            let g = k.group(k.task(via_task(k, obj, SIGNAL, what)?).group);
            match d.name {
                "flags" => g.flags,
                "group_exit_code" => g.group_exit_code,
                "live" => g.live,
                "quick_threads" => g.quick_threads,
                "is_child_subreaper" => g.is_child_subreaper as i64,
                "has_child_subreaper" => g.has_child_subreaper as i64,
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        Ty::Sighand => {
            let t = via_task(k, obj, SIGHAND, what)?;
            LOCK | (2 + k.task(t).group.0 as i64)
        }
        Ty::Nsproxy => {
            let t = via_task(k, obj, NSPROXY, what)?;
            handle_ns(k.task(t).pid_ns_for_children)
        }
        Ty::Ns => {
            let n = k.ns(ns_of(k, obj, what)?);
            match d.name {
                "pid_allocated" => n.pid_allocated,
                "child_reaper" => opt_task(n.child_reaper),
                "level" => n.level,
                "parent" => n.parent.map(handle_ns).unwrap_or(0),
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        Ty::Srcu => k.srcu.idx as i64,
        _ => return fault(format!("no field {}", d.name)),
    })
}

/// A field of `prims::rcu_tasks_view()`, if `name` is one.
fn rcu_tasks_view_field(t: &Task, name: &str) -> Option<i64> {
    Some(match name {
        "nvcsw" => t.nvcsw as i64,
        "on_rq" => t.on_rq() as i64,
        _ => return None,
    })
}

fn as_bool(v: i64) -> bool {
    v != 0
}

pub fn set(k: &mut Kernel, field: u16, obj: i64, v: i64) -> KResult<()> {
    // As in `get`: every fault of `set_named` comes before it writes anything.
    set_named(k, field, obj, v, "").or_else(|_| set_named(k, field, obj, v, &what(&FIELDS[field as usize])))
}

fn set_named(k: &mut Kernel, field: u16, obj: i64, v: i64, what: &str) -> KResult<()> {
    let d = &FIELDS[field as usize];
    if !d.writable {
        return fault(format!("`->{}` is read-only in the model", d.name));
    }
    match d.of {
        Ty::Task => {
            let id = task_of(k, obj, what)?;
            let parent = if d.name == "real_parent" {
                Some(if v == 0 { None } else { Some(task_of(k, v, "the new real_parent")?) })
            } else {
                None
            };
            // RCU Tasks' own fields of a task live in its part (`RcuTasks`).
            match d.name {
                "rcu_tasks_holdout" => {
                    k.rcu_tasks.set_holdout(id, as_bool(v));
                    return Ok(());
                }
                "rcu_tasks_nvcsw" => {
                    k.rcu_tasks.set_holdout_nvcsw(id, v as u32);
                    return Ok(());
                }
                _ => {}
            }
            let t = k.task_mut(id);
            match d.name {
                "exit_state" => t.exit_state = v,
                "exit_code" => t.exit_code = v,
                "exit_signal" => t.exit_signal = v,
                "flags" => t.flags = v,
                "real_parent" => t.real_parent = parent.flatten(),
                "rcu_tasks_idx" => t.rcu_tasks_idx = v,
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        Ty::Signal => {
            let gid = k.task(via_task(k, obj, SIGNAL, what)?).group;
            let g = k.group_mut(gid);
            match d.name {
                "flags" => g.flags = v,
                "group_exit_code" => g.group_exit_code = v,
                "live" => g.live = v,
                "quick_threads" => g.quick_threads = v,
                "is_child_subreaper" => g.is_child_subreaper = as_bool(v),
                "has_child_subreaper" => g.has_child_subreaper = as_bool(v),
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        Ty::Nsproxy => {
            let t = via_task(k, obj, NSPROXY, what)?;
            let ns = ns_of(k, v, "the new pid_ns_for_children")?;
            k.task_mut(t).pid_ns_for_children = ns;
        }
        Ty::Ns => {
            let id = ns_of(k, obj, what)?;
            let reaper =
                if d.name == "child_reaper" && v != 0 { Some(task_of(k, v, "the new child_reaper")?) } else { None };
            let n = k.ns_mut(id);
            match d.name {
                "pid_allocated" => n.pid_allocated = v,
                "child_reaper" => n.child_reaper = reaper,
                _ => return fault(format!("no field {}", d.name)),
            }
        }
        _ => return fault(format!("no field {}", d.name)),
    }
    Ok(())
}
