//! Random process-lifecycle programs for differential testing against the
//! running kernel (`taskcheck fuzz`): fork trees (fork, and clone with exit
//! signal 0, SIGUSR1 or SIGCHLD) with waits (blocking and WNOHANG, with and
//! without __WALL, by pid and any), kills (SIGKILL, SIGTERM, 0; kill(-1)
//! only inside a new PID namespace), SIGCHLD ignored, child subreapers,
//! unshare(CLONE_NEWPID) (nested too), getpid/getppid inside namespaces, a
//! thread per process that waits, kills or reads its pid (children's pids
//! are globals a thread shares),
//! `_exit`/`exit`.
//! Every program prints what it observes in words a model run prints too
//! (`main.1 wait c1 exit 3`), each line starting with the printing process's
//! name, so the model's set of outputs and a real run compare directly.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// One statement of a generated program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// `pid_t var = fork();` (or `clone_exit_signal(sig)`: a child whose
    /// death signals `sig`, 0 for none) the child runs `body`, then exits
    /// with `code`.
    Fork {
        var: String,
        child: String,
        body: Vec<Stmt>,
        code: i64,
        libc_exit: bool,
        exit_signal: Option<&'static str>,
    },
    /// `waitpid(var or -1, &s, options)`, printing what came back.
    Wait {
        target: Option<String>,
        known: Vec<String>,
        wall: bool,
        nohang: bool,
    },
    Kill {
        var: String,
        sig: &'static str,
    },
    /// kill(-1, sig): only generated inside a new PID namespace.
    KillAll {
        sig: &'static str,
    },
    IgnoreSigchld,
    /// A thread of the process runs `body` (named `name`), joined at the end
    /// of the process's statements when `join`.
    Thread {
        tvar: String,
        name: String,
        body: Vec<Stmt>,
        join: bool,
    },
    Subreaper,
    Unshare,
    GetPid,
    GetPpid,
}

/// A generated program: main's statements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub seed: u64,
    pub main: Vec<Stmt>,
}

struct Gen {
    rng: Pcg64Mcg,
    forks_left: u32,
    vars: u32,
}

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    /// The statements of the process `name`; `in_ns`: it lives in a
    /// namespace of its own making's ancestors (kill(-1) is safe there).
    fn body(&mut self, name: &str, depth: u32, in_ns: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        let mut children: Vec<String> = Vec::new();
        let mut forks = 0;
        let mut threads = 0;
        let mut unshared = false;
        let n = 1 + self.below(4);
        for _ in 0..n {
            let k = self.below(100);
            let stmt = if k < 35 && depth < 2 && self.forks_left > 0 {
                self.forks_left -= 1;
                forks += 1;
                self.vars += 1;
                let var = format!("c{}", self.vars);
                let child = format!("{name}.{forks}");
                let body = self.body(&child, depth + 1, in_ns || unshared);
                children.push(var.clone());
                let exit_signal = match self.below(6) {
                    0 => Some("0"),
                    1 => Some("SIGUSR1"),
                    2 => Some("SIGCHLD"),
                    _ => None,
                };
                Stmt::Fork { var, child, body, code: self.below(4) as i64, libc_exit: self.below(2) == 0, exit_signal }
            } else if k < 55 && !children.is_empty() {
                let target = (self.below(3) > 0).then(|| children[self.below(children.len() as u64) as usize].clone());
                Stmt::Wait { target, known: children.clone(), nohang: self.below(4) == 0, wall: self.below(2) == 0 }
            } else if k < 65 && !children.is_empty() {
                let var = children[self.below(children.len() as u64) as usize].clone();
                let sig = ["SIGKILL", "SIGTERM", "0"][self.below(3) as usize];
                Stmt::Kill { var, sig }
            } else if k < 68 && in_ns {
                Stmt::KillAll { sig: ["SIGKILL", "SIGTERM"][self.below(2) as usize] }
            } else if (66..70).contains(&k) && threads < 1 {
                threads += 1;
                self.vars += 1;
                let tname = format!("{name}/t{threads}");
                let body = self.thread_body(&tname, &children, in_ns || unshared);
                Stmt::Thread { tvar: format!("t{}", self.vars), name: tname, body, join: self.below(3) > 0 }
            } else if k < 73 {
                Stmt::IgnoreSigchld
            } else if k < 78 {
                Stmt::Subreaper
            } else if k < 86 && !unshared {
                unshared = true;
                Stmt::Unshare
            } else if k < 93 && in_ns {
                Stmt::GetPid
            } else if in_ns {
                Stmt::GetPpid
            } else if !children.is_empty() {
                Stmt::Wait { target: None, known: children.clone(), nohang: false, wall: true }
            } else {
                continue;
            };
            out.push(stmt);
        }
        // Reap what is left, so that most runs end with every child waited for.
        for c in &children {
            if self.below(3) > 0 {
                out.push(Stmt::Wait { target: Some(c.clone()), known: children.clone(), nohang: false, wall: true });
            }
        }
        out
    }
}

impl Gen {
    /// A thread's statements: waits and kills on the process's children so
    /// far, getpid inside a namespace, SIGCHLD ignored.
    fn thread_body(&mut self, name: &str, children: &[String], in_ns: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        for _ in 0..1 + self.below(3) {
            let k = self.below(100);
            out.push(if k < 40 && !children.is_empty() {
                let target = (self.below(2) == 0).then(|| children[self.below(children.len() as u64) as usize].clone());
                Stmt::Wait { target, known: children.to_vec(), nohang: self.below(3) == 0, wall: self.below(2) == 0 }
            } else if k < 60 && !children.is_empty() {
                let var = children[self.below(children.len() as u64) as usize].clone();
                Stmt::Kill { var, sig: ["SIGKILL", "SIGTERM", "0"][self.below(3) as usize] }
            } else if k < 80 && in_ns {
                Stmt::GetPid
            } else {
                Stmt::IgnoreSigchld
            });
        }
        let _ = name;
        out
    }
}

pub fn generate(seed: u64) -> Program {
    let mut g = Gen { rng: Pcg64Mcg::seed_from_u64(seed), forks_left: 4, vars: 0 };
    let main = g.body("main", 0, false);
    Program { seed, main }
}

fn status_prints(out: &mut String, ind: &str, who: &str, what: &str) {
    out.push_str(&format!(
        "{ind}\tif (WIFEXITED(s))\n{ind}\t\tprintf(\"{who} {what} exit %d\\n\", WEXITSTATUS(s));\n\
         {ind}\telse\n{ind}\t\tprintf(\"{who} {what} signal %d\\n\", WTERMSIG(s));\n"
    ));
}

/// What rendering collects besides the text of main: the thread
/// functions, and the children's pids they share as globals.
#[derive(Default)]
struct Unit {
    funcs: Vec<String>,
    pids: Vec<String>,
}

fn render_body(out: &mut String, stmts: &[Stmt], who: &str, ind: &str, unit: &mut Unit) {
    let mut joins = Vec::new();
    for s in stmts {
        match s {
            Stmt::Thread { tvar, name, body, join } => {
                let func = format!("thread_{tvar}");
                let mut f = format!("void *{func}(void *arg)\n{{\n\tint s = 0;\n\tint r = 0;\n\n");
                render_body(&mut f, body, name, "\t", unit);
                f.push_str("\treturn NULL;\n}\n\n");
                unit.funcs.push(f);
                out.push_str(&format!(
                    "{ind}pthread_t {tvar};\n{ind}if (pthread_create(&{tvar}, NULL, {func}, NULL) != 0)\n{ind}\tprintf(\"{who} pthread_create failed\\n\");\n"
                ));
                if *join {
                    joins.push(tvar.clone());
                }
            }
            Stmt::Fork { var, child, body, code, libc_exit, exit_signal } => {
                let call = match exit_signal {
                    Some(sig) => format!("clone_exit_signal({sig})"),
                    None => "fork()".to_string(),
                };
                unit.pids.push(var.clone());
                out.push_str(&format!("{ind}{var} = {call};\n{ind}if ({var} == 0) {{\n"));
                render_body(out, body, child, &format!("{ind}\t"), unit);
                let exit = if *libc_exit { "exit" } else { "_exit" };
                out.push_str(&format!("{ind}\t{exit}({code});\n{ind}}}\n"));
                out.push_str(&format!(
                    "{ind}if ({var} == -1)\n{ind}\tprintf(\"{who} fork {var} err %d\\n\", errno);\n"
                ));
            }
            Stmt::Wait { target, known, nohang, wall } => {
                let opts = match (*nohang, *wall) {
                    (true, true) => "WNOHANG | __WALL",
                    (true, false) => "WNOHANG",
                    (false, true) => "__WALL",
                    (false, false) => "0",
                };
                let arg = target.clone().unwrap_or_else(|| "-1".into());
                let label = target.clone().unwrap_or_else(|| "any".into());
                // A child whose fork failed is -1: never wait for "any" in its name.
                match target {
                    Some(t) => out.push_str(&format!("{ind}r = {t} > 0 ? waitpid({arg}, &s, {opts}) : -2;\n")),
                    None => out.push_str(&format!("{ind}r = waitpid({arg}, &s, {opts});\n")),
                }
                let mut first = true;
                for k in known {
                    if target.as_ref().is_some_and(|t| t != k) {
                        continue;
                    }
                    let kw = if first { "if" } else { "} else if" };
                    first = false;
                    out.push_str(&format!("{ind}{kw} (r == {k}) {{\n"));
                    status_prints(out, ind, who, &format!("wait {label} {k}"));
                }
                let kw = if first { "if" } else { "} else if" };
                out.push_str(&format!(
                    "{ind}{kw} (r == -2) {{\n{ind}\tprintf(\"{who} wait {label} not forked\\n\");\n\
                     {ind}}} else if (r == 0) {{\n{ind}\tprintf(\"{who} wait {label} none\\n\");\n\
                     {ind}}} else if (r == -1) {{\n{ind}\tprintf(\"{who} wait {label} err %d\\n\", errno);\n{ind}}} else {{\n"
                ));
                status_prints(out, ind, who, &format!("wait {label} other"));
                out.push_str(&format!("{ind}}}\n"));
            }
            Stmt::Kill { var, sig } => {
                // Never kill(-1) because a fork failed.
                out.push_str(&format!(
                    "{ind}r = {var} > 0 ? kill({var}, {sig}) : -2;\n\
                     {ind}if (r == -2)\n{ind}\tprintf(\"{who} kill {var} not forked\\n\");\n\
                     {ind}else if (r == -1)\n{ind}\tprintf(\"{who} kill {var} {sig} err %d\\n\", errno);\n\
                     {ind}else\n{ind}\tprintf(\"{who} kill {var} {sig} ok\\n\");\n"
                ));
            }
            Stmt::KillAll { sig } => {
                // Inside a new PID namespace (pids there are small): a
                // guard against ever signalling the host's processes.
                out.push_str(&format!(
                    "{ind}if (getpid() < 64) {{\n{ind}\tr = kill(-1, {sig});\n{ind}\tprintf(\"{who} killall {sig} %d\\n\", r == -1 ? -errno : r);\n{ind}}}\n"
                ));
            }
            Stmt::IgnoreSigchld => {
                out.push_str(&format!(
                    "{ind}if (signal(SIGCHLD, SIG_IGN) == SIG_IGN)\n{ind}\tprintf(\"{who} sigchld was ignored\\n\");\n"
                ));
            }
            Stmt::Subreaper => {
                out.push_str(&format!(
                    "{ind}r = prctl(PR_SET_CHILD_SUBREAPER, 1);\n{ind}printf(\"{who} subreaper %d\\n\", r);\n"
                ));
            }
            Stmt::Unshare => {
                out.push_str(&format!(
                    "{ind}r = unshare(CLONE_NEWPID);\n{ind}printf(\"{who} unshare %d\\n\", r == -1 ? -errno : r);\n"
                ));
            }
            Stmt::GetPid => out.push_str(&format!("{ind}printf(\"{who} getpid %d\\n\", getpid());\n")),
            Stmt::GetPpid => out.push_str(&format!("{ind}printf(\"{who} getppid %d\\n\", getppid());\n")),
        }
    }
    for t in joins {
        out.push_str(&format!("{ind}pthread_join({t}, NULL);\n"));
    }
}

/// The program as a scenario (a C file taskcheck and cc both take).
pub fn render(p: &Program, header: &str) -> String {
    let mut unit = Unit::default();
    let mut body = String::new();
    render_body(&mut body, &p.main, "main", "\t", &mut unit);
    let mut out = String::new();
    for l in header.lines() {
        out.push_str(&format!("// {l}\n"));
    }
    out.push_str(
        "#include <errno.h>\n#include <pthread.h>\n#include <signal.h>\n#include <stddef.h>\n#include <stdio.h>\n\
         #include <sys/prctl.h>\n#include <sys/wait.h>\n#include <unistd.h>\n#include \"taskcheck.h\"\n\n",
    );
    // Children's pids are globals: a thread reads its process's.
    for v in &unit.pids {
        out.push_str(&format!("pid_t {v};\n"));
    }
    if !unit.pids.is_empty() {
        out.push('\n');
    }
    // A thread function before its use; a nested one's before its creator's.
    for f in unit.funcs.iter().rev() {
        out.push_str(f);
    }
    out.push_str("int main(void)\n{\n\tint s = 0;\n\tint r = 0;\n\n");
    out.push_str(&body);
    out.push_str("\treturn 0;\n}\n");
    out
}

/// Programs with one statement fewer (anywhere in the tree): the steps of
/// the minimisation.
pub fn shrink(p: &Program) -> Vec<Program> {
    fn variants(stmts: &[Stmt]) -> Vec<Vec<Stmt>> {
        let mut out = Vec::new();
        for i in 0..stmts.len() {
            let mut v = stmts.to_vec();
            let removed = v.remove(i);
            // Removing a fork removes its variable's uses too.
            if let Stmt::Fork { var, .. } = &removed {
                v = strip_var(&v, var);
            }
            out.push(v);
            if let Stmt::Fork { body, .. } | Stmt::Thread { body, .. } = &stmts[i] {
                for b in variants(body) {
                    let mut v = stmts.to_vec();
                    if let Stmt::Fork { body, .. } | Stmt::Thread { body, .. } = &mut v[i] {
                        *body = b;
                    }
                    out.push(v);
                }
            }
        }
        out
    }
    variants(&p.main).into_iter().map(|main| Program { seed: p.seed, main }).collect()
}

fn strip_var(stmts: &[Stmt], var: &str) -> Vec<Stmt> {
    stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Kill { var: v, .. } if v == var => None,
            Stmt::Thread { tvar, name, body, join } => {
                Some(Stmt::Thread { tvar: tvar.clone(), name: name.clone(), body: strip_var(body, var), join: *join })
            }
            Stmt::Wait { target: Some(t), .. } if t == var => None,
            Stmt::Wait { target, known, nohang, wall } => Some(Stmt::Wait {
                target: target.clone(),
                known: known.iter().filter(|k| *k != var).cloned().collect(),
                nohang: *nohang,
                wall: *wall,
            }),
            other => Some(other.clone()),
        })
        .collect()
}

/// Statements in the whole tree.
pub fn size(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| {
            1 + match s {
                Stmt::Fork { body, .. } | Stmt::Thread { body, .. } => size(body),
                _ => 0,
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_reproducible_and_shrink() {
        let a = generate(7);
        assert_eq!(a, generate(7));
        let text = render(&a, "seed 7");
        assert!(text.starts_with("// seed 7\n"));
        assert!(text.contains("int main(void)"));
        for s in shrink(&a) {
            assert!(size(&s.main) < size(&a.main));
        }
    }
}
