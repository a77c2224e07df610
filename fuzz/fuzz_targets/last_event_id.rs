//! `Last-Event-ID` parsing and replay in `InMemoryEventStore` (what a GET that resumes a
//! stream asks), against a model: a list of every event stored with whether it is still kept.
//! Storing an event first drops the oldest of its stream beyond the last `per_stream`, then
//! the oldest kept events of any stream beyond `total` in all (byte caps are not reached by
//! inputs this small).
//!
//! - A client's `Last-Event-ID` replays only when it is an id the store issued for an event
//!   still kept (any other text is unknown, never another event's alias);
//! - the replay is exactly the kept events after it on its stream, oldest first.

#![no_main]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mcp_runtime::store::{EventStore, InMemoryEventStore, Replay, StoredEvent};

#[derive(Arbitrary, Debug)]
enum Op {
    /// Store an event on one of a few streams (or a stream with any name).
    Store {
        stream: u8,
        name: Option<String>,
        message: Option<String>,
    },
    /// Resume from an id the store issued.
    ResumeIssued(u16),
    /// Resume from an issued id, edited.
    ResumeEdited { issued: u16, edit: Edit },
    /// Resume from any text.
    ResumeAny(String),
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Prefix(String),
    Suffix(String),
    /// A sequence number written differently (`+7`, `07`).
    Sequence(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    per_stream: u8,
    total: u8,
    ops: Vec<Op>,
}

/// The store's futures are ready at once.
fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-memory store pended"),
    }
}

/// Every event stored: stream, id, message; and which are kept.
struct Model {
    per_stream: usize,
    total: usize,
    events: Vec<(String, String, Option<String>)>,
    live: Vec<bool>,
}

impl Model {
    fn store(&mut self, stream: String, id: String, message: Option<String>) {
        self.events.push((stream, id, message));
        self.live.push(true);
        let newest = self.events.len() - 1;
        let stream = &self.events[newest].0;
        let mut on_stream: Vec<usize> = (0..self.events.len())
            .filter(|&i| self.live[i] && &self.events[i].0 == stream)
            .collect();
        while on_stream.len() > self.per_stream {
            self.live[on_stream.remove(0)] = false;
        }
        let mut kept: Vec<usize> = (0..self.events.len()).filter(|&i| self.live[i]).collect();
        while kept.len() > self.total {
            self.live[kept.remove(0)] = false;
        }
    }

    fn kept(&self, index: usize) -> bool {
        self.live[index]
    }

    fn replay(&self, last: &str) -> Option<Replay> {
        let index = self.events.iter().position(|(_, id, _)| id == last)?;
        if !self.kept(index) {
            return None;
        }
        let stream = &self.events[index].0;
        let events = (index + 1..self.events.len())
            .filter(|&i| &self.events[i].0 == stream && self.kept(i))
            .map(|i| StoredEvent {
                id: self.events[i].1.clone(),
                message: self.events[i].2.clone(),
            })
            .collect();
        Some(Replay {
            stream_id: stream.clone(),
            events,
        })
    }
}

fuzz_target!(|input: Input| {
    let per_stream = usize::from(input.per_stream % 8).max(1);
    let total = usize::from(input.total % 16).max(1);
    let store = InMemoryEventStore::with_limits(per_stream, total);
    let mut model = Model {
        per_stream,
        total,
        events: Vec::new(),
        live: Vec::new(),
    };
    for op in input.ops.iter().take(64) {
        let last = match op {
            Op::Store {
                stream,
                name,
                message,
            } => {
                let stream = name
                    .clone()
                    .unwrap_or_else(|| ["a", "b", "c/d", ""][usize::from(*stream) % 4].to_owned());
                let id = now(store.store(&stream, message.as_deref())).expect("store");
                assert!(
                    model.events.iter().all(|(_, issued, _)| issued != &id),
                    "id {id:?} issued twice"
                );
                model.store(stream, id, message.clone());
                continue;
            }
            Op::ResumeIssued(i) if !model.events.is_empty() => {
                model.events[usize::from(*i) % model.events.len()].1.clone()
            }
            Op::ResumeEdited { issued, edit } if !model.events.is_empty() => {
                let id = &model.events[usize::from(*issued) % model.events.len()].1;
                match edit {
                    Edit::Prefix(p) => format!("{p}{id}"),
                    Edit::Suffix(s) => format!("{id}{s}"),
                    Edit::Sequence(s) => match id.rsplit_once('/') {
                        Some((stream, _)) => format!("{stream}/{s}"),
                        None => s.clone(),
                    },
                }
            }
            Op::ResumeAny(text) => text.clone(),
            _ => continue,
        };
        let replay = now(store.replay_after(&last)).expect("replay");
        assert_eq!(replay, model.replay(&last), "Last-Event-ID {last:?}");
    }
    let kept = (0..model.events.len()).filter(|&i| model.kept(i)).count();
    assert_eq!(store.len(), kept, "events kept");
});
