//! The interpreter: runs one task for one step, and answers whether a task
//! can step (evaluating `wait_event()` conditions without changing anything).

use super::fault::Fault;
use super::host::{Host, PrimEffect, RunState, TaskId};
use super::machine::{Frame, FrameKind, Parked, TaskVm};
use crate::lang::ast::{BinOp, Span, UnOp};
use crate::lang::bytecode::{Op, Program, SymmetryBreak, SyscallConv};
use crate::lang::value;

/// The errno values the system-call return path knows (x86-64).
pub const EINTR: i64 = 4;
pub const ERESTARTSYS: i64 = 512;
pub const ERESTARTNOINTR: i64 = 513;

/// Ops one step may run before we call it a runaway loop.
const FUEL: u32 = 200_000;
/// Ops of user code after which a step looks for a pure spin (a loop that
/// comes back to the same state without writing memory, like `while (1);`):
/// that is a running task the tick preempts, not a model error. A loop that
/// keeps changing its state still runs into FUEL.
const TICK_OPS: u32 = 1_000;
const MAX_FRAMES: usize = 200;

/// A fault with the source location of the op that raised it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub fault: Fault,
    pub span: Option<Span>,
    pub function: String,
}

/// What one step did, for traces (only collected when replaying).
#[derive(Clone, Debug, Default)]
pub struct StepLog {
    /// The visible action: function, description, location.
    pub action: Option<(String, String, Span)>,
    pub output: Vec<String>,
}

/// Where an operation without a source position is said to be.
const NO_SPAN: Span = Span { file: crate::lang::ast::FileId(0), lo: 0, hi: 0 };

fn op_span(prog: &Program, f: &Frame) -> Span {
    let func = prog.func(f.func);
    func.spans.get(f.pc as usize).or(func.spans.last()).copied().unwrap_or(NO_SPAN)
}

/// Whether `op` ends the step before it (a scheduling point).
#[inline]
fn is_visible<H: Host>(op: &Op, k: &H, t: TaskId, vm: &TaskVm) -> bool {
    if vm.lock_depth > 0 {
        return false;
    }
    match op {
        Op::Prim { prim, .. } => k.prim_visible(*prim, t),
        Op::Syscall { .. } | Op::WaitBegin | Op::SetCurrentState | Op::Schedule | Op::Yield | Op::Nondet => true,
        Op::Printf { .. } => true,
        Op::LoadGlobal(_) | Op::StoreGlobal(_) => k.globals_shared(t),
        // Trampolines are entered at the traceable function entries of exiting
        // tasks: that is where the exit-path protection of RCU Tasks matters
        // (a task on the task list is seen by the scan whatever it runs).
        Op::TracePoint => k.trampoline_live_for(t),
        _ => false,
    }
}

/// Number of ways task `t` can step now (0: it cannot).
pub fn choices<H: Host>(prog: &Program, k: &H, t: TaskId) -> Result<u32, Located> {
    let state = k.run_state(t);
    if state == RunState::New {
        return Ok(0);
    }
    let vm = k.vm(t);
    match vm.parked {
        Parked::Dead => Ok(0),
        Parked::Schedule => Ok((state == RunState::Running) as u32),
        Parked::WaitEvent { .. } => {
            if state == RunState::Interruptible && k.sigpending(t) {
                return Ok(1);
            }
            Ok(probe_wait(prog, k, t)? as u32)
        }
        Parked::Ready => {
            let Some(f) = vm.frames.last() else { return Ok(0) };
            let Some(op) = prog.func(f.func).code.get(f.pc as usize) else { return Ok(1) };
            match op {
                Op::Nondet => Ok(vm.stack.last().copied().unwrap_or(1).clamp(1, 64) as u32),
                Op::TracePoint if is_visible(op, k, t, vm) => Ok(2),
                _ => Ok(1),
            }
        }
    }
}

thread_local! {
    /// The walks (`Host::walk_step`) the running step started and has not
    /// finished, one bit each.
    static OPEN_WALKS: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
    /// The operand stack of `probe_wait()`, kept between calls: the
    /// conditions of the sleeping tasks are evaluated in every state.
    static WAIT_STACK: std::cell::Cell<Vec<i64>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Evaluate the condition of the `wait_event()` task `t` sleeps in, read-only.
pub fn probe_wait<H: Host>(prog: &Program, k: &H, t: TaskId) -> Result<bool, Located> {
    WAIT_STACK.with(|cell| {
        let mut stack = cell.take();
        stack.clear();
        let r = evaluate_wait(prog, k, t, &mut stack);
        cell.set(stack);
        r
    })
}

fn evaluate_wait<H: Host>(prog: &Program, k: &H, t: TaskId, stack: &mut Vec<i64>) -> Result<bool, Located> {
    let vm = k.vm(t);
    let Some(frame) = vm.frames.last() else { return Ok(false) };
    let locals = vm.frame_locals(vm.frames.len() - 1);
    let func = prog.func(frame.func);
    let mut pc = frame.pc as usize + 1; // skip WaitBegin
    let fail = |msg: &str, pc: usize| Located {
        fault: Fault::Model(msg.into()),
        span: func.spans.get(pc).copied(),
        function: func.name.clone(),
    };
    for _ in 0..10_000 {
        let op = func.code.get(pc).ok_or_else(|| fail("wait condition ran off the end", pc))?;
        pc += 1;
        match op {
            Op::Const(v) => stack.push(*v),
            Op::Load(i) => stack.push(locals.get(*i as usize).copied().unwrap_or(0)),
            Op::LoadKernel(i) => stack.push(k.load_kernel_global(*i)),
            Op::Current => stack.push(k.task_handle(t)),
            Op::Dup => {
                let v = *stack.last().ok_or_else(|| fail("stack underflow", pc))?;
                stack.push(v)
            }
            Op::Pop => {
                stack.pop();
            }
            Op::Unary(u) => {
                let v = stack.pop().unwrap_or(0);
                let (v, invariant) = unary(*u, v);
                if !invariant {
                    note_break(prog, func.spans.get(pc - 1).copied(), SymmetryBreak::Computes);
                }
                stack.push(v);
            }
            Op::Binary(b) => {
                let r = stack.pop().unwrap_or(0);
                let l = stack.pop().unwrap_or(0);
                let (v, broken) = binary(*b, l, r).map_err(|f| Located {
                    fault: f,
                    span: func.spans.get(pc - 1).copied(),
                    function: func.name.clone(),
                })?;
                if let Some(why) = broken {
                    note_break(prog, func.spans.get(pc - 1).copied(), why);
                }
                stack.push(v);
            }
            Op::Jump(x) => pc = *x as usize,
            Op::JumpIfZero(x) => {
                if stack.pop().unwrap_or(0) == 0 {
                    pc = *x as usize
                }
            }
            Op::JumpIfNonZero(x) => {
                if stack.pop().unwrap_or(0) != 0 {
                    pc = *x as usize
                }
            }
            Op::GetField(fi) => {
                let o = stack.pop().unwrap_or(0);
                let v = k.get_field(*fi, o).map_err(|f| Located {
                    fault: f,
                    span: func.spans.get(pc - 1).copied(),
                    function: func.name.clone(),
                })?;
                stack.push(v);
            }
            Op::Prim { prim, argc } => {
                let n = *argc as usize;
                if stack.len() < n {
                    return Err(fail("stack underflow", pc));
                }
                let mut args = Args::take(stack, n);
                if !k.prim_pure(*prim) {
                    return Err(fail("a wait_event() condition may only read kernel state", pc - 1));
                }
                if let Some(why) = pid_args(k, t, *prim, &mut args) {
                    note_break(prog, func.spans.get(pc - 1).copied(), why);
                }
                let v = k.call_pure(prog, t, *prim, &args).map_err(|f| Located {
                    fault: f,
                    span: func.spans.get(pc - 1).copied(),
                    function: func.name.clone(),
                })?;
                stack.push(v)
            }
            Op::WaitCheck { .. } => return Ok(stack.pop().unwrap_or(0) != 0),
            _ => return Err(fail("this operation is not allowed in a wait_event() condition", pc - 1)),
        }
    }
    Err(fail("wait condition does not terminate", pc))
}

/// `op` on `v`, and whether renaming pids leaves the result as it is (a
/// pid number keeps its tag through `+p`; `!p` is 0 whatever the number).
fn unary(op: UnOp, v: i64) -> (i64, bool) {
    if !value::is_pid_nr(v) {
        return (op.apply(v), true);
    }
    match op {
        UnOp::Plus => (v, true),
        UnOp::Not => (0, true),
        UnOp::Neg | UnOp::BitNot => (op.apply(value::number(v)), false),
    }
}

/// `op` on two values, pid numbers taken as their numbers, and what makes
/// the result depend on which task got which number, if anything does.
/// Renaming permutes the numbers above 1 among themselves (pid 1 of each
/// namespace and the boot tasks' numbers stay): equality of two numbers of
/// one namespace, and any comparison with a constant up to 1, do not change.
fn binary(op: BinOp, l: i64, r: i64) -> Result<(i64, Option<SymmetryBreak>), Fault> {
    let (lp, rp) = (value::is_pid_nr(l), value::is_pid_nr(r));
    let v = op.apply(value::number(l), value::number(r)).ok_or_else(|| Fault::Assertion("division by zero".into()))?;
    if !lp && !rp {
        if value::tag(l) == 0 && value::tag(r) == 0 && v >= value::INT_LIMIT {
            // It would pass for a handle or a pid number from here on.
            return Err(Fault::Unsupported(format!(
                "{op:?} of {l} and {r} gives {v}: the model keeps the integers from 2^40 up for kernel handles and pid numbers"
            )));
        }
        // Handles of renamed objects: equal or not stays; their order (by
        // slot) and any arithmetic on them do not.
        let renamed = |v: i64| value::renamed_by_symmetry(value::tag(v), value::payload(v));
        let broken = match op {
            BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => None,
            _ if !renamed(l) && !renamed(r) => None,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Some(SymmetryBreak::Compares),
            _ => Some(SymmetryBreak::Computes),
        };
        return Ok((v, broken));
    }
    let other_small = |o: i64| value::tag(o) != 0 || o <= 1;
    let invariant = match op {
        BinOp::And | BinOp::Or => true,
        BinOp::Eq | BinOp::Ne if lp && rp => value::pid_nr_parts(l).0 == value::pid_nr_parts(r).0,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge if lp != rp => {
            other_small(if lp { r } else { l })
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => false,
        _ => return Ok((v, Some(SymmetryBreak::Computes))),
    };
    Ok((v, (!invariant).then_some(SymmetryBreak::Compares)))
}

/// A step of a walk over the task list or the pid numbers (`Host::walk_step`),
/// which go in the order the tasks were created: symmetry reduction needs
/// each walk to end (return 0) within the step that started it, and not to
/// start again before it ended (a walk left at the first match).
fn note_walk(prog: &Program, vm: &TaskVm, kind: u8, starts: bool, next: i64) {
    let bit = 1u8 << (kind & 7);
    let open = OPEN_WALKS.with(|w| w.get()) & bit != 0;
    if open && starts {
        note_break_in(prog, vm, SymmetryBreak::WalksPartly);
    }
    OPEN_WALKS.with(|w| w.set(if next != 0 { w.get() | bit } else { w.get() & !bit }));
}

/// The scenario (user-code) line a task with these frames is at, under
/// whatever kernel code it runs: the innermost user frame's operation, the
/// system call itself for a frame that called into the kernel (its pc is
/// past the call). None for a kernel thread.
pub fn user_span(prog: &Program, frames: &[Frame]) -> Option<Span> {
    let (i, f) = frames.iter().enumerate().rev().find(|(_, f)| !prog.func(f.func).kernel)?;
    let pc = if i + 1 == frames.len() { f.pc } else { f.pc.saturating_sub(1) };
    prog.func(f.func).spans.get(pc as usize).copied()
}

/// Where to say a symmetry break happened: at the scenario's line (what its
/// author can change), else at the kernel's own.
fn break_span(prog: &Program, vm: &TaskVm) -> Span {
    user_span(prog, &vm.frames).or_else(|| vm.frames.last().map(|f| op_span(prog, f))).unwrap_or(NO_SPAN)
}

/// Record a symmetry break of the task running with `vm` (see `break_span`).
fn note_break_in(prog: &Program, vm: &TaskVm, why: SymmetryBreak) {
    prog.symmetry.note(break_span(prog, vm), why);
}

fn note_break(prog: &Program, span: Option<Span>, why: SymmetryBreak) {
    prog.symmetry.note(span.unwrap_or(NO_SPAN), why);
}

/// A value used as a plain number (a field, `errno`, a count): a pid
/// number loses its tag, and since renaming would change it, that is a
/// symmetry break.
fn plain_number(prog: &Program, vm: &TaskVm, v: i64) -> i64 {
    if value::is_pid_nr(v) {
        note_break_in(prog, vm, SymmetryBreak::Computes);
    }
    value::number(v)
}

/// A primitive's arguments as numbers (pid numbers without their tag), and
/// whether a lookup among them depends on which task got which number.
/// Any other argument that is a pid number is taken as a plain number (a
/// signal number, a flag), which renaming would change.
fn pid_args<H: Host>(k: &H, t: TaskId, prim: u16, args: &mut Args) -> Option<SymmetryBreak> {
    let lookup = k.pid_lookup_arg(prim);
    let mut broken = lookup.and_then(|i| {
        let v = *args.get(i)?;
        let invariant = if value::is_pid_nr(v) { Some(value::pid_nr_parts(v).0) == k.active_ns(t) } else { v <= 1 };
        (!invariant).then_some(SymmetryBreak::LooksUp)
    });
    if broken.is_none() && args.iter().enumerate().any(|(i, &v)| Some(i) != lookup && value::is_pid_nr(v)) {
        broken = Some(SymmetryBreak::Computes);
    }
    args.strip_pid_nrs();
    broken
}

/// Run task `t` for one step with nondet/trace choice `choice`.
pub fn step<H: Host>(
    prog: &Program,
    k: &mut H,
    t: TaskId,
    choice: u32,
    log: Option<&mut StepLog>,
) -> Result<(), Located> {
    let mut vm = k.take_vm(t);
    OPEN_WALKS.with(|w| w.set(0));
    let r = run(prog, k, t, &mut vm, choice, log);
    if OPEN_WALKS.with(|w| w.get()) != 0 {
        note_break_in(prog, &vm, SymmetryBreak::WalksPartly);
    }
    k.put_vm(t, vm);
    r
}

fn located(prog: &Program, vm: &TaskVm, fault: Fault) -> Located {
    match vm.frames.last() {
        Some(f) => Located { fault, span: Some(op_span(prog, f)), function: prog.func(f.func).name.clone() },
        None => Located { fault, span: None, function: String::new() },
    }
}

fn pop(vm: &mut TaskVm) -> Result<i64, Fault> {
    vm.stack.pop().ok_or_else(|| Fault::Model("internal error: operand stack underflow".into()))
}

fn run<H: Host>(
    prog: &Program,
    k: &mut H,
    t: TaskId,
    vm: &mut TaskVm,
    choice: u32,
    mut log: Option<&mut StepLog>,
) -> Result<(), Located> {
    let mut did_visible = false;
    // Whatever trampoline the task was preempted in, it returns from it now.
    k.leave_trampoline(t);
    if vm.parked == Parked::Schedule {
        // Woken: back on the runqueue, returning from schedule().
        k.enqueue(t);
        vm.parked = Parked::Ready;
        did_visible = true;
        if let (Some(l), Some(f)) = (log.as_deref_mut(), vm.frames.last()) {
            l.action =
                Some((prog.func(f.func).name.clone(), "woken up, returns from schedule()".into(), op_span(prog, f)));
        }
    }
    if let Parked::WaitEvent { .. } = vm.parked {
        // Re-evaluate the condition from the WaitBegin the task sleeps at.
        vm.parked = Parked::Ready;
    }
    let mut fuel = FUEL;
    // A user-mode loop that runs long: its state when first noticed, and
    // whether it wrote memory since.
    let mut user_ops = 0u32;
    let mut spin: Option<(Vec<Frame>, Vec<i64>, Vec<i64>)> = None;
    let mut wrote = false;
    loop {
        if vm.parked == Parked::Dead {
            return Ok(());
        }
        let Some(frame) = vm.frames.last() else {
            return Err(located(prog, vm, Fault::Model("task ran out of code (a kernel thread returned?)".into())));
        };
        let func = prog.func(frame.func);
        if !func.kernel && k.sigpending(t) {
            // A signal is pending while the task runs user code: the next
            // interrupt (the IPI of signal_wake_up(), or a tick) returns
            // through exit_to_user_mode(), which handles it.
            let entered = vm.push_exit_to_user(prog, FrameKind::Interrupt);
            entered.map_err(|f| located(prog, vm, f))?;
            continue;
        }
        let Some(op) = func.code.get(frame.pc as usize) else {
            return Err(located(prog, vm, Fault::Model("ran off the end of a function".into())));
        };
        if is_visible(op, k, t, vm) {
            if did_visible {
                vm.parked = Parked::Ready;
                return Ok(());
            }
            // A choice (nondet(), the entry of a live trampoline) must start
            // its step, where `choices()` sees it and the search takes every
            // branch: a step that reached one from invisible code (a task's
            // first step) ends before it.
            if fuel < FUEL && matches!(op, Op::Nondet | Op::TracePoint) {
                vm.parked = Parked::Ready;
                return Ok(());
            }
            did_visible = true;
            if let Some(l) = log.as_deref_mut() {
                l.action = Some((func.name.clone(), describe_op(k, prog, op, vm), op_span(prog, frame)));
            }
        }
        fuel -= 1;
        if !func.kernel {
            user_ops += 1;
            match &spin {
                // Back where it was, having written nothing: a pure spin,
                // which only the tick (or a signal) interrupts.
                Some((frames, locals, stack))
                    if !wrote && vm.frames == *frames && vm.locals == *locals && vm.stack == *stack =>
                {
                    vm.parked = Parked::Ready;
                    if let Some(l) = log.as_deref_mut() {
                        if l.action.is_none() {
                            l.action = Some((
                                func.name.clone(),
                                "spins in user mode until the tick preempts it".into(),
                                op_span(prog, frame),
                            ));
                        }
                    }
                    return Ok(());
                }
                None if user_ops >= TICK_OPS => spin = Some((vm.frames.clone(), vm.locals.clone(), vm.stack.clone())),
                _ => {}
            }
            if spin.is_some() && matches!(op, Op::StoreGlobal(_)) {
                wrote = true;
            }
        }
        if fuel == 0 {
            return Err(located(
                prog,
                vm,
                Fault::Unsupported(format!(
                    "a loop ran {FUEL} operations without a system call or other visible action"
                )),
            ));
        }
        exec(prog, k, t, vm, op, choice, log.as_deref_mut()).map_err(|f| located(prog, vm, f))?;
        if matches!(vm.parked, Parked::Schedule | Parked::WaitEvent { .. }) || k.in_trampoline(t) {
            if k.in_trampoline(t) {
                vm.parked = Parked::Ready;
                if let Some(l) = log.as_deref_mut() {
                    if let Some(a) = l.action.as_mut() {
                        a.1 = format!("enters the tracer's trampoline at {}() and is preempted inside it", a.0);
                    }
                }
            }
            return Ok(());
        }
    }
}

fn describe_op<H: Host>(k: &H, prog: &Program, op: &Op, vm: &TaskVm) -> String {
    match op {
        Op::Prim { prim, .. } => format!("{}()", k.prim_name(*prim)),
        Op::Syscall { func, .. } => format!("system call {}()", prog.func(*func).name.trim_start_matches("sys_")),
        Op::WaitBegin => "wait_event()".into(),
        Op::SetCurrentState => {
            let s = vm.stack.last().copied().unwrap_or(0);
            format!("set_current_state({})", RunState::from_model(s).map_or("?", RunState::name))
        }
        Op::Schedule => "schedule()".into(),
        Op::Yield => "schedule_timeout_idle()".into(),
        Op::Nondet => "nondet()".into(),
        Op::Printf { .. } => "printf()".into(),
        Op::TracePoint => "traceable function entry".into(),
        Op::LoadGlobal(_) => "reads a global".into(),
        Op::StoreGlobal(_) => "writes a global".into(),
        _ => String::new(),
    }
}

fn advance(vm: &mut TaskVm) {
    if let Some(f) = vm.frames.last_mut() {
        f.pc += 1;
    }
}

fn exec<H: Host>(
    prog: &Program,
    k: &mut H,
    t: TaskId,
    vm: &mut TaskVm,
    op: &Op,
    choice: u32,
    log: Option<&mut StepLog>,
) -> Result<(), Fault> {
    let fi = vm.frames.len() - 1;
    match *op {
        Op::Const(v) => vm.stack.push(v),
        Op::Load(i) => {
            let v = vm.frame_locals(fi).get(i as usize).copied().unwrap_or(0);
            vm.stack.push(v)
        }
        Op::Store(i) => {
            let v = pop(vm)?;
            if let Some(slot) = vm.frame_locals_mut(fi).get_mut(i as usize) {
                *slot = v;
            }
        }
        Op::LoadGlobal(i) => vm.stack.push(k.load_global(t, i)),
        Op::StoreGlobal(i) => {
            let v = pop(vm)?;
            k.store_global(t, i, v);
        }
        Op::LoadKernel(i) => vm.stack.push(k.load_kernel_global(i)),
        Op::StoreKernel(i) => {
            let v = pop(vm)?;
            k.store_kernel_global(i, v);
        }
        Op::AddrLocal(i) => vm.stack.push(value::local_addr(fi, i)),
        Op::LoadInd => {
            let a = pop(vm)?;
            let s = deref(vm, a)?;
            let v = vm.locals[s];
            vm.stack.push(v)
        }
        Op::StoreInd => {
            let v = pop(vm)?;
            let a = pop(vm)?;
            let s = deref(vm, a)?;
            vm.locals[s] = v;
        }
        Op::Unary(u) => {
            let v = pop(vm)?;
            let (v, invariant) = unary(u, v);
            if !invariant {
                note_break_in(prog, vm, SymmetryBreak::Computes);
            }
            vm.stack.push(v)
        }
        Op::Binary(b) => {
            let r = pop(vm)?;
            let l = pop(vm)?;
            let (v, broken) = binary(b, l, r)?;
            if let Some(why) = broken {
                note_break_in(prog, vm, why);
            }
            vm.stack.push(v)
        }
        Op::Jump(x) => {
            vm.frames[fi].pc = x;
            return Ok(());
        }
        Op::JumpIfZero(x) => {
            if pop(vm)? == 0 {
                vm.frames[fi].pc = x;
                return Ok(());
            }
        }
        Op::JumpIfNonZero(x) => {
            if pop(vm)? != 0 {
                vm.frames[fi].pc = x;
                return Ok(());
            }
        }
        Op::Pop => {
            pop(vm)?;
        }
        Op::Dup => {
            let v = *vm.stack.last().ok_or_else(|| Fault::Model("stack underflow".into()))?;
            vm.stack.push(v)
        }
        Op::Swap => {
            let n = vm.stack.len();
            if n < 2 {
                return Err(Fault::Model("stack underflow".into()));
            }
            vm.stack.swap(n - 1, n - 2)
        }
        Op::Call { func, argc } => {
            advance(vm);
            return push_frame(prog, vm, func, argc, FrameKind::Call);
        }
        Op::Syscall { func, argc, conv, hint } => {
            advance(vm);
            return push_frame(prog, vm, func, argc, FrameKind::Syscall { conv, hint });
        }
        Op::Ret => {
            let v = pop(vm)?;
            let Some(done) = vm.pop_frame() else { return Err(Fault::Model("return with no frame".into())) };
            match done.kind {
                FrameKind::Call => vm.stack.push(v),
                FrameKind::Syscall { conv, .. } => {
                    vm.push_exit_to_user(prog, FrameKind::ExitToUser { conv, ret: v })?;
                }
                FrameKind::Interrupt => {}
                FrameKind::ExitToUser { conv, ret } => {
                    // A restart is only reached after a signal that did not kill:
                    // a handler-less caller sees EINTR.
                    let ret = if ret == -ERESTARTSYS || ret == -ERESTARTNOINTR { -EINTR } else { ret };
                    let r = match conv {
                        SyscallConv::Errno => {
                            if (-4095..0).contains(&ret) {
                                vm.errno = -ret;
                                -1
                            } else {
                                ret
                            }
                        }
                        SyscallConv::Pthread => {
                            if ret < 0 {
                                -ret
                            } else {
                                0
                            }
                        }
                        SyscallConv::Raw => ret,
                        SyscallConv::Void => 0,
                    };
                    vm.stack.push(r);
                }
            }
            if vm.frames.is_empty() {
                return Err(Fault::Model("a task returned from its first function".into()));
            }
            return Ok(());
        }
        Op::Prim { prim, argc } => {
            let n = argc as usize;
            if vm.stack.len() < n {
                return Err(Fault::Model("stack underflow".into()));
            }
            let mut args = Args::take(&mut vm.stack, n);
            if let Some(why) = pid_args(k, t, prim, &mut args) {
                note_break_in(prog, vm, why);
            }
            if k.prim_pure(prim) {
                let v = k.call_pure(prog, t, prim, &args)?;
                if let Some((kind, starts)) = k.walk_step(prim, &args) {
                    note_walk(prog, vm, kind, starts, v);
                }
                vm.stack.push(v);
            } else {
                advance(vm);
                match k.call_prim(prog, t, vm, prim, &args)? {
                    PrimEffect::Value(v) => vm.stack.push(v),
                    PrimEffect::Lock => {
                        vm.lock_depth = vm.lock_depth.saturating_add(1);
                        vm.stack.push(0);
                    }
                    PrimEffect::Unlock => {
                        if vm.lock_depth == 0 {
                            return Err(Fault::Model("unlock of a lock this task does not hold".into()));
                        }
                        vm.lock_depth -= 1;
                        vm.stack.push(0);
                    }
                    PrimEffect::TaskDead => vm.kill(),
                }
                return Ok(());
            }
        }
        Op::GetField(f) => {
            let o = pop(vm)?;
            vm.stack.push(k.get_field(f, o)?)
        }
        Op::SetField(f) => {
            let v = pop(vm)?;
            let o = pop(vm)?;
            k.set_field(f, o, plain_number(prog, vm, v))?;
        }
        Op::Current => vm.stack.push(k.task_handle(t)),
        Op::LoadErrno => vm.stack.push(vm.errno),
        Op::StoreErrno => {
            let v = pop(vm)?;
            vm.errno = plain_number(prog, vm, v);
        }
        Op::WaitBegin => {}
        Op::WaitCheck { state, daemon, retry } => {
            check_atomic(vm, "wait_event()")?;
            let c = pop(vm)?;
            if c != 0 {
                k.set_run_state(t, RunState::Running);
                k.enqueue(t);
                vm.parked = Parked::Ready;
                vm.stack.push(0);
            } else if state == 1 && k.sigpending(t) {
                k.set_run_state(t, RunState::Running);
                k.enqueue(t);
                vm.parked = Parked::Ready;
                vm.stack.push(-ERESTARTSYS);
            } else {
                k.set_run_state(t, RunState::from_model(state).unwrap_or(RunState::Uninterruptible));
                k.dequeue(t);
                vm.frames[fi].pc = retry;
                vm.parked = Parked::WaitEvent { daemon };
                return Ok(());
            }
        }
        Op::SetCurrentState => {
            let s = value::number(pop(vm)?);
            let state = RunState::from_model(s)
                .ok_or_else(|| Fault::Model(format!("set_current_state({s}): not a task state")))?;
            k.set_run_state(t, state);
        }
        Op::Schedule => {
            check_atomic(vm, "schedule()")?;
            advance(vm);
            let state = k.run_state(t);
            let stays = state == RunState::Running || (state == RunState::Interruptible && k.sigpending(t));
            if stays {
                k.set_run_state(t, RunState::Running);
            } else {
                k.dequeue(t);
                vm.parked = Parked::Schedule;
            }
            return Ok(());
        }
        Op::Yield => {
            check_atomic(vm, "schedule_timeout_idle()")?;
            pop(vm)?;
            vm.stack.push(0);
        }
        Op::Nondet => {
            let n = pop(vm)?;
            let n = plain_number(prog, vm, n);
            if !(1..=64).contains(&n) {
                // A computed count (a constant one is refused at compile time).
                return Err(Fault::Unsupported(format!("nondet({n}): the number of choices must be 1..64")));
            }
            vm.stack.push(choice as i64 % n);
        }
        Op::Assert(s) => {
            if pop(vm)? == 0 {
                return Err(Fault::Assertion(prog.strings.get(s as usize).cloned().unwrap_or_default()));
            }
        }
        Op::Printf { fmt, argc } => {
            let n = argc as usize;
            let mut args = Args::take(&mut vm.stack, n);
            args.strip_pid_nrs();
            if log.is_some() || k.keeps_output() {
                let line = format_printf(
                    prog.strings.get(fmt as usize).map(|s| s.as_str()).unwrap_or(""),
                    &args,
                    &prog.strings,
                );
                if k.keeps_output() {
                    k.user_output(t, &line);
                }
                if let Some(l) = log {
                    l.output.push(line);
                }
            }
            vm.stack.push(0);
        }
        Op::TracePoint => {
            // Choice 1: the tracer's trampoline runs here and the task is
            // preempted inside it (the step ends; see `run`).
            if choice == 1 {
                k.enter_trampoline(t);
            }
        }
        Op::Panic(s) => return Err(Fault::Panic(prog.strings.get(s as usize).cloned().unwrap_or_default())),
    }
    advance(vm);
    Ok(())
}

fn check_atomic(vm: &TaskVm, what: &str) -> Result<(), Fault> {
    if vm.lock_depth > 0 {
        return Err(Fault::Model(format!("BUG: scheduling while atomic: {what} with a spinlock held")));
    }
    Ok(())
}

/// The arguments of a call to a primitive or `printf()`, taken off the
/// operand stack: in place for the few most take, so that a step does not
/// allocate for each call.
enum Args {
    Few([i64; 6], usize),
    Many(Vec<i64>),
}

impl Args {
    /// The top `n` values of `stack` (at most its length), first pushed first.
    fn take(stack: &mut Vec<i64>, n: usize) -> Args {
        let n = n.min(stack.len());
        let from = stack.len() - n;
        let args = if n <= 6 {
            let mut few = [0; 6];
            few[..n].copy_from_slice(&stack[from..]);
            Args::Few(few, n)
        } else {
            Args::Many(stack[from..].to_vec())
        };
        stack.truncate(from);
        args
    }

    /// Pid numbers as plain numbers (see `value::PID_NR`).
    fn strip_pid_nrs(&mut self) {
        let vals: &mut [i64] = match self {
            Args::Few(a, n) => &mut a[..*n],
            Args::Many(v) => v,
        };
        for v in vals {
            *v = value::number(*v);
        }
    }
}

impl std::ops::Deref for Args {
    type Target = [i64];
    fn deref(&self) -> &[i64] {
        match self {
            Args::Few(a, n) => &a[..*n],
            Args::Many(v) => v,
        }
    }
}

/// The position in `vm.locals` of the local a pointer points to.
fn deref(vm: &TaskVm, a: i64) -> Result<usize, Fault> {
    if a == 0 {
        return Err(Fault::Model("NULL pointer dereference".into()));
    }
    if value::tag(a) != value::LOCAL {
        return Err(Fault::Model(format!("dereference of {}", value::tag_name(value::tag(a)))));
    }
    let p = value::payload(a);
    let (f, s) = ((p >> 16) as usize, (p & 0xffff) as usize);
    if s >= vm.frame_locals(f).len() {
        return Err(Fault::Model("dangling pointer to a local of a returned function".into()));
    }
    Ok(vm.frames[f].base as usize + s)
}

fn push_frame(
    prog: &Program,
    vm: &mut TaskVm,
    func: crate::lang::bytecode::FuncId,
    argc: u8,
    kind: FrameKind,
) -> Result<(), Fault> {
    if vm.frames.len() >= MAX_FRAMES {
        return Err(Fault::Unsupported(format!("call depth above {MAX_FRAMES} (unbounded recursion?)")));
    }
    vm.push_frame(func, kind, argc as usize, prog.func(func).locals as usize)
}

/// printf as C formats it: flags (`-0+ #`), width, precision, the length
/// modifiers (`l`, `ll`, `z`: 64 bits; none or `h`: an `int`, so `%u` and
/// `%x` of -1 are 4294967295 and ffffffff), and `d i u x X o c s p %`. A
/// `%s` argument is a string literal, passed as its index in `strings`.
pub fn format_printf(fmt: &str, args: &[i64], strings: &[String]) -> String {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    let mut args = args.iter().copied();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut left, mut zero, mut plus, mut space, mut alt) = (false, false, false, false, false);
        while let Some(&f) = it.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alt = true,
                _ => break,
            }
            it.next();
        }
        let number = |it: &mut std::iter::Peekable<std::str::Chars>| {
            let mut n: Option<usize> = None;
            while let Some(d) = it.peek().and_then(|c| c.to_digit(10)) {
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize).min(4096));
                it.next();
            }
            n
        };
        let width = number(&mut it).unwrap_or(0);
        let precision = if it.peek() == Some(&'.') {
            it.next();
            Some(number(&mut it).unwrap_or(0))
        } else {
            None
        };
        let mut long = false;
        while let Some(&l) = it.peek() {
            match l {
                'l' | 'z' | 'j' | 't' => long = true,
                'h' => {}
                _ => break,
            }
            it.next();
        }
        let Some(conv) = it.next() else {
            out.push('%');
            break;
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = if matches!(conv, 'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'c' | 's' | 'p') {
            args.next().unwrap_or(0)
        } else {
            0
        };
        // The digits, and what goes before them (sign or 0x).
        let unsigned = |v: i64| if long { v as u64 } else { v as u32 as u64 };
        let (prefix, digits): (String, String) = match conv {
            'd' | 'i' => {
                let v = if long { v } else { v as i32 as i64 };
                let sign = if v < 0 {
                    "-"
                } else if plus {
                    "+"
                } else if space {
                    " "
                } else {
                    ""
                };
                (sign.to_string(), v.unsigned_abs().to_string())
            }
            'u' => (String::new(), unsigned(v).to_string()),
            'x' => ((if alt && v != 0 { "0x" } else { "" }).to_string(), format!("{:x}", unsigned(v))),
            'X' => ((if alt && v != 0 { "0X" } else { "" }).to_string(), format!("{:X}", unsigned(v))),
            'o' => ((if alt { "0" } else { "" }).to_string(), format!("{:o}", unsigned(v))),
            'p' if v == 0 => (String::new(), "(nil)".to_string()),
            'p' => ("0x".to_string(), format!("{:x}", v as u64)),
            'c' => (String::new(), char::from(v as u8).to_string()),
            's' => {
                let s = usize::try_from(v).ok().and_then(|i| strings.get(i)).map(String::as_str).unwrap_or("(null)");
                let s: String = match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s.to_string(),
                };
                (String::new(), s)
            }
            other => {
                // Not a conversion printf knows: printed as written.
                out.push('%');
                out.push(other);
                continue;
            }
        };
        let numeric = !matches!(conv, 'c' | 's' | 'p');
        // An integer's precision is its least number of digits (and turns off `0`).
        let digits = match precision {
            Some(p) if numeric && digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
            Some(0) if numeric && digits == "0" => String::new(),
            _ => digits,
        };
        let len = prefix.chars().count() + digits.chars().count();
        let pad = width.saturating_sub(len);
        if left {
            out.push_str(&prefix);
            out.push_str(&digits);
            out.push_str(&" ".repeat(pad));
        } else if zero && numeric && precision.is_none() {
            out.push_str(&prefix);
            out.push_str(&"0".repeat(pad));
            out.push_str(&digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&prefix);
            out.push_str(&digits);
        }
    }
    out.trim_end_matches('\n').to_string()
}

#[cfg(test)]
mod printf_tests {
    use super::format_printf;

    #[test]
    fn printf_formats_as_c_does() {
        let strings = vec!["x".to_string(), "done".to_string()];
        let f = |fmt: &str, args: &[i64]| format_printf(fmt, args, &strings);
        // Each expected text is what glibc prints for the same call.
        assert_eq!(f("%s=%d\n", &[0, 5]), "x=5");
        assert_eq!(f("%d %s", &[150, 1]), "150 done");
        assert_eq!(f("%u %x %X", &[-1, -1, 255]), "4294967295 ffffffff FF");
        assert_eq!(f("%lu %lx %ld", &[-1, -1, -1]), "18446744073709551615 ffffffffffffffff -1");
        assert_eq!(f("[%5d][%-3d][%03d][%+d][% d]", &[42, 7, 5, 3, 3]), "[   42][7  ][005][+3][ 3]");
        assert_eq!(f("[%05d][%-5d][%.3d][%8.3d]", &[-42, -42, 7, -7]), "[-0042][-42  ][007][    -007]");
        assert_eq!(f("%#x %#o %o %c", &[255, 8, 8, 65]), "0xff 010 10 A");
        assert_eq!(f("[%6s][%-6s][%.2s]", &[1, 0, 1]), "[  done][x     ][do]");
        assert_eq!(f("%d%%", &[50]), "50%");
        assert_eq!(f("%d", &[3_000_000_000]), "-1294967296");
        assert_eq!(f("%p %p", &[0, 4096]), "(nil) 0x1000");
        assert_eq!(f("%q", &[]), "%q");
        assert_eq!(f("100%", &[]), "100%");
    }
}
