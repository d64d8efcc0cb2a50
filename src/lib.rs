//! taskcheck: a model checker for the Linux kernel's task lifecycle (fork,
//! exit, wait, signals), PID namespaces and their reapers, SRCU and RCU Tasks.
//!
//! Layers, data flowing one way: `lang` (C subset → bytecode) → `vm` (steps
//! that run to the next visible action) → `kernel` (object model, primitives,
//! built-in models) → `explore` (the search) → `check` (verdicts, wait-for
//! cycles) → `report` (text, JSON) → `cli`.

pub mod check;
pub mod cli;
pub mod diagnose;
pub mod emit;
pub mod explore;
pub mod kernel;
pub mod lang;
pub mod report;
pub mod vm;
