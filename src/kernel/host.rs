//! What the layers below see of the kernel object model: the VM runs model
//! code against [`Kernel`] through `vm::Host`, and the compiler checks model
//! code against [`KernelVocabulary`] (primitives, fields, constants, named
//! kernel objects).

use super::fields::{self, handle_task, FIELDS};
use super::objects::*;
use super::prims::{Ctx, PrimFn, Visibility, PRIMS};
use super::{consts, Fault, Kernel};
use crate::lang::bytecode::Program;
use crate::lang::compile::{FieldSig, PrimSig, Vocabulary};
use crate::lang::types::Ty;
use crate::lang::value;
use crate::vm::{Host, PrimEffect};

impl Host for Kernel {
    fn keeps_output(&self) -> bool {
        self.outcomes
    }
    fn user_output(&mut self, t: TaskId, line: &str) {
        let id = super::output_line_id(line);
        self.task_mut(t).out.push(id);
    }
    fn vm(&self, t: TaskId) -> &TaskVm {
        &self.task(t).vm
    }
    fn take_vm(&mut self, t: TaskId) -> TaskVm {
        std::mem::replace(&mut self.task_mut(t).vm, TaskVm::dead())
    }
    fn put_vm(&mut self, t: TaskId, vm: TaskVm) {
        self.task_mut(t).vm = vm;
    }

    fn run_state(&self, t: TaskId) -> RunState {
        self.task(t).state
    }
    fn set_run_state(&mut self, t: TaskId, s: RunState) {
        if self.task(t).state != s {
            self.task_mut(t).state = s;
        }
    }
    fn sigpending(&self, t: TaskId) -> bool {
        self.task(t).sigpending
    }
    fn dequeue(&mut self, t: TaskId) {
        let task = self.task_mut(t);
        if !task.sleeping {
            task.nvcsw = task.nvcsw.wrapping_add(1);
        }
        task.sleeping = true;
    }
    fn enqueue(&mut self, t: TaskId) {
        if self.task(t).sleeping {
            self.task_mut(t).sleeping = false;
        }
    }

    // Trampolines are entered at the traceable function entries of exiting
    // tasks: that is where the exit-path protection of RCU Tasks matters (a
    // task on the task list is seen by the scan whatever it runs).
    fn trampoline_live_for(&self, t: TaskId) -> bool {
        self.task(t).flags & PF_EXITING != 0 && self.trampolines.contains(&TrampolineState::Live)
    }
    fn enter_trampoline(&mut self, t: TaskId) {
        if let Some(i) = self.trampolines.iter().rposition(|s| *s == TrampolineState::Live) {
            self.task_mut(t).in_trampoline = Some(i as u8);
        }
    }
    fn in_trampoline(&self, t: TaskId) -> bool {
        self.task(t).in_trampoline.is_some()
    }
    fn leave_trampoline(&mut self, t: TaskId) {
        if self.task(t).in_trampoline.is_some() {
            self.task_mut(t).in_trampoline = None;
        }
    }

    fn globals_shared(&self, t: TaskId) -> bool {
        self.group(self.task(t).group).threads.len() > 1
    }
    fn load_global(&self, t: TaskId, i: u16) -> i64 {
        self.group(self.task(t).group).globals.get(i as usize).copied().unwrap_or(0)
    }
    fn store_global(&mut self, t: TaskId, i: u16, v: i64) {
        let g = self.task(t).group;
        if let Some(slot) = self.group_mut(g).globals.get_mut(i as usize) {
            *slot = v;
        }
    }
    fn load_kernel_global(&self, i: u16) -> i64 {
        self.kernel_globals.get(i as usize).copied().unwrap_or(0)
    }
    fn store_kernel_global(&mut self, i: u16, v: i64) {
        if let Some(slot) = self.kernel_globals.get_mut(i as usize) {
            *slot = v;
        }
    }

    fn get_field(&self, field: u16, obj: i64) -> Result<i64, Fault> {
        fields::get(self, field, obj)
    }
    fn set_field(&mut self, field: u16, obj: i64, v: i64) -> Result<(), Fault> {
        fields::set(self, field, obj, v)
    }
    fn task_handle(&self, t: TaskId) -> i64 {
        handle_task(t)
    }

    fn prim_name(&self, prim: u16) -> &'static str {
        PRIMS.get(prim as usize).map_or("?", |p| p.name)
    }
    fn prim_visible(&self, prim: u16, t: TaskId) -> bool {
        match PRIMS.get(prim as usize).map(|p| p.visible) {
            Some(Visibility::Always) => true,
            // exit_mm()'s clear of the CLONE_CHILD_CLEARTID word, say: only
            // pthread_join() in a thread of the same process reads it.
            Some(Visibility::OtherThreads) => !self.thread_group_empty(t),
            Some(Visibility::Never) | None => false,
        }
    }
    fn prim_pure(&self, prim: u16) -> bool {
        PRIMS.get(prim as usize).is_some_and(|p| matches!(p.f, PrimFn::Pure(_)))
    }
    fn pid_lookup_arg(&self, prim: u16) -> Option<usize> {
        let s = symmetry_prims();
        (prim == s.find_vpid || prim == s.find_task_by_vpid).then_some(0)
    }
    fn walk_step(&self, prim: u16, args: &[i64]) -> Option<(u8, bool)> {
        let s = symmetry_prims();
        let kind = s.walks.iter().position(|&w| w == prim)?;
        // next_process(NULL), next_task_scan(NULL); idr_next_nr(ns, 2) in
        // zap_pid_ns_processes() (1 is the reaper's own number).
        let starts = match kind {
            2 => args.get(1).is_some_and(|&nr| nr <= 2),
            _ => args.first() == Some(&0),
        };
        Some((kind as u8, starts))
    }
    fn active_ns(&self, t: TaskId) -> Option<u16> {
        Some(Kernel::active_ns(self, t).0)
    }
    fn call_pure(&self, prog: &Program, t: TaskId, prim: u16, args: &[i64]) -> Result<i64, Fault> {
        match PRIMS.get(prim as usize).map(|p| p.f) {
            Some(PrimFn::Pure(f)) => f(self, prog, t, args),
            _ => Err(Fault::Model(format!("primitive #{prim} is not a read-only primitive"))),
        }
    }
    fn call_prim(
        &mut self,
        prog: &Program,
        t: TaskId,
        vm: &TaskVm,
        prim: u16,
        args: &[i64],
    ) -> Result<PrimEffect, Fault> {
        let mut ctx = Ctx { k: self, cur: t, vm, prog };
        match PRIMS.get(prim as usize).map(|p| p.f) {
            Some(PrimFn::Mut(f)) => f(&mut ctx, args).map(PrimEffect::Value),
            Some(PrimFn::Effect(f)) => f(&mut ctx, args),
            Some(PrimFn::Pure(f)) => f(ctx.k, prog, t, args).map(PrimEffect::Value),
            None => Err(Fault::Model(format!("no primitive #{prim}"))),
        }
    }
}

/// The primitives symmetry reduction watches (see `kernel::symmetry`), by index.
struct SymmetryPrims {
    find_vpid: u16,
    find_task_by_vpid: u16,
    /// `next_process()`, `next_task_scan()`, `idr_next_nr()`.
    walks: [u16; 3],
}

fn symmetry_prims() -> &'static SymmetryPrims {
    static PRIMS_WATCHED: std::sync::OnceLock<SymmetryPrims> = std::sync::OnceLock::new();
    PRIMS_WATCHED.get_or_init(|| {
        let at = |name| super::prims::lookup(name).unwrap_or(u16::MAX);
        SymmetryPrims {
            find_vpid: at("find_vpid"),
            find_task_by_vpid: at("find_task_by_vpid"),
            walks: [at("next_process"), at("next_task_scan"), at("idr_next_nr")],
        }
    })
}

/// Kernel objects the model refers to by name.
const KERNEL_OBJECTS: &[(&str, Ty, i64)] = &[
    ("tasklist_lock", Ty::Lock, value::LOCK),
    ("pidmap_lock", Ty::Lock, value::LOCK | 1),
    ("tasks_rcu_exit_srcu", Ty::Srcu, value::SRCU | 1),
];

/// The names of the kernel object model, for the compiler.
pub struct KernelVocabulary;

impl Vocabulary for KernelVocabulary {
    fn primitive(&self, name: &str) -> Option<PrimSig> {
        let id = super::prims::lookup(name)?;
        let p = &PRIMS[id as usize];
        Some(PrimSig { id, params: p.params, ret: p.ret })
    }
    fn primitive_names(&self) -> Vec<&'static str> {
        PRIMS.iter().map(|p| p.name).collect()
    }
    fn field(&self, of: Ty, name: &str) -> Option<FieldSig> {
        let id = fields::lookup(of, name)?;
        let f = &FIELDS[id as usize];
        Some(FieldSig { id, ty: f.ty, writable: f.writable })
    }
    fn field_names(&self, of: Ty) -> Vec<&'static str> {
        FIELDS.iter().filter(|f| f.of == of).map(|f| f.name).collect()
    }
    fn constant(&self, name: &str) -> Option<i64> {
        consts::lookup(name)
    }
    fn user_constant(&self, name: &str) -> bool {
        consts::is_user_visible(name)
    }
    fn kernel_object(&self, name: &str) -> Option<(Ty, i64)> {
        KERNEL_OBJECTS.iter().find(|o| o.0 == name).map(|o| (o.1, o.2))
    }
    fn kernel_object_names(&self) -> Vec<&'static str> {
        KERNEL_OBJECTS.iter().map(|o| o.0).collect()
    }
}
