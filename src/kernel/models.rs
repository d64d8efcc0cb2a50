//! The built-in kernel models, embedded in the binary, and loading of a
//! user's model directory (`--kernel DIR`).

use std::path::Path;

/// One kernel model: its files, in the order they are compiled.
#[derive(Clone, Debug)]
pub struct KernelModel {
    pub name: String,
    /// Kernel versions this model stands for.
    pub versions: String,
    /// The commits it follows.
    pub commits: String,
    pub description: String,
    /// (file name, text). `*.kc` are kernel code; `init.c` is the init program.
    pub files: Vec<(String, String)>,
}

macro_rules! model_files {
    ($dir:literal: $($f:literal),*) => {
        &[$(($f, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/", $dir, "/", $f)))),*]
    };
}

struct Builtin {
    name: &'static str,
    versions: &'static str,
    commits: &'static str,
    description: &'static str,
    files: &'static [(&'static str, &'static str)],
}

static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "unprotected",
        versions: "v3.18 (RCU Tasks as first merged)",
        commits: "before 3f95aa81d265",
        description: "RCU Tasks with no exit-path protection: a reaped task still running do_exit() is invisible to the scan",
        files: model_files!("unprotected": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc", "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c"),
    },
    Builtin {
        name: "v6.1",
        versions: "v3.19..v6.2, 6.1.0..6.1.15",
        commits: "3f95aa81d265",
        description: "tasks_rcu_exit_srcu read-side section from exit_tasks_rcu_start() before exit_notify() to exit_tasks_rcu_finish(); rcu_tasks_postscan() waits for it",
        files: model_files!("v6.1": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc", "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c"),
    },
    Builtin {
        name: "v6.3",
        versions: "v6.3..v6.8, 6.1.16+, 5.15.99+, 5.10.y",
        commits: "28319d6dc5e2, 44757092958b, e4e1e8089c5f",
        description: "v6.1 plus exit_tasks_rcu_stop()/exit_tasks_rcu_start() around the schedule() of zap_pid_ns_processes()' final wait",
        files: model_files!("v6.3": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc", "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c"),
    },
    Builtin {
        name: "v6.9",
        versions: "v6.9..v6.10, 6.6.107+",
        commits: "bfe93930ea1e, 46faf9d8e1d5, 30ef09635b9e, 6b70399f9ef3, 1612160b9127, 0bb11a372fc8",
        description: "no SRCU in the exit path: exiting tasks sit on rtp_exit_list, which rcu_tasks_postscan() scans; zap still stops/starts",
        files: model_files!("v6.9": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc", "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c"),
    },
    Builtin {
        name: "v6.11",
        versions: "v6.11 and later",
        commits: "9855c37edf00 (revert of 28319d6dc5e2)",
        description: "the exit-list design of v6.9 without the stop/start in zap_pid_ns_processes()",
        files: model_files!("v6.11": "entry.kc", "exit.kc", "fork.kc", "pid.kc", "pid_namespace.kc", "signal.kc", "srcutree.kc", "tasks.kc", "tree.kc", "sched.kc", "trampoline.kc", "init.c"),
    },
];

pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

pub fn builtin(name: &str) -> Option<KernelModel> {
    BUILTINS.iter().find(|b| b.name == name).map(|b| KernelModel {
        name: b.name.to_string(),
        versions: b.versions.to_string(),
        commits: b.commits.to_string(),
        description: b.description.to_string(),
        files: b.files.iter().map(|(n, t)| (format!("{}/{}", b.name, n), t.to_string())).collect(),
    })
}

/// Load a model directory: every `*.kc` file in name order, and `init.c`.
pub fn load_dir(dir: &Path) -> Result<KernelModel, String> {
    let rd =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read kernel model directory {}: {e}", dir.display()))?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kc") || n == "init.c")
        .collect();
    names.sort();
    if !names.iter().any(|n| n.ends_with(".kc")) {
        return Err(format!("{} holds no kernel model files (*.kc)", dir.display()));
    }
    let mut files = Vec::new();
    for n in names {
        let p = dir.join(&n);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        files.push((p.display().to_string(), text));
    }
    let name = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string());
    Ok(KernelModel {
        name,
        versions: "user model".into(),
        commits: String::new(),
        description: format!("kernel model from {}", dir.display()),
        files,
    })
}
