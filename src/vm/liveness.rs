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

use super::machine::TaskVm;
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
}
