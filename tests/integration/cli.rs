//! End-to-end tests of the binary.

use assert_cmd::Command;
use predicates::prelude::*;

fn taskcheck() -> Command {
    let mut c = Command::cargo_bin("taskcheck").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn seed_scenario_deadlocks_on_v6_1_with_the_four_task_cycle() {
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("DEADLOCK"))
        .stdout(predicate::str::contains("in: synchronize_srcu <- rcu_tasks_postscan"))
        .stdout(predicate::str::contains("in: zap_pid_ns_processes"))
        .stdout(predicate::str::contains("wait_for_completion <- __wait_rcu_gp <- synchronize_rcu_tasks"))
        .stdout(predicate::str::contains("c is a zombie"));
}

#[test]
fn seed_scenario_json_carries_the_cycle() {
    let out = taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["kernel"], "v6.1");
    assert_eq!(r["verdict"], "deadlock");
    assert_eq!(r["complete"], true);
    let cycle = r["cycle"].as_array().unwrap();
    let mut names: Vec<&str> = cycle.iter().map(|w| w["task"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["b", "c", "main", "rcu_tasks_kthread"]);
    let main = cycle.iter().find(|w| w["task"] == "main").unwrap();
    assert!(main["waits_in"].as_array().unwrap().iter().any(|f| f == "synchronize_rcu_tasks"));
    let kt = cycle.iter().find(|w| w["task"] == "rcu_tasks_kthread").unwrap();
    let kt_stack: Vec<&str> = kt["waits_in"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(&kt_stack[..2], ["synchronize_srcu", "rcu_tasks_postscan"]);
    assert_eq!(cycle.iter().find(|w| w["task"] == "c").unwrap()["waits_for"], "main");
    assert!(r["trace"].as_array().unwrap().len() > 10);
}

#[test]
fn a_replayed_schedule_reaches_the_same_deadlock() {
    let out = taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schedule = v["results"][0]["schedule"].as_str().unwrap().to_string();
    let again = taskcheck()
        .args([
            "check",
            "scenarios/seed_unshare_deadlock.c",
            "--kernel",
            "v6.1",
            "--format",
            "json",
            "--replay",
            &schedule,
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(w["results"][0]["verdict"], "deadlock");
    assert_eq!(w["results"][0]["cycle"], v["results"][0]["cycle"]);
    assert_eq!(w["results"][0]["trace"], v["results"][0]["trace"]);
}

#[test]
fn same_input_gives_the_same_report() {
    let run = || {
        taskcheck().args(["check", "scenarios/fork_after_reaper_death.c", "--kernel", "v6.1"]).output().unwrap().stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn a_syntax_error_exits_2_with_file_line_column() {
    taskcheck()
        .args(["check", "tests/integration/errors/missing_semicolon.c", "--kernel", "v6.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing_semicolon.c:3:"));
}

#[test]
fn an_unknown_kernel_is_a_usage_error() {
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v9.99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown kernel model"));
}

#[test]
fn a_missing_file_is_a_usage_error() {
    taskcheck()
        .args(["check", "scenarios/does_not_exist.c"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn a_state_bound_that_is_hit_exits_3_and_says_so() {
    taskcheck()
        .args(["check", "scenarios/sigchld_ignored_autoreap.c", "--kernel", "v6.1", "--max-states", "100"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("stopped at --max-states"))
        .stdout(predicate::str::contains("INCOMPLETE"))
        .stdout(predicate::str::contains("or bound the schedules instead (--max-delays 2, or --max-delays auto"));
}

#[test]
fn kernels_lists_the_builtin_models() {
    taskcheck().arg("kernels").assert().success().stdout(predicate::str::contains("v6.1"));
}

#[test]
fn test_command_runs_the_shared_corpus() {
    taskcheck()
        .args(["test", "scenarios", "--kernel", "v6.1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(" passed, 0 failed"));
}

#[test]
fn a_use_the_model_does_not_cover_exits_2_from_check_and_run() {
    let scenario = "tests/integration/faults/sigstop_not_modelled.c";
    let out = taskcheck().args(["check", scenario, "--kernel", "v6.11"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("MODEL-ERROR") && text.contains("the search stopped there"), "{text}");
    assert!(text.contains("job-control stops are not modelled"), "{text}");
    // Where in the scenario: the kill() that sent it.
    assert!(text.contains("reached from tests/integration/faults/sigstop_not_modelled.c:13:2"), "{text}");
    let out = taskcheck().args(["check", scenario, "--kernel", "v6.11", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["results"][0]["verdict"], "model-error");
    assert_eq!(json["results"][0]["complete"], false);
    let out = taskcheck().args(["run", scenario, "--kernel", "v6.11", "--seed", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_fault_in_the_trace_is_said_in_words_with_its_location() {
    let out = taskcheck()
        .args(["check", "tests/integration/faults/unbounded_recursion.c", "--kernel", "v6.1"])
        .output()
        .unwrap();
    // A use the model does not cover is bad input, not a finding.
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-> not modelled: call depth above 200 (unbounded recursion?) at tests/integration/faults/unbounded_recursion.c:5:2"),
        "{text}"
    );
    assert!(!text.contains("Unsupported(") && !text.contains("Model(\""), "{text}");
}

#[test]
fn random_schedules_find_the_seed_deadlock_and_the_schedule_replays_it() {
    let out = taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--random", "200", "--seed", "3"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"][0]["verdict"], "deadlock");
    let schedule = v["results"][0]["schedule"].as_str().unwrap().to_string();
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--replay", &schedule])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wait-for cycle: main -> rcu_tasks_kthread -> b -> c -> main"));
}

#[test]
fn random_schedules_without_a_finding_exit_3_and_say_how_many_ran() {
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.3", "--random", "20", "--seed", "1"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("nothing found in 20 random schedules (seed 1"));
}

#[test]
fn a_memory_limit_that_is_hit_exits_3_and_says_so() {
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.3", "--memory-limit", "1M"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("stopped at --memory-limit"));
}

/// The acceptance of the pictures: `check seed --kernel v6.1 --kernel v6.3
/// --dot --svg --report` writes all three, and the text sets the fix beside
/// the bug.
#[test]
fn seed_pictures_and_the_fix_beside_the_bug() {
    let dir = std::env::temp_dir().join(format!("taskcheck-pictures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (dot, svg, html) = (dir.join("w.dot"), dir.join("t.svg"), dir.join("r.html"));
    let out = taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--kernel", "v6.3"])
        .arg("--dot")
        .arg(&dot)
        .arg("--svg")
        .arg(&svg)
        .arg("--report")
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    // Where v6.3 parts from v6.1: b leaves the SRCU section before it sleeps.
    assert!(text.contains("v6.3 beside v6.1"), "{text}");
    assert!(text.contains("v6.3     exit_tasks_rcu_stop: __srcu_read_unlock()"), "{text}");
    assert!(text.contains("-> b leaves its tasks_rcu_exit_srcu read-side section"), "{text}");
    assert!(text.contains("no rcu_tasks_kthread -> b (SRCU reader)"), "{text}");
    let dot = std::fs::read_to_string(&dot).unwrap();
    for edge in ["main -> rcu_tasks_kthread", "rcu_tasks_kthread -> b", "b -> c", "c -> main"] {
        assert!(dot.contains(edge), "{dot}");
    }
    let svg = std::fs::read_to_string(&svg).unwrap();
    for lane in [">main<", ">rcu_tasks_kthread (kthread)<", ">b<", ">c<"] {
        assert!(svg.contains(lane), "no lane {lane}");
    }
    let html = std::fs::read_to_string(&html).unwrap();
    for word in ["zap_pid_ns_processes", "synchronize_srcu", "<svg", "A fix beside the bug"] {
        assert!(html.contains(word), "the page has no {word}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // The same comparison in JSON.
    let out = taskcheck()
        .args([
            "check",
            "scenarios/seed_unshare_deadlock.c",
            "--kernel",
            "v6.1",
            "--kernel",
            "v6.3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["comparisons"][0];
    assert_eq!(c["fix_kernel"], "v6.3");
    assert_eq!(c["parting"]["task"], "b");
    let missing: Vec<&str> = c["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["at_end"] == false)
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"rcu_tasks_kthread"));
}

/// With bystanders, the trace shown has no step of theirs
/// (`../shared/bench/gen_scaled.py 2 1`), whether random schedules or the
/// exhaustive search found it. The search's trace ends with c still running
/// the tail of do_exit(): named in the cycle, not yet stuck.
#[test]
fn sliced_trace_of_the_seed_with_two_helpers_has_no_bystander_step() {
    for search in [&["--random", "200", "--seed", "1"][..], &[][..]] {
        let out = taskcheck()
            .args(["check", "tests/integration/report_cases/seed_with_two_helpers.c", "--kernel", "v6.1"])
            .args(search)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{search:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let r = &v["results"][0];
        assert_eq!(r["verdict"], "deadlock");
        let tasks: Vec<&str> = r["trace"].as_array().unwrap().iter().map(|s| s["task"].as_str().unwrap()).collect();
        for t in &tasks {
            assert!(
                ["main", "b", "c", "rcu_tasks_kthread"].contains(t),
                "a step of {t} in the sliced trace ({search:?})"
            );
        }
        assert!(r["trace_left_out"].as_u64().unwrap() > 0, "{search:?}");
        // The slice replays to the same deadlock.
        let schedule = r["schedule"].as_str().unwrap();
        taskcheck()
            .args([
                "check",
                "tests/integration/report_cases/seed_with_two_helpers.c",
                "--kernel",
                "v6.1",
                "--replay",
                schedule,
            ])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("wait-for cycle: main -> rcu_tasks_kthread -> b -> c -> main"));
    }
}

/// The three search orders give the same verdicts; where nothing is found,
/// the complete searches count the same states. The default order
/// (fewest preemptions first) meets the seed deadlock soonest.
#[test]
fn the_search_orders_agree_and_fewest_preemptions_first_meets_the_seed_deadlock_soonest() {
    let run = |search: Option<&str>| {
        let mut cmd = taskcheck();
        cmd.args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--kernel", "v6.3"]);
        cmd.args(["--format", "json"]);
        if let Some(s) = search {
            cmd.args(["--search", s]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "--search {search:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let r = |i: usize| {
            let r = &v["results"][i];
            (r["verdict"].as_str().unwrap().to_string(), r["stats"]["states"].as_u64().unwrap())
        };
        (r(0), r(1))
    };
    let (preempt_61, preempt_63) = run(Some("preempt"));
    let (dfs_61, dfs_63) = run(Some("dfs"));
    let (bfs_61, bfs_63) = run(Some("bfs"));
    for v61 in [&preempt_61, &dfs_61, &bfs_61] {
        assert_eq!(v61.0, "deadlock");
    }
    assert!(preempt_61.1 < dfs_61.1 && dfs_61.1 < bfs_61.1, "{preempt_61:?} {dfs_61:?} {bfs_61:?}");
    assert_eq!(bfs_63.0, "ok");
    assert_eq!((&preempt_63, &dfs_63), (&bfs_63, &bfs_63));
    assert_eq!(run(None), (preempt_61, preempt_63), "the default order is preempt");
}

/// A depth bound asks for every schedule of up to N steps: the search is
/// then breadth-first whatever the order, and finds the use-after-free
/// whose shortest trace has 36 steps.
#[test]
fn under_a_depth_bound_the_search_sees_every_schedule_within_it() {
    for search in ["preempt", "dfs", "bfs"] {
        taskcheck()
            .args(["check", "scenarios/exit_tail_trampoline.c", "--kernel", "unprotected", "--max-depth", "36"])
            .args(["--search", search])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("TRAMPOLINE-USE-AFTER-FREE"));
    }
}

/// `test` runs its checks side by side, and still reports them in file
/// order, the same on every run.
#[test]
fn test_reports_in_file_order_however_the_checks_interleave() {
    let run = || {
        let out = taskcheck().args(["test", "scenarios", "--kernel", "v6.1"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    let files: Vec<&str> =
        first.lines().filter_map(|l| l.strip_prefix("ok   ")).map(|l| l.split(' ').next().unwrap()).collect();
    assert!(files.len() >= 50, "{first}");
    assert!(files.windows(2).all(|w| w[0] <= w[1]), "{first}");
    assert_eq!(run(), first);
}

/// Under `flag` (`--max-preemptions`, `--max-delays`) 0 the seed deadlock
/// is found on v6.1; v6.3 within 0 and 1 is `incomplete` (exit 3) and says
/// which bound (`what`), within 250 `ok`.
fn a_schedule_bound_finds_the_seed_deadlock_and_says_what_it_covered(flag: &str, what: &str) {
    let stopped = format!("stopped at {flag}");
    let covered = format!("the schedules within the {what} bound were searched");
    for (kernel, bound, code, says) in [
        ("v6.1", "0", 1, "wait-for cycle: main -> rcu_tasks_kthread -> b -> c -> main"),
        ("v6.3", "0", 3, stopped.as_str()),
        ("v6.3", "1", 3, covered.as_str()),
        ("v6.3", "250", 0, "OK ("),
    ] {
        taskcheck()
            .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", kernel, flag, bound])
            .assert()
            .code(code)
            .stdout(predicate::str::contains(says));
    }
}

/// `--max-preemptions`: the seed deadlock takes none (each task runs until
/// it blocks, then the next: main, b, the kthread, c); a fixed
/// kernel searched within a bound too small to cover it is `incomplete`
/// (exit 3) and says which bound, within one large enough it is `ok`.
#[test]
fn a_preemption_bound_finds_the_seed_deadlock_and_says_what_it_covered() {
    a_schedule_bound_finds_the_seed_deadlock_and_says_what_it_covered("--max-preemptions", "preemption");
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--max-preemptions", "1", "--max-depth", "9"])
        .assert()
        .code(2);
}

/// `--max-delays`: the round-robin schedule without delays already runs
/// into the seed deadlock; a fixed kernel within too small a bound is
/// `incomplete` (exit 3) and says which bound, within one large enough
/// `ok`. The two schedule bounds do not go together.
#[test]
fn a_delay_bound_finds_the_seed_deadlock_and_says_what_it_covered() {
    a_schedule_bound_finds_the_seed_deadlock_and_says_what_it_covered("--max-delays", "delay");
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--max-delays", "1", "--max-preemptions", "1"])
        .assert()
        .code(2);
    // JSON says which bound the count was made under.
    let out = taskcheck()
        .args([
            "check",
            "scenarios/seed_unshare_deadlock.c",
            "--kernel",
            "v6.3",
            "--max-delays",
            "1",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stats = &v["results"][0]["stats"];
    assert_eq!(stats["max_delays"], 1, "{stats}");
    assert!(stats.get("max_preemptions").is_none(), "{stats}");
}

/// `--max-delays auto` searches within 0 delays, then 1, 2, ...: each
/// search is the one `--max-delays K` makes, and the report is the last
/// one's, with the largest bound searched in full before it. It ends where
/// a bound cuts nothing (`ok` on v6.3), where something is found (getppid()
/// after the parent's death needs one delay), or at a limit (exit 3, with
/// what was covered); `--max-delays often` is a usage error.
#[test]
fn an_automatic_delay_bound_rises_until_the_search_ends() {
    let json = |file: &str, kernel: &str, extra: &[&str]| -> (Option<i32>, serde_json::Value) {
        let out =
            taskcheck().args(["check", file, "--kernel", kernel, "--format", "json"]).args(extra).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), v["results"][0].clone())
    };
    let seed = "scenarios/seed_unshare_deadlock.c";
    let states = |file: &str, kernel: &str, bound: u64| {
        json(file, kernel, &["--max-delays", &bound.to_string()]).1["stats"]["states"].clone()
    };

    // Complete on v6.3 at the first bound that cuts nothing.
    let (code, r) = json(seed, "v6.3", &["--max-delays", "auto"]);
    assert_eq!((code, r["verdict"].as_str()), (Some(0), Some("ok")), "{r}");
    let last = r["stats"]["max_delays"].as_u64().unwrap();
    assert_eq!(r["stats"]["delays_covered"].as_u64(), Some(last - 1), "{r}");
    assert_eq!(r["stats"]["states"], states(seed, "v6.3", last));
    assert_eq!(r["stats"]["delays_covered_states"], states(seed, "v6.3", last - 1));
    assert_eq!(json(seed, "v6.3", &["--max-delays", &(last - 1).to_string()]).1["verdict"], "incomplete");

    // A finding within one delay, none within none.
    let getppid = "scenarios/getppid_after_killing_parent.c";
    let (code, r) = json(getppid, "v6.1", &["--max-delays", "auto"]);
    assert_eq!((code, r["verdict"].as_str()), (Some(1), Some("assertion")), "{r}");
    assert_eq!((r["stats"]["max_delays"].as_u64(), r["stats"]["delays_covered"].as_u64()), (Some(1), Some(0)));
    assert_eq!(r["stats"]["delays_covered_states"], states(getppid, "v6.1", 0));
    taskcheck().args(["check", getppid, "--kernel", "v6.1", "--max-delays", "auto"]).assert().code(1).stdout(
        predicate::str::contains("found by the search within 1 delay; the search within 0 delays found nothing ("),
    );

    // A limit stops the search one delay past the last bound covered.
    let within2 = states(seed, "v6.3", 2).as_u64().unwrap();
    let within3 = states(seed, "v6.3", 3).as_u64().unwrap();
    let limit = (within2 + within3) / 2;
    taskcheck()
        .args(["check", seed, "--kernel", "v6.3", "--max-delays", "auto", "--max-states", &limit.to_string()])
        .assert()
        .code(3)
        .stdout(predicate::str::contains(format!(
            "nothing found in any schedule with at most 2 delays ({within2} states; searched for hung sets, deadlocks and violations, not for the partial deadlocks only a complete search shows); the search within 3 delays stopped at --max-states after {limit} states"
        )));

    taskcheck()
        .args(["check", seed, "--max-delays", "often"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("write a number of delays from 0 to 250, or auto"));
}

/// `--census` counts, over the states the search expands, where each task
/// stands. A complete search expands each state once, whatever the order
/// and the thread count: init, there from boot, stands somewhere in every
/// one of them, and the counts are the same on one thread and on two.
#[test]
fn the_census_counts_each_expanded_state_once_on_any_thread_count() {
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = taskcheck()
            .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.3", "--census", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"][0]["stats"]["seconds"] = 0.into();
        v["results"][0].take()
    };
    let default = run(&[]);
    let states = default["stats"]["states"].as_u64().unwrap();
    assert_eq!(default["census"]["states"].as_u64(), Some(states));
    let places = default["census"]["places"].as_array().unwrap();
    let of =
        |task: &str| places.iter().filter(|p| p["task"] == task).map(|p| p["states"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(of("init"), states);
    assert_eq!(of("rcu_tasks_kthread"), states);
    assert!(of("c") > 0 && of("c") < states, "c is forked during the search");
    assert!(places.iter().any(|p| p["task"] == "c" && p["how"] == "exited" && p.get("function").is_none()));
    for search in ["bfs", "preempt"] {
        let one = run(&["--search", search, "--threads", "1"]);
        let two = run(&["--search", search, "--threads", "2"]);
        assert_eq!(one, two, "{search}");
        assert_eq!(one["census"]["states"].as_u64(), Some(states), "{search}");
    }
    // The text report shows the points that hold the most states.
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.3", "--census"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!("Where the states are (--census): of the {states} states expanded")))
        .stdout(predicate::str::contains("waiting in wait_for_completion() at v6.3/sched.kc:"));
}
