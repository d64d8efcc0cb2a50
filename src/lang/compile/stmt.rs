//! Statements: blocks, declarations, `if`/`while`/`for`/`do`, `return`,
//! `break`/`continue`, lowered to jumps.

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn block(&mut self, fx: &mut Fcx, b: &Block) {
        fx.scopes.push(FxHashMap::default());
        for s in &b.stmts {
            self.stmt(fx, s);
        }
        fx.scopes.pop();
    }

    pub(super) fn stmt(&mut self, fx: &mut Fcx, s: &Stmt) {
        match &s.kind {
            StmtKind::Decl(decls) => {
                for d in decls {
                    let ty = ty_of(&d.ty);
                    if fx.unit == Unit::User
                        && !(ty == Ty::Int
                            || (ty == Ty::Any && matches!(&d.ty.kind, TypeKind::Ptr(i) if i.kind == TypeKind::Void)))
                    {
                        let diag = self
                            .error(format!("variables of type `{}` are not supported in scenarios", type_text(&d.ty)), d.ty.span, "not supported in scenarios")
                            .with_note("help: scenarios use integer variables; pass `&variable` to calls that return a value through a pointer");
                        self.push_diag(diag);
                    }
                    if fx.unit == Unit::User {
                        if let Some(st) = d.specifiers.iter().find(|s| s.name == "static") {
                            // It would keep its value between calls; as a
                            // local it would silently start afresh each time.
                            let diag = self
                                .error("`static` local variables are not modelled", st.span, "static local")
                                .with_note("help: declare it as a global variable, outside the function");
                            self.push_diag(diag);
                        }
                    }
                    let slot = fx.named(&d.name.name);
                    let conv = if fx.unit == Unit::User { StoreConv::of(&d.ty) } else { None };
                    if let Some(c) = conv {
                        fx.convs.insert(slot, c);
                    }
                    if let Some(init) = &d.init {
                        self.expr_named(fx, init, Some(&d.name.name));
                        if let Some(c) = conv {
                            c.emit(fx, d.span);
                        }
                        fx.emit(Op::Store(slot), d.span);
                    }
                    fx.scopes.last_mut().map(|sc| sc.insert(d.name.name.clone(), (slot, ty)));
                }
            }
            StmtKind::Expr(e) => {
                self.expr(fx, e);
                fx.emit(Op::Pop, e.span);
            }
            StmtKind::If { cond, then, els } => {
                self.expr(fx, cond);
                let j = fx.emit(Op::JumpIfZero(0), cond.span);
                self.stmt(fx, then);
                match els {
                    None => {
                        let h = fx.here();
                        fx.patch(j, h);
                    }
                    Some(e) => {
                        let over = fx.emit(Op::Jump(0), s.span);
                        let h = fx.here();
                        fx.patch(j, h);
                        self.stmt(fx, e);
                        let h = fx.here();
                        fx.patch(over, h);
                    }
                }
            }
            StmtKind::While { cond, body } => {
                let top = fx.here();
                self.expr(fx, cond);
                let exit = fx.emit(Op::JumpIfZero(0), cond.span);
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                for c in conts {
                    fx.patch(c, top);
                }
                fx.emit(Op::Jump(top), s.span);
                let end = fx.here();
                fx.patch(exit, end);
                for b in breaks {
                    fx.patch(b, end);
                }
            }
            StmtKind::DoWhile { body, cond } => {
                let top = fx.here();
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                let check = fx.here();
                for c in conts {
                    fx.patch(c, check);
                }
                self.expr(fx, cond);
                fx.emit(Op::JumpIfNonZero(top), cond.span);
                let end = fx.here();
                for b in breaks {
                    fx.patch(b, end);
                }
            }
            StmtKind::For { init, cond, step, body } => {
                fx.scopes.push(FxHashMap::default());
                if let Some(i) = init {
                    self.stmt(fx, i);
                }
                let top = fx.here();
                let exit = cond.as_ref().map(|c| {
                    self.expr(fx, c);
                    fx.emit(Op::JumpIfZero(0), c.span)
                });
                fx.loops.push((Vec::new(), Vec::new()));
                self.stmt(fx, body);
                let (breaks, conts) = fx.loops.pop().unwrap_or_default();
                let cont_target = fx.here();
                for c in conts {
                    fx.patch(c, cont_target);
                }
                if let Some(st) = step {
                    self.expr(fx, st);
                    fx.emit(Op::Pop, st.span);
                }
                fx.emit(Op::Jump(top), s.span);
                let end = fx.here();
                if let Some(x) = exit {
                    fx.patch(x, end);
                }
                for b in breaks {
                    fx.patch(b, end);
                }
                fx.scopes.pop();
            }
            StmtKind::Return(e) => {
                match e {
                    Some(e) => {
                        if fx.value_return.is_none() && self.const_eval(e, fx.unit) != Some(0) {
                            fx.value_return = Some(e.span);
                        }
                        self.expr(fx, e);
                        if let Some(c) = fx.ret_conv {
                            c.emit(fx, e.span);
                        }
                    }
                    None => {
                        fx.emit(Op::Const(0), s.span);
                    }
                }
                fx.emit(Op::Ret, s.span);
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                if fx.loops.is_empty() {
                    let d = self.error(
                        format!("`{}` outside of a loop", if is_break { "break" } else { "continue" }),
                        s.span,
                        "not inside a loop",
                    );
                    self.push_diag(d);
                    return;
                }
                let j = fx.emit(Op::Jump(0), s.span);
                if let Some(l) = fx.loops.last_mut() {
                    if is_break {
                        l.0.push(j)
                    } else {
                        l.1.push(j)
                    }
                }
            }
            StmtKind::Block(b) => self.block(fx, b),
            StmtKind::Empty => {}
        }
    }
}
