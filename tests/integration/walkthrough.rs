//! The README's walkthrough works as written: export v6.1, apply the edits
//! shown in README.md, and the seed scenario no longer deadlocks.

use std::path::Path;

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

#[test]
fn readme_pause_walkthrough_removes_the_seed_deadlock() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempdir();
    Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["kernels", "--export", "v6.1"])
        .arg(&dir)
        .assert()
        .success();
    let edits = readme_edits();
    assert_eq!(edits.len(), 2, "the README walkthrough has two edits");
    for (file, before, after) in edits {
        let p = dir.join(&file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(&before), "{file} does not contain the README's text:\n{before}");
        std::fs::write(&p, text.replacen(&before, &after, 1)).unwrap();
    }
    // The unedited export still deadlocks; the edited one does not.
    Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("OK"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_exported_model_checks_like_the_builtin() {
    let (code, out) = check_edited("v6.1", &[], "scenarios/seed_unshare_deadlock.c");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("DEADLOCK"), "{out}");
}

/// Check the seed scenario against `kernel` with one edit; the model error on stderr.
fn model_error(kernel: &str, file: &str, before: &str, after: &str) -> (Option<i32>, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempdir();
    Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["kernels", "--export", kernel])
        .arg(&dir)
        .assert()
        .success();
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen(before, after, 1)).unwrap();
    let out = Command::cargo_bin("taskcheck")
        .unwrap()
        .current_dir(root)
        .args(["check", "scenarios/seed_unshare_deadlock.c", "--kernel"])
        .arg(&dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_model_calling_an_unknown_primitive_exits_2_pointing_into_the_model() {
    let (code, err) = model_error("v6.1", "pid.kc", "idr_remove(pid, i);", "idr_remove_all(pid, i);");
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown function `idr_remove_all`"), "{err}");
    assert!(err.contains("pid.kc:26:"), "{err}");
}

#[test]
fn a_model_with_a_syntax_error_exits_2_pointing_into_the_model() {
    let (code, err) = model_error(
        "v6.3",
        "tasks.kc",
        "synchronize_srcu(&tasks_rcu_exit_srcu);",
        "synchronize_srcu(&tasks_rcu_exit_srcu)",
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("tasks.kc:"), "{err}");
    assert!(err.contains("expected `;`"), "{err}");
}

fn tempdir() -> std::path::PathBuf {
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

/// Export `kernel`, apply `(file, before, after)` edits, and check `scenario` against it.
fn check_edited(kernel: &str, edits: &[(&str, &str, &str)], scenario: &str) -> (Option<i32>, String) {
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
        let p = dir.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(before), "{file} lacks {before}");
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
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn commit_3f95aa81d265_without_the_exit_srcu_section_a_reaped_task_is_freed_under() {
    // v6.1 without exit_tasks_rcu_start()/finish() in do_exit(): the safety
    // reason for the SRCU section, shown by the model.
    let (code, out) = check_edited(
        "v6.1",
        &[("exit.kc", "\texit_tasks_rcu_start();\n", ""), ("exit.kc", "\texit_tasks_rcu_finish();\n", "")],
        "scenarios/exit_tail_trampoline.c",
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("TRAMPOLINE-USE-AFTER-FREE"), "{out}");
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
    let (code, out) = check_edited("v6.1", &[no_pregp, no_postgp], "scenarios/exit_tail_trampoline.c");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("TRAMPOLINE-USE-AFTER-FREE"), "{out}");
    // Either one suffices in the model: a task can enter the old trampoline
    // only before it is removed, i.e. before the grace period starts.
    let (code, out) = check_edited("v6.1", &[no_postgp], "scenarios/exit_tail_trampoline.c");
    assert_eq!(code, Some(0), "{out}");
}
