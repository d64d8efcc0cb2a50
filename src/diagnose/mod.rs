//! What the kernel would have printed. One execution of the model in virtual
//! time (`run`), the kernel's own detectors watching it (the hung-task
//! detector of kernel/hung_task.c, the RCU Tasks stall warnings of
//! kernel/rcu/tasks.h) and the seed's proposed ones (a do_exit() watchdog,
//! stall warnings on the grace period's synchronize_*()), and for each
//! finding of `check`, which of them would catch each stuck task (`table`).

pub mod clock;
pub mod exit_watchdog;
pub mod hung_task;
pub mod rcu_tasks_stall;
pub mod run;
pub mod show;
pub mod table;
pub mod tunables;
pub mod watch;

pub use run::{run, Features, RunEnd, RunOptions, RunResult};
pub use tunables::Tunables;
pub use watch::Detector;
