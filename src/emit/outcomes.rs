//! What a program may print, by the model: every interleaving is explored
//! with the printed lines kept in the state (`Kernel::outcomes`), and each
//! state where every task has finished gives one outcome. An outcome is each
//! process's lines in order, keyed by the line's first word (the programs
//! name themselves: `main.1 waitpid c1 exit 3`), so that it compares with a
//! real run whatever the order in which processes interleave.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::explore::Model;
use crate::kernel::output_line;
use crate::kernel::system::System;

/// Lines by the word they start with, each list in the order printed.
pub type Outcome = BTreeMap<String, Vec<String>>;

/// Why the model could not give the full set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incomplete {
    /// More states than the bound.
    States(u64),
    /// The program does something the model reports as an error.
    Fault(String),
}

/// Group lines by their first word, keeping their order.
pub fn outcome_of<'a>(lines: impl IntoIterator<Item = &'a str>) -> Outcome {
    let mut o = Outcome::new();
    for l in lines {
        let key = l.split_whitespace().next().unwrap_or("").to_string();
        o.entry(key).or_default().push(l.trim_end().to_string());
    }
    o
}

/// Every outcome of the program's finished runs (terminal states).
pub fn model_outcomes(sys: &System, max_states: u64) -> Result<BTreeSet<Outcome>, Incomplete> {
    let init = sys.initial().map_err(|v| Incomplete::Fault(format!("{:?}", v.kind)))?;
    let mut seen = rustc_hash::FxHashSet::default();
    seen.insert(sys.fingerprint(&init));
    let mut queue = VecDeque::from([init]);
    let mut outcomes = BTreeSet::new();
    let mut steps = Vec::new();
    while let Some(k) = queue.pop_front() {
        steps.clear();
        sys.steps(&k, &mut steps);
        // Only runs where every task finished: a deadlocked state's partial
        // output is not what a finished real run prints.
        if steps.is_empty() && sys.waiting(&k) == 0 {
            // Task by task, so that each task's lines keep their order.
            let mut o = Outcome::new();
            for t in &k.tasks {
                let lines: Vec<String> = t.out.iter().map(|&id| output_line(id)).collect();
                for (key, mut ls) in outcome_of(lines.iter().map(String::as_str)) {
                    o.entry(key).or_default().append(&mut ls);
                }
            }
            outcomes.insert(o);
            continue;
        }
        if steps.is_empty() {
            continue;
        }
        for &s in &steps {
            let next = match sys.next(&k, s) {
                Ok(n) => n,
                // A failed assertion ends that run: a real one aborts there.
                Err(v)
                    if matches!(
                        v.kind,
                        crate::kernel::system::ViolationKind::Fault(crate::vm::Fault::Assertion(_))
                    ) =>
                {
                    continue
                }
                Err(v) => return Err(Incomplete::Fault(format!("{:?}", v.kind))),
            };
            if seen.insert(sys.fingerprint(&next)) {
                if seen.len() as u64 > max_states {
                    return Err(Incomplete::States(max_states));
                }
                queue.push_back(next);
            }
        }
    }
    Ok(outcomes)
}
