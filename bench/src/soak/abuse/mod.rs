//! The abusers: each a loop on connections of its own, paced so the machine is not simply
//! saturated, stopping at a deadline. What each saw is tallied by outcome; an outcome a sound
//! server would not give is "unexpected", reported but not a failure of the soak (only honest
//! calls decide that).
//!
//! `sessions`: misbehaviour within the protocol (abandoned sessions, dropped streams, cancels,
//! unanswered questions); `sizes`: large bodies and results; `sockets`: clients that break
//! HTTP itself (non-reading, slowloris).

mod sessions;
mod sizes;
mod sockets;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::load::BoxError;

/// The outcomes of one abuser.
#[derive(Debug)]
pub struct Tally {
    pub name: &'static str,
    pub does: &'static str,
    pub pace: &'static str,
    inner: Mutex<Counts>,
}

#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Expected outcomes by label.
    pub outcomes: BTreeMap<String, u64>,
    pub unexpected: u64,
    pub first_unexpected: Option<String>,
}

impl Tally {
    fn new(name: &'static str, does: &'static str, pace: &'static str) -> Arc<Tally> {
        Arc::new(Tally {
            name,
            does,
            pace,
            inner: Mutex::default(),
        })
    }

    pub(super) fn record(&self, outcome: Result<String, BoxError>) {
        let Ok(mut counts) = self.inner.lock() else {
            return;
        };
        match outcome {
            Ok(label) => *counts.outcomes.entry(label).or_default() += 1,
            Err(e) => {
                counts.unexpected += 1;
                counts.first_unexpected.get_or_insert_with(|| e.to_string());
            }
        }
    }

    pub fn counts(&self) -> Counts {
        self.inner.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Where to abuse and until when.
#[derive(Debug, Clone, Copy)]
pub struct Abuse {
    pub addr: SocketAddr,
    pub until: Instant,
}

impl Abuse {
    pub(super) fn running(&self) -> bool {
        Instant::now() < self.until
    }

    /// Runs `run` unless the deadline comes first (then it is dropped, connections and all).
    pub(super) async fn bounded<T>(&self, run: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            out = run => Some(out),
            () = tokio::time::sleep_until(self.until.into()) => None,
        }
    }

    pub(super) async fn pause(&self, d: Duration) {
        let _ = self.bounded(tokio::time::sleep(d)).await;
    }

    /// `run` again and again, `pace` apart, each outcome tallied.
    async fn repeat<F: Future<Output = Result<String, BoxError>>>(
        self,
        tally: Arc<Tally>,
        pace: Duration,
        mut run: impl FnMut(u64) -> F,
    ) {
        let mut n = 0;
        while self.running() {
            n += 1;
            if let Some(outcome) = self.bounded(run(n)).await {
                tally.record(outcome);
            }
            self.pause(pace).await;
        }
    }
}

/// Starts every abuser; each task ends by the deadline. Returns their tallies.
pub fn start(abuse: Abuse) -> (Vec<Arc<Tally>>, Vec<tokio::task::JoinHandle<()>>) {
    let mut tallies = Vec::new();
    let mut tasks = Vec::new();
    let addr = abuse.addr;
    let mut add = |tally: Arc<Tally>| {
        tallies.push(tally.clone());
        tally
    };

    let t = add(Tally::new(
        "abandon",
        "opens a session, calls `add` once, leaves without DELETE",
        "5/s",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_millis(200),
        move |_| sessions::abandon(addr),
    )));

    let t = add(Tally::new(
        "drop mid-stream",
        "starts `slow` (30 progress, 100 ms apart) over SSE, drops the connection after 3; \
         every other time resumes with `Last-Event-ID`, reads one event, drops again; \
         no DELETE",
        "2 loops, 1 s apart",
    ));
    for _ in 0..2 {
        let t = t.clone();
        tasks.push(tokio::spawn(abuse.repeat(
            t,
            Duration::from_secs(1),
            move |n| sessions::drop_mid_stream(addr, n.is_multiple_of(2)),
        )));
    }

    let t = add(Tally::new(
        "cancel",
        "starts `slow` (100 progress, 100 ms apart), sends `notifications/cancelled` after the \
         first; the stream must end within 5 s; then DELETE",
        "1 s apart",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_secs(1),
        move |_| sessions::cancel(addr),
    )));

    let t = add(Tally::new(
        "unanswered",
        "declares elicitation, calls `ask`, reads the `elicitation/create` and never answers; \
         drops the connection, no DELETE",
        "every 2 s",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_secs(2),
        move |_| sessions::unanswered(addr),
    )));

    let t = add(Tally::new(
        "4 MiB bodies",
        "in one session, POSTs a `ping` padded to exactly 4 MiB (200 expected), then one byte \
         over the limit (413 expected), in turn",
        "1 s apart",
    ));
    tasks.push(tokio::spawn(sizes::big_bodies(abuse, t)));

    let t = add(Tally::new(
        "large result",
        "in one session, calls `big` for a 1 MiB result and reads it whole",
        "every 2 s",
    ));
    tasks.push(tokio::spawn(sizes::large_results(abuse, t)));

    let t = add(Tally::new(
        "non-reading",
        "raw sockets that send a request and never read: a GET stream, `slow` (2,000 \
         progress, 5 ms apart), `big` (8 MiB), in turn; each held 60 s then closed",
        "one more every 10 s (6 held)",
    ));
    tasks.push(tokio::spawn(sockets::non_reading(abuse, t)));

    let t = add(Tally::new(
        "slowloris",
        "raw sockets sending a request head one header line every 5 s, never finished; held \
         up to 120 s or until the server closes them",
        "4 at a time",
    ));
    for i in 0..4 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            // Staggered, so that they do not all start and end together.
            abuse.pause(Duration::from_secs(i * 7)).await;
            while abuse.running() {
                t.record(sockets::slowloris(abuse).await);
                abuse.pause(Duration::from_millis(100)).await;
            }
        }));
    }
    (tallies, tasks)
}
