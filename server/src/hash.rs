//! The hasher of the maps keyed by what a document holds (variable and stage names,
//! instruction texts): foldhash, seeded once per process.
//!
//! A document decides these keys, so a hostile one may pick them. The hand-written
//! multiply-rotate hashers used before let the bucket depend on a key's first bytes only:
//! 100,000 ENV names `K0`…`K99999` took 0.84 s to index where 20,000 took 0.13 s.
//! foldhash mixes every byte into every bit, and its per-process seed keeps a file from
//! being written to collide. No map's iteration order reaches any output.

use std::collections::{HashMap, HashSet};

/// The build hasher of [`FastMap`] and [`FastSet`].
pub type FastState = foldhash::fast::RandomState;

pub type FastMap<K, V> = HashMap<K, V, FastState>;
pub type FastSet<K> = HashSet<K, FastState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::hash::{Hash, Hasher};

    thread_local!(static COMPARED: Cell<u64> = const { Cell::new(0) });

    /// A name whose comparisons are counted.
    struct Counted(String);

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARED.with(|c| c.set(c.get() + 1));
            self.0 == other.0
        }
    }
    impl Eq for Counted {}
    impl Hash for Counted {
        fn hash<H: Hasher>(&self, h: &mut H) {
            self.0.hash(h)
        }
    }

    /// Names that differ only in their last characters spread over the buckets: a lookup
    /// compares about one key, not a crowd of colliding ones.
    #[test]
    fn similar_names_do_not_collide() {
        let n = 50_000;
        let mut m: FastMap<Counted, usize> = FastMap::default();
        for i in 0..n {
            m.insert(Counted(format!("K{i}")), i);
        }
        COMPARED.with(|c| c.set(0));
        for i in 0..n {
            assert_eq!(m.get(&Counted(format!("K{i}"))), Some(&i));
        }
        let per_lookup = COMPARED.with(Cell::get) as f64 / n as f64;
        assert!(per_lookup < 1.5, "{per_lookup} comparisons per lookup");
    }
}
