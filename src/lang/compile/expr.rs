//! Expressions: names and constants, operators, assignment, `->` fields of
//! kernel objects, and the dispatch of calls to the scenario library or the
//! kernel model.

use super::kernel_calls::KERNEL_BUILTINS;
use super::library::{LIBRARY, USER_BUILTINS};
use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn expr(&mut self, fx: &mut Fcx, e: &Expr) -> Ty {
        self.expr_named(fx, e, None)
    }

    /// Compile `e`, pushing its value. `target` names the variable a fork-like
    /// call's result goes to (the new task's name).
    pub(super) fn expr_named(&mut self, fx: &mut Fcx, e: &Expr, target: Option<&str>) -> Ty {
        let sp = e.span;
        match &e.kind {
            ExprKind::Int(v) => {
                if *v >= crate::lang::value::INT_LIMIT {
                    let d = self
                        .error(
                            format!("integer constant {v} is too large for the model"),
                            sp,
                            "at most 2^40 - 1",
                        )
                        .with_note(
                            "help: the model keeps the integers from 2^40 up for kernel handles and pid numbers; use a smaller value",
                        );
                    self.push_diag(d);
                }
                fx.emit(Op::Const(*v), sp);
                Ty::Int
            }
            ExprKind::Str(s) => {
                let i = self.intern(s);
                fx.emit(Op::Const(i as i64), sp);
                Ty::Int
            }
            ExprKind::Name(id) => self.name(fx, id),
            ExprKind::Call { callee, args } => self.call(fx, callee, args, sp, target),
            ExprKind::Unary { op, operand } => {
                self.expr(fx, operand);
                fx.emit(Op::Unary(*op), sp);
                if *op != UnOp::Not && self.is_unsigned_int(fx, operand) {
                    U32.emit(fx, sp);
                }
                Ty::Int
            }
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                self.expr(fx, lhs);
                let short =
                    if *op == BinOp::And { fx.emit(Op::JumpIfZero(0), sp) } else { fx.emit(Op::JumpIfNonZero(0), sp) };
                self.expr(fx, rhs);
                fx.emit(Op::Unary(UnOp::Not), sp);
                fx.emit(Op::Unary(UnOp::Not), sp);
                let over = fx.emit(Op::Jump(0), sp);
                let h = fx.here();
                fx.patch(short, h);
                fx.emit(Op::Const((*op == BinOp::Or) as i64), sp);
                let h = fx.here();
                fx.patch(over, h);
                Ty::Int
            }
            ExprKind::Binary { op, lhs, rhs } => {
                // C's usual arithmetic conversions: with an `unsigned int`
                // operand (of a scenario) the other is converted to it, and
                // so is the result (`u == -1` holds for u = 4294967295).
                let shift = matches!(op, BinOp::Shl | BinOp::Shr);
                let unsigned = self.is_unsigned_int(fx, lhs) || (!shift && self.is_unsigned_int(fx, rhs));
                self.expr(fx, lhs);
                if unsigned {
                    U32.emit(fx, sp);
                }
                self.expr(fx, rhs);
                if unsigned && !shift {
                    U32.emit(fx, sp);
                }
                fx.emit(Op::Binary(*op), sp);
                if unsigned && !op.is_comparison() {
                    U32.emit(fx, sp);
                }
                Ty::Int
            }
            ExprKind::Assign { op, lhs, rhs } => self.assign(fx, lhs, *op, Some(rhs), sp, false),
            ExprKind::IncDec { prefix, increment, operand } => {
                let one = Expr { kind: ExprKind::Int(1), span: sp };
                let op = if *increment { BinOp::Add } else { BinOp::Sub };
                self.assign(fx, operand, Some(op), Some(&one), sp, !*prefix)
            }
            ExprKind::Cond { cond, then, els } => {
                self.expr(fx, cond);
                let j = fx.emit(Op::JumpIfZero(0), sp);
                let t = self.expr_named(fx, then, target);
                let over = fx.emit(Op::Jump(0), sp);
                let h = fx.here();
                fx.patch(j, h);
                self.expr_named(fx, els, target);
                let h = fx.here();
                fx.patch(over, h);
                t
            }
            ExprKind::Arrow { base, field } => {
                if fx.unit == Unit::User {
                    let d = self
                        .error("`->` is not supported in scenarios", sp, "not supported in scenarios")
                        .with_note("help: scenarios see the kernel only through system calls");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
                let (bt, on_current) = self.field_base(fx, base);
                match self.vocab.field(bt, &field.name) {
                    Some(f) => {
                        self.note_field_base(f.id, on_current);
                        fx.emit(Op::GetField(f.id), sp);
                        f.ty
                    }
                    None => {
                        let d = self
                            .error(
                                format!("`struct {}` has no modelled field `{}`", bt.struct_name(), field.name),
                                field.span,
                                "unknown field",
                            )
                            .with_note(self.field_help(bt));
                        self.push_diag(d);
                        Ty::Int
                    }
                }
            }
            ExprKind::AddrOf(inner) => match &inner.kind {
                ExprKind::Name(id) => {
                    if let Some((slot, _)) = fx.lookup(&id.name) {
                        fx.emit(Op::AddrLocal(slot), sp);
                        return Ty::IntPtr;
                    }
                    if fx.unit == Unit::Kernel {
                        if let Some((ty, handle)) = self.vocab.kernel_object(&id.name) {
                            fx.emit(Op::Const(handle), sp);
                            return ty;
                        }
                    }
                    let d = self.error(
                        format!("`&{}`: only the address of a local variable can be taken", id.name),
                        sp,
                        "not a local variable",
                    );
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    Ty::Int
                }
                ExprKind::Arrow { .. } if fx.unit == Unit::Kernel => self.expr(fx, inner),
                _ => {
                    let d = self.error("only the address of a local variable can be taken", sp, "not supported");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    Ty::Int
                }
            },
            ExprKind::Deref(inner) => {
                if fx.unit == Unit::User {
                    let d = self
                        .error("pointer dereference is not supported in scenarios", sp, "not supported in scenarios")
                        .with_note("help: pass `&variable` to a library call and read the variable");
                    self.push_diag(d);
                }
                self.expr(fx, inner);
                fx.emit(Op::LoadInd, sp);
                Ty::Int
            }
            ExprKind::Cast { ty, operand } => {
                self.expr(fx, operand);
                if let (Unit::User, Some(c)) = (fx.unit, StoreConv::of(ty)) {
                    c.emit(fx, sp);
                }
                match ty_of(ty) {
                    Ty::Void => Ty::Int,
                    t => t,
                }
            }
            ExprKind::Comma(a, b) => {
                self.expr(fx, a);
                fx.emit(Op::Pop, sp);
                self.expr(fx, b)
            }
        }
    }

    /// Compile the object of `base->field`: its type, and whether it is
    /// `current` itself (see `note_field_base`).
    fn field_base(&mut self, fx: &mut Fcx, base: &Expr) -> (Ty, bool) {
        let start = fx.here();
        let bt = self.expr(fx, base);
        (bt, fx.emitted_since(start) == [Op::Current])
    }

    /// Record an access to field `id` whose object is not `current`.
    fn note_field_base(&mut self, id: u16, on_current: bool) {
        // A field past the 64 a mask names is never tracked anyway.
        if !on_current {
            self.prog.fields_off_current |= 1u64.checked_shl(id as u32).unwrap_or(0);
        }
    }

    pub(super) fn field_help(&self, bt: Ty) -> String {
        let names = self.vocab.field_names(bt);
        if names.is_empty() {
            format!("help: a value of this type has no fields the model knows ({})", bt.struct_name())
        } else {
            format!("help: the modelled fields are {}", names.join(", "))
        }
    }

    pub(super) fn name(&mut self, fx: &mut Fcx, id: &Ident) -> Ty {
        let sp = id.span;
        if let Some((slot, ty)) = fx.lookup(&id.name) {
            fx.emit(Op::Load(slot), sp);
            return ty;
        }
        if let Some(g) = self.globals.get(&id.name) {
            if g.unit == fx.unit {
                let (slot, ty) = (g.slot, g.ty);
                fx.emit(if fx.unit == Unit::Kernel { Op::LoadKernel(slot) } else { Op::LoadGlobal(slot) }, sp);
                return ty;
            }
        }
        if fx.unit == Unit::User && id.name == "errno" {
            fx.emit(Op::LoadErrno, sp);
            return Ty::Int;
        }
        if fx.unit == Unit::Kernel && id.name == "current" {
            fx.emit(Op::Current, sp);
            return Ty::Task;
        }
        if fx.unit == Unit::Kernel {
            if let Some((ty, handle)) = self.vocab.kernel_object(&id.name) {
                fx.emit(Op::Const(handle), sp);
                return ty;
            }
        }
        if let Some(v) = self.vocab.constant(&id.name) {
            if fx.unit == Unit::Kernel || self.vocab.user_constant(&id.name) {
                fx.emit(Op::Const(v), sp);
                return Ty::Int;
            }
        }
        if fx.unit == Unit::User && self.sigs.get(&id.name).is_some_and(|s| s.unit == Unit::User) {
            // Most often a signal handler: `signal(SIGCHLD, on_chld)`.
            let d = self
                .error(
                    format!("`{}` is a function: a function is a value only as a thread's start routine", id.name),
                    sp,
                    "function used as a value",
                )
                .with_note(
                    "help: signal handlers are not modelled; the model tracks SIGCHLD's disposition \
                     (`signal(SIGCHLD, SIG_IGN)`, `SIG_DFL`, `sigchld_flags(SA_NOCLDWAIT)`)",
                );
            self.push_diag(d);
            fx.emit(Op::Const(0), sp);
            return Ty::Int;
        }
        let mut d = self.error(format!("unknown name `{}`", id.name), sp, "not declared");
        if let Some(s) = self.suggest_name(fx, &id.name) {
            d = d.with_note(format!("help: did you mean `{s}`?"));
        }
        self.push_diag(d);
        fx.emit(Op::Const(0), sp);
        Ty::Int
    }

    pub(super) fn suggest_name(&self, fx: &Fcx, name: &str) -> Option<String> {
        let mut cands: Vec<String> = fx.scopes.iter().flat_map(|s| s.keys().cloned()).collect();
        cands.extend(self.globals.keys().cloned());
        best(name, cands.iter().map(|s| s.as_str()))
    }

    pub(super) fn suggest_function(&self, unit: Unit, name: &str) -> Option<String> {
        let mut cands: Vec<&str> = self.sigs.iter().filter(|(_, s)| s.unit == unit).map(|(n, _)| n.as_str()).collect();
        match unit {
            Unit::User => {
                cands.extend(LIBRARY.iter().map(|l| l.name));
                cands.extend(USER_BUILTINS.iter().map(|b| b.0));
                cands.push("printf");
            }
            Unit::Kernel => {
                cands.extend(self.vocab.primitive_names());
                cands.extend(KERNEL_BUILTINS.iter().map(|b| b.0));
            }
        }
        best(name, cands.into_iter())
    }

    /// `lhs = rhs`, `lhs op= rhs`, `++lhs`, `lhs++` (postfix: result is the old value).
    pub(super) fn assign(
        &mut self,
        fx: &mut Fcx,
        lhs: &Expr,
        op: Option<BinOp>,
        rhs: Option<&Expr>,
        sp: Span,
        postfix: bool,
    ) -> Ty {
        enum Place {
            Local(u16),
            Global(u16),
            Kernel(u16),
            Errno,
            Field(u16, u16),
            Ind(u16),
        }
        let place = match &lhs.kind {
            ExprKind::Name(id) => {
                if let Some((slot, _)) = fx.lookup(&id.name) {
                    Place::Local(slot)
                } else if let Some(g) = self.globals.get(&id.name).filter(|g| g.unit == fx.unit) {
                    if fx.unit == Unit::Kernel {
                        Place::Kernel(g.slot)
                    } else {
                        Place::Global(g.slot)
                    }
                } else if fx.unit == Unit::User && id.name == "errno" {
                    Place::Errno
                } else {
                    let d = self.error(format!("cannot assign to `{}`", id.name), lhs.span, "not a variable");
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                }
            }
            ExprKind::Arrow { base, field } if fx.unit == Unit::Kernel => {
                let (bt, on_current) = self.field_base(fx, base);
                let Some(fdef) = self.vocab.field(bt, &field.name) else {
                    let d = self
                        .error(
                            format!("`struct {}` has no modelled field `{}`", bt.struct_name(), field.name),
                            field.span,
                            "unknown field",
                        )
                        .with_note(self.field_help(bt));
                    self.push_diag(d);
                    fx.emit(Op::Const(0), sp);
                    return Ty::Int;
                };
                if !fdef.writable {
                    let d =
                        self.error(format!("`->{}` is read-only in the model", field.name), field.span, "read-only");
                    self.push_diag(d);
                }
                self.note_field_base(fdef.id, on_current);
                let tmp = fx.temp();
                fx.emit(Op::Store(tmp), sp);
                Place::Field(fdef.id, tmp)
            }
            ExprKind::Deref(inner) if fx.unit == Unit::Kernel => {
                self.expr(fx, inner);
                let tmp = fx.temp();
                fx.emit(Op::Store(tmp), sp);
                Place::Ind(tmp)
            }
            _ => {
                let d = self.error(
                    "this expression cannot be assigned to",
                    lhs.span,
                    if fx.unit == Unit::User { "not supported in scenarios" } else { "not assignable" },
                );
                self.push_diag(d);
                fx.emit(Op::Const(0), sp);
                return Ty::Int;
            }
        };
        let load = |fx: &mut Fcx, p: &Place| match p {
            Place::Local(s) => {
                fx.emit(Op::Load(*s), sp);
            }
            Place::Global(s) => {
                fx.emit(Op::LoadGlobal(*s), sp);
            }
            Place::Kernel(s) => {
                fx.emit(Op::LoadKernel(*s), sp);
            }
            Place::Errno => {
                fx.emit(Op::LoadErrno, sp);
            }
            Place::Field(fi, tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::GetField(*fi), sp);
            }
            Place::Ind(tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::LoadInd, sp);
            }
        };
        let old = if postfix {
            let t = fx.temp();
            load(fx, &place);
            fx.emit(Op::Store(t), sp);
            Some(t)
        } else {
            None
        };
        // New value on the stack.
        let target = match &lhs.kind {
            ExprKind::Name(id) => Some(id.name.clone()),
            _ => None,
        };
        match (op, rhs) {
            (Some(o), Some(r)) => {
                load(fx, &place);
                self.expr(fx, r);
                fx.emit(Op::Binary(o), sp);
            }
            (None, Some(r)) => {
                self.expr_named(fx, r, target.as_deref());
            }
            _ => {
                fx.emit(Op::Const(0), sp);
            }
        }
        let conv = match &place {
            Place::Local(s) => fx.convs.get(s).copied(),
            Place::Global(s) => self.global_convs.get(s).copied(),
            _ => None,
        };
        if let Some(c) = conv {
            c.emit(fx, sp);
        }
        let val = fx.temp();
        fx.emit(Op::Store(val), sp);
        match &place {
            Place::Local(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::Store(*s), sp);
            }
            Place::Global(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreGlobal(*s), sp);
            }
            Place::Kernel(s) => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreKernel(*s), sp);
            }
            Place::Errno => {
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreErrno, sp);
            }
            Place::Field(fi, tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::SetField(*fi), sp);
            }
            Place::Ind(tmp) => {
                fx.emit(Op::Load(*tmp), sp);
                fx.emit(Op::Load(val), sp);
                fx.emit(Op::StoreInd, sp);
            }
        }
        fx.emit(Op::Load(old.unwrap_or(val)), sp);
        Ty::Int
    }

    pub(super) fn arity_error(&mut self, name: &str, want: (usize, usize), got: usize, sp: Span, decl: Option<Span>) {
        let want_s = if want.0 == want.1 { format!("{}", want.0) } else { format!("{} to {}", want.0, want.1) };
        let mut d = self.error(
            format!(
                "`{name}` takes {want_s} argument{}, but {got} {} given",
                if want.1 == 1 { "" } else { "s" },
                if got == 1 { "was" } else { "were" }
            ),
            sp,
            format!("expected {want_s}"),
        );
        if let Some(s) = decl {
            d = d.with_secondary(s, "declared here");
        }
        self.push_diag(d);
    }

    pub(super) fn call(&mut self, fx: &mut Fcx, callee: &Ident, args: &[Expr], sp: Span, target: Option<&str>) -> Ty {
        let name = callee.name.as_str();
        // Functions of the same world.
        if let Some(sig) = self.sigs.get(name).filter(|s| s.unit == fx.unit) {
            let (id, nparams, ret, decl) = (sig.id, sig.params.len(), sig.ret, sig.span);
            if args.len() != nparams {
                self.arity_error(name, (nparams, nparams), args.len(), sp, Some(decl));
            }
            for a in args {
                self.expr(fx, a);
            }
            fx.emit(Op::Call { func: id, argc: args.len() as u8 }, sp);
            return if ret == Ty::Void { Ty::Int } else { ret };
        }
        match fx.unit {
            Unit::User => self.user_call(fx, callee, args, sp, target),
            Unit::Kernel => self.kernel_call(fx, callee, args, sp),
        }
    }
}

/// `unsigned int`'s conversion.
const U32: StoreConv = StoreConv::Mask(0xffff_ffff);

impl Compiler<'_> {
    /// Whether `e`, in a scenario, has type `unsigned int` (or `u32`): a
    /// variable or a cast of that type, or an operation C does in it.
    /// (Literals lose their `u` suffix in the lexer, so `0u` is an `int`.)
    fn is_unsigned_int(&self, fx: &Fcx, e: &Expr) -> bool {
        if fx.unit != Unit::User {
            return false;
        }
        match &e.kind {
            ExprKind::Name(id) => match fx.lookup(&id.name) {
                Some((slot, _)) => fx.convs.get(&slot).is_some_and(|c| c.is_u32()),
                None => self
                    .globals
                    .get(&id.name)
                    .filter(|g| g.unit == Unit::User)
                    .is_some_and(|g| self.global_convs.get(&g.slot).is_some_and(|c| c.is_u32())),
            },
            ExprKind::Cast { ty, .. } => StoreConv::of(ty).is_some_and(StoreConv::is_u32),
            ExprKind::Unary { op, operand } => *op != UnOp::Not && self.is_unsigned_int(fx, operand),
            ExprKind::Binary { op, lhs, rhs } => match op {
                _ if op.is_comparison() => false,
                BinOp::And | BinOp::Or => false,
                BinOp::Shl | BinOp::Shr => self.is_unsigned_int(fx, lhs),
                _ => self.is_unsigned_int(fx, lhs) || self.is_unsigned_int(fx, rhs),
            },
            ExprKind::Assign { lhs, .. } => self.is_unsigned_int(fx, lhs),
            ExprKind::IncDec { operand, .. } => self.is_unsigned_int(fx, operand),
            ExprKind::Cond { then, els, .. } => self.is_unsigned_int(fx, then) || self.is_unsigned_int(fx, els),
            ExprKind::Comma(_, b) => self.is_unsigned_int(fx, b),
            _ => false,
        }
    }
}
