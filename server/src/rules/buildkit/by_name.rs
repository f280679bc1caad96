//! Variables looked up by name while an environment is built: a stage's ENVs and ARGs,
//! the global ARGs. Most environments hold a handful of names and are searched in place;
//! a file may hold thousands in one scope (20,000 ARGs in one stage took 0.9 s when each
//! looked through all those before it), so a long list gets a hash index.

use super::lex::Lookup;
use crate::hash::FastState;
use std::borrow::{Borrow, Cow};
use std::collections::HashMap;
use std::hash::Hash;

/// From this many entries on, a list keeps an index by name (below it, a linear search
/// is faster than hashing, and cloning a stage's environment stays a plain copy).
const INDEX_FROM: usize = 32;

/// Entries in definition order, each name once (setting a name again replaces its value
/// in place, where it was first defined).
#[derive(Clone, Debug)]
pub struct ByName<K, V> {
    list: Vec<(K, V)>,
    index: Option<HashMap<K, usize, FastState>>,
}

impl<K, V> Default for ByName<K, V> {
    fn default() -> Self {
        ByName {
            list: Vec::new(),
            index: None,
        }
    }
}

impl<K: Borrow<str> + Hash + Eq + Clone, V> ByName<K, V> {
    /// The entries of `list`; of repeated names, the first one counts.
    pub fn from_list(list: Vec<(K, V)>) -> Self {
        let mut out = ByName::default();
        for (k, v) in list {
            if !out.contains(k.borrow()) {
                out.push_new(k, v);
            }
        }
        out
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.list.iter().position(|(k, _)| k.borrow() == name),
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.position(name)
            .and_then(|i| self.list.get(i))
            .map(|(_, v)| v)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Give `key` the value `value`, appending it if it is new.
    pub fn set(&mut self, key: K, value: V) {
        match self.position(key.borrow()) {
            Some(i) => {
                if let Some(slot) = self.list.get_mut(i) {
                    slot.1 = value;
                }
            }
            None => self.push_new(key, value),
        }
    }

    fn push_new(&mut self, key: K, value: V) {
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.list.len());
        }
        self.list.push((key, value));
        if self.index.is_none() && self.list.len() >= INDEX_FROM {
            let mut index =
                HashMap::with_capacity_and_hasher(self.list.len() * 2, FastState::default());
            for (i, (k, _)) in self.list.iter().enumerate() {
                index.entry(k.clone()).or_insert(i);
            }
            self.index = Some(index);
        }
    }

    /// The entries in definition order.
    pub fn iter(&self) -> std::slice::Iter<'_, (K, V)> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl Lookup for ByName<&str, Cow<'_, str>> {
    fn get(&self, name: &str) -> Option<&str> {
        ByName::get(self, name).map(|v| v.as_ref())
    }
}

impl Lookup for ByName<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        ByName::get(self, name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever its length, the list answers as a search of its entries would, and
        /// keeps them in definition order with each name once.
        #[test]
        fn answers_like_a_linear_search(ops in prop::collection::vec((0u8..80, 0u32..1000), 0..300)) {
            let mut list: ByName<String, u32> = ByName::default();
            let mut plain: Vec<(String, u32)> = Vec::new();
            for (k, v) in ops {
                let key = format!("V{k}");
                list.set(key.clone(), v);
                match plain.iter_mut().find(|(pk, _)| *pk == key) {
                    Some(slot) => slot.1 = v,
                    None => plain.push((key, v)),
                }
            }
            prop_assert_eq!(list.iter().cloned().collect::<Vec<_>>(), plain.clone());
            for k in 0u8..90 {
                let key = format!("V{k}");
                let expected = plain.iter().find(|(pk, _)| *pk == key).map(|(_, v)| v);
                prop_assert_eq!(list.get(&key), expected);
            }
        }
    }

    #[test]
    fn from_list_keeps_the_first_of_a_repeated_name() {
        let list = ByName::from_list(vec![("A", 1), ("B", 2), ("A", 3)]);
        assert_eq!(list.get("A"), Some(&1));
        assert_eq!(list.len(), 2);
    }
}
