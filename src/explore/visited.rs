//! The visited set: every discovered state's fingerprint, by state index.
//!
//! A map from 128-bit fingerprints to u32 indices costs 32 bytes a slot
//! (the key's 16-byte alignment pads the pair) plus the slack of the table.
//! Here the fingerprints sit in one array in discovery order (16 bytes a
//! state, and the index is the position), and the hash table holds only the
//! 4-byte indices, hashed by their fingerprint's low bits (the fingerprint is
//! already a hash): about 22 bytes a state in all.

use hashbrown::HashTable;

use super::chunked::ChunkedVec;
use super::Fingerprint;

#[derive(Default)]
pub struct VisitedSet {
    fingerprints: ChunkedVec<Fingerprint>,
    table: HashTable<u32>,
}

/// The table's hash of a fingerprint: its low 64 bits.
fn low(fp: Fingerprint) -> u64 {
    fp as u64
}

impl VisitedSet {
    /// Number of states discovered.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// The index of the state with this fingerprint, if discovered.
    pub fn get(&self, fp: Fingerprint) -> Option<u32> {
        let fps = &self.fingerprints;
        self.table.find(low(fp), |&i| fps.get(i as usize) == Some(&fp)).copied()
    }

    pub fn contains(&self, fp: Fingerprint) -> bool {
        self.get(fp).is_some()
    }

    /// `Ok(index)` of a state already discovered, or `Err(index)` of the
    /// state just added (the next index, `len()` before the call). Indices
    /// stay within u32: past that, nothing is added and `None` is returned.
    pub fn insert(&mut self, fp: Fingerprint) -> Option<Result<u32, u32>> {
        let fps = &self.fingerprints;
        let hasher = |&i: &u32| fps.get(i as usize).map_or(0, |&f| low(f));
        match self.table.entry(low(fp), |&i| fps.get(i as usize) == Some(&fp), hasher) {
            hashbrown::hash_table::Entry::Occupied(o) => Some(Ok(*o.get())),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let index = u32::try_from(fps.len()).ok()?;
                v.insert(index);
                self.fingerprints.push(fp);
                Some(Err(index))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_discovery_order_and_equal_fingerprints_meet() {
        let mut v = VisitedSet::default();
        let fps: Vec<u128> =
            (0..10_000u128).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)).collect();
        for (i, &fp) in fps.iter().enumerate() {
            assert_eq!(v.insert(fp), Some(Err(i as u32)));
        }
        for (i, &fp) in fps.iter().enumerate() {
            assert_eq!(v.insert(fp), Some(Ok(i as u32)));
            assert_eq!(v.get(fp), Some(i as u32));
        }
        // Same low 64 bits, different high bits: two states.
        let a = 5u128 | (1u128 << 64);
        let b = 5u128 | (2u128 << 64);
        assert_eq!(v.insert(a), Some(Err(10_000)));
        assert_eq!(v.insert(b), Some(Err(10_001)));
        assert_eq!(v.get(a), Some(10_000));
        assert!(!v.contains(5));
        assert_eq!(v.len(), 10_002);
    }
}
