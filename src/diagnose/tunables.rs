//! The knobs of the kernel's detectors, in the kernel's own names and units:
//! sysctls (`kernel.hung_task_timeout_secs`), boot parameters
//! (`rcupdate.rcu_task_stall_timeout`, in jiffies as in the kernel), and the
//! seed's proposed watchdogs, which no kernel has.

use crate::kernel::consts::HZ;

/// Everything a detector reads, with the kernel's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tunables {
    /// `kernel.hung_task_timeout_secs` (CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=120; 0 disables).
    pub hung_task_timeout_secs: u64,
    /// `kernel.hung_task_check_interval_secs` (0: the timeout).
    pub hung_task_check_interval_secs: u64,
    /// `kernel.hung_task_warnings`: reports left (-1: no limit).
    pub hung_task_warnings: i64,
    /// `rcupdate.rcu_task_stall_timeout`, jiffies (HZ*60*10; <= 0 disables).
    pub rcu_task_stall_timeout: i64,
    /// `rcupdate.rcu_task_stall_info`, jiffies (HZ*10; <= 0 disables).
    pub rcu_task_stall_info: i64,
    /// `rcupdate.rcu_task_stall_info_mult` (3).
    pub rcu_task_stall_info_mult: i64,
    /// The seed's do_exit watchdog: seconds between PF_EXITING and
    /// do_task_dead() before it complains (off unless asked for).
    pub do_exit_watchdog_secs: Option<u64>,
    /// The seed's proposal that RCU Tasks stall warnings also time the
    /// synchronize_rcu() and synchronize_srcu() waits of a grace period.
    pub gp_sync_stall: bool,
}

impl Default for Tunables {
    fn default() -> Self {
        Tunables {
            hung_task_timeout_secs: 120,
            hung_task_check_interval_secs: 0,
            hung_task_warnings: 10,
            rcu_task_stall_timeout: HZ * 60 * 10,
            rcu_task_stall_info: HZ * 10,
            rcu_task_stall_info_mult: 3,
            do_exit_watchdog_secs: None,
            gp_sync_stall: false,
        }
    }
}

/// The default bound of the do_exit watchdog where a table asks whether it
/// would fire and the user set none: the hung-task detector's default.
pub const DO_EXIT_WATCHDOG_DEFAULT_SECS: u64 = 120;

/// The longest period a detector may be given, in seconds (a century).
pub const MAX_SECS: u64 = 100 * 365 * 24 * 3600;

fn split(arg: &str, what: &str) -> Result<(String, String), String> {
    let Some((k, v)) = arg.split_once('=') else {
        return Err(format!("{what} `{arg}`: write NAME=VALUE"));
    };
    Ok((k.trim().to_string(), v.trim().to_string()))
}

fn int(name: &str, v: &str) -> Result<i64, String> {
    v.parse::<i64>().map_err(|_| format!("{name}={v}: the value must be an integer"))
}

impl Tunables {
    /// `--sysctl kernel.NAME=VALUE` (also `/proc/sys/kernel/NAME=VALUE`).
    pub fn set_sysctl(&mut self, arg: &str) -> Result<(), String> {
        let (name, v) = split(arg, "--sysctl")?;
        let key = name.trim_start_matches("/proc/sys/").replace('/', ".");
        let n = int(&name, &v)?;
        // The kernel caps both at LONG_MAX / HZ; a century is as good here.
        let secs = 0..=MAX_SECS as i64;
        match key.as_str() {
            "kernel.hung_task_timeout_secs" if secs.contains(&n) => self.hung_task_timeout_secs = n as u64,
            "kernel.hung_task_check_interval_secs" if secs.contains(&n) => {
                self.hung_task_check_interval_secs = n as u64
            }
            "kernel.hung_task_warnings" if n >= -1 => self.hung_task_warnings = n,
            "kernel.hung_task_timeout_secs" | "kernel.hung_task_check_interval_secs" | "kernel.hung_task_warnings" => {
                return Err(format!("--sysctl {name}={v}: out of range"))
            }
            _ => {
                return Err(format!(
                    "--sysctl {name}: not modelled; known: kernel.hung_task_timeout_secs, \
                     kernel.hung_task_check_interval_secs, kernel.hung_task_warnings"
                ))
            }
        }
        Ok(())
    }

    /// `--cmdline rcupdate.NAME=VALUE` (a boot parameter; jiffies where the kernel takes jiffies).
    pub fn set_cmdline(&mut self, arg: &str) -> Result<(), String> {
        let (name, v) = split(arg, "--cmdline")?;
        let n = int(&name, &v)?;
        // These module parameters are `int`s.
        if i32::try_from(n).is_err() {
            return Err(format!("--cmdline {name}={v}: out of range (the kernel's parameter is an int)"));
        }
        match name.as_str() {
            "rcupdate.rcu_task_stall_timeout" => self.rcu_task_stall_timeout = n,
            "rcupdate.rcu_task_stall_info" => self.rcu_task_stall_info = n,
            // Clamped to 1..10 as rcu_tasks_bootup_oddness() does.
            "rcupdate.rcu_task_stall_info_mult" => self.rcu_task_stall_info_mult = n.clamp(1, 10),
            _ => {
                return Err(format!(
                    "--cmdline {name}: not modelled; known: rcupdate.rcu_task_stall_timeout, \
                     rcupdate.rcu_task_stall_info, rcupdate.rcu_task_stall_info_mult (values in jiffies, HZ={HZ})"
                ))
            }
        }
        Ok(())
    }

    /// `--watchdog do_exit=SECS` or `--watchdog rcu_tasks_gp`: the seed's proposals.
    pub fn set_watchdog(&mut self, arg: &str) -> Result<(), String> {
        let (name, v) = arg.split_once('=').map(|(a, b)| (a.trim(), Some(b.trim()))).unwrap_or((arg.trim(), None));
        match (name, v) {
            ("do_exit", Some(v)) => match v.parse::<u64>() {
                Ok(s) if s > 0 && s <= MAX_SECS => self.do_exit_watchdog_secs = Some(s),
                _ => return Err(format!("--watchdog do_exit={v}: the bound must be a positive number of seconds")),
            },
            ("do_exit", None) => return Err("--watchdog do_exit: give the bound, e.g. do_exit=120".into()),
            ("rcu_tasks_gp", None) => self.gp_sync_stall = true,
            ("rcu_tasks_gp", Some(_)) => {
                return Err("--watchdog rcu_tasks_gp takes no value: it fires every rcupdate.rcu_task_stall_info".into())
            }
            _ => {
                return Err(format!(
                    "--watchdog {arg}: unknown; known: do_exit=SECS (the seed's do_exit() watchdog), \
                     rcu_tasks_gp (the seed's proposal: stall warnings that also time the grace period's \
                     synchronize_rcu() and synchronize_srcu())"
                ))
            }
        }
        Ok(())
    }

    /// `khungtaskd`'s interval in seconds: min(check interval, timeout), the
    /// timeout when the interval is 0 (kernel/hung_task.c: watchdog()).
    pub fn hung_task_interval_secs(&self) -> u64 {
        match self.hung_task_check_interval_secs {
            0 => self.hung_task_timeout_secs,
            i => i.min(self.hung_task_timeout_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_names_and_errors() {
        let mut t = Tunables::default();
        t.set_sysctl("kernel.hung_task_timeout_secs=140").unwrap();
        t.set_sysctl("/proc/sys/kernel/hung_task_warnings=-1").unwrap();
        t.set_cmdline("rcupdate.rcu_task_stall_timeout=0").unwrap();
        t.set_watchdog("do_exit=30").unwrap();
        t.set_watchdog("rcu_tasks_gp").unwrap();
        assert_eq!(t.hung_task_timeout_secs, 140);
        assert_eq!(t.hung_task_warnings, -1);
        assert_eq!(t.rcu_task_stall_timeout, 0);
        assert_eq!(t.do_exit_watchdog_secs, Some(30));
        assert!(t.gp_sync_stall);
        assert!(t.set_sysctl("kernel.panic=1").unwrap_err().contains("not modelled"));
        assert!(t.set_sysctl("kernel.hung_task_timeout_secs").unwrap_err().contains("NAME=VALUE"));
        assert!(t.set_watchdog("do_exit=0").is_err());
        assert!(t.set_watchdog("do_exit=18446744073709552").is_err());
        assert!(t.set_sysctl("kernel.hung_task_timeout_secs=288230376151711744").is_err());
        assert!(t.set_cmdline("rcupdate.rcu_task_stall_timeout=18446744073710").is_err());
        t.set_cmdline("rcupdate.rcu_task_stall_info_mult=1000").unwrap();
        assert_eq!(t.rcu_task_stall_info_mult, 10);
        t.set_sysctl("kernel.hung_task_check_interval_secs=30").unwrap();
        assert_eq!(t.hung_task_interval_secs(), 30);
    }
}
