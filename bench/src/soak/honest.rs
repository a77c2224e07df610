//! Honest clients: each its own connection and session, calling `add` one call after another
//! for the whole soak. Every call is checked as the benchmark checks it; any failure fails the
//! soak.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::load::{Client, Target};

/// Honest clients.
pub const CLIENTS: usize = 4;
/// Between one client's calls: they keep calling, without saturating the server's core.
const PAUSE: Duration = Duration::from_millis(5);

/// What honest clients did since the last reading, and the first failure of the soak.
#[derive(Debug, Default)]
pub struct Honest {
    ok: AtomicU64,
    failed: AtomicU64,
    slowest_us: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Honest {
    /// Calls and failures since the last reading, and the slowest call in ms; starts again.
    pub fn take(&self) -> (u64, u64, f64) {
        (
            self.ok.swap(0, Ordering::AcqRel),
            self.failed.swap(0, Ordering::AcqRel),
            self.slowest_us.swap(0, Ordering::AcqRel) as f64 / 1000.0,
        )
    }

    pub fn first_error(&self) -> Option<String> {
        self.first_error.lock().ok().and_then(|e| e.clone())
    }

    fn fail(&self, error: String) {
        self.failed.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut first) = self.first_error.lock()
            && first.is_none()
        {
            eprintln!("soak: first honest failure: {error}");
            *first = Some(error);
        }
    }
}

/// Starts [`CLIENTS`] honest clients calling until `until`.
pub fn start(
    target: &Target,
    until: Instant,
    honest: &Arc<Honest>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CLIENTS as u64)
        .map(|w| {
            let (target, honest) = (target.clone(), honest.clone());
            tokio::spawn(async move { client(&target, w, until, &honest).await })
        })
        .collect()
}

async fn client(target: &Target, w: u64, until: Instant, honest: &Honest) {
    let mut seq = w << 40;
    'connection: while Instant::now() < until {
        let mut client = match Client::connect(target).await {
            Ok(client) => client,
            Err(e) => {
                honest.fail(format!("connect: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        seq += 1;
        if let Err(e) = client.open_session(seq).await {
            honest.fail(format!("open a session: {e}"));
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        while Instant::now() < until {
            seq += 1;
            let started = Instant::now();
            let result = client.call_add(seq, seq & 0xff_ffff).await;
            let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            honest.slowest_us.fetch_max(took, Ordering::AcqRel);
            match result {
                Ok(Ok(())) => {
                    honest.ok.fetch_add(1, Ordering::AcqRel);
                }
                Ok(Err(bad)) => honest.fail(format!("add: {bad}")),
                Err(e) => {
                    honest.fail(format!("add: {e}"));
                    continue 'connection;
                }
            }
            tokio::time::sleep(PAUSE).await;
        }
    }
}
