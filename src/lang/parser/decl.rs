//! Declarations: the translation unit, function definitions and prototypes,
//! globals, declaration specifiers and declarators, struct types, and the
//! C features the subset refuses with a hint.

use super::*;

impl Parser {
    pub(super) fn translation_unit(&mut self) -> TranslationUnit {
        let mut items = Vec::new();
        while !self.at_eof() && !self.full() {
            let start = self.pos;
            if self.item(&mut items).is_err() {
                self.recover_item();
            }
            if self.pos == start {
                self.bump();
            }
        }
        TranslationUnit { items }
    }

    pub(super) fn item(&mut self, items: &mut Vec<Item>) -> PResult<()> {
        if self.eat(&Tok::Semi).is_some() {
            return Ok(());
        }
        if !self.peek().is_some_and(is_decl_start) && !self.at_unknown_type() {
            return self.expected("a declaration", "");
        }
        let specs = self.decl_specs()?;
        if self.at(&Tok::Semi) {
            if matches!(specs.ty.kind, TypeKind::Struct(_)) {
                // `struct foo;`: a forward declaration, nothing to record.
                self.bump();
                return Ok(());
            }
            let d = Diagnostic::error("declaration declares nothing", specs.start.to(self.span()), "no name");
            return self.fail(d);
        }
        let ty = self.pointers(specs.ty.clone());
        self.no_function_pointer()?;
        let name = self.ident("in declaration")?;
        if self.at(&Tok::LParen) {
            let params = self.params()?;
            let sig_end = self.prev_span();
            let mut specifiers = specs.specifiers;
            self.trailing_attributes(&mut specifiers)?;
            let sig = FunctionSig { name, ret: ty, params, specifiers, span: specs.start.to(sig_end) };
            if self.at(&Tok::LBrace) {
                let body = self.block()?;
                items.push(Item::Function(FunctionDef { sig, body }));
            } else if self.eat(&Tok::Semi).is_some() {
                items.push(Item::Prototype(sig));
            } else {
                return self.expected("`;` or `{`", "after function declaration");
            }
            return Ok(());
        }
        let decls = self.declarators(&specs, ty, name)?;
        self.expect_semi("declaration")?;
        items.extend(decls.into_iter().map(Item::Global));
        Ok(())
    }

    /// `Ident Ident` or `Ident * Ident [;=,]`: a declaration with a type we do not know.
    pub(super) fn at_unknown_type(&self) -> bool {
        matches!(self.peek(), Some(Tok::Ident(_)))
            && (matches!(self.peek_at(1), Some(Tok::Ident(_)))
                || (self.peek_at(1) == Some(&Tok::Star)
                    && matches!(self.peek_at(2), Some(Tok::Ident(_)))
                    && matches!(self.peek_at(3), Some(Tok::Semi | Tok::Assign | Tok::Comma))))
    }

    /// `__attribute__((...))` and kernel attributes after a parameter list.
    pub(super) fn trailing_attributes(&mut self, specifiers: &mut Vec<Ident>) -> PResult<()> {
        loop {
            match self.peek() {
                Some(Tok::Ident(n)) if n == "__attribute__" => self.attribute()?,
                Some(Tok::Ident(n)) if ATTRIBUTES.contains(&n.as_str()) => {
                    let name = n.clone();
                    let span = self.bump();
                    specifiers.push(Ident { name, span });
                }
                _ => return Ok(()),
            }
        }
    }

    /// Skips `__attribute__((...))`.
    pub(super) fn attribute(&mut self) -> PResult<()> {
        self.bump();
        if !self.at(&Tok::LParen) {
            return self.expected("`(`", "after `__attribute__`");
        }
        self.skip_balanced(&Tok::LParen, &Tok::RParen)?;
        Ok(())
    }

    /// `( params )`, `(void)` and `()` meaning no parameters.
    pub(super) fn params(&mut self) -> PResult<Vec<Param>> {
        self.expect(&Tok::LParen, "")?;
        let mut params = Vec::new();
        if self.eat(&Tok::RParen).is_some() {
            return Ok(params);
        }
        if self.at(&Tok::KwVoid) && self.peek_at(1) == Some(&Tok::RParen) {
            self.bump();
            self.bump();
            return Ok(params);
        }
        loop {
            if self.at(&Tok::Ellipsis) {
                let span = self.bump();
                self.report(unsupported(
                    span,
                    "variadic parameters (`...`) are",
                    Some("give the function a fixed list of parameters"),
                ));
            } else {
                let specs = self.decl_specs()?;
                let ty = self.pointers(specs.ty);
                self.no_function_pointer()?;
                let name = match self.peek() {
                    Some(Tok::Ident(_)) => Some(self.ident("")?),
                    _ => None,
                };
                self.no_array()?;
                params.push(Param { ty, name, span: specs.start.to(self.prev_span()) });
            }
            if self.eat(&Tok::Comma).is_some() {
                continue;
            }
            if self.eat(&Tok::RParen).is_some() {
                return Ok(params);
            }
            return self.expected("`,` or `)`", "in parameter list");
        }
    }

    /// The declarators of a declaration whose first name is already read:
    /// `name [= init] {, *name [= init]}`. Stops before the `;`.
    pub(super) fn declarators(&mut self, specs: &DeclSpecs, ty: Type, name: Ident) -> PResult<Vec<VarDecl>> {
        let mut decls = Vec::new();
        let (mut ty, mut name, mut start) = (ty, name, specs.start);
        loop {
            if self.at(&Tok::LParen) {
                let d = unsupported(
                    self.span(),
                    "local function declarations are",
                    Some("declare functions at file scope"),
                );
                return self.fail(d);
            }
            self.no_array()?;
            if self.at(&Tok::Colon) {
                let d = unsupported(self.span(), "bit fields are", None);
                return self.fail(d);
            }
            let init = if self.eat(&Tok::Assign).is_some() {
                if self.at(&Tok::LBrace) {
                    let d = unsupported(self.span(), "initializer lists are", Some("assign the fields one by one"));
                    return self.fail(d);
                }
                Some(self.assign()?)
            } else {
                None
            };
            let span = start.to(self.prev_span());
            decls.push(VarDecl { ty, name, init, specifiers: specs.specifiers.clone(), span });
            if self.eat(&Tok::Comma).is_none() {
                return Ok(decls);
            }
            start = self.span();
            ty = self.pointers(specs.ty.clone());
            self.no_function_pointer()?;
            name = self.ident("in declaration")?;
        }
    }

    /// `[...]` after a declarator: reported, skipped.
    pub(super) fn no_array(&mut self) -> PResult<()> {
        if self.at(&Tok::LBracket) {
            let span = self.skip_balanced(&Tok::LBracket, &Tok::RBracket)?;
            self.report(unsupported(span, "arrays are", Some("use separate variables")));
        }
        Ok(())
    }

    /// `(*name)(...)` in a declarator.
    pub(super) fn no_function_pointer(&mut self) -> PResult<()> {
        if self.at(&Tok::LParen) && self.peek_at(1) == Some(&Tok::Star) {
            let d = unsupported(self.span(), "function pointers are", Some("call functions directly by name"));
            return self.fail(d);
        }
        Ok(())
    }

    // ----- types ----------------------------------------------------------

    /// Specifiers (`static`, `const`, `notrace`, ...) and the base type, in any order.
    pub(super) fn decl_specs(&mut self) -> PResult<DeclSpecs> {
        let start = self.span();
        let mut specifiers = Vec::new();
        let mut words: Vec<(String, Span)> = Vec::new();
        let mut base: Option<Type> = None;
        loop {
            let span = self.span();
            let Some(t) = self.peek() else { break };
            match t {
                Tok::KwStatic | Tok::KwInline | Tok::KwExtern | Tok::KwConst | Tok::KwVolatile => {
                    let name = t.text();
                    self.bump();
                    specifiers.push(Ident { name, span });
                }
                Tok::Ident(n) if ATTRIBUTES.contains(&n.as_str()) => {
                    let name = n.clone();
                    self.bump();
                    specifiers.push(Ident { name, span });
                }
                Tok::Ident(n) if n == "__attribute__" => self.attribute()?,
                Tok::KwInt
                | Tok::KwLong
                | Tok::KwShort
                | Tok::KwChar
                | Tok::KwUnsigned
                | Tok::KwSigned
                | Tok::KwBool
                | Tok::KwUBool => {
                    let word = t.text();
                    self.bump();
                    if let Some(b) = &base {
                        let d = Diagnostic::error(
                            format!("`{word}` cannot be combined with the type before it"),
                            span,
                            "second type",
                        )
                        .with_secondary(b.span, "first type");
                        return self.fail(d);
                    }
                    words.push((word, span));
                }
                Tok::Ident(n) if base.is_none() && words.is_empty() && INT_TYPEDEFS.contains(&n.as_str()) => {
                    let kind = TypeKind::Int(n.clone());
                    self.bump();
                    base = Some(Type { kind, span });
                }
                Tok::KwVoid | Tok::KwStruct if base.is_some() || !words.is_empty() => {
                    let d = Diagnostic::error(
                        format!("{} cannot be combined with the type before it", t.describe()),
                        span,
                        "second type",
                    );
                    return self.fail(d);
                }
                Tok::KwVoid => {
                    self.bump();
                    base = Some(Type { kind: TypeKind::Void, span });
                }
                Tok::KwStruct => base = Some(self.struct_type()?),
                Tok::KwTypedef => {
                    let d = unsupported(
                        span,
                        "`typedef` is",
                        Some("write the type out: an integer type or `struct NAME *`"),
                    );
                    return self.fail(d);
                }
                Tok::KwUnion => return self.fail(unsupported(span, "`union` is", None)),
                Tok::KwEnum => {
                    let d = unsupported(span, "`enum` is", Some("use `#define NAME value` constants and `int`"));
                    return self.fail(d);
                }
                Tok::KwFloat | Tok::KwDouble => {
                    let d = unsupported(span, "floating-point types are", Some("use integer types"));
                    return self.fail(d);
                }
                _ => break,
            }
        }
        let ty = if let Some(first) = words.first() {
            let spelling = words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" ");
            Type { kind: TypeKind::Int(spelling), span: first.1.to(words[words.len() - 1].1) }
        } else if let Some(b) = base {
            b
        } else if let (Some(Tok::Ident(n)), true) = (self.peek(), self.at_unknown_type()) {
            let d = Diagnostic::error(format!("unknown type name `{n}`"), self.span(), "unknown type")
                .with_note(KNOWN_TYPES_HELP);
            return self.fail(d);
        } else {
            return self.expected("a type", "");
        };
        Ok(DeclSpecs { specifiers, ty, start })
    }

    /// `struct NAME`; a body is reported and skipped.
    pub(super) fn struct_type(&mut self) -> PResult<Type> {
        let kw = self.bump();
        let (name, mut span) = match self.peek() {
            Some(Tok::Ident(n)) => {
                let n = n.clone();
                (n, kw.to(self.bump()))
            }
            Some(Tok::LBrace) => (String::new(), kw),
            _ => return self.expected("a struct name", "after `struct`"),
        };
        if self.at(&Tok::LBrace) {
            let body = self.skip_balanced(&Tok::LBrace, &Tok::RBrace)?;
            span = span.to(body);
            self.report(unsupported(
                span,
                "struct definitions are",
                Some("refer to kernel structures as `struct NAME *` without a body"),
            ));
        }
        Ok(Type { kind: TypeKind::Struct(name), span })
    }

    /// `*`s after a base type (`const`/`volatile` after a `*` are ignored).
    pub(super) fn pointers(&mut self, mut ty: Type) -> Type {
        while let Some(star) = self.eat(&Tok::Star) {
            let span = ty.span.to(star);
            ty = Type { kind: TypeKind::Ptr(Box::new(ty)), span };
            while matches!(self.peek(), Some(Tok::KwConst | Tok::KwVolatile)) {
                self.bump();
            }
        }
        ty
    }

    /// A type name in a cast: specifiers, base type, `*`s.
    pub(super) fn type_name(&mut self) -> PResult<Type> {
        let specs = self.decl_specs()?;
        let ty = self.pointers(specs.ty);
        if self.at(&Tok::LParen) {
            let d = unsupported(self.span(), "function pointer types are", Some("call functions directly by name"));
            return self.fail(d);
        }
        if self.at(&Tok::LBracket) {
            return self.fail(unsupported(self.span(), "arrays are", Some("use separate variables")));
        }
        Ok(ty)
    }

    // ----- statements -----------------------------------------------------
}
