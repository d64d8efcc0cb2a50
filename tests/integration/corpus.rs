//! Every scenario of `scenarios/` meets the `//! expect` line of each built-in
//! kernel it names.

use std::path::Path;

use taskcheck::check::{self, expect, Options};
use taskcheck::kernel::models;
use taskcheck::lang::diag::{self, SourceMap};

#[test]
fn every_scenario_meets_its_expectations_on_every_builtin_kernel() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the corpus is missing");
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let exps = expect::parse(&text).unwrap_or_else(|(l, m)| panic!("{}:{l}: {m}", f.display()));
        assert!(!exps.is_empty(), "{} has no expectation", f.display());
        for e in &exps {
            for k in &e.kernels {
                let model = models::builtin(k).unwrap_or_else(|| panic!("{}: unknown kernel {k}", f.display()));
                let mut map = SourceMap::default();
                let name = f.file_name().unwrap().to_string_lossy().to_string();
                let (sys, _) = match check::build(&mut map, &model, &name, &text) {
                    Ok(s) => s,
                    Err(d) => {
                        failures.push(format!("{name} [{k}]: does not compile\n{}", diag::render(&map, &d, false)));
                        continue;
                    }
                };
                let r = check::check(&map, &sys, k, &Options::default());
                checked += 1;
                if let Err(why) = expect::meets(e, &r) {
                    failures.push(format!("{name} [{k}]: {why}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
}
