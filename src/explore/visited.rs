//! The visited set: every discovered state's fingerprint, by state index.
//!
//! The fingerprints sit in one array in discovery order (16 bytes a state,
//! and the index is the position). The hash table holds only their 4-byte
//! indices, each with a one-byte tag, in buckets of one cache line: 12
//! indices and their 12 tags. A lookup reads its home bucket (and the next
//! ones while they are full), and a fingerprint only where a tag matches (a
//! few percent of the lookups of a new state): so mostly one cache miss for
//! a state not seen before, two for one seen before. Since the bucket of a
//! fingerprint is known before the lookup, the search can prefetch it
//! (`prefetch`) while it computes other successors. 16 bytes plus 5.3 per
//! slot: 22-25 bytes a state at the 58-87 % load that growing by half
//! keeps, as a `HashMap` of the indices would take, where a map from
//! fingerprints to indices takes 32 and more (the key's 16-byte alignment
//! pads the pair).

use super::chunked::ChunkedVec;
use super::Fingerprint;

/// Slots of a bucket: 12 tags and 12 indices fill one 64-byte line.
const SLOTS: usize = 12;

/// One cache line of the table. A tag of 0 marks an empty slot; slots fill
/// in order and are never emptied, so the first empty slot ends a probe.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Bucket {
    tags: [u8; SLOTS],
    indices: [u32; SLOTS],
}

const _: () = assert!(std::mem::size_of::<Bucket>() == 64);

#[derive(Default)]
pub struct VisitedSet {
    fingerprints: ChunkedVec<Fingerprint>,
    buckets: Vec<Bucket>,
}

/// Both halves of the fingerprint mixed into 64 bits, so that fingerprints
/// that differ anywhere (also a model's that are not hashes: the toy
/// graphs of the tests number their states) spread over the table.
fn mixed(fp: Fingerprint) -> u64 {
    ((fp as u64) ^ ((fp >> 64) as u64).rotate_left(32)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The home bucket among `n`: the mixed value's high bits scaled to `0..n`
/// (Lemire's multiply-shift, so that `n` need not be a power of two).
fn home(fp: Fingerprint, n: usize) -> usize {
    ((u128::from(mixed(fp)) * n as u128) >> 64) as usize
}

/// The tag, 1..=255, from the mixed value's low bits (the home bucket uses
/// the high ones).
fn tag(fp: Fingerprint) -> u8 {
    (mixed(fp) as u8 % 255) + 1
}

/// Where a lookup ended: the state's index, or the free slot it would take.
enum Probe {
    Found(u32),
    Free(usize, usize),
}

impl VisitedSet {
    /// Number of states discovered.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Let the table go and keep the fingerprints, by index: where the
    /// search is over and a few states are still to be found, a pass over
    /// them costs less memory than the table.
    pub fn into_fingerprints(self) -> ChunkedVec<Fingerprint> {
        self.fingerprints
    }

    /// The index of the state with this fingerprint, if discovered.
    pub fn get(&self, fp: Fingerprint) -> Option<u32> {
        match self.probe(fp) {
            Some(Probe::Found(i)) => Some(i),
            _ => None,
        }
    }

    pub fn contains(&self, fp: Fingerprint) -> bool {
        self.get(fp).is_some()
    }

    /// Start loading the bucket `fp` would be looked up in, so that a
    /// lookup a little later finds it in the cache. Only a hint.
    #[inline]
    pub fn prefetch(&self, fp: Fingerprint) {
        if self.buckets.is_empty() {
            return;
        }
        let b = &self.buckets[home(fp, self.buckets.len())];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch only hints the cache; it never faults, and the
        // address is that of a live bucket.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((b as *const Bucket).cast::<i8>());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = b;
    }

    /// `Ok(index)` of a state already discovered, or `Err(index)` of the
    /// state just added (the next index, `len()` before the call). Indices
    /// stay within u32: past that, nothing is added and `None` is returned.
    pub fn insert(&mut self, fp: Fingerprint) -> Option<Result<u32, u32>> {
        // Grow at 7/8 full, so that few buckets overflow into the next.
        if (self.len() + 1) * 8 > self.buckets.len() * SLOTS * 7 {
            self.grow();
        }
        match self.probe(fp)? {
            Probe::Found(old) => Some(Ok(old)),
            Probe::Free(b, s) => {
                let index = u32::try_from(self.fingerprints.len()).ok()?;
                self.buckets[b].tags[s] = tag(fp);
                self.buckets[b].indices[s] = index;
                self.fingerprints.push(fp);
                Some(Err(index))
            }
        }
    }

    /// Look `fp` up: from its home bucket on, up to the first free slot.
    #[inline]
    fn probe(&self, fp: Fingerprint) -> Option<Probe> {
        let n = self.buckets.len();
        let t = tag(fp);
        let mut b = home(fp, n);
        // Never more than every bucket: the table is at most 7/8 full.
        for _ in 0..n {
            let bucket = &self.buckets[b];
            for s in 0..SLOTS {
                match bucket.tags[s] {
                    0 => return Some(Probe::Free(b, s)),
                    x if x == t => {
                        let i = bucket.indices[s];
                        if self.fingerprints.get(i as usize) == Some(&fp) {
                            return Some(Probe::Found(i));
                        }
                    }
                    _ => {}
                }
            }
            b = if b + 1 == n { 0 } else { b + 1 };
        }
        None
    }

    /// Half as many buckets again, every index placed anew. (Growing by
    /// half, not doubling, keeps the table fuller on average: for 26 M
    /// states it takes 170-250 MB where doubling would take 270.)
    fn grow(&mut self) {
        let n = (self.buckets.len() * 3 / 2).max(self.buckets.len() + 1);
        self.buckets = vec![Bucket::default(); n];
        for i in 0..self.fingerprints.len() {
            let Some(&fp) = self.fingerprints.get(i) else { break };
            let mut b = home(fp, n);
            loop {
                let bucket = &mut self.buckets[b];
                if let Some(s) = bucket.tags.iter().position(|&x| x == 0) {
                    bucket.tags[s] = tag(fp);
                    bucket.indices[s] = i as u32;
                    break;
                }
                b = if b + 1 == n { 0 } else { b + 1 };
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

    #[test]
    fn full_buckets_overflow_into_the_next_and_the_table_wraps() {
        let mut v = VisitedSet::default();
        // 200 fingerprints whose home is the last of the 28 buckets the
        // table has at that size: far more than a bucket holds, so the
        // probe crosses several, and wraps past the last one to the first.
        let fps: Vec<u128> = (0u128..).filter(|&fp| home(fp, 28) == 27).take(200).collect();
        let low = (0u128..).find(|&fp| home(fp, 28) == 27 && !fps.contains(&fp)).unwrap_or(0);
        for (i, &fp) in fps.iter().enumerate() {
            assert_eq!(v.insert(fp), Some(Err(i as u32)), "{i}");
            v.prefetch(fp);
        }
        assert_eq!(v.buckets.len(), 28);
        assert_eq!(v.buckets[0].tags.iter().filter(|&&t| t != 0).count(), SLOTS, "wrapped");
        for (i, &fp) in fps.iter().enumerate() {
            assert_eq!(v.get(fp), Some(i as u32));
        }
        assert!(!v.contains(low));
    }

    #[test]
    fn fingerprints_that_are_small_numbers_spread_over_the_table() {
        let mut v = VisitedSet::default();
        for i in 0..20_000u128 {
            assert_eq!(v.insert(i), Some(Err(i as u32)));
        }
        // No bucket overflows far: the longest run of full buckets is short.
        let full: Vec<bool> = v.buckets.iter().map(|b| b.tags[SLOTS - 1] != 0).collect();
        let longest = full.split(|f| !f).map(<[bool]>::len).max().unwrap_or(0);
        assert!(longest < 20, "a run of {longest} full buckets");
        assert_eq!(v.get(19_999), Some(19_999));
    }

    #[test]
    fn an_empty_set_holds_nothing() {
        let v = VisitedSet::default();
        v.prefetch(7);
        assert!(v.is_empty() && !v.contains(7) && v.get(0).is_none());
    }
}
