//! Golden reports: the text and JSON reports of the seed deadlock and of the
//! trampoline use-after-free, byte for byte (timing left out of the JSON),
//! with the table of the kernel diagnostics that catch the deadlock.

use std::path::Path;

use taskcheck::check::{self, Options};
use taskcheck::kernel::models;
use taskcheck::lang::diag::SourceMap;

/// The scenario at `path` (from the crate's root) on built-in `kernel`.
fn built(path: &str, kernel: &str) -> (SourceMap, taskcheck::kernel::system::System) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin(kernel).unwrap();
    let (sys, _) = check::build(&mut map, &model, path, &text).unwrap();
    (map, sys)
}

fn result(scenario: &str, kernel: &str) -> check::CheckResult {
    let (map, sys) = built(&format!("scenarios/{scenario}"), kernel);
    let model = models::builtin(kernel).unwrap();
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

#[test]
fn seed_html_report_on_v6_1_is_self_contained_and_links_every_step_to_its_source() {
    let r = result("seed_unshare_deadlock.c", "v6.1");
    let model = models::builtin("v6.1").unwrap();
    let mut sources: std::collections::BTreeMap<String, String> = model.files.iter().cloned().collect();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed_unshare_deadlock.c");
    sources.insert("scenarios/seed_unshare_deadlock.c".into(), std::fs::read_to_string(scenario).unwrap());
    let rows = [taskcheck::report::html::Row { result: &r, expectation: Some("as expected".into()) }];
    let page = taskcheck::report::html::render("scenarios/seed_unshare_deadlock.c", &rows, &r, &sources, &[]);
    let doc = scraper::Html::parse_document(&page);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    // Self-contained: nothing fetched from elsewhere.
    assert_eq!(doc.select(&sel("script, link, img, iframe, object")).count(), 0);
    for el in doc.select(&sel("[src], [href]")) {
        for attr in ["src", "href"] {
            if let Some(v) = el.value().attr(attr) {
                assert!(v.starts_with('#'), "{attr}={v} leaves the page");
            }
        }
    }
    // The diagram inline, and the kernel functions of the cycle named.
    assert_eq!(doc.select(&sel("svg")).count(), 1);
    let text: String = doc.root_element().text().collect();
    for f in ["zap_pid_ns_processes", "synchronize_srcu", "wait_for_completion", "hung_task"] {
        assert!(text.contains(f), "the page does not name {f}");
    }
    // Every step links to a source snippet that is on the page and marks the line.
    let steps: Vec<_> = doc.select(&sel("div.trace li")).collect();
    assert_eq!(steps.len(), r.trace.len());
    for step in steps {
        let link = step.select(&sel("a")).next().expect("a step without a source link");
        let id = &link.value().attr("href").unwrap()[1..];
        let snippet = doc.select(&sel(&format!("div.src[id='{id}']"))).next().expect("a link to nowhere");
        assert_eq!(snippet.select(&sel(".hit")).count(), 1);
    }
}

/// Random schedules of the seed with two helpers (`gen_scaled.py 2 1`) wander
/// through the helpers; each finding's slice drops steps, keeps every step
/// of the stuck tasks, and replays to the same cycle.
#[test]
fn slices_of_random_traces_with_bystanders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/report_cases/seed_with_two_helpers.c");
    let text = std::fs::read_to_string(path).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin("v6.1").unwrap();
    let (sys, _) = check::build(&mut map, &model, "seed_with_two_helpers.c", &text).unwrap();
    let mut sliced_some = 0;
    for seed in 1..=8 {
        let random = Some(taskcheck::explore::RandomConfig { schedules: 200, seed, ..Default::default() });
        let sliced = check::check(&map, &sys, "v6.1", &Options { random, ..Options::default() });
        let full = check::check(&map, &sys, "v6.1", &Options { random, full_trace: true, ..Options::default() });
        assert_eq!(sliced.verdict, check::Verdict::Deadlock, "seed {seed}");
        // Not always: a forked bystander that never runs stays an RCU Tasks
        // holdout, and the grace period of the cycle needs it to run.
        sliced_some += usize::from(sliced.left_out > 0);
        assert_eq!(sliced.trace.len() + sliced.left_out, full.trace.len(), "seed {seed}");
        let cycle = |r: &check::CheckResult| r.cycle.iter().map(|w| w.task.clone()).collect::<Vec<_>>();
        for t in cycle(&full) {
            let n = |r: &check::CheckResult| r.trace.iter().filter(|s| s.task == t).count();
            assert_eq!(n(&sliced), n(&full), "seed {seed}: steps of {t} were dropped");
        }
        let again = check::replay_schedule(&map, &sys, "v6.1", &sliced.schedule).unwrap();
        assert_eq!(cycle(&again), cycle(&full), "seed {seed}: the slice replays elsewhere");
    }
    assert!(sliced_some >= 5, "only {sliced_some} of 8 traces were sliced");
}

/// The census of a search in the default order that turns breadth-first
/// (here at a frontier of 64 states, so that the seed is big enough): the
/// search starts again from the initial state there, and so does the count,
/// which ends with each state counted once, as the breadth-first search
/// counts it.
#[test]
fn the_census_starts_again_with_the_search() {
    let (map, sys) = built("scenarios/seed_unshare_deadlock.c", "v6.3");
    let census = |opts: &Options| {
        let r = check::check(&map, &sys, "v6.3", &Options { census: true, ..opts.clone() });
        let c = r.census.expect("a census");
        let places: Vec<_> = c.places.iter().map(|p| (p.task.clone(), p.how, p.at.clone(), p.states)).collect();
        (r.stats.states, c.states, places)
    };
    let turned = census(&Options {
        order: taskcheck::explore::Order::FewestPreemptions,
        preempt_frontier: Some(64),
        ..Options::default()
    });
    let bfs = census(&Options { order: taskcheck::explore::Order::BreadthFirst, ..Options::default() });
    assert_eq!(turned.0, turned.1, "each state counted once");
    assert_eq!(turned, bfs);
    // A scenario that orders pid numbers is searched again without
    // symmetry; the count is the second search's.
    let (map, mut sys) = built("scenarios/pid_numbers_not_reused.c", "v6.9");
    sys.set_symmetry(true);
    let r = check::check(&map, &sys, "v6.9", &Options { census: true, ..Options::default() });
    assert!(r.symmetry_dropped.is_some());
    assert_eq!(r.census.map(|c| c.states), Some(r.stats.states));
}
