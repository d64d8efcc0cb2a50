//! Faults of model code at run time.

use std::fmt;

/// A fault of model code at run time: found by executing the model, reported
/// with the source location of the op that faulted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A bug in the model (NULL dereference, wrong handle type, lock misuse...).
    Model(String),
    /// The scenario used something the model does not cover.
    Unsupported(String),
    /// `panic()` in model code.
    Panic(String),
    /// `assert()` failed in a scenario.
    Assertion(String),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Model(m) => write!(f, "model error: {m}"),
            Fault::Unsupported(m) => write!(f, "not modelled: {m}"),
            Fault::Panic(m) => write!(f, "kernel panic: {m}"),
            Fault::Assertion(e) => write!(f, "assertion `{e}` fails"),
        }
    }
}
