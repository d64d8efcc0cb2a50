//! Expressions, by precedence climbing: comma, assignment, `?:`, binary
//! operators, casts, unary and postfix operators, calls and primaries.

use super::*;

fn binop(t: &Tok) -> Option<(BinOp, u8)> {
    use Tok::*;
    Some(match t {
        PipePipe => (BinOp::Or, 1),
        AmpAmp => (BinOp::And, 2),
        Pipe => (BinOp::BitOr, 3),
        Caret => (BinOp::BitXor, 4),
        Amp => (BinOp::BitAnd, 5),
        EqEq => (BinOp::Eq, 6),
        Ne => (BinOp::Ne, 6),
        Lt => (BinOp::Lt, 7),
        Le => (BinOp::Le, 7),
        Gt => (BinOp::Gt, 7),
        Ge => (BinOp::Ge, 7),
        Shl => (BinOp::Shl, 8),
        Shr => (BinOp::Shr, 8),
        Plus => (BinOp::Add, 9),
        Minus => (BinOp::Sub, 9),
        Star => (BinOp::Mul, 10),
        Slash => (BinOp::Div, 10),
        Percent => (BinOp::Rem, 10),
        _ => return None,
    })
}

fn assign_op(t: &Tok) -> Option<Option<BinOp>> {
    use Tok::*;
    Some(match t {
        Assign => None,
        PlusEq => Some(BinOp::Add),
        MinusEq => Some(BinOp::Sub),
        StarEq => Some(BinOp::Mul),
        SlashEq => Some(BinOp::Div),
        PercentEq => Some(BinOp::Rem),
        AmpEq => Some(BinOp::BitAnd),
        PipeEq => Some(BinOp::BitOr),
        CaretEq => Some(BinOp::BitXor),
        ShlEq => Some(BinOp::Shl),
        ShrEq => Some(BinOp::Shr),
        _ => return None,
    })
}

impl Parser {
    /// Runs `f`, then restores the depth: for loops that build left-deep
    /// trees (`a + b + c`, `p->a->b`, `a, b, c`), where each link calls `enter`
    /// so that the tree's height stays bounded too.
    pub(super) fn chain<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let saved = self.depth;
        let r = f(self);
        self.depth = saved;
        r
    }

    /// An expression where the comma operator is allowed.
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.chain(Self::comma_chain)
    }

    pub(super) fn comma_chain(&mut self) -> PResult<Expr> {
        let mut e = self.assign()?;
        while self.eat(&Tok::Comma).is_some() {
            self.enter()?;
            let rhs = self.assign()?;
            let span = e.span.to(rhs.span);
            e = expr(ExprKind::Comma(Box::new(e), Box::new(rhs)), span);
        }
        Ok(e)
    }

    /// Assignment expression (no top-level comma).
    pub(super) fn assign(&mut self) -> PResult<Expr> {
        let lhs = self.conditional()?;
        let Some(op) = self.peek().and_then(assign_op) else {
            return Ok(lhs);
        };
        self.bump();
        self.enter()?;
        let rhs = self.assign();
        self.depth -= 1;
        let rhs = rhs?;
        let span = lhs.span.to(rhs.span);
        Ok(expr(ExprKind::Assign { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span))
    }

    pub(super) fn conditional(&mut self) -> PResult<Expr> {
        let cond = self.binary(1)?;
        if self.eat(&Tok::Question).is_none() {
            return Ok(cond);
        }
        self.enter()?;
        let r = self.cond_rest(cond);
        self.depth -= 1;
        r
    }

    /// `then : els` after `cond ?`.
    pub(super) fn cond_rest(&mut self, cond: Expr) -> PResult<Expr> {
        let then = self.expr()?;
        self.expect(&Tok::Colon, "in conditional expression")?;
        let els = self.conditional()?;
        let span = cond.span.to(els.span);
        Ok(expr(ExprKind::Cond { cond: Box::new(cond), then: Box::new(then), els: Box::new(els) }, span))
    }

    pub(super) fn binary(&mut self, min_prec: u8) -> PResult<Expr> {
        self.chain(|p| p.binary_chain(min_prec))
    }

    pub(super) fn binary_chain(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.peek().and_then(binop) {
            if prec < min_prec {
                break;
            }
            self.enter()?;
            self.bump();
            let rhs = self.binary(prec + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = expr(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        }
        Ok(lhs)
    }

    pub(super) fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    /// Dispatches on the first token (kept small: it is on the recursive path).
    pub(super) fn unary_inner(&mut self) -> PResult<Expr> {
        match self.peek() {
            Some(Tok::Minus | Tok::Plus | Tok::Bang | Tok::Tilde | Tok::Amp | Tok::Star) => self.prefix_op(),
            Some(Tok::PlusPlus | Tok::MinusMinus) => self.prefix_incdec(),
            Some(Tok::KwSizeof) => self.fail(unsupported(self.span(), "`sizeof` is", None)),
            Some(Tok::LParen) if self.peek_at(1).is_some_and(is_type_start) => self.cast(),
            _ => self.postfix(),
        }
    }

    pub(super) fn prefix_op(&mut self) -> PResult<Expr> {
        let span = self.span();
        let op = self.peek().cloned();
        self.bump();
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        let kind = match op {
            Some(Tok::Minus) => ExprKind::Unary { op: UnOp::Neg, operand },
            Some(Tok::Plus) => ExprKind::Unary { op: UnOp::Plus, operand },
            Some(Tok::Bang) => ExprKind::Unary { op: UnOp::Not, operand },
            Some(Tok::Tilde) => ExprKind::Unary { op: UnOp::BitNot, operand },
            Some(Tok::Amp) => ExprKind::AddrOf(operand),
            _ => ExprKind::Deref(operand),
        };
        Ok(expr(kind, span))
    }

    pub(super) fn prefix_incdec(&mut self) -> PResult<Expr> {
        let increment = self.at(&Tok::PlusPlus);
        let span = self.bump();
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        Ok(expr(ExprKind::IncDec { prefix: true, increment, operand }, span))
    }

    pub(super) fn cast(&mut self) -> PResult<Expr> {
        let span = self.bump();
        let ty = self.type_name()?;
        self.expect(&Tok::RParen, "after the type in a cast")?;
        if self.at(&Tok::LBrace) {
            return self.fail(unsupported(span.to(self.span()), "compound literals are", None));
        }
        let operand = Box::new(self.unary()?);
        let span = span.to(operand.span);
        Ok(expr(ExprKind::Cast { ty, operand }, span))
    }

    pub(super) fn postfix(&mut self) -> PResult<Expr> {
        self.chain(Self::postfix_chain)
    }

    pub(super) fn postfix_chain(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if matches!(
                self.peek(),
                Some(Tok::LParen | Tok::Arrow | Tok::Dot | Tok::LBracket | Tok::PlusPlus | Tok::MinusMinus)
            ) {
                self.enter()?;
            }
            e = match self.peek() {
                Some(Tok::LParen) => self.call(e)?,
                Some(Tok::Arrow) => self.arrow(e)?,
                Some(Tok::Dot) => self.dot(e)?,
                Some(Tok::LBracket) => self.index(e)?,
                Some(Tok::PlusPlus | Tok::MinusMinus) => self.postfix_incdec(e),
                _ => return Ok(e),
            }
        }
    }

    pub(super) fn call(&mut self, e: Expr) -> PResult<Expr> {
        let ExprKind::Name(callee) = e.kind else {
            let d = unsupported(
                self.span(),
                "calling anything but a function name is",
                Some("call functions directly by name: `f(args)`"),
            );
            return self.fail(d);
        };
        let (args, close) = self.args()?;
        Ok(expr(ExprKind::Call { callee, args }, e.span.to(close)))
    }

    pub(super) fn arrow(&mut self, e: Expr) -> PResult<Expr> {
        self.bump();
        let field = self.ident("after `->`")?;
        let span = e.span.to(field.span);
        Ok(expr(ExprKind::Arrow { base: Box::new(e), field }, span))
    }

    /// `e.field`: reported; parsed as `e->field` to go on.
    /// (A scenario meets this mostly with `struct sigaction`.)
    pub(super) fn dot(&mut self, e: Expr) -> PResult<Expr> {
        let span = self.bump();
        let field = match self.peek() {
            Some(Tok::Ident(_)) => self.ident("")?,
            _ => Ident { name: String::new(), span },
        };
        self.report(unsupported(span.to(field.span), "`.` member access is", Some(DOT_HELP)));
        let span = e.span.to(field.span);
        Ok(expr(ExprKind::Arrow { base: Box::new(e), field }, span))
    }

    /// `e[i]`: reported and skipped.
    pub(super) fn index(&mut self, mut e: Expr) -> PResult<Expr> {
        let brackets = self.skip_balanced(&Tok::LBracket, &Tok::RBracket)?;
        self.report(unsupported(brackets, "array indexing is", Some("use separate variables")));
        e.span = e.span.to(brackets);
        Ok(e)
    }

    pub(super) fn postfix_incdec(&mut self, e: Expr) -> Expr {
        let increment = self.at(&Tok::PlusPlus);
        let span = e.span.to(self.bump());
        expr(ExprKind::IncDec { prefix: false, increment, operand: Box::new(e) }, span)
    }

    /// `( args )`; returns the arguments and the `)` span.
    pub(super) fn args(&mut self) -> PResult<(Vec<Expr>, Span)> {
        self.bump();
        let mut args = Vec::new();
        if let Some(close) = self.eat(&Tok::RParen) {
            return Ok((args, close));
        }
        loop {
            args.push(self.assign()?);
            if self.eat(&Tok::Comma).is_some() {
                continue;
            }
            if let Some(close) = self.eat(&Tok::RParen) {
                return Ok((args, close));
            }
            return self.expected("`,` or `)`", "in argument list");
        }
    }

    pub(super) fn primary(&mut self) -> PResult<Expr> {
        let span = self.span();
        match self.peek() {
            Some(Tok::Int(n) | Tok::Char(n)) => {
                let n = *n;
                self.bump();
                Ok(expr(ExprKind::Int(n), span))
            }
            Some(Tok::UInt(n)) => {
                // `1u` is `(unsigned int)1`: the compiler knows that type.
                let n = *n;
                self.bump();
                let ty = Type { kind: TypeKind::Int("unsigned int".into()), span };
                Ok(expr(ExprKind::Cast { ty, operand: Box::new(expr(ExprKind::Int(n), span)) }, span))
            }
            Some(Tok::Str(_)) => Ok(self.strings()),
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                self.bump();
                Ok(expr(ExprKind::Name(Ident { name, span }), span))
            }
            Some(Tok::LParen) if self.peek_at(1) == Some(&Tok::LBrace) => {
                let d = unsupported(
                    span,
                    "statement expressions `({ ... })` are",
                    Some("write the statements before the expression"),
                );
                self.fail(d)
            }
            Some(Tok::LParen) => {
                // A parenthesised level costs two units of depth: its frames are many.
                self.enter()?;
                let r = self.paren();
                self.depth -= 1;
                r
            }
            _ => self.expected("an expression", ""),
        }
    }

    /// Adjacent string literals, concatenated.
    pub(super) fn strings(&mut self) -> Expr {
        let mut s = String::new();
        let mut all = self.span();
        while let Some(Tok::Str(part)) = self.peek() {
            s.push_str(part);
            all = all.to(self.bump());
        }
        expr(ExprKind::Str(s), all)
    }

    /// `( expr )`; the span includes the parentheses.
    pub(super) fn paren(&mut self) -> PResult<Expr> {
        let open = self.bump();
        let mut e = self.expr()?;
        if !self.at(&Tok::RParen) {
            let msg = format!("expected `)`, found {}", self.found());
            let d = Diagnostic::error(msg, self.span(), "expected `)`").with_secondary(open, "to close this `(`");
            return self.fail(d);
        }
        let close = self.bump();
        e.span = open.to(close);
        Ok(e)
    }
}

/// The help for `e.field`, in a scenario or in a kernel model file.
pub(super) const DOT_HELP: &str = "scenarios have no structs: for `sigaction()` with SA_NOCLDWAIT use \
                        `sigchld_flags(SA_NOCLDWAIT)`; in kernel model files, objects are pointers: use `->`";
