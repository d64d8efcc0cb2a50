//! The frontier: a double-ended queue in fixed-size blocks.
//!
//! A breadth-first frontier grows to millions of states. A `VecDeque`
//! doubles when full, copying everything it holds into fresh pages, and on
//! several threads that copy runs in the merge, the one part of the search
//! on a single thread. In blocks the queue never copies what it holds to
//! grow, and the parallel search takes the front block as its next chunk:
//! without a copy when the block was filled from its start, as the
//! breadth-first search fills them.

use std::collections::VecDeque;

/// States per block: the parallel search's chunk, so that the chunks it
/// takes from the front are whole blocks (but for the first ones after the
/// fewest-preemptions order hands over, which may be partly filled).
pub const BLOCK: usize = 4096;

pub struct Frontier<T> {
    /// Blocks in queue order, none empty, each of at most `BLOCK` entries.
    blocks: VecDeque<VecDeque<T>>,
    len: usize,
    /// The last block emptied, kept for the next new one: a depth-first
    /// stack that goes up and down across a block boundary would otherwise
    /// allocate and free a whole block each time.
    spare: Option<VecDeque<T>>,
}

impl<T> Default for Frontier<T> {
    fn default() -> Self {
        Frontier { blocks: VecDeque::new(), len: 0, spare: None }
    }
}

impl<T> Frontier<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push_back(&mut self, v: T) {
        match self.blocks.back_mut() {
            Some(b) if b.len() < BLOCK => b.push_back(v),
            _ => {
                let mut b = self.new_block();
                b.push_back(v);
                self.blocks.push_back(b);
            }
        }
        self.len += 1;
    }

    pub fn push_front(&mut self, v: T) {
        match self.blocks.front_mut() {
            Some(b) if b.len() < BLOCK => b.push_front(v),
            _ => {
                let mut b = self.new_block();
                b.push_front(v);
                self.blocks.push_front(b);
            }
        }
        self.len += 1;
    }

    fn new_block(&mut self) -> VecDeque<T> {
        match self.spare.take() {
            // Empty, but maybe not from its start: `clear()` rewinds it,
            // so that a block filled again from the back needs no copy to
            // become a chunk.
            Some(mut b) => {
                b.clear();
                b
            }
            None => VecDeque::with_capacity(BLOCK),
        }
    }

    pub fn pop_front(&mut self) -> Option<T> {
        let b = self.blocks.front_mut()?;
        let v = b.pop_front();
        if b.is_empty() {
            self.spare = self.blocks.pop_front();
        }
        self.len -= usize::from(v.is_some());
        v
    }

    pub fn pop_back(&mut self) -> Option<T> {
        let b = self.blocks.back_mut()?;
        let v = b.pop_back();
        if b.is_empty() {
            self.spare = self.blocks.pop_back();
        }
        self.len -= usize::from(v.is_some());
        v
    }

    /// The first entries, at most `n` and at least one if any: the front
    /// block whole when it is no longer than `n`, else its first `n`.
    pub fn take_front(&mut self, n: usize) -> Vec<T> {
        let n = n.max(1);
        let taken: Vec<T> = match self.blocks.front_mut() {
            None => return Vec::new(),
            Some(b) if b.len() > n => b.drain(..n).collect(),
            Some(_) => self.blocks.pop_front().map(Vec::from).unwrap_or_default(),
        };
        self.len -= taken.len();
        taken
    }

    /// The entries from front to back.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.blocks.iter().flat_map(|b| b.iter())
    }
}

impl<T> Extend<T> for Frontier<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for v in iter {
            self.push_back(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        PushBack(u32),
        PushFront(u32),
        PopBack,
        PopFront,
        TakeFront(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            any::<u32>().prop_map(Op::PushBack),
            any::<u32>().prop_map(Op::PushFront),
            Just(Op::PopBack),
            Just(Op::PopFront),
            count().prop_map(Op::TakeFront),
        ]
    }

    /// Counts around the block size, where the edge cases are, or any.
    fn count() -> impl Strategy<Value = usize> {
        prop_oneof![
            prop::sample::select(vec![0, 1, 2, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK - 1, 2 * BLOCK, 2 * BLOCK + 1]),
            0..3 * BLOCK,
        ]
    }

    /// The blocks' invariant: none empty, none over `BLOCK`, `len` their sum.
    fn well_formed<T>(f: &Frontier<T>) -> bool {
        f.blocks.iter().all(|b| !b.is_empty() && b.len() <= BLOCK)
            && f.blocks.iter().map(|b| b.len()).sum::<usize>() == f.len
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every operation does to the blocks what it does to one `VecDeque`.
        #[test]
        fn behaves_as_one_deque(ops in proptest::collection::vec(op(), 0..200), bulk in count()) {
            let mut f = Frontier::default();
            let mut d = VecDeque::new();
            // Start with enough entries to span several blocks.
            f.extend(0..bulk as u32);
            d.extend(0..bulk as u32);
            for op in ops {
                match op {
                    Op::PushBack(v) => { f.push_back(v); d.push_back(v); }
                    Op::PushFront(v) => { f.push_front(v); d.push_front(v); }
                    Op::PopBack => prop_assert_eq!(f.pop_back(), d.pop_back()),
                    Op::PopFront => prop_assert_eq!(f.pop_front(), d.pop_front()),
                    Op::TakeFront(n) => {
                        let taken = f.take_front(n);
                        prop_assert!(taken.len() <= n.max(1));
                        prop_assert!(!taken.is_empty() || d.is_empty());
                        let expect: Vec<u32> = d.drain(..taken.len()).collect();
                        prop_assert_eq!(taken, expect);
                    }
                }
                prop_assert_eq!(f.len(), d.len());
                prop_assert!(well_formed(&f));
                prop_assert_eq!(f.is_empty(), d.is_empty());
            }
            prop_assert!(f.iter().eq(d.iter()));
            prop_assert!(f.iter().rev().eq(d.iter().rev()));
        }
    }
}
