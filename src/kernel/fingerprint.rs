//! A state's fingerprint: xxh3-128 of its canonical bytes, each task by
//! the fingerprint it keeps (computed once per version, `seal`), each part
//! by its own (`Shared::fingerprint`). One function for a state built by
//! running a step and for one built from an effect (`fingerprint_of`), so
//! both hash alike.

use std::hash::Hasher;

use super::footprint::part;
use super::objects::*;
use super::{Kernel, Shared, Tracked};
use crate::explore::Fingerprint;

/// The state's canonical bytes: integers little-endian whatever the platform,
/// lengths as u64. Collected into one buffer, then hashed once with xxh3-128
/// (one bulk hash is much cheaper than many small streaming updates).
struct StateBytes(Vec<u8>);

impl Hasher for StateBytes {
    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn write_u8(&mut self, i: u8) {
        self.0.push(i);
    }
    fn write_u16(&mut self, i: u16) {
        self.0.extend_from_slice(&i.to_le_bytes());
    }
    fn write_u32(&mut self, i: u32) {
        self.0.extend_from_slice(&i.to_le_bytes());
    }
    fn write_u64(&mut self, i: u64) {
        self.0.extend_from_slice(&i.to_le_bytes());
    }
    fn write_usize(&mut self, i: usize) {
        self.0.extend_from_slice(&(i as u64).to_le_bytes());
    }
    fn write_u128(&mut self, i: u128) {
        self.0.extend_from_slice(&i.to_le_bytes());
    }
    fn write_i64(&mut self, i: i64) {
        self.0.extend_from_slice(&i.to_le_bytes());
    }
}

thread_local! {
    static STATE_BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// xxh3-128 of the canonical bytes `write` puts in this thread's buffer
/// (taken out while `write` runs, so that it may hash something else).
fn hash_bytes(write: impl FnOnce(&mut StateBytes)) -> u128 {
    STATE_BYTES.with(|cell| {
        let mut buf = std::mem::take(&mut *cell.borrow_mut());
        buf.clear();
        let mut h = StateBytes(buf);
        write(&mut h);
        let fp = xxhash_rust::xxh3::xxh3_128(&h.0);
        *cell.borrow_mut() = h.0;
        fp
    })
}

/// xxh3-128 of a value's canonical bytes.
pub fn hash_of<T: std::hash::Hash + ?Sized>(v: &T) -> u128 {
    hash_bytes(|h| v.hash(h))
}

/// A task's fingerprint, as kept in `Task::hash` (never 0, which means
/// not computed yet; the kept one is no part of what is hashed).
pub fn task_hash(t: &Task) -> u128 {
    hash_of(t).max(1)
}

/// Compute the fingerprints of the tasks a step wrote (the others keep theirs).
pub fn seal(k: &mut Kernel) {
    for t in k.tasks.iter_mut() {
        if t.hash.0 == 0 {
            let h = task_hash(t);
            std::sync::Arc::make_mut(t).hash = TaskHash(h);
        }
    }
}

/// The state's fingerprint: each task by its cached fingerprint, the rest of
/// the kernel by its canonical bytes.
pub fn fingerprint(k: &Kernel) -> Fingerprint {
    fingerprint_of(
        k.tasks.len(),
        |i| &k.tasks[i],
        (&k.groups, &k.namespaces, &k.pids, &k.srcu),
        (&k.rcu_tasks, &k.trampolines, &k.kernel_globals),
    )
}

/// The fingerprint of a state given by its parts (one function, so that a
/// state built from an effect hashes exactly as one built by running).
#[allow(clippy::type_complexity)]
pub(super) fn fingerprint_of<'a>(
    len: usize,
    task: impl Fn(usize) -> &'a std::sync::Arc<Task>,
    (groups, namespaces, pids, srcu): (
        &Shared<Vec<SignalStruct>, { part::GROUPS }>,
        &Shared<Vec<super::PidNamespace>, { part::NAMESPACES }>,
        &Shared<Vec<Pid>, { part::PIDS }>,
        &Tracked<Srcu, { part::SRCU_ALL }>,
    ),
    (rcu_tasks, trampolines, kernel_globals): (
        &Shared<super::RcuTasks, { part::RCU_TASKS }>,
        &Shared<Vec<super::TrampolineState>, { part::TRAMPOLINES }>,
        &Shared<Vec<i64>, { part::KERNEL_GLOBALS }>,
    ),
) -> Fingerprint {
    use std::hash::Hash;
    hash_bytes(|h| {
        h.write_usize(len);
        for i in 0..len {
            let t = task(i);
            let th = if t.hash.0 != 0 { t.hash.0 } else { task_hash(t) };
            h.write(&th.to_le_bytes());
        }
        groups.hash(h);
        namespaces.hash(h);
        pids.hash(h);
        srcu.hash(h);
        rcu_tasks.hash(h);
        trampolines.hash(h);
        kernel_globals.hash(h);
    })
}
