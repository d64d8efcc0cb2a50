//! `emit-c` and `oracle`: the scenarios as real programs, run on the running
//! kernel against the model. Skipped (with a message) where there is no C
//! compiler or no privilege for CLONE_NEWPID.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn taskcheck() -> Command {
    let mut c = Command::cargo_bin("taskcheck").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn have_cc() -> bool {
    std::process::Command::new("cc").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("taskcheck-oracle-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_emits_a_program_that_compiles_without_warnings() {
    if !have_cc() {
        eprintln!("skipped: no C compiler (cc)");
        return;
    }
    let dir = tempdir("emit");
    for s in scenarios() {
        let c = dir.join("p.c");
        taskcheck().arg("emit-c").arg(&s).arg("-o").arg(&c).assert().success();
        let text = std::fs::read_to_string(&c).unwrap();
        // The scenario's own text follows, on its own line numbers.
        assert!(text.contains(&format!("#line 1 \"{}\"", s.display())), "{}", s.display());
        let out = std::process::Command::new("cc")
            .args(["-Wall", "-Werror", "-O1", "-pthread", "-o"])
            .arg(dir.join("p"))
            .arg(&c)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}:\n{}", s.display(), String::from_utf8_lossy(&out.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_program_prints_one_line_per_event_with_task_names() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    let dir = tempdir("events");
    let c = dir.join("p.c");
    taskcheck().args(["emit-c", "scenarios/seed_unshare_deadlock.c", "-o"]).arg(&c).assert().success();
    let bin = dir.join("p");
    assert!(std::process::Command::new("cc").args(["-pthread", "-o"]).arg(&bin).arg(&c).status().unwrap().success());
    let out = std::process::Command::new(&bin).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tc: main unshare(0x20000000) = 0"), "{text}");
    assert!(text.contains("tc: main.1 starts (fork() of main)"), "{text}");
    assert!(text.contains("tc: main synchronize_rcu_tasks(): no-op in user space"), "{text}");
    assert!(text.contains("(main.1) exited 0"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_running_kernel_agrees_with_the_model_on_signal_scenarios() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    for s in [
        "scenarios/kill_invalid_signal_per_target.c",
        "scenarios/signal_returns_previous_handler.c",
        "scenarios/sigsegv_by_name_kills_a_spinner.c",
        "scenarios/seed_unshare_deadlock.c",
    ] {
        let out = taskcheck().args(["oracle", s, "--runs", "3", "--timeout", "2"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{s}:\n{text}");
        assert!(text.contains("  agree"), "{text}");
    }
}

#[test]
fn a_model_that_says_einval_where_the_kernel_says_esrch_is_caught() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    // The v6.11 model with the old sys_kill(): EINVAL before looking for a target.
    let dir = tempdir("oldkill");
    let model = dir.join("old-kill");
    taskcheck().args(["kernels", "--export", "v6.11"]).arg(&model).assert().success();
    let entry = model.join("entry.kc");
    let text = std::fs::read_to_string(&entry).unwrap();
    let old = text.replace(
        "\treturn kill_something_info(sig, pid);",
        "\tif (sig < 0 || sig > 64)\n\t\treturn -EINVAL;\n\treturn kill_something_info(sig, pid);",
    );
    assert_ne!(old, text);
    std::fs::write(&entry, old).unwrap();
    let out = taskcheck()
        .args([
            "oracle",
            "tests/integration/oracle_cases/kill_invalid_signal_einval_first.c",
            "--runs",
            "2",
            "--kernel",
        ])
        .arg(&model)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("MISMATCH in run 1: an assertion failed"), "{text}");
    assert!(text.contains("kill(4242 (?), 65) = -1 ESRCH"), "{text}");
    // The model as it is now agrees with the kernel: the assertion can fail.
    let out = taskcheck()
        .args(["oracle", "tests/integration/oracle_cases/kill_invalid_signal_einval_first.c", "--runs", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_emitted_exit_evaluates_its_argument_once() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    // `_exit(status())` used to expand to two calls of status() in the real
    // program: it printed twice and exited 2, and the oracle disagreed.
    let out = taskcheck()
        .args(["oracle", "tests/integration/oracle_cases/exit_argument_evaluated_once.c", "--runs", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("agree"), "{text}");
}

#[test]
fn the_oracle_says_the_rcu_tasks_waits_are_not_run_for_real() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    let out = taskcheck()
        .args(["oracle", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--runs", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("model: deadlock"), "{text}");
    assert!(text.contains("do nothing in the real program"), "{text}");
    assert!(text.contains("agree"), "{text}");
}

#[test]
fn a_bounded_differential_batch_finds_no_disagreement() {
    if !have_cc() || !is_root() {
        eprintln!("skipped: needs cc and root (CLONE_NEWPID)");
        return;
    }
    let dir = tempdir("fuzz");
    let out = taskcheck()
        .args(["fuzz", "--seed", "0", "--count", "200", "--runs", "2", "--timeout", "2", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let summary = text.lines().find(|l| l.starts_with("fuzz: 200 programs")).unwrap_or_else(|| panic!("{text}"));
    assert!(summary.contains(", 0 disagree,"), "{summary}");
    // Most programs are small enough to compare.
    let agree: u64 =
        summary.split(" agree").next().and_then(|s| s.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(agree >= 120, "{summary}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn fuzz_programs_are_scenarios_the_model_compiles() {
    // The generator's output is a scenario: `check` takes it as it is.
    let dir = tempdir("show");
    for seed in 0..20u64 {
        let out =
            taskcheck().args(["fuzz", "--show", "--count", "1", "--seed"]).arg(seed.to_string()).output().unwrap();
        let file = dir.join(format!("f{seed}.c"));
        std::fs::write(&file, &out.stdout).unwrap();
        let r = taskcheck().args(["check", "--kernel", "v6.11", "--max-states", "20000"]).arg(&file).output().unwrap();
        assert_ne!(r.status.code(), Some(2), "seed {seed}: {}", String::from_utf8_lossy(&r.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
}
