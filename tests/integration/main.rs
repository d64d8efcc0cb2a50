//! One integration-test binary (cheapest to build on two cores).

mod cli;
mod corpus;
mod diagnostics;
mod effects;
mod errors;
mod exhaustive;
mod hung;
mod oracle;
mod patches;
mod reduction;
mod reports;
mod robustness;
mod threads;
mod walkthrough;

/// The scenario corpus (`scenarios/*.c`), sorted by name.
pub fn corpus_files() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("the scenarios directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    files
}
