//! The built-in models are the v6.1 tree plus the patch series of
//! models/patches/: every export is byte-identical to the files the models
//! had as separate trees (golden/model-exports.sha256; v6.11/sched.kc and
//! tasks.kc since the series gained c342b42fa47f; every entry.kc and signal.kc
//! since the fixes of issue 13: kill(2) checks the signal per target, signal(2)
//! returns the old handler), and `--patch`
//! rejects bad patches with a message and exit status 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use sha2::{Digest, Sha256};

fn taskcheck() -> Command {
    let mut c = Command::cargo_bin("taskcheck").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("taskcheck-patches-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_builtin_export_matches_the_golden_checksums() {
    let golden = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/golden/model-exports.sha256"),
    )
    .unwrap();
    let want: BTreeMap<String, String> = golden
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sum, path)| (path.to_string(), sum.to_string()))
        .collect();
    assert_eq!(want.len(), 60);
    let dir = tempdir("exports");
    let mut have = BTreeMap::new();
    for kernel in ["unprotected", "v6.1", "v6.3", "v6.9", "v6.11"] {
        taskcheck().args(["kernels", "--export", kernel]).arg(dir.join(kernel)).assert().success();
        for e in std::fs::read_dir(dir.join(kernel)).unwrap() {
            let e = e.unwrap();
            let sum = hex(&Sha256::digest(std::fs::read(e.path()).unwrap()));
            have.insert(format!("{kernel}/{}", e.file_name().to_string_lossy()), sum);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(have, want);
}

/// `check SEED --kernel v6.1 --patch FILE` with `text` as FILE.
fn check_with(tag: &str, text: &str) -> (Option<i32>, String) {
    let dir = tempdir(tag);
    let p = dir.join(format!("{tag}.patch"));
    std::fs::write(&p, text).unwrap();
    let out = taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--patch"])
        .arg(&p)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn malformed_patches_exit_2_naming_the_patch_file() {
    for (tag, text) in [
        ("empty", ""),
        ("nohunk", "--- a/tasks.kc\n+++ b/tasks.kc\n"),
        ("header", "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -1,x +1 @@\n"),
        ("short", "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -1,3 +1,3 @@\n // a\n"),
        ("junk", "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -1,2 +1,2 @@\n x\n?y\n"),
    ] {
        let (code, stderr) = check_with(tag, text);
        assert_eq!(code, Some(2), "{tag}: {stderr}");
        assert!(stderr.contains(&format!("{tag}.patch: ")), "{tag}: {stderr}");
    }
}

#[test]
fn a_patch_of_a_file_the_model_does_not_have_exits_2() {
    let (code, stderr) = check_with("missing", "--- a/rcupdate.kc\n+++ b/rcupdate.kc\n@@ -1 +1 @@\n-a\n+b\n");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("missing.patch: the patch changes rcupdate.kc, which the model does not have"), "{stderr}");
}

#[test]
fn a_patch_can_add_a_kc_file() {
    let dir = tempdir("newfile");
    let p = dir.join("extra.patch");
    let add = "--- /dev/null\n+++ b/extra.kc\n@@ -0,0 +1,3 @@\n+void extra_unused(void)\n+{\n+}\n";
    std::fs::write(&p, add).unwrap();
    // Adding it twice is an error: the second patch finds it there.
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--patch"])
        .arg(&p)
        .arg("--patch")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("extra.patch: creates extra.kc, which the model already has"));
    taskcheck()
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--patch"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("v6.1+extra.patch: DEADLOCK"));
    std::fs::remove_dir_all(&dir).ok();
}

/// The search keeps RCU Tasks' exit list sorted, which is sound only while
/// every walk of it ends in the step it began in. A model whose walk sleeps
/// halfway (as rcu_tasks_postscan() came to pause in later kernels) gets a
/// model error saying so at the walk, and checks with `--no-reduction`.
#[test]
fn a_walk_of_the_exit_list_across_a_scheduling_point_needs_no_reduction() {
    let dir = tempdir("pause");
    let p = dir.join("pause.patch");
    let pause = "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -71,6 +71,7 @@\n \t\tt1 = rtp_exit_list_next(t);\n \t\tif (!t->rcu_tasks_holdout)\n \t\t\trcu_tasks_pertask(t);\n+\t\tschedule_timeout_idle(1);\n \t}\n }\n \n";
    std::fs::write(&p, pause).unwrap();
    let check = |extra: &[&str]| {
        let mut c = taskcheck();
        c.args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.9", "--patch"]).arg(&p).args(extra);
        c.output().unwrap()
    };
    let sorted = check(&[]);
    let stdout = String::from_utf8_lossy(&sorted.stdout);
    assert_eq!(sorted.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("MODEL-ERROR"), "{stdout}");
    assert!(stdout.contains("the search stopped there"), "{stdout}");
    assert!(stdout.contains("rtp_exit_list_next(): this walk of the exit list crossed a scheduling point"), "{stdout}");
    assert!(stdout.contains("check this model with --no-reduction"), "{stdout}");
    assert!(stdout.contains("at v6.9/tasks.kc:71:8"), "{stdout}");
    let plain = check(&["--no-reduction"]);
    let stdout = String::from_utf8_lossy(&plain.stdout);
    assert_eq!(plain.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("v6.9+pause.patch: OK"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A task's `rcu_tasks_idx` is private to it while model code reaches it
/// only as `current->rcu_tasks_idx`: the search zeroes it once the task's
/// code can no longer read it (after exit_tasks_rcu_finish()), which merges
/// states. A patch that reads another task's index, or writes it through a
/// pointer other than `current` (even one equal to it), makes it shared, and
/// the search keeps it: more states, the same verdict. (Breadth-first: the
/// deadlock is met after the whole graph up to its depth.)
#[test]
fn a_field_reached_through_another_pointer_is_kept_where_dead() {
    let states = |stdout: &str| -> u64 {
        let after = stdout.split("DEADLOCK (").nth(1).unwrap_or_else(|| panic!("no verdict: {stdout}"));
        after.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no count: {stdout}"))
    };
    let seed = ["check", "scenarios/seed_unshare_deadlock.c", "--kernel", "v6.1", "--search", "bfs"];
    let plain = taskcheck().args(seed).output().unwrap();
    let plain_out = String::from_utf8_lossy(&plain.stdout).into_owned();
    assert_eq!(plain.status.code(), Some(1), "{plain_out}");
    let read = "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -49,4 +49,6 @@\n \tif (t != current && t->on_rq && !is_idle_task(t)) {\n+\t\tif (t->rcu_tasks_idx > 1)\n+\t\t\tpanic(\"corrupt SRCU index\");\n \t\tt->rcu_tasks_nvcsw = t->nvcsw;\n \t\tt->rcu_tasks_holdout = 1;\n \t\tholdout_add(t);\n";
    let write = "--- a/tasks.kc\n+++ b/tasks.kc\n@@ -13,6 +13,7 @@\n void exit_tasks_rcu_start(void)\n {\n+\tstruct task_struct *t = current;\n \tpreempt_disable();\n-\tcurrent->rcu_tasks_idx = __srcu_read_lock(&tasks_rcu_exit_srcu);\n+\tt->rcu_tasks_idx = __srcu_read_lock(&tasks_rcu_exit_srcu);\n \tpreempt_enable();\n }\n";
    for (tag, text) in [("sharedread", read), ("sharedwrite", write)] {
        let dir = tempdir(tag);
        let p = dir.join(format!("{tag}.patch"));
        std::fs::write(&p, text).unwrap();
        let shared = taskcheck().args(seed).arg("--patch").arg(&p).output().unwrap();
        let shared_out = String::from_utf8_lossy(&shared.stdout).into_owned();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(shared.status.code(), Some(1), "{tag}: {shared_out}");
        assert!(states(&shared_out) > states(&plain_out), "{tag}: {plain_out}\n{shared_out}");
    }
}
