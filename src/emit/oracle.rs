//! `taskcheck oracle`: run a scenario's C program (`emit_c`) on the running
//! kernel and check what happened against what the model allows on the
//! kernel model closest to it. What is compared today: an assertion the
//! model proves can never fail must never fail in a real run, and a run
//! whose tasks all sleep for ever (a real deadlock) must be one the model
//! finds; a run may hang on purpose where the model says a task runs for
//! ever (it is then running, not asleep).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The built-in model closest to a kernel release (`uname -r`).
pub fn closest_model(release: &str) -> &'static str {
    let mut nums =
        release.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse::<u32>().unwrap_or(0));
    let (major, minor, patch) = (nums.next().unwrap_or(0), nums.next().unwrap_or(0), nums.next().unwrap_or(0));
    match (major, minor) {
        (m, _) if m > 6 => "v6.11",
        (6, n) if n >= 11 => "v6.11",
        (6, 9..=10) => "v6.9",
        (6, 3..=8) => "v6.3",
        // 6.1.16 and later carry the stop/start fix (28319d6dc5e2 in stable).
        (6, 1) if patch >= 16 => "v6.3",
        (5, 15) if patch >= 99 => "v6.3",
        (6, _) => "v6.1",
        (3, n) if n < 19 => "unprotected",
        (m, _) if m < 3 => "unprotected",
        _ => "v6.1",
    }
}

/// The running kernel's release.
pub fn running_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default()
}

/// How one real run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RealEnd {
    Exited(i32),
    Killed(i32),
    /// Still going at the timeout: whether some task was running (on purpose,
    /// like a spinner) or every task slept.
    Hung {
        running: bool,
    },
}

#[derive(Clone, Debug)]
pub struct RealRun {
    /// How main ended.
    pub end: RealEnd,
    /// Main ended, but some of its descendants were still there at the
    /// timeout: whether one of them was running.
    pub leftover: Option<bool>,
    pub events: Vec<String>,
    pub stderr: String,
}

impl RealRun {
    /// Every process of the run ended (so everything it printed is there).
    pub fn finished(&self) -> bool {
        matches!(self.end, RealEnd::Exited(_) | RealEnd::Killed(_)) && self.leftover.is_none()
    }
    /// Every task left at the timeout was asleep: a real deadlock.
    pub fn all_asleep(&self) -> bool {
        self.end == (RealEnd::Hung { running: false }) || self.leftover == Some(false)
    }
    pub fn assertion_failed(&self) -> bool {
        self.stderr.contains("Assertion") || self.end == RealEnd::Killed(libc_sigabrt())
    }
    /// The lines the program printed itself, grouped as the model groups them.
    pub fn outcome(&self) -> super::outcomes::Outcome {
        super::outcomes::outcome_of(self.events.iter().filter_map(|e| e.split_once(" out: ").map(|x| x.1)))
    }
    /// The sandbox (or the scenario's own unshare(CLONE_NEWPID)) was refused
    /// for want of privilege.
    pub fn lacks_privilege(&self) -> bool {
        self.stderr.contains("tc: unshare(CLONE_NEWPID) for the sandbox")
            || self.events.iter().any(|e| e.contains("unshare(0x20000000) = -1 EPERM"))
    }
}

fn libc_sigabrt() -> i32 {
    6
}

/// Write the program next to nothing else and build it with `cc -Wall`.
pub fn compile(c_text: &str, dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let src = dir.join("scenario.c");
    let bin = dir.join("scenario");
    std::fs::write(&src, c_text).map_err(|e| format!("cannot write {}: {e}", src.display()))?;
    let out = Command::new("cc")
        .args(["-Wall", "-O1", "-pthread", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run cc (is a C compiler installed?): {e}"))?;
    if !out.status.success() {
        return Err(format!("cc failed on {}:\n{}", src.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(bin)
}

/// The threads of process group `pgrp`: (tid, state letter), every thread
/// (a spinning thread beside a sleeping main thread is running).
fn group_members(pgrp: i32) -> Vec<(i32, char)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else { return out };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { continue };
        for t in tasks.flatten() {
            let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else { continue };
            // tid (comm) state ppid pgrp ...: comm may hold spaces, so split after ')'.
            let Some(rest) = stat.rsplit_once(')').map(|x| x.1) else { continue };
            let f: Vec<&str> = rest.split_whitespace().collect();
            if f.len() > 2 && f[2].parse::<i32>().ok() == Some(pgrp) {
                let tid = t.file_name().to_str().and_then(|s| s.parse().ok()).unwrap_or(pid);
                out.push((tid, f[0].chars().next().unwrap_or('?')));
            }
        }
    }
    out
}

#[cfg(unix)]
fn kill_group(pgrp: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
    unsafe {
        libc::kill(-pgrp, libc::SIGKILL);
    }
}

#[cfg(unix)]
fn reap_orphans() {
    // Orphans of the group were reparented to us (a child subreaper): reap them.
    loop {
        // SAFETY: waitpid(2) on any child with WNOHANG; status is a local.
        let r = unsafe {
            let mut status = 0;
            libc::waitpid(-1, &mut status, libc::WNOHANG)
        };
        if r <= 0 {
            break;
        }
    }
}

/// Become the reaper of whatever the runs leave behind.
#[cfg(unix)]
pub fn adopt_orphans() {
    // SAFETY: prctl(2) with integer arguments only.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Run the program once, in its sandbox (a PID namespace of its own; see
/// events.h): it ends when every task of the run has; after `timeout` the
/// process group is killed, which ends the sandbox and all in it.
#[cfg(unix)]
pub fn run_once(bin: &Path, timeout: Duration) -> Result<RealRun, String> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let mut child = Command::new(bin)
        .env("TC_SANDBOX", "1")
        .env("TC_TIMEOUT", timeout.as_secs().saturating_add(5).to_string())
        // The group is set before exec: no window where a kill misses it.
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let pgrp = child.id() as i32;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    // Read the pipes on threads, so a chatty program never blocks on them.
    // A program may print for ever (a spinner calling getpid()): keep the
    // first MiB, drain the rest.
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let mut buf = [0u8; 8192];
                while let Ok(n) = p.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if bytes.len() < 1 << 20 {
                        bytes.extend_from_slice(&buf[..n]);
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out_t = read(stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err_t = read(stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let start = Instant::now();
    let end = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                break match (status.code(), status.signal()) {
                    (Some(c), _) => RealEnd::Exited(c),
                    (None, Some(s)) => RealEnd::Killed(s),
                    _ => RealEnd::Exited(-1),
                }
            }
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                // Several looks: a spinner that prints may be caught asleep
                // in write() once, not every time.
                let mut running = false;
                for _ in 0..10 {
                    running |= group_members(pgrp).iter().any(|&(_, s)| s == 'R');
                    std::thread::sleep(Duration::from_millis(10));
                }
                // The group leader is not reaped yet, so `pgrp` is still ours.
                if pgrp > 1 {
                    kill_group(pgrp);
                }
                let _ = child.wait();
                break RealEnd::Hung { running };
            }
            Err(e) => return Err(format!("waiting for {}: {e}", bin.display())),
        }
    };
    reap_orphans();
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let events = stdout.lines().filter_map(|l| l.strip_prefix("tc: ")).map(str::to_string).collect();
    Ok(RealRun { end, leftover: None, events, stderr })
}

#[cfg(test)]
mod tests {
    use super::closest_model;

    #[test]
    fn the_closest_model_follows_the_release() {
        assert_eq!(closest_model("6.18.44-fc-v1147"), "v6.11");
        assert_eq!(closest_model("6.10.3"), "v6.9");
        assert_eq!(closest_model("6.8.0-45-generic"), "v6.3");
        assert_eq!(closest_model("6.1.15"), "v6.1");
        assert_eq!(closest_model("6.1.120"), "v6.3");
        assert_eq!(closest_model("5.4.0"), "v6.1");
        assert_eq!(closest_model("5.15.120"), "v6.3");
        assert_eq!(closest_model("3.18.1"), "unprotected");
        assert_eq!(closest_model("7.0"), "v6.11");
    }
}
