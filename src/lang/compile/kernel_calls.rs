//! Calls in kernel model code: the VM builtins (`wait_event()`,
//! `set_current_state()`, `schedule()`, `panic()`...) and the primitives of
//! the kernel object model (named by the `Vocabulary`).

use super::*;

pub(super) const KERNEL_BUILTINS: &[(&str, usize)] = &[
    ("wait_event", 2),
    ("wait_event_daemon", 2),
    ("set_current_state", 1),
    ("__set_current_state", 1),
    ("schedule", 0),
    ("schedule_timeout_idle", 1),
    ("panic", 1),
    ("WARN_ON", 1),
];

impl<'a> Compiler<'a> {
    pub(super) fn kernel_call(&mut self, fx: &mut Fcx, callee: &Ident, args: &[Expr], sp: Span) -> Ty {
        let name = callee.name.as_str();
        if let Some(&(_, n)) = KERNEL_BUILTINS.iter().find(|b| b.0 == name) {
            if args.len() != n {
                self.arity_error(name, (n, n), args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            match name {
                "wait_event" | "wait_event_daemon" => {
                    let Some(state) = self.const_eval(&args[0], Unit::Kernel) else {
                        let d = self.error(
                            "the task state of `wait_event()` must be a constant",
                            args[0].span,
                            "not a constant",
                        );
                        self.push_diag(d);
                        fx.emit(Op::Const(0), sp);
                        return Ty::Int;
                    };
                    let retry = fx.here();
                    fx.emit(Op::WaitBegin, sp);
                    self.expr(fx, &args[1]);
                    fx.emit(Op::WaitCheck { state, daemon: name == "wait_event_daemon", retry }, sp);
                }
                "set_current_state" => {
                    self.expr(fx, &args[0]);
                    fx.emit(Op::SetCurrentState, sp);
                    fx.emit(Op::Const(0), sp);
                }
                "__set_current_state" => {
                    self.expr(fx, &args[0]);
                    let prim = self.vocab.primitive("__set_current_state").map_or(0, |p| p.id);
                    fx.emit(Op::Prim { prim, argc: 1 }, sp);
                }
                "schedule" => {
                    fx.emit(Op::Schedule, sp);
                    fx.emit(Op::Const(0), sp);
                }
                "schedule_timeout_idle" => {
                    self.expr(fx, &args[0]);
                    fx.emit(Op::Yield, sp);
                }
                "panic" => {
                    let msg = match &args[0].kind {
                        ExprKind::Str(s) => s.clone(),
                        _ => "panic".into(),
                    };
                    let s = self.intern(&msg);
                    fx.emit(Op::Panic(s), sp);
                    fx.emit(Op::Const(0), sp);
                }
                _ => {
                    // WARN_ON(cond): the model treats a warning as a model fault.
                    self.expr(fx, &args[0]);
                    let text = format!("WARN_ON({})", self.source_text(args[0].span));
                    let s = self.intern(&text);
                    fx.emit(Op::Unary(UnOp::Not), sp);
                    fx.emit(Op::Assert(s), sp);
                    fx.emit(Op::Const(0), sp);
                }
            }
            return Ty::Int;
        }
        if let Some(def) = self.vocab.primitive(name) {
            if args.len() != def.params.len() {
                self.arity_error(name, (def.params.len(), def.params.len()), args.len(), sp, None);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
            for a in args {
                self.expr(fx, a);
            }
            fx.emit(Op::Prim { prim: def.id, argc: args.len() as u8 }, sp);
            return if def.ret == Ty::Void { Ty::Int } else { def.ret };
        }
        let mut d =
            self.error(format!("unknown function `{name}`"), callee.span, "not a model function or a primitive");
        if let Some(s) = self.suggest_function(Unit::Kernel, name) {
            d = d.with_note(format!("help: did you mean `{s}`?"));
        } else {
            d = d.with_note("help: model code calls functions of the model files and the primitives of `taskcheck kernels --primitives`");
        }
        self.push_diag(d);
        for a in args {
            self.expr(fx, a);
            fx.emit(Op::Pop, a.span);
        }
        fx.emit(Op::Const(0), sp);
        Ty::Int
    }
}
