//! Live locals: which of a function's locals may still be read from a given
//! pc on. A local that is dead there (every path from the pc writes it before
//! reading it, or never reads it) cannot influence what the task does next,
//! so the state zeroes it between steps: states that differ only in dead
//! values (a loop counter after the loop, a pid already waited for, the
//! return value of a call nobody looks at again) are one state. This is the
//! dead-variable reduction of SPIN and Bandera, and loses no behaviour.
//!
//! The analysis is the textbook backward data flow over the bytecode. A local
//! whose address is taken (`&status`) may be read through the pointer by a
//! callee or a primitive at any time, so it is live everywhere; so are locals
//! past the 64 a mask holds.

use super::machine::{FrameKind, TaskVm};
use crate::lang::bytecode::{Function, Op, Program};

/// Per function, per pc: bit i set when local i may be read from that pc on.
#[derive(Debug, Default)]
pub struct Liveness {
    live: Vec<Vec<u64>>,
}

impl Liveness {
    pub fn of(prog: &Program) -> Liveness {
        Liveness { live: prog.functions.iter().map(live_in).collect() }
    }

    /// Zero the dead locals of every frame of `vm`, each at the pc it resumes
    /// at (the top frame's next op, a caller's return point).
    pub fn clear_dead(&self, vm: &mut TaskVm) {
        for fi in 0..vm.frames.len() {
            let f = &vm.frames[fi];
            let live = self.mask(f.func.0 as usize, f.pc as usize);
            for (i, v) in vm.frame_locals_mut(fi).iter_mut().take(64).enumerate() {
                if live & (1 << i) == 0 {
                    *v = 0;
                }
            }
        }
    }

    /// The live mask at `pc` of function `func` (all live where unknown).
    fn mask(&self, func: usize, pc: usize) -> u64 {
        self.live.get(func).and_then(|l| l.get(pc)).copied().unwrap_or(u64::MAX)
    }
}

/// Live-in mask of every pc of `f`, to the fixpoint.
fn live_in(f: &Function) -> Vec<u64> {
    let bit = |i: u16| if i < 64 { 1u64 << i } else { 0 };
    // Address-taken locals and those a mask cannot name stay live throughout.
    let mut pinned: u64 = f.code.iter().fold(0, |m, op| if let Op::AddrLocal(i) = op { m | bit(*i) } else { m });
    if f.locals > 64 {
        pinned = u64::MAX;
    }
    let n = f.code.len();
    let mut live = vec![pinned; n];
    let at = |live: &[u64], pc: usize| live.get(pc).copied().unwrap_or(pinned);
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let op = &f.code[pc];
            let out = match op {
                Op::Jump(t) => at(&live, *t as usize),
                Op::JumpIfZero(t) | Op::JumpIfNonZero(t) => at(&live, *t as usize) | at(&live, pc + 1),
                Op::WaitCheck { retry, .. } => at(&live, *retry as usize) | at(&live, pc + 1),
                Op::Ret | Op::Panic(_) => pinned,
                _ => at(&live, pc + 1),
            };
            let value = match op {
                Op::Load(i) => out | bit(*i),
                Op::Store(i) => (out & !bit(*i)) | pinned,
                _ => out,
            };
            if value != live[pc] {
                live[pc] = value;
                changed = true;
            }
        }
        if !changed {
            return live;
        }
    }
}

/// Live private fields: which of a task's fields that only its own code
/// reaches (`current->f`, never `t->f`; `Program::fields_off_current`) it may
/// still read before writing them. Such a field is dead once the task's code
/// can only write it again or never touch it: `current->rcu_tasks_idx` after
/// `exit_tasks_rcu_finish()`'s `__srcu_read_unlock()`, or between zap's
/// `exit_tasks_rcu_stop()` and `exit_tasks_rcu_start()`. The state zeroes a
/// dead one, as it zeroes dead locals: the same reduction, for the part of a
/// task's memory that outlives a frame.
///
/// A field outlives calls and returns, so the analysis is interprocedural:
/// the usual backward gen/kill flow, with each function summarised by what
/// it may read before writing (`gen`, nothing live after it returns) and
/// what it lets through (`pass`, everything live after it returns). Frames
/// are entered only by `Call`, `Syscall` (whose return runs
/// `exit_to_user_mode()` before the caller resumes) and the interrupt that
/// runs `exit_to_user_mode()` from any point of user code with a signal
/// pending (`TaskVm::push_exit_to_user`); each is accounted for.
#[derive(Debug, Default)]
pub struct FieldLiveness {
    /// The private fields the analysis tracks (bit = field id).
    tracked: u64,
    /// Per function, per pc: (live if nothing is live after the function
    /// returns, live if every tracked field is).
    live: Vec<Vec<(u64, u64)>>,
    /// `exit_to_user_mode()`.
    exit_to_user: Option<usize>,
}

impl FieldLiveness {
    /// The analysis of `prog` for `candidates`: the task fields nothing but
    /// model code reads (the Rust part of the model never looks at them);
    /// those model code reaches through another pointer than `current` are
    /// dropped.
    pub fn of(prog: &Program, candidates: u64) -> FieldLiveness {
        let tracked = candidates & !prog.fields_off_current;
        let exit_to_user = prog.find("exit_to_user_mode").map(|f| f.0 as usize);
        let mut l = FieldLiveness { tracked, live: Vec::new(), exit_to_user };
        if tracked == 0 {
            return l;
        }
        l.live = prog.functions.iter().map(|f| vec![(0, 0); f.code.len()]).collect();
        // Summaries only grow; iterate every function until none does.
        loop {
            let mut changed = false;
            for (fi, f) in prog.functions.iter().enumerate() {
                changed |= l.solve(fi, f);
            }
            if !changed {
                return l;
            }
        }
    }

    /// The fields tracked: the others are never dead.
    pub fn tracked(&self) -> u64 {
        self.tracked
    }

    /// The tracked fields the task whose frames `vm` holds may still read
    /// before it writes them; the rest are dead. A finished task (no
    /// frames) reads none.
    pub fn live(&self, vm: &TaskVm) -> u64 {
        if self.tracked == 0 {
            return 0;
        }
        // From the bottom frame up: what is live where each frame resumes
        // is what is live after the frame above it returns.
        let mut after = 0u64;
        for f in &vm.frames {
            // A system call's frame returns through exit_to_user_mode().
            if let FrameKind::Syscall { .. } = f.kind {
                after = self.through_exit_to_user(after);
            }
            after = self.at(f.func.0 as usize, f.pc as usize, after);
        }
        after
    }

    /// Live at `pc` of `func` when `after` is live once it returns.
    fn at(&self, func: usize, pc: usize, after: u64) -> u64 {
        let (gen, pass) = self.pair(func, pc);
        gen | (after & pass)
    }

    /// Live where a system call's caller resumes, through the
    /// `exit_to_user_mode()` its return runs first, when `after` is live there.
    fn through_exit_to_user(&self, after: u64) -> u64 {
        self.exit_to_user.map_or(after, |f| self.at(f, 0, after))
    }

    /// (gen, pass) at `pc` of `func`: every tracked field where unknown.
    fn pair(&self, func: usize, pc: usize) -> (u64, u64) {
        self.live.get(func).and_then(|l| l.get(pc)).copied().unwrap_or((self.tracked, self.tracked))
    }

    /// One backward pass to the fixpoint over function `fi` with the
    /// summaries as they are; whether anything changed.
    fn solve(&mut self, fi: usize, f: &Function) -> bool {
        let n = f.code.len();
        let all = self.tracked;
        // An interrupt may run exit_to_user_mode() before any op of user code.
        let interrupt = if f.kernel { 0 } else { self.exit_to_user.map_or(0, |e| self.pair(e, 0).0) };
        let mut any = false;
        loop {
            let mut changed = false;
            for pc in (0..n).rev() {
                let at = |pc: usize| self.pair(fi, pc);
                let join = |a: (u64, u64), b: (u64, u64)| (a.0 | b.0, a.1 | b.1);
                let op = &f.code[pc];
                let out = match op {
                    Op::Jump(t) => at(*t as usize),
                    Op::JumpIfZero(t) | Op::JumpIfNonZero(t) => join(at(*t as usize), at(pc + 1)),
                    Op::WaitCheck { retry, .. } => join(at(*retry as usize), at(pc + 1)),
                    // Nothing is live past the function (gen), or all is (pass).
                    Op::Ret => (0, all),
                    Op::Panic(_) => (0, 0),
                    _ => at(pc + 1),
                };
                // Entering `callee` with (gen, pass) live after it returns.
                let through = |callee: usize, (g, p): (u64, u64)| (self.at(callee, 0, g), self.at(callee, 0, p));
                let mut value = match op {
                    Op::GetField(i) if (*i as u32) < 64 => (out.0 | (all & 1 << i), out.1 | (all & 1 << i)),
                    Op::SetField(i) if (*i as u32) < 64 => (out.0 & !(1 << i), out.1 & !(1 << i)),
                    Op::Call { func, .. } => through(func.0 as usize, out),
                    Op::Syscall { func, .. } => {
                        let back = (self.through_exit_to_user(out.0), self.through_exit_to_user(out.1));
                        through(func.0 as usize, back)
                    }
                    _ => out,
                };
                value = (value.0 | interrupt, value.1 | interrupt);
                if value != self.live[fi][pc] {
                    self.live[fi][pc] = value;
                    changed = true;
                }
            }
            if !changed {
                return any;
            }
            any = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::bytecode::FuncId;

    fn func(code: Vec<Op>, locals: u16) -> Function {
        Function {
            name: "f".into(),
            params: 0,
            locals,
            spans: vec![crate::lang::ast::Span::new(crate::lang::ast::FileId(0), 0, 0); code.len()],
            code,
            kernel: false,
            returns_value: false,
            local_names: vec![String::new(); locals as usize],
        }
    }

    #[test]
    fn a_local_is_live_from_its_write_to_its_last_read() {
        // 0: x = 1; 1..2: y = x; 3: x = 2 (never read); 4..5: return y
        let f = func(
            vec![
                Op::Const(1),
                Op::Store(0),
                Op::Load(0),
                Op::Store(1),
                Op::Const(2),
                Op::Store(0),
                Op::Load(1),
                Op::Ret,
            ],
            2,
        );
        let live = live_in(&f);
        assert_eq!(live[0], 0, "nothing is read before it is written");
        assert_eq!(live[2], 0b01, "x is read next");
        assert_eq!(live[4], 0b10, "only y: the x written at 5 is never read");
        assert_eq!(live[6], 0b10);
        assert_eq!(live[7], 0);
    }

    #[test]
    fn loops_keep_the_counter_live_and_address_taken_locals_are_never_dead() {
        // 0: i = 0; loop at 2: if (i == 3) goto 9; i = i + 1; goto 2; 9: return &s
        let f = func(
            vec![
                Op::Const(0),
                Op::Store(0),
                Op::Load(0),
                Op::Const(3),
                Op::Binary(crate::lang::ast::BinOp::Eq),
                Op::JumpIfNonZero(9),
                Op::Load(0),
                Op::Store(0),
                Op::Jump(2),
                Op::AddrLocal(1),
                Op::Ret,
            ],
            2,
        );
        let live = live_in(&f);
        assert_eq!(live[2] & 1, 1);
        assert_eq!(live[8] & 1, 1, "read again at the loop head");
        assert_eq!(live[9] & 1, 0, "dead after the loop");
        assert!(live.iter().all(|m| m & 0b10 != 0), "&s is taken: live everywhere");
    }

    #[test]
    fn clearing_zeroes_only_dead_values_at_each_frames_resume_point() {
        let f = func(vec![Op::Load(1), Op::Ret], 2);
        let prog = Program { functions: vec![f], ..Program::default() };
        let l = Liveness::of(&prog);
        let mut vm = TaskVm::new(FuncId(0), vec![7, 9]);
        vm.stack.extend([5, 6]);
        vm.push_frame(FuncId(0), crate::vm::FrameKind::Call, 2, 2).unwrap();
        vm.frames[1].pc = 1;
        l.clear_dead(&mut vm);
        assert_eq!(vm.frame_locals(0), [0, 9], "at pc 0 only local 1 is read");
        assert_eq!(vm.frame_locals(1), [0, 0], "at pc 1 nothing is read");
        assert!(vm.stack.is_empty(), "the arguments became the callee's locals");
    }

    /// A function named `name` of kernel (or user) code.
    fn named(name: &str, code: Vec<Op>, kernel: bool) -> Function {
        Function { name: name.into(), kernel, ..func(code, 0) }
    }

    fn frame(func: u16, pc: u32, kind: crate::vm::FrameKind) -> crate::vm::Frame {
        crate::vm::Frame { func: FuncId(func), pc, base: 0, kind }
    }

    const SYSCALL: crate::vm::FrameKind =
        crate::vm::FrameKind::Syscall { conv: crate::lang::bytecode::SyscallConv::Errno, hint: 0 };

    /// With the top frame of `vm` at each pc, the live fields expected there.
    fn live_at(l: &FieldLiveness, vm: &mut TaskVm, expected: &[(u32, u64)]) {
        for &(pc, live) in expected {
            if let Some(top) = vm.frames.last_mut() {
                top.pc = pc;
            }
            assert_eq!(l.live(vm), live, "at pc {pc}");
        }
    }

    /// A system call of function `f` from user code.
    fn sys(f: u16) -> Op {
        Op::Syscall { func: FuncId(f), argc: 0, conv: crate::lang::bytecode::SyscallConv::Errno, hint: 0 }
    }

    const IDX: u16 = 3;
    const BIT: u64 = 1 << IDX;

    /// 0 main: syscall exit_start; syscall exit_stop; return
    /// 1 exit_start: current->f = 1 (write)
    /// 2 exit_stop: read current->f through a call of 3
    /// 3 reader: current->f
    /// 4 exit_to_user_mode: nothing
    fn lifecycle() -> Program {
        let call = |f: u16| Op::Call { func: FuncId(f), argc: 0 };
        Program {
            functions: vec![
                named("main", vec![sys(1), Op::Pop, sys(2), Op::Pop, Op::Const(0), Op::Ret], false),
                named("exit_start", vec![Op::Current, Op::Const(1), Op::SetField(IDX), Op::Const(0), Op::Ret], true),
                named("exit_stop", vec![call(3), Op::Pop, Op::Const(0), Op::Ret], true),
                named("reader", vec![Op::Current, Op::GetField(IDX), Op::Ret], true),
                named("exit_to_user_mode", vec![Op::Const(0), Op::Ret], true),
            ],
            ..Program::default()
        }
    }

    #[test]
    fn a_private_field_is_live_from_its_write_to_its_last_read_across_calls() {
        let l = FieldLiveness::of(&lifecycle(), BIT | 1);
        assert_eq!(l.tracked(), BIT | 1, "nothing reaches either through another pointer");
        let mut vm = TaskVm::new(FuncId(0), vec![]);
        // Written by the first system call before any read; read by the
        // second one's callee; never read again.
        live_at(&l, &mut vm, &[(0, 0), (1, BIT), (3, 0)]);
        // Inside the second system call, before and after its call of the reader.
        vm.frames[0].pc = 3;
        vm.frames.push(frame(2, 0, SYSCALL));
        assert_eq!(l.live(&vm), BIT);
        vm.frames[1].pc = 1;
        assert_eq!(l.live(&vm), 0);
        // In the reader, called from there.
        vm.frames[1].pc = 1;
        vm.frames.push(frame(3, 0, crate::vm::FrameKind::Call));
        assert_eq!(l.live(&vm), BIT);
        vm.frames[2].pc = 2;
        assert_eq!(l.live(&vm), 0, "read: dead from there on");
        assert_eq!(l.live(&TaskVm::dead()), 0, "a finished task reads nothing");
    }

    #[test]
    fn the_way_back_to_user_mode_and_the_interrupt_keep_what_it_reads_live() {
        // exit_to_user_mode() reads the field: live wherever user code runs
        // (an interrupt may enter it), and after the last system call.
        let mut prog = lifecycle();
        prog.functions[4] =
            named("exit_to_user_mode", vec![Op::Current, Op::GetField(IDX), Op::Pop, Op::Const(0), Op::Ret], true);
        let l = FieldLiveness::of(&prog, BIT);
        let mut vm = TaskVm::new(FuncId(0), vec![]);
        for pc in 0..6 {
            vm.frames[0].pc = pc;
            assert_eq!(l.live(&vm), BIT, "user code at {pc}");
        }
        // Past the reader inside the last system call: its return still
        // runs exit_to_user_mode().
        vm.frames[0].pc = 3;
        vm.frames.push(frame(2, 1, SYSCALL));
        assert_eq!(l.live(&vm), BIT);
    }

    #[test]
    fn a_write_on_the_way_back_to_user_mode_ends_what_the_system_call_left_live() {
        // exit_to_user_mode() writes the field: after a system call returns
        // nothing before that write can be read, however the call ends.
        let mut prog = lifecycle();
        prog.functions[4] =
            named("exit_to_user_mode", vec![Op::Current, Op::Const(0), Op::SetField(IDX), Op::Const(0), Op::Ret], true);
        // 5: a system call that does nothing to the field.
        prog.functions.push(named("nop", vec![Op::Const(0), Op::Ret], true));
        prog.functions[0] = named("main", vec![sys(5), Op::Pop, sys(2), Op::Pop, Op::Const(0), Op::Ret], false);
        let l = FieldLiveness::of(&prog, BIT);
        let mut vm = TaskVm::new(FuncId(0), vec![]);
        // The second system call reads it; the first one's way back writes
        // it before that read.
        live_at(&l, &mut vm, &[(2, BIT), (0, 0)]);
        // Inside the first system call: its frame returns through the write.
        vm.frames[0].pc = 1;
        vm.frames.push(frame(5, 0, SYSCALL));
        assert_eq!(l.live(&vm), 0);
        // The same frame as a plain call would leave it live.
        vm.frames[1].kind = crate::vm::FrameKind::Call;
        assert_eq!(l.live(&vm), BIT);
    }

    #[test]
    fn a_wait_condition_and_a_loop_read_again_at_their_head() {
        // 0: WaitBegin; 1-2: current->f; 3: WaitCheck (retry 0);
        // 4: loop head: current->f; 6: if nonzero goto 4; 8: current->f = 0
        let code = vec![
            Op::WaitBegin,
            Op::Current,
            Op::GetField(IDX),
            Op::WaitCheck { state: 1, daemon: false, retry: 0 },
            Op::Current,
            Op::GetField(IDX),
            Op::JumpIfNonZero(4),
            Op::Current,
            Op::Const(0),
            Op::SetField(IDX),
            Op::Const(0),
            Op::Ret,
        ];
        let prog = Program { functions: vec![named("waiter", code, true)], ..Program::default() };
        let l = FieldLiveness::of(&prog, BIT);
        let mut vm = TaskVm::new(FuncId(0), vec![]);
        live_at(&l, &mut vm, &[(0, BIT), (3, BIT), (4, BIT), (6, BIT), (7, 0), (11, 0)]);
    }

    #[test]
    fn recursion_reaches_a_fixpoint() {
        // 0 f: if (...) f(); current->f; return: live at f's entry, also
        // from inside the recursive call.
        let call = Op::Call { func: FuncId(0), argc: 0 };
        let code = vec![Op::Const(1), Op::JumpIfZero(4), call, Op::Pop, Op::Current, Op::GetField(IDX), Op::Ret];
        let prog = Program { functions: vec![named("f", code, true)], ..Program::default() };
        let l = FieldLiveness::of(&prog, BIT);
        let mut vm = TaskVm::new(FuncId(0), vec![]);
        vm.frames[0].pc = 3;
        vm.frames.push(frame(0, 6, crate::vm::FrameKind::Call));
        assert_eq!(l.live(&vm), BIT, "the caller reads it once the inner call returns");
        vm.frames[0].pc = 6;
        vm.frames.truncate(1);
        assert_eq!(l.live(&vm), 0);
    }

    #[test]
    fn a_field_reached_through_another_pointer_is_not_tracked() {
        let mut prog = lifecycle();
        prog.fields_off_current = BIT;
        let l = FieldLiveness::of(&prog, BIT);
        assert_eq!(l.tracked(), 0);
        assert_eq!(l.live(&TaskVm::new(FuncId(0), vec![])), 0);
    }
}
