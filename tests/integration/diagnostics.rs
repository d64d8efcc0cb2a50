//! What the kernel would have printed: `taskcheck run` in virtual time and the
//! diagnostics table of `check`, against what the real report of the seed
//! bug showed (6.1.0-rc5, hung_task_timeout_secs=140: only rcu_tasks_kthre:11
//! and the caller of synchronize_rcu_tasks() reported, ten reports in all,
//! no RCU Tasks stall warning), and on the fixed kernels.

use assert_cmd::Command;

const SEED: &str = "scenarios/seed_unshare_deadlock.c";

fn taskcheck() -> Command {
    let mut c = Command::cargo_bin("taskcheck").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = taskcheck().arg("run").args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// The schedule of `check`'s report on the seed: the way into the deadlock
/// with the fewest preemptions (the default order).
fn seed_schedule() -> String {
    schedule_on(SEED, "v6.1")
}

/// (seconds, text) of each kernel log line.
fn log_lines(out: &str) -> Vec<(f64, String)> {
    out.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix('[')?;
            let (t, text) = rest.split_once("] ")?;
            Some((t.trim().parse().ok()?, text.to_string()))
        })
        .collect()
}

#[test]
fn seed_on_v6_1_reports_the_kthread_and_the_caller_like_the_syzkaller_log() {
    let schedule = seed_schedule();
    let (code, out) =
        run(&[SEED, "--kernel", "v6.1", "--schedule", &schedule, "--sysctl", "kernel.hung_task_timeout_secs=140"]);
    assert_eq!(code, Some(1), "{out}");
    let log = log_lines(&out);
    let infos: Vec<&(f64, String)> = log.iter().filter(|(_, l)| l.starts_with("INFO: task ")).collect();
    // The warning budget: ten reports, then silence.
    assert_eq!(infos.len(), 10, "{out}");
    for who in ["main:100", "rcu_tasks_kthre:11"] {
        let first = infos.iter().find(|(_, l)| l.contains(who)).unwrap_or_else(|| panic!("{who} not reported:\n{out}"));
        assert!((140.0..=280.0).contains(&first.0), "{who} first at {}", first.0);
        assert!(first.1.ends_with("blocked for more than 140 seconds."), "{}", first.1);
    }
    // Never b (interruptible), c (zombie) or init (interruptible).
    assert!(!infos.iter().any(|(_, l)| l.contains("task b:") || l.contains("task c:") || l.contains("task init:")));
    // The stacks: the kthread through synchronize_srcu() under rcu_tasks_postscan(),
    // the caller through synchronize_rcu_tasks().
    let text: Vec<&str> = log.iter().map(|(_, l)| l.as_str()).collect();
    let kthread_at = text.iter().position(|l| l.contains("rcu_tasks_kthre:11")).unwrap();
    let trace: Vec<&&str> = text[kthread_at..].iter().take_while(|l| !l.contains("</TASK>")).collect();
    assert!(trace.iter().any(|l| l.starts_with(" synchronize_srcu ")), "{trace:?}");
    assert!(trace.iter().any(|l| l.starts_with(" rcu_tasks_postscan ")), "{trace:?}");
    let main_at = text.iter().position(|l| l.contains("task main:100")).unwrap();
    let trace: Vec<&&str> = text[main_at..].iter().take_while(|l| !l.contains("</TASK>")).collect();
    assert!(trace.iter().any(|l| l.starts_with(" synchronize_rcu_tasks ")), "{trace:?}");
    assert!(text.contains(&"task:rcu_tasks_kthre state:D stack:0     pid:11    ppid:2      flags:0x00000000"));
    // No RCU Tasks stall warning: the grace period is stuck before the holdout loop.
    assert!(!out.contains("rcu_tasks detected stalls") && !out.contains("grace period"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn the_seeds_proposals_name_the_stuck_postscan_and_b() {
    let schedule = seed_schedule();
    let (code, out) = run(&[SEED, "--kernel", "v6.1", "--schedule", &schedule, "--watchdog", "rcu_tasks_gp"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("gp_state: RTGS_POST_SCAN_TASKLIST")
            && out.contains("waiting in synchronize_srcu() from rcu_tasks_postscan()"),
        "{out}"
    );
    let (_, out) = run(&[SEED, "--kernel", "v6.1", "--schedule", &schedule, "--watchdog", "do_exit=60"]);
    let lines = log_lines(&out);
    let w: Vec<&(f64, String)> = lines.iter().filter(|(_, l)| l.starts_with("do_exit watchdog")).collect();
    assert_eq!(w.len(), 1, "{out}");
    assert!(w[0].1.contains("task b:101 stuck in do_exit() for more than 60 seconds"), "{}", w[0].1);
    assert!((60.0..61.0).contains(&w[0].0));
    // Its stack: zap_pid_ns_processes() under do_exit().
    assert!(out.contains(" zap_pid_ns_processes v6.1/pid_namespace.kc"), "{out}");
}

#[test]
fn fixed_kernels_run_the_same_seeds_to_the_end_without_a_warning() {
    let mut deadlocked = 0;
    for seed in 0..6 {
        let s = seed.to_string();
        let (code, out) = run(&[SEED, "--kernel", "v6.1", "--seed", &s]);
        if code == Some(1) {
            deadlocked += 1;
        }
        for k in ["v6.3", "v6.9", "v6.11"] {
            let (code, out) =
                run(&[SEED, "--kernel", k, "--seed", &s, "--sysctl", "kernel.hung_task_timeout_secs=140"]);
            assert_eq!(code, Some(0), "{k} seed {s}:\n{out}");
            assert!(out.contains(": every task finished"), "{out}");
            assert!(out.contains("Kernel log:\n  (nothing)"), "{out}");
            assert!(out.contains("  c (pid 102, ppid 100) EXIT_DEAD"), "{out}");
        }
        let _ = out;
    }
    assert!(deadlocked >= 3, "the seeded scheduler should reach the v6.1 deadlock on most seeds");
}

#[test]
fn a_run_is_reproducible_from_its_seed_and_from_its_schedule() {
    let (_, a) = run(&[SEED, "--kernel", "v6.1", "--seed", "7"]);
    let (_, b) = run(&[SEED, "--kernel", "v6.1", "--seed", "7"]);
    assert_eq!(a, b);
    let schedule = a.lines().find_map(|l| l.strip_prefix("Schedule: ")).unwrap().to_string();
    let (_, c) = run(&[SEED, "--kernel", "v6.1", "--seed", "99", "--schedule", &schedule]);
    assert_eq!(a.replace("(seed 7)", ""), c.replace("(seed 99)", ""));
}

#[test]
fn task_idle_callers_of_v6_11_are_invisible_to_the_hung_task_detector() {
    // main alone until it sleeps for its grace period.
    let steps = vec!["2"; 14].join(",");
    let (_, v69) = run(&[SEED, "--kernel", "v6.9", "--schedule", &steps, "--until", "14ms"]);
    assert!(v69.contains("  main (pid 100, ppid 1) TASK_UNINTERRUPTIBLE"), "{v69}");
    let (_, v611) = run(&[SEED, "--kernel", "v6.11", "--schedule", &steps, "--until", "14ms"]);
    assert!(v611.contains("  main (pid 100, ppid 1) TASK_IDLE"), "{v611}");
    assert!(v611.contains("wait_for_completion_state v6.11/sched.kc"), "{v611}");
}

#[test]
fn holdout_stall_warnings_and_pre_stall_lines_follow_the_boot_parameters() {
    let case = "tests/integration/diagnostics_cases/holdout_in_nanosleep.c";
    let args = [
        case,
        "--kernel",
        "v6.1",
        "--cmdline",
        "rcupdate.rcu_task_stall_timeout=50",
        "--cmdline",
        "rcupdate.rcu_task_stall_info=10",
    ];
    let (code, out) = run(&args);
    assert_eq!(code, Some(0), "{out}");
    let log = log_lines(&out);
    // v6.1's wording of the informational line, before any stall warning.
    let info = log.iter().position(|(_, l)| l.starts_with("rcu_tasks_wait_gp: rcu_tasks grace period 1 is ")).unwrap();
    let stall = log.iter().position(|(_, l)| l == "INFO: rcu_tasks detected stalls on tasks:").unwrap();
    assert!(info < stall);
    assert!(log[stall + 1].1.contains(": .. nvcsw: 0/0 holdout: 1 idle_cpu: -1/0"), "{out}");
    // In the run it sleeps in nanosleep(): TASK_IDLE (see the scenario's header).
    assert!(log[stall + 2].1.starts_with("task:p               state:I stack:0"), "{out}");
    // v6.3 and later say `number N (since boot)`; unprotected (v3.18) has no such lines.
    let (_, v63) = run(&[case, "--kernel", "v6.3", "--cmdline", "rcupdate.rcu_task_stall_info=10"]);
    assert!(v63.contains("rcu_tasks_wait_gp: rcu_tasks grace period number 1 (since boot) is "), "{v63}");
    let (_, old) = run(&[case, "--kernel", "unprotected", "--cmdline", "rcupdate.rcu_task_stall_info=10"]);
    assert!(!old.contains("grace period"), "{old}");
    // A stall timeout of 0 disables the warning.
    let (_, off) = run(&[case, "--kernel", "v6.1", "--cmdline", "rcupdate.rcu_task_stall_timeout=0"]);
    assert!(!off.contains("detected stalls"), "{off}");
}

#[test]
fn check_json_carries_the_diagnostics_table() {
    let out = taskcheck().args(["check", SEED, "--kernel", "v6.1", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["results"][0]["diagnostics"].as_array().unwrap();
    let row = |task: &str, det: &str| d.iter().find(|r| r["task"] == task && r["detector"] == det).unwrap().clone();
    assert_eq!(row("main", "hung_task")["fires"], true);
    assert_eq!(row("main", "hung_task")["state"], "TASK_UNINTERRUPTIBLE");
    assert!(row("main", "hung_task")["line"]
        .as_str()
        .unwrap()
        .starts_with("INFO: task main:100 blocked for more than 120 seconds."));
    assert_eq!(row("rcu_tasks_kthread", "hung_task")["fires"], true);
    assert_eq!(row("b", "hung_task")["fires"], false);
    assert_eq!(row("b", "hung_task")["state"], "TASK_INTERRUPTIBLE");
    assert_eq!(row("c", "hung_task")["state"], "EXIT_ZOMBIE");
    assert_eq!(row("b", "do_exit_watchdog")["fires"], true);
    assert_eq!(row("c", "do_exit_watchdog")["fires"], false);
    assert_eq!(row("rcu_tasks_kthread", "rcu_tasks_stall")["fires"], false);
    assert_eq!(row("rcu_tasks_kthread", "rcu_tasks_postscan_stall")["in_kernel"], false);
    assert_eq!(row("rcu_tasks_kthread", "rcu_tasks_gp_stall")["fires"], true);
    let after = row("main", "hung_task")["after_s"].as_f64().unwrap();
    assert!((120.0..=240.0).contains(&after), "{after}");
}

#[test]
fn the_v6_3_residual_deadlock_is_caught_by_the_hung_task_detector() {
    let out = taskcheck().args(["check", "scenarios/reaper_waits_child_in_gp.c", "--kernel", "v6.3"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let table: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("What the kernel would print")).take(5).collect();
    assert!(
        table[1].split_whitespace().collect::<Vec<_>>()
            == ["task", "state", "hung_task", "stall", "stall_info", "postscan", "gp_sync*", "do_exit*"],
        "{table:?}"
    );
    let kthread = table.iter().find(|l| l.trim_start().starts_with("rcu_tasks_kthread")).unwrap();
    let cells: Vec<&str> = kthread.split_whitespace().collect();
    assert_eq!(&cells[1..], ["TASK_UNINTERRUPTIBLE", "240s", "-", "-", "n/a", "10s", "-"], "{kthread}");
}

#[test]
fn bad_detector_flags_are_usage_errors() {
    for (flag, value, says) in [
        ("--sysctl", "kernel.panic=1", "not modelled"),
        ("--sysctl", "kernel.hung_task_timeout_secs", "NAME=VALUE"),
        ("--cmdline", "rcupdate.rcu_task_stall_timeout=soon", "integer"),
        ("--watchdog", "do_exit=0", "positive"),
        ("--until", "3 days", "duration"),
        ("--schedule", "0,x", "bad schedule element"),
    ] {
        let (code, out) = run(&[SEED, "--kernel", "v6.1", flag, value]);
        assert_eq!(code, Some(2), "{flag} {value}: {out}");
        assert!(out.contains(says), "{flag} {value}: {out}");
    }
    // A schedule step that is not possible in its state.
    let (code, out) = run(&[SEED, "--kernel", "v6.1", "--schedule", "4"]);
    assert_eq!(code, Some(2));
    assert!(out.contains("step 1 of the schedule (4.0) is not possible"), "{out}");
}

/// The `Replay:` schedule of `check` on `kernel`.
fn schedule_on(scenario: &str, kernel: &str) -> String {
    let out = taskcheck().args(["check", scenario, "--kernel", kernel, "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["results"][0]["schedule"].as_str().unwrap().to_string()
}

#[test]
fn sched_show_task_prints_the_fields_of_each_kernel() {
    let scenario = "scenarios/zap_waits_for_outside_parent.c";
    let line = |kernel: &str| {
        let s = schedule_on(scenario, kernel);
        let (_, out) = run(&[scenario, "--kernel", kernel, "--schedule", &s, "--watchdog", "do_exit=30"]);
        let at = out.lines().position(|l| l.contains("do_exit watchdog: task b:")).unwrap_or_else(|| panic!("{out}"));
        out.lines().skip(at + 1).take(3).map(|l| l.split_once("] ").map_or(l, |x| x.1).to_string()).collect::<Vec<_>>()
    };
    // v6.6 added tgid; v6.0 left-aligned the fields; <TASK> came with v5.16.
    assert_eq!(
        line("v6.11")[0],
        "task:b               state:S stack:0     pid:101   tgid:101   ppid:100    flags:0x00000000"
    );
    assert_eq!(line("v6.1")[0], "task:b               state:S stack:0     pid:101   ppid:100    flags:0x00000000");
    let old = line("unprotected");
    assert_eq!(old[0], "task:b               state:S stack:    0 pid:  101 ppid:   100 flags:0x00000000");
    assert_eq!(old[1], "Call Trace:");
    assert!(!old[2].contains("<TASK>"), "{old:?}");
}

#[test]
fn run_json_carries_the_log_the_end_and_the_tasks() {
    let schedule = seed_schedule();
    let out = taskcheck()
        .args(["run", SEED, "--kernel", "v6.1", "--schedule", &schedule, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["runs"][0];
    assert_eq!(r["kernel"], "v6.1");
    assert_eq!(r["end"], "hung");
    let hung: Vec<&str> = r["hung"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    for t in ["main", "rcu_tasks_kthread", "b", "c"] {
        assert!(hung.contains(&t), "{hung:?}");
    }
    let first = &r["log"][0];
    assert_eq!(first["t"], 240.0);
    assert_eq!(first["line"], "INFO: task rcu_tasks_kthre:11 blocked for more than 120 seconds.");
    let main = r["tasks"].as_array().unwrap().iter().find(|t| t["task"] == "main").unwrap();
    assert_eq!(main["state"], "TASK_UNINTERRUPTIBLE");
    assert!(main["stack"][0].as_str().unwrap().starts_with("wait_for_completion "));
}
