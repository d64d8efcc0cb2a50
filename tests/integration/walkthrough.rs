//! The README's walkthrough works as written (export v6.1, apply the edits
//! shown in README.md, and the seed scenario no longer deadlocks), and edited
//! copies of the built-in models show what each piece of the kernel design
//! is for, or point errors into the model files.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The (file, before, after) edits of the README: a `<!-- edit FILE -->`
/// marker, then the first ```c block is replaced by the second.
fn readme_edits() -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut edits = Vec::new();
    for part in readme.split("<!-- edit ").skip(1) {
        let file = part.split_whitespace().next().unwrap().to_string();
        let blocks: Vec<&str> = part.split("```c\n").skip(1).take(2).map(|b| b.split("```").next().unwrap()).collect();
        edits.push((file, blocks[0].to_string(), blocks[1].to_string()));
    }
    edits
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "taskcheck-walkthrough-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The outcome of checking a scenario against an edited model.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Export `kernel`, apply `(file, before, after)` edits (each `before` must be
/// there), and check `scenario` against the copy.
fn check_edited<S: AsRef<str>>(kernel: &str, edits: &[(S, S, S)], scenario: &str) -> Run {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempdir();
    Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["kernels", "--export", kernel])
        .arg(&dir)
        .assert()
        .success();
    for (file, before, after) in edits {
        let (file, before, after) = (file.as_ref(), before.as_ref(), after.as_ref());
        let p = dir.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(before), "{file} does not contain:\n{before}");
        std::fs::write(&p, text.replacen(before, after, 1)).unwrap();
    }
    let out = Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["check", scenario, "--kernel"])
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const SEED: &str = "scenarios/seed_unshare_deadlock.c";
const TRAMPOLINE: &str = "scenarios/exit_tail_trampoline.c";

#[test]
fn readme_pause_walkthrough_removes_the_seed_deadlock() {
    let edits = readme_edits();
    assert_eq!(edits.len(), 2, "the README walkthrough has two edits");
    let r = check_edited("v6.1", &edits, SEED);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert!(r.stdout.contains("OK"), "{}", r.stdout);
}

#[test]
fn an_exported_model_checks_like_the_builtin() {
    let r = check_edited::<&str>("v6.1", &[], SEED);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stdout.contains("DEADLOCK"), "{}", r.stdout);
}

#[test]
fn a_model_calling_an_unknown_primitive_exits_2_pointing_into_the_model() {
    let r = check_edited("v6.1", &[("pid.kc", "idr_remove(pid, i);", "idr_remove_all(pid, i);")], SEED);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("unknown function `idr_remove_all`"), "{}", r.stderr);
    assert!(r.stderr.contains("pid.kc:26:"), "{}", r.stderr);
}

#[test]
fn a_model_with_a_syntax_error_exits_2_pointing_into_the_model() {
    let edit = ("tasks.kc", "synchronize_srcu(&tasks_rcu_exit_srcu);", "synchronize_srcu(&tasks_rcu_exit_srcu)");
    let r = check_edited("v6.3", &[edit], SEED);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("tasks.kc:"), "{}", r.stderr);
    assert!(r.stderr.contains("expected `;`"), "{}", r.stderr);
}

#[test]
fn commit_3f95aa81d265_without_the_exit_srcu_section_a_reaped_task_is_freed_under() {
    // v6.1 without exit_tasks_rcu_start()/finish() in do_exit(): the safety
    // reason for the SRCU section, shown by the model.
    let edits = [("exit.kc", "\texit_tasks_rcu_start();\n", ""), ("exit.kc", "\texit_tasks_rcu_finish();\n", "")];
    let r = check_edited("v6.1", &edits, TRAMPOLINE);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stdout.contains("TRAMPOLINE-USE-AFTER-FREE"), "{}", r.stdout);
}

#[test]
fn the_grace_periods_synchronize_rcu_covers_the_preemption_disabled_tail_of_do_exit() {
    // Without the synchronize_rcu() calls of the grace period, a task
    // preempted in a trampoline after exit_tasks_rcu_finish() dropped its SRCU
    // reader (preemption still disabled, before do_task_dead()) is freed under.
    let no_pregp = (
        "tasks.kc",
        "static void rcu_tasks_pregp_step(void)\n{\n\tsynchronize_rcu();\n}",
        "static void rcu_tasks_pregp_step(void)\n{\n}",
    );
    let no_postgp = (
        "tasks.kc",
        "static void rcu_tasks_postgp(void)\n{\n\tsynchronize_rcu();\n}",
        "static void rcu_tasks_postgp(void)\n{\n}",
    );
    let r = check_edited("v6.1", &[no_pregp, no_postgp], TRAMPOLINE);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(r.stdout.contains("TRAMPOLINE-USE-AFTER-FREE"), "{}", r.stdout);
    // Either one suffices in the model: a task can enter the old trampoline
    // only before it is removed, i.e. before the grace period starts.
    let r = check_edited("v6.1", &[no_postgp], TRAMPOLINE);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
}

/// The README's patch form of the same fix: its ```diff block.
fn readme_patch() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("## Trying a fix").nth(1).unwrap();
    section.split("```diff\n").nth(1).unwrap().split("```").next().unwrap().to_string()
}

/// Check `scenario` against built-in `kernel` with `patch` saved as `file_name`.
fn check_patched(kernel: &str, file_name: &str, patch: &str, scenario: &str) -> Run {
    let dir = tempdir();
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(file_name);
    std::fs::write(&p, patch).unwrap();
    let out = Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", scenario, "--kernel", kernel, "--patch"])
        .arg(&p)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn readme_pause_patch_removes_the_seed_deadlock() {
    let r = check_patched("v6.1", "pause.patch", &readme_patch(), SEED);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("OK"), "{}", r.stdout);
    assert!(r.stdout.contains("v6.1+pause.patch"), "{}", r.stdout);
}

#[test]
fn a_stale_patch_exits_2_naming_the_patch_the_model_file_and_the_line() {
    let patch = readme_patch();
    let context = " \t\tif (pid_ns->pid_allocated == init_pids)\n";
    assert!(patch.contains(context));
    let stale = patch.replacen(context, " \t\tif (pid_ns->nr_allocated == init_pids)\n", 1);
    let r = check_patched("v6.1", "stale.patch", &stale, SEED);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(r.stderr.contains("stale.patch: hunk #1 (@@ -47,7 +47,9 @@) of pid_namespace.kc"), "{}", r.stderr);
    assert!(r.stderr.contains("line 48 of pid_namespace.kc reads"), "{}", r.stderr);
    assert!(r.stderr.contains("`\t\tif (pid_ns->nr_allocated == init_pids)`"), "{}", r.stderr);
    // v6.3 already has the stop/start there: the same patch no longer applies.
    let r = check_patched("v6.3", "pause.patch", &patch, SEED);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    let msg = "pause.patch: hunk #1 (@@ -47,7 +47,9 @@) of pid_namespace.kc does not apply: line 50 of pid_namespace.kc reads `\t\t/* Don't block";
    assert!(r.stderr.contains(msg), "{}", r.stderr);
}
