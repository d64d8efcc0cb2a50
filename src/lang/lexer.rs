//! Lexer and mini-preprocessor of the C subset.
//!
//! Tokens are recognised by a `logos` state machine; `lex` then runs the
//! preprocessor over them:
//! - `#include <...>` / `#include "..."` are ignored;
//! - `#define NAME tokens...` (object-like, backslash-newline continuation
//!   allowed) defines a macro; later uses of `NAME` are replaced by its tokens,
//!   expanded again (a macro is not re-expanded inside its own expansion).
//!   Expansion tokens take the span of the **use site** (the `NAME` token), so
//!   errors point at the code that was written, never into a `#define`;
//! - `#undef NAME` forgets a macro;
//! - `#if`, `#ifdef`, `#ifndef` are taken as always true: their group is kept,
//!   any `#elif`/`#else` group is dropped; they must be balanced by `#endif`
//!   (so include guards just work);
//! - `#pragma` is ignored; every other directive and function-like macros are
//!   errors.
//!
//! A directive is a line whose first non-blank character is `#`.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::fmt;

use logos::Logos;

use super::ast::{FileId, Span};
use super::diag::{Diagnostic, MAX_ERRORS};

/// A token and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tok,
    pub span: Span,
}

/// An error found by the token state machine (turned into a `Diagnostic` by `lex`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LexError {
    /// Empty for "unexpected character".
    message: String,
    label: String,
    /// Absolute byte range, when it differs from the token's.
    range: Option<(usize, usize)>,
    /// Lexing cannot sensibly go on (unterminated comment).
    fatal: bool,
}

impl LexError {
    fn new(message: impl Into<String>, label: impl Into<String>) -> Self {
        LexError { message: message.into(), label: label.into(), range: None, fatal: false }
    }
    fn at(mut self, lo: usize, hi: usize) -> Self {
        self.range = Some((lo, hi));
        self
    }
}

/// The tokens of the C subset.
#[derive(Logos, Clone, Debug, PartialEq, Eq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\n\f\x0B]+")]
#[logos(skip r"\\\r?\n")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
#[logos(skip("/\\*", callback = block_comment))]
pub enum Tok {
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_owned())]
    Ident(String),
    /// Integer literal (suffixes dropped).
    #[regex(r"[0-9][0-9A-Za-z_.]*", number)]
    Int(i64),
    /// Integer literal of type `unsigned int` (`1u`, `0xffffffff`): made
    /// from an `Int` by `unsigned_int_literal`, never by logos itself.
    UInt(i64),
    /// String literal, escapes resolved.
    #[token("\"", string)]
    Str(String),
    /// Character literal: its code.
    #[token("'", char_lit)]
    Char(i64),

    #[token("int")]
    KwInt,
    #[token("long")]
    KwLong,
    #[token("short")]
    KwShort,
    #[token("char")]
    KwChar,
    #[token("unsigned")]
    KwUnsigned,
    #[token("signed")]
    KwSigned,
    /// `bool`
    #[token("bool")]
    KwBool,
    /// `_Bool`
    #[token("_Bool")]
    KwUBool,
    #[token("void")]
    KwVoid,
    #[token("struct")]
    KwStruct,
    #[token("static")]
    KwStatic,
    #[token("inline")]
    KwInline,
    #[token("const")]
    KwConst,
    #[token("volatile")]
    KwVolatile,
    #[token("extern")]
    KwExtern,
    #[token("if")]
    KwIf,
    #[token("else")]
    KwElse,
    #[token("while")]
    KwWhile,
    #[token("do")]
    KwDo,
    #[token("for")]
    KwFor,
    #[token("return")]
    KwReturn,
    #[token("break")]
    KwBreak,
    #[token("continue")]
    KwContinue,
    #[token("goto")]
    KwGoto,
    #[token("switch")]
    KwSwitch,
    #[token("case")]
    KwCase,
    #[token("default")]
    KwDefault,
    #[token("sizeof")]
    KwSizeof,
    #[token("typedef")]
    KwTypedef,
    #[token("union")]
    KwUnion,
    #[token("enum")]
    KwEnum,
    #[token("float")]
    KwFloat,
    #[token("double")]
    KwDouble,

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,
    #[token("?")]
    Question,
    #[token(":")]
    Colon,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("++")]
    PlusPlus,
    #[token("--")]
    MinusMinus,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("!")]
    Bang,
    #[token("&&")]
    AmpAmp,
    #[token("||")]
    PipePipe,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("<<=")]
    ShlEq,
    #[token(">>=")]
    ShrEq,
    /// `#`: used by the preprocessor only; `lex` never returns it.
    #[token("#")]
    Hash,
}

impl Tok {
    /// The token as written in C (literals: their value; strings re-escaped).
    pub fn text(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Int(n) => n.to_string(),
            Tok::UInt(n) => format!("{n}u"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Char(c) => match u32::try_from(*c).ok().and_then(char::from_u32) {
                Some(ch) => format!("{:?}", ch),
                None => c.to_string(),
            },
            other => other.fixed_text().to_owned(),
        }
    }

    /// How a message names the token: "`;`", "`foo`", "string literal", ...
    pub fn describe(&self) -> String {
        match self {
            Tok::Str(_) => "string literal".to_owned(),
            Tok::Char(_) => "character literal".to_owned(),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::UInt(n) => format!("`{n}u`"),
            other => format!("`{}`", other.fixed_text()),
        }
    }

    /// Whether this is a keyword (`int`, `while`, ...).
    pub fn is_keyword(&self) -> bool {
        use Tok::*;
        matches!(
            self,
            KwInt
                | KwLong
                | KwShort
                | KwChar
                | KwUnsigned
                | KwSigned
                | KwBool
                | KwUBool
                | KwVoid
                | KwStruct
                | KwStatic
                | KwInline
                | KwConst
                | KwVolatile
                | KwExtern
                | KwIf
                | KwElse
                | KwWhile
                | KwDo
                | KwFor
                | KwReturn
                | KwBreak
                | KwContinue
                | KwGoto
                | KwSwitch
                | KwCase
                | KwDefault
                | KwSizeof
                | KwTypedef
                | KwUnion
                | KwEnum
                | KwFloat
                | KwDouble
        )
    }

    fn fixed_text(&self) -> &'static str {
        use Tok::*;
        match self {
            Ident(_) | Int(_) | UInt(_) | Str(_) | Char(_) => "",
            KwInt => "int",
            KwLong => "long",
            KwShort => "short",
            KwChar => "char",
            KwUnsigned => "unsigned",
            KwSigned => "signed",
            KwBool => "bool",
            KwUBool => "_Bool",
            KwVoid => "void",
            KwStruct => "struct",
            KwStatic => "static",
            KwInline => "inline",
            KwConst => "const",
            KwVolatile => "volatile",
            KwExtern => "extern",
            KwIf => "if",
            KwElse => "else",
            KwWhile => "while",
            KwDo => "do",
            KwFor => "for",
            KwReturn => "return",
            KwBreak => "break",
            KwContinue => "continue",
            KwGoto => "goto",
            KwSwitch => "switch",
            KwCase => "case",
            KwDefault => "default",
            KwSizeof => "sizeof",
            KwTypedef => "typedef",
            KwUnion => "union",
            KwEnum => "enum",
            KwFloat => "float",
            KwDouble => "double",
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            Semi => ";",
            Comma => ",",
            Dot => ".",
            Ellipsis => "...",
            Arrow => "->",
            Question => "?",
            Colon => ":",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            PlusPlus => "++",
            MinusMinus => "--",
            Amp => "&",
            Pipe => "|",
            Caret => "^",
            Tilde => "~",
            Bang => "!",
            AmpAmp => "&&",
            PipePipe => "||",
            Shl => "<<",
            Shr => ">>",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            EqEq => "==",
            Ne => "!=",
            Assign => "=",
            PlusEq => "+=",
            MinusEq => "-=",
            StarEq => "*=",
            SlashEq => "/=",
            PercentEq => "%=",
            AmpEq => "&=",
            PipeEq => "|=",
            CaretEq => "^=",
            ShlEq => "<<=",
            ShrEq => ">>=",
            Hash => "#",
        }
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

// ---------------------------------------------------------------------------
// logos callbacks

/// Skips a `/* ... */` comment; an unterminated one is an error at its `/*`.
fn block_comment(lex: &mut logos::Lexer<Tok>) -> Result<(), LexError> {
    match lex.remainder().find("*/") {
        Some(end) => {
            lex.bump(end + 2);
            Ok(())
        }
        None => Err(LexError { fatal: true, ..LexError::new("unterminated comment", "comment starts here") }),
    }
}

/// C's type of an integer literal, where it is `unsigned int`: a `u`
/// suffix without `l` on a value that fits 32 bits, or a hexadecimal, octal
/// or binary literal too large for `int` that fits `unsigned int`
/// (`0xffffffff`). Scenarios compute with that type as C does.
fn unsigned_int_literal(t: Tok, slice: &str) -> Tok {
    let Tok::Int(n) = t else { return t };
    let suffix = slice.to_ascii_lowercase();
    let suffix = &suffix[suffix.trim_end_matches(['u', 'l']).len()..];
    let decimal = !(slice.starts_with('0') && slice.len() > 1);
    let fits = n <= i64::from(u32::MAX);
    let unsigned = match suffix {
        "u" => fits,
        "" => !decimal && n > i64::from(i32::MAX) && fits,
        _ => false,
    };
    if unsigned {
        Tok::UInt(n)
    } else {
        Tok::Int(n)
    }
}

/// Integer literal: decimal, hex `0x`, binary `0b`, octal `0`; suffixes
/// `u`, `l`, `ul`, `ll`, `ull` (any case/order) ignored; must fit an `i64`.
fn number(lex: &mut logos::Lexer<Tok>) -> Result<i64, LexError> {
    let s = lex.slice();
    let body = s.trim_end_matches(['u', 'U', 'l', 'L']);
    let suffix = s[body.len()..].to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (b, 2)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    let is_float = s.contains('.') || (radix != 16 && (body.contains('e') || body.contains('E')));
    if is_float {
        return Err(LexError::new("floating-point numbers are not supported by taskcheck's C subset", "not supported"));
    }
    if !["", "u", "l", "ul", "lu", "ll", "ull", "llu"].contains(&suffix.as_str()) {
        return Err(LexError::new(
            format!("invalid suffix `{}` on integer literal", &s[body.len()..]),
            "invalid suffix",
        ));
    }
    if digits.is_empty() {
        return Err(LexError::new(format!("invalid integer literal `{s}`"), "no digits"));
    }
    if let Some(bad) = digits.chars().find(|c| !c.is_digit(radix)) {
        let kind = match radix {
            16 => "hexadecimal",
            8 => "octal",
            2 => "binary",
            _ => "decimal",
        };
        return Err(LexError::new(format!("invalid digit `{bad}` in {kind} literal `{s}`"), "invalid digit"));
    }
    i64::from_str_radix(digits, radix).map_err(|_| {
        LexError::new(
            format!("integer literal `{s}` is too large (the largest is {})", i64::MAX),
            "does not fit in 64 bits",
        )
    })
}

/// Reads one escape sequence; `chars` is just after the backslash.
/// Returns the code and the number of bytes consumed.
fn escape(rest: &str) -> Result<(u32, usize), String> {
    let mut it = rest.chars();
    // A backslash at the end of the text: the literal is unterminated.
    let Some(c) = it.next() else {
        return Err(String::new());
    };
    let simple = match c {
        'n' => Some(10),
        't' => Some(9),
        'r' => Some(13),
        'a' => Some(7),
        'b' => Some(8),
        'f' => Some(12),
        'v' => Some(11),
        '\\' => Some(92),
        '\'' => Some(39),
        '"' => Some(34),
        '?' => Some(63),
        _ => None,
    };
    if let Some(v) = simple {
        return Ok((v, 1));
    }
    if c.is_digit(8) {
        let n = rest.bytes().take(3).take_while(|b| (b'0'..=b'7').contains(b)).count();
        let v = u32::from_str_radix(&rest[..n], 8).unwrap_or(0);
        return if v > 0xFF { Err(rest[..n].to_owned()) } else { Ok((v, n)) };
    }
    if c == 'x' {
        let n = rest[1..].bytes().take_while(u8::is_ascii_hexdigit).count();
        let v = u32::from_str_radix(&rest[1..1 + n], 16).ok().filter(|v| *v <= 0xFF);
        return match v {
            Some(v) if n > 0 => Ok((v, 1 + n)),
            _ => Err(rest[..1 + n].to_owned()),
        };
    }
    Err(c.to_string())
}

/// The body of a string or character literal, from just after the opening
/// quote to the closing one. Bumps the lexer past the literal (or to the end
/// of the line if it is unterminated).
fn quoted(lex: &mut logos::Lexer<Tok>, quote: char, what: &str) -> Result<Vec<u32>, LexError> {
    let rest = lex.remainder();
    let start = lex.span().end;
    let mut out = Vec::new();
    let mut i = 0;
    let mut bad_escape = None;
    loop {
        let Some(c) = rest[i..].chars().next() else {
            lex.bump(i);
            return Err(LexError::new(format!("unterminated {what} literal"), "missing closing quote"));
        };
        if c == '\n' {
            lex.bump(i);
            return Err(LexError::new(format!("unterminated {what} literal"), "missing closing quote"));
        }
        if c == quote {
            lex.bump(i + 1);
            break;
        }
        if c == '\\' {
            match escape(&rest[i + 1..]) {
                Ok((v, n)) => {
                    out.push(v);
                    i += 1 + n;
                }
                Err(seq) => {
                    let n = seq.len();
                    bad_escape.get_or_insert((seq, start + i, start + i + 1 + n));
                    i += 1 + n;
                }
            }
            continue;
        }
        out.push(c as u32);
        i += c.len_utf8();
    }
    if let Some((seq, lo, hi)) = bad_escape {
        return Err(LexError::new(format!("unknown escape sequence `\\{seq}`"), "unknown escape").at(lo, hi));
    }
    Ok(out)
}

fn string(lex: &mut logos::Lexer<Tok>) -> Result<String, LexError> {
    let codes = quoted(lex, '"', "string")?;
    Ok(codes.into_iter().map(|c| char::from_u32(c).unwrap_or('\u{FFFD}')).collect())
}

fn char_lit(lex: &mut logos::Lexer<Tok>) -> Result<i64, LexError> {
    let codes = quoted(lex, '\'', "character")?;
    match codes.as_slice() {
        [c] => Ok(i64::from(*c)),
        [] => Err(LexError::new("empty character literal", "no character")),
        _ => Err(LexError::new("character literal with more than one character", "use a string or one character")),
    }
}

// ---------------------------------------------------------------------------
// The preprocessor

/// Tokens one object-like macro use may expand to, in all.
const MAX_EXPANSION: usize = 100_000;

struct Cond {
    /// The `#if...` directive, for "unterminated" errors.
    span: Span,
    name: String,
    /// In the `#else`/`#elif` part (dropped).
    in_else: bool,
    /// An `#else` was seen.
    seen_else: bool,
}

struct Pp<'t> {
    file: FileId,
    text: &'t str,
    out: Vec<Token>,
    diags: Vec<Diagnostic>,
    macros: HashMap<String, Vec<Tok>>,
    conds: Vec<Cond>,
}

fn span_of(file: FileId, lo: usize, hi: usize) -> Span {
    let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Span::new(file, clamp(lo), clamp(hi))
}

impl Pp<'_> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        span_of(self.file, lo, hi)
    }

    fn active(&self) -> bool {
        self.conds.iter().all(|c| !c.in_else)
    }

    fn error(&mut self, message: impl Into<String>, lo: usize, hi: usize, label: &str) {
        let span = self.span(lo, hi);
        self.diags.push(Diagnostic::error(message, span, label));
    }

    fn lex_error(&mut self, e: LexError, range: std::ops::Range<usize>) {
        let (lo, hi) = e.range.unwrap_or((range.start, range.end));
        if e.message.is_empty() {
            let c = self.text.get(lo..).and_then(|s| s.chars().next()).unwrap_or('?');
            let hi = lo + c.len_utf8();
            self.error(format!("unexpected character `{}`", c.escape_debug()), lo, hi, "not valid in C");
        } else {
            self.error(e.message, lo, hi, &e.label);
        }
    }

    /// Lexes `text[lo..hi]` (a directive's body), offsets made absolute.
    fn sub_lex(&mut self, lo: usize, hi: usize) -> Vec<(Tok, usize, usize)> {
        let mut out = Vec::new();
        let mut lx = Tok::lexer(&self.text[lo..hi]);
        while let Some(res) = lx.next() {
            let r = lx.span();
            let range = lo + r.start..lo + r.end;
            match res {
                Ok(t) => out.push((unsigned_int_literal(t, lx.slice()), range.start, range.end)),
                Err(mut e) => {
                    e.range = e.range.map(|(a, b)| (lo + a, lo + b));
                    let fatal = e.fatal;
                    self.lex_error(e, range);
                    if fatal {
                        break;
                    }
                }
            }
        }
        out
    }

    /// Expands macro `name` used at `use_span` into `self.out`.
    fn expand(&mut self, name: &str, use_span: Span, hide: &mut Vec<String>, budget: &mut usize) {
        let Some(body) = self.macros.get(name).cloned() else {
            return;
        };
        hide.push(name.to_owned());
        for tok in body {
            if *budget == 0 {
                break;
            }
            match &tok {
                Tok::Ident(n) if self.macros.contains_key(n) && !hide.contains(n) => {
                    let n = n.clone();
                    self.expand(&n, use_span, hide, budget);
                }
                _ => {
                    *budget -= 1;
                    self.out.push(Token { kind: tok, span: use_span });
                }
            }
        }
        hide.pop();
    }

    /// Byte offset of the end of the directive line starting at `start`
    /// (the newline, or the end of the text), following backslash-newline,
    /// block comments and quoted text.
    fn directive_end(&self, start: usize) -> usize {
        let b = self.text.as_bytes();
        let mut i = start;
        while i < b.len() {
            match b[i] {
                b'\n' => return i,
                b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
                b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
                b'/' if b.get(i + 1) == Some(&b'*') => match self.text[i + 2..].find("*/") {
                    Some(e) => i += 2 + e + 2,
                    None => return b.len(),
                },
                b'/' if b.get(i + 1) == Some(&b'/') => return self.text[i..].find('\n').map_or(b.len(), |e| i + e),
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < b.len() && b[i] != q && b[i] != b'\n' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        b.len()
    }

    /// Handles the directive whose `#` is at `hash`; returns where it ends.
    fn directive(&mut self, hash: usize) -> usize {
        let end = self.directive_end(hash).min(self.text.len());
        let line = &self.text[hash + 1..end];
        let name_lo = hash + 1 + (line.len() - line.trim_start().len());
        let name_len = self.text[name_lo..end].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let name_hi = name_lo + name_len;
        let name = self.text[name_lo..name_hi].to_owned();
        if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
            if self.active() {
                self.error("expected a preprocessor directive after `#`", hash, hash + 1, "");
            }
            return end;
        }
        let active = self.active();
        match name.as_str() {
            "if" | "ifdef" | "ifndef" => {
                self.conds.push(Cond { span: self.span(hash, name_hi), name, in_else: false, seen_else: false })
            }
            "else" | "elif" => match self.conds.last_mut() {
                Some(c) if !c.seen_else => {
                    c.in_else = true;
                    c.seen_else = name == "else";
                }
                Some(_) => self.error(format!("`#{name}` after `#else`"), hash, name_hi, ""),
                None => self.error(format!("`#{name}` without `#if`"), hash, name_hi, ""),
            },
            "endif" => {
                if self.conds.pop().is_none() {
                    self.error("`#endif` without `#if`", hash, name_hi, "");
                }
            }
            _ if !active => {}
            "pragma" => {}
            "include" => {
                let rest = self.text[name_hi..end].trim();
                let ok = (rest.starts_with('<') && rest[1..].contains('>'))
                    || (rest.starts_with('"') && rest[1..].contains('"'));
                if !ok {
                    self.error("expected `<file>` or `\"file\"` after `#include`", hash, end, "malformed #include");
                }
            }
            "define" => {
                let toks = self.sub_lex(name_hi, end);
                self.define(&toks, self.span(hash, end));
            }
            "undef" => match self.sub_lex(name_hi, end).first() {
                Some((Tok::Ident(n), _, _)) => {
                    self.macros.remove(n);
                }
                _ => self.error("expected a macro name after `#undef`", hash, end, ""),
            },
            _ => self.error(
                format!("unsupported preprocessor directive `#{name}`"),
                hash,
                name_hi,
                "not supported by taskcheck",
            ),
        }
        end
    }

    fn define(&mut self, toks: &[(Tok, usize, usize)], dir_span: Span) {
        let Some((Tok::Ident(name), name_lo, name_hi)) = toks.first() else {
            let (lo, hi) = toks.first().map_or((dir_span.lo as usize, dir_span.hi as usize), |t| (t.1, t.2));
            self.error("expected a macro name after `#define`", lo, hi, "expected an identifier");
            return;
        };
        if let Some((Tok::LParen, lo, _)) = toks.get(1) {
            if lo == name_hi {
                let lo = *name_lo;
                self.diags.push(
                    Diagnostic::error(
                        "function-like macros are not supported",
                        self.span(lo, name_hi + 1),
                        "macro with parameters",
                    )
                    .with_note("help: write a function, or an object-like `#define NAME value`"),
                );
                return;
            }
        }
        if let Some((_, lo, hi)) = toks[1..].iter().find(|t| t.0 == Tok::Hash) {
            self.error("`#` and `##` in macros are not supported", *lo, *hi, "not supported");
            return;
        }
        let body = toks[1..].iter().map(|t| t.0.clone()).collect();
        self.macros.insert(name.clone(), body);
    }

    /// Whether only blanks precede `pos` on its line.
    fn at_line_start(&self, pos: usize) -> bool {
        self.text[..pos]
            .bytes()
            .rev()
            .take_while(|&b| b != b'\n')
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\x0B' | b'\x0C'))
    }

    fn run(&mut self) {
        let mut lx = Tok::lexer(self.text);
        while let Some(res) = lx.next() {
            if self.diags.len() >= MAX_ERRORS {
                break;
            }
            let res = res.map(|t| unsigned_int_literal(t, lx.slice()));
            let r = lx.span();
            match res {
                Ok(Tok::Hash) if self.at_line_start(r.start) => {
                    let end = self.directive(r.start);
                    lx.bump(end.saturating_sub(r.end));
                }
                Ok(_) if !self.active() => {}
                Ok(Tok::Hash) => self.error("unexpected `#`", r.start, r.end, "a directive must start its line"),
                Ok(Tok::Ident(name)) if self.macros.contains_key(&name) => {
                    let use_span = self.span(r.start, r.end);
                    let mut budget = MAX_EXPANSION;
                    self.expand(&name, use_span, &mut Vec::new(), &mut budget);
                    if budget == 0 {
                        self.diags.push(Diagnostic::error(
                            format!("expansion of macro `{name}` is too large"),
                            use_span,
                            "expanded here",
                        ));
                    }
                }
                Ok(kind) => {
                    let span = self.span(r.start, r.end);
                    self.out.push(Token { kind, span });
                }
                Err(e) => {
                    let fatal = e.fatal;
                    if self.active() || fatal {
                        self.lex_error(e, r);
                    }
                    if fatal {
                        break;
                    }
                }
            }
        }
        for c in std::mem::take(&mut self.conds) {
            self.diags.push(Diagnostic::error(
                format!("`#{}` without matching `#endif`", c.name),
                c.span,
                "opened here",
            ));
        }
    }
}

/// Lexes and preprocesses one file.
pub fn lex(file: FileId, text: &str) -> Result<Vec<Token>, Vec<Diagnostic>> {
    let mut pp = Pp { file, text, out: Vec::new(), diags: Vec::new(), macros: HashMap::new(), conds: Vec::new() };
    pp.run();
    if pp.diags.is_empty() {
        Ok(pp.out)
    } else {
        pp.diags.truncate(MAX_ERRORS);
        Err(pp.diags)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const F: FileId = FileId(0);

    fn kinds(text: &str) -> Vec<Tok> {
        lex(F, text).unwrap_or_else(|e| panic!("{e:?}")).into_iter().map(|t| t.kind).collect()
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        lex(F, text).expect_err("expected a lex error")
    }

    fn id(s: &str) -> Tok {
        Tok::Ident(s.to_owned())
    }

    #[test]
    fn keywords_idents_punct() {
        use Tok::*;
        assert_eq!(
            kinds("int intx _Bool bool struct task_struct *p->x ... . ++ -- += <<= >>= ?: && || != == ! ~"),
            vec![
                KwInt,
                id("intx"),
                KwUBool,
                KwBool,
                KwStruct,
                id("task_struct"),
                Star,
                id("p"),
                Arrow,
                id("x"),
                Ellipsis,
                Dot,
                PlusPlus,
                MinusMinus,
                PlusEq,
                ShlEq,
                ShrEq,
                Question,
                Colon,
                AmpAmp,
                PipePipe,
                Ne,
                EqEq,
                Bang,
                Tilde
            ]
        );
        assert_eq!(kinds("a&b&&c|d||e^f%g/h"), {
            vec![
                id("a"),
                Amp,
                id("b"),
                AmpAmp,
                id("c"),
                Pipe,
                id("d"),
                PipePipe,
                id("e"),
                Caret,
                id("f"),
                Percent,
                id("g"),
                Slash,
                id("h"),
            ]
        });
    }

    #[test]
    fn spans() {
        let toks = lex(F, "ab  +\n c").unwrap();
        let spans: Vec<(u32, u32)> = toks.iter().map(|t| (t.span.lo, t.span.hi)).collect();
        assert_eq!(spans, vec![(0, 2), (4, 5), (7, 8)]);
    }

    #[test]
    fn integers() {
        use Tok::{Int, UInt};
        assert_eq!(
            kinds("0 42 0x1F 0X1f 017 1U 2UL 3ULL 4l 5LU 0x10u 9223372036854775807"),
            vec![
                Int(0),
                Int(42),
                Int(31),
                Int(31),
                Int(15),
                UInt(1),
                Int(2),
                Int(3),
                Int(4),
                Int(5),
                UInt(16),
                Int(i64::MAX)
            ]
        );
        // C's literal types: a hexadecimal (or octal) too large for `int` is
        // `unsigned int`, a decimal one is `long`; a `u` too large for 32
        // bits is `unsigned long`.
        assert_eq!(
            kinds("0x7fffffff 0xffffffff 037777777777 4294967295 4294967296u 0x100000000"),
            vec![
                Int(0x7fff_ffff),
                UInt(0xffff_ffff),
                UInt(0xffff_ffff),
                Int(4_294_967_295),
                Int(4_294_967_296),
                Int(1 << 32)
            ]
        );
        assert!(errors("9223372036854775808")[0].message.contains("too large"));
        assert!(errors("0xFFFFFFFFFFFFFFFF")[0].message.contains("too large"));
        assert!(errors("08")[0].message.contains("invalid digit `8`"));
        assert!(errors("1.5")[0].message.contains("floating-point"));
        assert!(errors("12abc")[0].message.contains("invalid"));
    }

    #[test]
    fn chars_and_strings() {
        use Tok::*;
        assert_eq!(
            kinds(r"'a' '\n' '\0' '\\' '\'' '\x41' '\101'"),
            vec![Char(97), Char(10), Char(0), Char(92), Char(39), Char(65), Char(65)]
        );
        assert_eq!(kinds(r#""hi %d\n\t\\\"\0x" """#), vec![Str("hi %d\n\t\\\"\0x".to_owned()), Str(String::new())]);
        assert!(errors("\"abc\nd")[0].message.contains("unterminated string"));
        assert!(errors(r#""abc\"#)[0].message.contains("unterminated string"));
        assert!(errors(r"'\")[0].message.contains("unterminated character"));
        assert!(errors("'ab'")[0].message.contains("more than one"));
        assert!(errors("''")[0].message.contains("empty"));
        let e = &errors(r#"x = "a\qb";"#)[0];
        assert_eq!(e.message, "unknown escape sequence `\\q`");
        assert_eq!((e.primary.lo, e.primary.hi), (6, 8));
    }

    #[test]
    fn comments() {
        assert_eq!(kinds("a // b c\n d /* e \n f */ g"), vec![id("a"), id("d"), id("g")]);
        let e = errors("a\n  /* never closed\n b c");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].message, "unterminated comment");
        assert_eq!((e[0].primary.lo, e[0].primary.hi), (4, 6));
    }

    #[test]
    fn unexpected_character() {
        let e = errors("int x = @;");
        assert_eq!(e[0].message, "unexpected character `@`");
        assert_eq!((e[0].primary.lo, e[0].primary.hi), (8, 9));
        assert_eq!(errors("a $ é")[1].message, "unexpected character `é`");
    }

    #[test]
    fn preprocessor() {
        use Tok::*;
        let src = "#include <linux/sched.h>\n  #include \"taskcheck.h\"\n#ifndef X_H\n#define X_H\n\
                   #define PIDNS_ADDING (1U << 31)\n#define TWO \\\n  2 /* c */\n#define BOTH PIDNS_ADDING + TWO\n\
                   #pragma once\nx = BOTH;\n#endif\n";
        let toks = lex(F, src).unwrap();
        let k: Vec<Tok> = toks.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(k, vec![id("x"), Assign, LParen, UInt(1), Shl, Int(31), RParen, Plus, Int(2), Semi]);
        let use_lo = src.find("BOTH;").unwrap() as u32;
        assert!(toks[2..9].iter().all(|t| t.span.lo == use_lo && t.span.hi == use_lo + 4));
    }

    #[test]
    fn preprocessor_conditionals_and_undef() {
        assert_eq!(kinds("#ifdef A\na\n#else\nb\n#endif\nc"), vec![id("a"), id("c")]);
        assert_eq!(kinds("#if 0\na\n#elif 1\nb\n#else\nc\n#endif"), vec![id("a")]);
        assert_eq!(kinds("#define A 1\n#undef A\nA"), vec![id("A")]);
        assert_eq!(kinds("#define A A + 1\nA"), vec![id("A"), Tok::Plus, Tok::Int(1)]);
        assert_eq!(kinds("#define E\nE x"), vec![id("x")]);
        assert_eq!(kinds("#define A B\n#define B 7\nA"), vec![Tok::Int(7)]);
    }

    #[test]
    fn preprocessor_errors() {
        assert_eq!(errors("#define F(x) x\n")[0].message, "function-like macros are not supported");
        assert!(errors("#error no\n")[0].message.contains("unsupported preprocessor directive `#error`"));
        assert!(errors("#ifndef X\nint a;\n")[0].message.contains("without matching `#endif`"));
        assert!(errors("#endif\n")[0].message.contains("without `#if`"));
        assert!(errors("a # b")[0].message.contains("unexpected `#`"));
        assert!(errors("#include foo\n")[0].message.contains("#include"));
        assert_eq!(kinds("#include <linux/a-b@c.h>\n#pragma weird $ stuff\nx"), vec![id("x")]);
        assert_eq!(kinds("  #  define  N 3 // three\nN"), vec![Tok::Int(3)]);
        assert!(errors("#define\n")[0].message.contains("macro name"));
        // exponential expansions are cut off
        let mut src = String::from("#define M0 x x\n");
        for i in 1..40 {
            src.push_str(&format!("#define M{i} M{} M{}\n", i - 1, i - 1));
        }
        src.push_str("M39\n");
        assert!(errors(&src)[0].message.contains("too large"));
    }

    #[test]
    fn errors_are_capped() {
        assert_eq!(errors(&"@ ".repeat(1000)).len(), MAX_ERRORS);
    }

    #[test]
    fn describe() {
        assert_eq!(Tok::Semi.describe(), "`;`");
        assert_eq!(id("foo").describe(), "`foo`");
        assert_eq!(Tok::Str("x".into()).describe(), "string literal");
        assert_eq!(Tok::KwWhile.text(), "while");
    }
}
