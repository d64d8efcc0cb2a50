//! The virtual machine that runs scenario and kernel model bytecode, one task
//! at a time, a step at a time: a step runs a task up to its next visible
//! action (an access to shared kernel state or a blocking point), so private
//! computation never makes states of its own.
//!
//! `machine` is a task's machine state, `host` what the VM needs of the
//! kernel it runs on, `interp` the interpreter, `liveness` which locals
//! the state may forget between steps.

pub mod fault;
pub mod host;
pub mod interp;
pub mod liveness;
pub mod machine;

pub use fault::Fault;
pub use host::{Host, PrimEffect, RunState, TaskId};
pub use machine::{Frame, FrameKind, Parked, TaskVm};
