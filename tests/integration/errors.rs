//! Golden error messages: each file of `tests/integration/errors/` fails to
//! compile, and its rendered diagnostic is a snapshot.

use std::path::Path;

use taskcheck::check;
use taskcheck::kernel::models;
use taskcheck::lang::diag::{self, SourceMap};

fn render(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/errors").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut map = SourceMap::default();
    let model = models::builtin("v6.1").unwrap();
    match check::build(&mut map, &model, &format!("errors/{name}"), &text) {
        Ok(_) => panic!("{name} compiled"),
        Err(d) => diag::render(&map, &d, false),
    }
}

#[test]
fn golden_error_messages() {
    insta::glob!("errors/*.c", |path| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(render(&name));
    });
}
