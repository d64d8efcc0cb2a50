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

#[test]
fn seed_lane_diagram_svg_on_v6_1_is_xml_with_a_lane_per_task() {
    let r = result("seed_unshare_deadlock.c", "v6.1");
    let svg = taskcheck::report::svg::render("scenarios/seed_unshare_deadlock.c", &r);
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for task in ["main", "rcu_tasks_kthread (kthread)", "b", "c"] {
        assert!(texts.contains(&task), "no lane named {task}");
    }
    // A box per step, and the four edges of the cycle at the bottom.
    let class = |c: &str| doc.descendants().filter(|n| n.attribute("class") == Some(c)).count();
    assert_eq!(class("step"), r.trace.len());
    assert_eq!(class("wait"), 4);
    assert!(class("arrow fork") >= 2 && class("arrow signal") >= 1);
    insta::assert_snapshot!(svg);
}
