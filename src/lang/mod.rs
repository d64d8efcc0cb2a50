//! The C subset: lexer, parser, syntax tree, diagnostics, checks and compilation to bytecode.
pub mod ast;
pub mod bytecode;
pub mod compile;
pub mod diag;
pub mod lexer;
pub mod parser;
pub mod types;
pub mod value;
