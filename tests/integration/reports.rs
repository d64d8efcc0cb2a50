//! Golden reports: the text and JSON reports of the seed deadlock and of the
//! trampoline use-after-free, byte for byte (timing left out of the JSON),
//! with the table of the kernel diagnostics that catch the deadlock.

use std::path::Path;

use taskcheck::check::{self, Options};
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

fn result(scenario: &str, kernel: &str) -> check::CheckResult {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin(kernel).unwrap();
    let (sys, _) = check::build(&mut map, &model, &format!("scenarios/{scenario}"), &text).unwrap();
    // As `check` runs it: with the table of which diagnostics catch a deadlock.
    let diagnose = Some((taskcheck::diagnose::Tunables::default(), taskcheck::diagnose::Features::of(&model)));
    check::check(&map, &sys, kernel, &Options { diagnose, ..Options::default() })
}

#[test]
fn seed_deadlock_text_report_on_v6_1() {
    let r = result("seed_unshare_deadlock.c", "v6.1");
    insta::assert_snapshot!(taskcheck::report::text::render("scenarios/seed_unshare_deadlock.c", &r));
}

#[test]
fn seed_deadlock_json_report_on_v6_1() {
    let r = result("seed_unshare_deadlock.c", "v6.1");
    insta::assert_snapshot!(taskcheck::report::json::render("scenarios/seed_unshare_deadlock.c", &[r], false));
}

#[test]
fn trampoline_use_after_free_text_report_on_unprotected() {
    let r = result("exit_tail_trampoline.c", "unprotected");
    insta::assert_snapshot!(taskcheck::report::text::render("scenarios/exit_tail_trampoline.c", &r));
}

#[test]
fn seed_wait_for_graph_dot_on_v6_1() {
    let r = result("seed_unshare_deadlock.c", "v6.1");
    let dot = taskcheck::report::dot::render("scenarios/seed_unshare_deadlock.c", &r);
    for edge in ["main -> rcu_tasks_kthread", "rcu_tasks_kthread -> b", "b -> c", "c -> main"] {
        assert!(dot.contains(edge), "no edge {edge} in\n{dot}");
    }
    insta::assert_snapshot!(dot);
}
