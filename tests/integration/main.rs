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
mod random_programs;
mod reduction;
mod reports;
mod robustness;
mod symmetry;
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

/// `f` on every corpus scenario built for every built-in kernel: the
/// scenario's file name, the kernel's name, and the system.
pub fn each_corpus_system(
    mut f: impl FnMut(&str, &str, &taskcheck::lang::diag::SourceMap, &mut taskcheck::kernel::system::System),
) {
    for path in corpus_files() {
        let text = std::fs::read_to_string(&path).expect("a corpus scenario");
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        for k in taskcheck::kernel::models::builtin_names() {
            let model = taskcheck::kernel::models::builtin(k).expect("a built-in kernel");
            let mut map = taskcheck::lang::diag::SourceMap::default();
            let (mut sys, _) =
                taskcheck::check::build(&mut map, &model, &name, &text).expect("a corpus scenario compiles");
            f(&name, k, &map, &mut sys);
        }
    }
}
