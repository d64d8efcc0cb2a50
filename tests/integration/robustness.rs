//! No panic on any input: random text through the front end, and random
//! process-lifecycle programs through the whole checker (bounded).

use proptest::prelude::*;
use taskcheck::check::{self, Options, Verdict};
use taskcheck::explore::Bounds;
use taskcheck::kernel::models;
use taskcheck::lang::diag::{self, SourceMap};

fn build(src: &str) -> Result<(taskcheck::kernel::system::System, SourceMap), String> {
    let mut map = SourceMap::default();
    let model = models::builtin("v6.1").unwrap();
    match check::build(&mut map, &model, "fuzz.c", src) {
        Ok((s, _)) => Ok((s, map)),
        Err(d) => Err(diag::render(&map, &d, false)),
    }
}

/// One statement of a random scenario.
fn stmt() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x = fork();".to_string()),
        Just("if (fork() == 0) _exit(1);".to_string()),
        Just("if (x == 0) _exit(2);".to_string()),
        Just("waitpid(x, &s, 0);".to_string()),
        Just("waitpid(-1, &s, WNOHANG);".to_string()),
        Just("wait(&s);".to_string()),
        Just("unshare(CLONE_NEWPID);".to_string()),
        Just("signal(SIGCHLD, SIG_IGN);".to_string()),
        Just("sigchld_flags(SA_NOCLDWAIT);".to_string()),
        Just("prctl(PR_SET_CHILD_SUBREAPER, 1);".to_string()),
        Just("kill(x, SIGKILL);".to_string()),
        Just("kill(-1, SIGKILL);".to_string()),
        Just("x = clone_exit_signal(0);".to_string()),
        Just("waitpid(-1, &s, __WALL);".to_string()),
        Just("if (nondet(2)) x = getpid(); else x = getppid();".to_string()),
        Just("synchronize_rcu_tasks();".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn the_front_end_never_panics_on_arbitrary_text(src in "\\PC{0,200}") {
        let _ = build(&src);
    }

    #[test]
    fn random_lifecycle_programs_never_break_the_machine(body in proptest::collection::vec(stmt(), 1..7)) {
        let src = format!("int main(void)\n{{\n\tint s;\n\tpid_t x = 0;\n\t{}\n\treturn 0;\n}}\n", body.join("\n\t"));
        let (sys, map) = build(&src).map_err(|e| TestCaseError::fail(format!("does not compile:\n{e}\n{src}")))?;
        let opts = Options { bounds: Bounds { max_states: Some(3000), ..Bounds::default() }, ..Options::default() };
        let r = check::check(&map, &sys, "v6.1", &opts);
        if r.verdict == Verdict::ModelError {
            let m = r.message.clone().unwrap_or_default();
            prop_assert!(!m.contains("internal") && !m.contains("underflow") && !m.contains("NULL pointer"), "{m}\n{src}");
        }
    }
}
