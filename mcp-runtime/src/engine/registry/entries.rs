//! [`Entries`]: run-time entries of one kind.

use std::collections::HashMap;
use std::sync::Arc;

/// Run-time entries of one kind, in the order they were added, found by key.
#[derive(Debug)]
pub(super) struct Entries<T> {
    items: Vec<Arc<T>>,
    index: HashMap<String, usize>,
}

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Clone for Entries<T> {
    fn clone(&self) -> Self {
        Entries {
            items: self.items.clone(),
            index: self.index.clone(),
        }
    }
}

impl<T> Entries<T> {
    pub(super) fn get(&self, key: &str) -> Option<&Arc<T>> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|item| &**item)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds `item` under `key` (known to be free).
    pub(super) fn push(&mut self, key: String, item: T) {
        self.index.insert(key, self.items.len());
        self.items.push(Arc::new(item));
    }

    /// Removes the entry `key`; `false` when there is none.
    pub(super) fn remove(&mut self, key: &str, key_of: impl Fn(&T) -> &str) -> bool {
        let Some(at) = self.index.remove(key) else {
            return false;
        };
        self.items.remove(at);
        for (i, item) in self.items.iter().enumerate().skip(at) {
            self.index.insert(key_of(item).to_owned(), i);
        }
        true
    }
}
