//! The C subset: lexer, parser, syntax tree, diagnostics, checks and compilation to bytecode.
pub mod ast;
pub mod compile;
pub mod diag;
pub mod lexer;
pub mod parser;
