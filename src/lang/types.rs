//! The static types of the C subset, as far as the compiler tracks them: the
//! integers, and pointers to the kernel structures the model knows by name.

use std::fmt;

/// Static type of a value, as far as the compiler tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Void,
    Task,
    Ns,
    Pid,
    Signal,
    Sighand,
    Nsproxy,
    Lock,
    Srcu,
    /// `int *` to a local.
    IntPtr,
    /// `void *` or unknown pointer.
    Any,
}

impl Ty {
    /// The type of a `struct NAME *`.
    pub fn of_struct(name: &str) -> Option<Ty> {
        Some(match name {
            "task_struct" => Ty::Task,
            "pid_namespace" => Ty::Ns,
            "pid" => Ty::Pid,
            "signal_struct" => Ty::Signal,
            "sighand_struct" => Ty::Sighand,
            "nsproxy" => Ty::Nsproxy,
            "srcu_struct" => Ty::Srcu,
            _ => return None,
        })
    }
    pub fn struct_name(self) -> &'static str {
        match self {
            Ty::Task => "task_struct",
            Ty::Ns => "pid_namespace",
            Ty::Pid => "pid",
            Ty::Signal => "signal_struct",
            Ty::Sighand => "sighand_struct",
            Ty::Nsproxy => "nsproxy",
            Ty::Srcu => "srcu_struct",
            Ty::Lock => "lock",
            _ => "",
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int => write!(f, "int"),
            Ty::Void => write!(f, "void"),
            Ty::IntPtr => write!(f, "int *"),
            Ty::Any => write!(f, "void *"),
            Ty::Lock => write!(f, "lock"),
            other => write!(f, "struct {} *", other.struct_name()),
        }
    }
}
