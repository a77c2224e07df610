//! The list methods' answers, serialized once, served whole or in pages.

use serde::Serialize;

use serde_json::value::RawValue;

use crate::protocol::ErrorObject;

/// One list (`tools`, `resources`, …): each item serialized once.
#[derive(Debug)]
pub(crate) struct ListCache {
    key: &'static str,
    items: Vec<(String, Box<RawValue>)>,
    /// The whole list with every item, built once for the common unpaginated case.
    whole: Box<RawValue>,
}

fn raw(json: String) -> Box<RawValue> {
    RawValue::from_string(json).unwrap_or_else(|e| {
        tracing::error!(error = %e, "list serialized to invalid JSON");
        RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| unreachable!("valid JSON"))
    })
}

impl ListCache {
    /// Serializes `items` (with their names, for filtering) under `key`.
    pub(crate) fn new<T: Serialize>(
        key: &'static str,
        items: &[T],
        name: impl Fn(&T) -> &str,
    ) -> Self {
        let items: Vec<(String, Box<RawValue>)> = items
            .iter()
            .filter_map(|item| match serde_json::value::to_raw_value(item) {
                Ok(json) => Some((name(item).to_owned(), json)),
                Err(e) => {
                    tracing::error!(error = %e, "list item failed to serialize; left out");
                    None
                }
            })
            .collect();
        let whole = Self::render(key, items.iter().map(|(_, j)| &**j));
        ListCache { key, items, whole }
    }

    /// The JSON of the whole list, `{"<key>":[...]}`.
    fn render<'a>(key: &str, items: impl Iterator<Item = &'a RawValue>) -> Box<RawValue> {
        let mut json = format!("{{\"{key}\":[");
        for (i, item) in items.enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(item.get());
        }
        json.push_str("]}");
        raw(json)
    }

    /// The page at `cursor` (from the start without one), leaving out items `hidden` says.
    pub(crate) fn page(
        &self,
        cursor: Option<&str>,
        page_size: Option<usize>,
        hidden: impl Fn(&str) -> bool,
    ) -> Result<Page<'_>, ErrorObject> {
        let start = match cursor {
            None => 0,
            Some(c) => parse_cursor(c)
                .filter(|n| *n <= self.items.len())
                .ok_or_else(|| ErrorObject::invalid_params(format!("invalid cursor {c:?}")))?,
        };
        let visible = self
            .items
            .iter()
            .enumerate()
            .skip(start)
            .filter(|(_, (n, _))| !hidden(n));
        let (items, next) = match page_size {
            None if start == 0 && !self.items.iter().any(|(n, _)| hidden(n)) => {
                return Ok(Page::Whole(self));
            }
            None => (visible.map(|(_, (_, j))| &**j).collect(), None),
            Some(size) => {
                let mut page: Vec<(usize, &RawValue)> = visible
                    .take(size + 1)
                    .map(|(i, (_, j))| (i, &**j))
                    .collect();
                let next = (page.len() > size).then(|| format_cursor(page[size].0));
                page.truncate(size);
                (page.into_iter().map(|(_, j)| j).collect(), next)
            }
        };
        Ok(Page::Part {
            key: self.key,
            items,
            next,
        })
    }
}

/// One page of a list result, as a value: serialized whole for the handshake era, or with the
/// 2026-07-28 fields around it.
#[derive(Debug)]
pub(crate) enum Page<'a> {
    /// Every item, with no cursor.
    Whole(&'a ListCache),
    /// Some items, and the cursor of the next page.
    Part {
        key: &'static str,
        items: Vec<&'a RawValue>,
        next: Option<String>,
    },
}

impl Page<'_> {
    /// The whole list's JSON, made once, when this page is the whole list.
    pub(crate) fn cached(&self) -> Option<&RawValue> {
        match self {
            Page::Whole(cache) => Some(&cache.whole),
            Page::Part { .. } => None,
        }
    }
}

impl Serialize for Page<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match self {
            Page::Whole(cache) => {
                let items: Vec<&RawValue> = cache.items.iter().map(|(_, j)| &**j).collect();
                map.serialize_entry(cache.key, &items)?;
            }
            Page::Part { key, items, next } => {
                map.serialize_entry(key, items)?;
                if let Some(next) = next {
                    map.serialize_entry("nextCursor", next)?;
                }
            }
        }
        map.end()
    }
}

/// Cursors are opaque to clients; here they are the index of the page's first item.
fn format_cursor(index: usize) -> String {
    format!("o{index}")
}

fn parse_cursor(cursor: &str) -> Option<usize> {
    cursor.strip_prefix('o')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn cache(n: usize) -> ListCache {
        let items: Vec<Value> = (0..n).map(|i| json!({"name": format!("t{i}")})).collect();
        ListCache::new("tools", &items, |v| v["name"].as_str().unwrap_or(""))
    }

    fn names(page: &Page<'_>) -> (Vec<String>, Option<String>) {
        let v = serde_json::to_value(page).unwrap();
        if let Some(whole) = page.cached() {
            assert_eq!(serde_json::from_str::<Value>(whole.get()).unwrap(), v);
        }
        let names = v["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        (names, v["nextCursor"].as_str().map(str::to_owned))
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let c = cache(5);
        let (first, next) = names(&c.page(None, Some(2), |_| false).unwrap());
        assert_eq!(first, ["t0", "t1"]);
        let (second, next) = names(&c.page(next.as_deref(), Some(2), |_| false).unwrap());
        assert_eq!(second, ["t2", "t3"]);
        let (third, next) = names(&c.page(next.as_deref(), Some(2), |_| false).unwrap());
        assert_eq!(third, ["t4"]);
        assert_eq!(next, None);
        let (all, next) = names(&c.page(None, None, |_| false).unwrap());
        assert_eq!(all.len(), 5);
        assert_eq!(next, None);
    }

    #[test]
    fn hidden_items_and_bad_cursors() {
        let c = cache(3);
        let (shown, _) = names(&c.page(None, None, |n| n == "t1").unwrap());
        assert_eq!(shown, ["t0", "t2"]);
        for bad in ["x", "o99", "o-1", ""] {
            assert_eq!(
                c.page(Some(bad), None, |_| false).unwrap_err().code,
                -32602,
                "{bad}"
            );
        }
    }
}
