//! Statements: blocks, `if`/`while`/`do`/`for`, local declarations and
//! expression statements.

use super::*;

impl Parser {
    pub(super) fn block(&mut self) -> PResult<Block> {
        let open = self.expect(&Tok::LBrace, "")?;
        let mut stmts = Vec::new();
        loop {
            if let Some(close) = self.eat(&Tok::RBrace) {
                return Ok(Block { stmts, span: open.to(close) });
            }
            if self.at_eof() || self.full() {
                let d =
                    Diagnostic::error("expected `}` to close this block, found end of file", self.eof, "expected `}`")
                        .with_secondary(open, "block starts here");
                self.report(d);
                return Ok(Block { stmts, span: open.to(self.prev_span()) });
            }
            let start = self.pos;
            match self.stmt() {
                Ok(s) => stmts.push(s),
                Err(Fail) => self.recover_stmt(),
            }
            if self.pos == start && !self.at(&Tok::RBrace) {
                self.bump();
            }
        }
    }

    pub(super) fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let r = self.stmt_inner();
        self.depth -= 1;
        r
    }

    /// Dispatches on the first token. Kept small, like every function on a
    /// recursive path, so that deep nesting uses little stack.
    pub(super) fn stmt_inner(&mut self) -> PResult<Stmt> {
        match self.peek() {
            Some(Tok::LBrace) => self.block_stmt(),
            Some(Tok::KwIf) => self.if_stmt(),
            Some(Tok::KwWhile) => self.while_stmt(),
            Some(Tok::KwDo) => self.do_stmt(),
            Some(Tok::KwFor) => self.for_stmt(),
            Some(t) if is_decl_start(t) => self.decl_stmt(),
            Some(Tok::Ident(_)) if self.at_unknown_type() => self.decl_stmt(),
            _ => self.simple_stmt(),
        }
    }

    pub(super) fn block_stmt(&mut self) -> PResult<Stmt> {
        let b = self.block()?;
        let span = b.span;
        Ok(stmt(StmtKind::Block(b), span))
    }

    pub(super) fn if_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `if`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `if` condition")?;
        let then = Box::new(self.stmt()?);
        let els = if self.eat(&Tok::KwElse).is_some() { Some(Box::new(self.stmt()?)) } else { None };
        let end = els.as_ref().map_or(then.span, |e| e.span);
        Ok(stmt(StmtKind::If { cond, then, els }, span.to(end)))
    }

    pub(super) fn while_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `while`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `while` condition")?;
        let body = Box::new(self.stmt()?);
        let end = body.span;
        Ok(stmt(StmtKind::While { cond, body }, span.to(end)))
    }

    pub(super) fn do_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        let body = Box::new(self.stmt()?);
        self.expect(&Tok::KwWhile, "after `do` body")?;
        self.expect(&Tok::LParen, "after `while`")?;
        let cond = self.expr()?;
        self.expect(&Tok::RParen, "after `while` condition")?;
        let end = self.expect_semi("`do ... while (...)`")?;
        Ok(stmt(StmtKind::DoWhile { body, cond }, span.to(end)))
    }

    pub(super) fn decl_stmt(&mut self) -> PResult<Stmt> {
        let span = self.span();
        let decls = self.local_decl()?;
        let end = self.expect_semi("declaration")?;
        Ok(stmt(StmtKind::Decl(decls), span.to(end)))
    }

    /// Statements that do not contain statements.
    pub(super) fn simple_stmt(&mut self) -> PResult<Stmt> {
        let span = self.span();
        let Some(t) = self.peek() else {
            return self.expected("a statement", "");
        };
        match t {
            Tok::Semi => {
                self.bump();
                Ok(stmt(StmtKind::Empty, span))
            }
            Tok::KwReturn => {
                self.bump();
                let value = if self.at(&Tok::Semi) { None } else { Some(self.assign()?) };
                let end = self.expect_semi(if value.is_some() { "return value" } else { "`return`" })?;
                Ok(stmt(StmtKind::Return(value), span.to(end)))
            }
            Tok::KwBreak => {
                self.bump();
                let end = self.expect_semi("`break`")?;
                Ok(stmt(StmtKind::Break, span.to(end)))
            }
            Tok::KwContinue => {
                self.bump();
                let end = self.expect_semi("`continue`")?;
                Ok(stmt(StmtKind::Continue, span.to(end)))
            }
            Tok::KwGoto => self.fail(unsupported(span, "`goto` is", Some("use a loop with break/continue"))),
            Tok::KwSwitch => self.fail(unsupported(span, "`switch` is", Some("use if/else if"))),
            Tok::KwCase | Tok::KwDefault => {
                let thing = format!("{} labels are", t.describe());
                self.fail(unsupported(span, &thing, Some("use if/else if")))
            }
            Tok::KwElse => {
                let d = Diagnostic::error("`else` without a matching `if`", span, "no `if` before it");
                self.fail(d)
            }
            Tok::Ident(_) if self.peek_at(1) == Some(&Tok::Colon) => {
                self.fail(unsupported(span, "labels are", Some("use a loop with break/continue")))
            }
            _ => {
                let e = self.assign()?;
                let end = self.expect_semi("expression")?;
                Ok(stmt(StmtKind::Expr(e), span.to(end)))
            }
        }
    }

    /// A declaration inside a function, without its `;`.
    pub(super) fn local_decl(&mut self) -> PResult<Vec<VarDecl>> {
        let specs = self.decl_specs()?;
        if self.at(&Tok::Semi) {
            let d = Diagnostic::error("declaration declares nothing", specs.start.to(self.span()), "no variable name");
            return self.fail(d);
        }
        let ty = self.pointers(specs.ty.clone());
        self.no_function_pointer()?;
        let name = self.ident("in declaration")?;
        self.declarators(&specs, ty, name)
    }

    pub(super) fn for_stmt(&mut self) -> PResult<Stmt> {
        let span = self.bump();
        self.expect(&Tok::LParen, "after `for`")?;
        let init = if self.eat(&Tok::Semi).is_some() {
            None
        } else if self.peek().is_some_and(is_decl_start) || self.at_unknown_type() {
            let start = self.span();
            let decls = self.local_decl()?;
            let end = self.expect_semi("`for` initializer")?;
            Some(Box::new(stmt(StmtKind::Decl(decls), start.to(end))))
        } else {
            let e = self.expr()?;
            let start = e.span;
            let end = self.expect_semi("`for` initializer")?;
            Some(Box::new(stmt(StmtKind::Expr(e), start.to(end))))
        };
        let cond = if self.at(&Tok::Semi) { None } else { Some(self.expr()?) };
        self.expect_semi("`for` condition")?;
        let step = if self.at(&Tok::RParen) { None } else { Some(self.expr()?) };
        self.expect(&Tok::RParen, "after `for` clauses")?;
        let body = Box::new(self.stmt()?);
        let end = body.span;
        Ok(stmt(StmtKind::For { init, cond, step, body }, span.to(end)))
    }

    // ----- expressions ----------------------------------------------------
}
