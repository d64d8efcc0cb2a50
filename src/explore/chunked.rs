//! Growable arrays in fixed-size chunks, for the search's per-state tables.
//! A `Vec` doubles when full: at its peak it holds up to twice what it
//! needs, and each growth copies everything (and touches fresh pages). In
//! chunks, the table never holds more than one partly filled chunk beyond
//! its contents, and past the first chunk never moves what it holds.

/// Elements per chunk (a power of two: indices split into chunk and offset).
/// Large, because the allocator rounds each big allocation up: chunks of
/// 2^16 cost about 8 bytes a state more, over all the tables, than 2^20.
const CHUNK_BITS: u32 = 20;
const CHUNK: usize = 1 << CHUNK_BITS;

/// A new chunk. The first grows as a `Vec` does (up to exactly `CHUNK`,
/// a power of two), so that a small search does not pay for whole chunks;
/// the others are allocated whole, never to move.
fn new_chunk<T>(first: bool) -> Vec<T> {
    if first {
        Vec::new()
    } else {
        Vec::with_capacity(CHUNK)
    }
}

#[derive(Clone, Debug)]
pub struct ChunkedVec<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Copy> ChunkedVec<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, v: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(v),
            _ => {
                let mut c = new_chunk(self.chunks.is_empty());
                c.push(v);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> CHUNK_BITS)?.get(i & (CHUNK - 1))
    }

    /// The values in index order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// Write element `i`, first growing the table to it with `fill`.
    pub fn set(&mut self, i: usize, v: T, fill: T) {
        while self.len <= i {
            self.push(fill);
        }
        if let Some(slot) = self.chunks.get_mut(i >> CHUNK_BITS).and_then(|c| c.get_mut(i & (CHUNK - 1))) {
            *slot = v;
        }
    }
}

/// Runs of elements, each kept whole in one chunk (a state's successors):
/// `push_run` gives the run's address, `run` reads it back.
#[derive(Clone, Debug)]
pub struct ChunkedRuns<T> {
    chunks: Vec<Vec<T>>,
}

impl<T> Default for ChunkedRuns<T> {
    fn default() -> Self {
        ChunkedRuns { chunks: Vec::new() }
    }
}

/// Where a run starts: its chunk in the high bits, its offset in the low.
pub type RunAddr = u32;

impl<T: Copy> ChunkedRuns<T> {
    /// Store a run (at most one chunk long); its address, or None when the
    /// addresses are used up (more than 2^(32 - CHUNK_BITS) chunks) or the
    /// run is too long.
    pub fn push_run(&mut self, items: &[T]) -> Option<RunAddr> {
        if items.len() > CHUNK {
            return None;
        }
        let fits = self.chunks.last().is_some_and(|c| c.len() + items.len() <= CHUNK);
        if !fits {
            if self.chunks.len() >= 1 << (32 - CHUNK_BITS) {
                return None;
            }
            self.chunks.push(new_chunk(self.chunks.is_empty()));
        }
        let chunk = self.chunks.len() - 1;
        let c = self.chunks.last_mut()?;
        let offset = c.len();
        c.extend_from_slice(items);
        u32::try_from((chunk << CHUNK_BITS) | offset).ok()
    }

    /// The run of `len` elements at `addr`.
    pub fn run(&self, addr: RunAddr, len: usize) -> &[T] {
        let (chunk, offset) = ((addr >> CHUNK_BITS) as usize, addr as usize & (CHUNK - 1));
        self.chunks.get(chunk).and_then(|c| c.get(offset..offset + len)).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_and_runs_come_back_across_chunks() {
        let mut v = ChunkedVec::default();
        for i in 0..(3 * CHUNK + 5) as u32 {
            v.push(i);
        }
        assert_eq!(v.len(), 3 * CHUNK + 5);
        assert_eq!(v.get(CHUNK + 7), Some(&(CHUNK as u32 + 7)));
        assert_eq!(v.get(3 * CHUNK + 5), None);
        v.set(CHUNK + 7, 1, 0);
        v.set(4 * CHUNK + 2, 9, 0);
        assert_eq!((v.get(CHUNK + 7), v.get(4 * CHUNK + 1), v.get(4 * CHUNK + 2)), (Some(&1), Some(&0), Some(&9)));
        assert_eq!(v.len(), 4 * CHUNK + 3);

        let mut r = ChunkedRuns::default();
        let mut runs = Vec::new();
        for i in 0..20_000u32 {
            let run: Vec<u32> = (0..i % 13).map(|j| i * 100 + j).collect();
            runs.push((r.push_run(&run).unwrap(), run));
        }
        for (addr, run) in &runs {
            assert_eq!(r.run(*addr, run.len()), &run[..]);
        }
        assert!(r.push_run(&vec![0u32; CHUNK + 1]).is_none());
    }
}
