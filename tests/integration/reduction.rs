//! The reductions merge exactly the states that differ in dead locals, in
//! dead private task fields (`rcu_tasks_idx` past its last read), or in the
//! order of RCU Tasks' lists (holdouts, exit list, callbacks): on every
//! corpus scenario and kernel, the states of the reduced search are the
//! plain search's states with their dead locals and fields zeroed and
//! those lists sorted, no more and no fewer. A value zeroed while still
//! live would be read as 0 and lead to states outside that image.

use std::collections::{HashSet, VecDeque};

use taskcheck::check;
use taskcheck::explore::Model;
use taskcheck::kernel::models;
use taskcheck::kernel::system::{self, System};
use taskcheck::lang::diag::SourceMap;

/// Every reachable state's fingerprint, and those of the states in reduced
/// form (dead locals zeroed, RCU Tasks' lists sorted); None past `cap` states.
fn reachable(sys: &System, cap: usize) -> Option<(HashSet<u128>, HashSet<u128>)> {
    let initial = sys.initial().ok()?;
    let (mut seen, mut projected) = (HashSet::new(), HashSet::new());
    seen.insert(sys.fingerprint(&initial));
    let mut queue = VecDeque::from([initial]);
    let mut steps = Vec::new();
    while let Some(k) = queue.pop_front() {
        projected.insert(system::fingerprint(&sys.reduced_form(&k)));
        steps.clear();
        sys.steps(&k, &mut steps);
        for &step in &steps {
            // A step that commits a violation ends its path.
            let Ok(next) = sys.next(&k, step) else { continue };
            if seen.insert(sys.fingerprint(&next)) {
                if seen.len() > cap {
                    return None;
                }
                queue.push_back(next);
            }
        }
    }
    Some((seen, projected))
}

#[test]
fn reduced_states_are_the_plain_states_in_reduced_form() {
    let files = crate::corpus_files();
    let (mut compared, mut merged, mut bad) = (0, 0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        for k in models::builtin_names() {
            let model = models::builtin(k).unwrap();
            let mut map = SourceMap::default();
            let (reduced, _) = check::build(&mut map, &model, &name, &text).unwrap();
            let (mut plain, _) = check::build(&mut map, &model, &name, &text).unwrap();
            plain.set_reductions(false);
            let (Some((r, r_projected)), Some((p, p_projected))) =
                (reachable(&reduced, 100_000), reachable(&plain, 200_000))
            else {
                continue;
            };
            compared += 1;
            merged += p.len() - r.len();
            if r != r_projected || r != p_projected {
                bad.push(format!(
                    "{name} [{k}]: {} reduced states, {} plain ones projecting to {}",
                    r.len(),
                    p.len(),
                    p_projected.len()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(compared >= 200, "only {compared} scenario/kernel pairs were small enough to compare");
    assert!(merged > 0, "the reduction merged no state");
}
