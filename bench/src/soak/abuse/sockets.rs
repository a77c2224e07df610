//! Abusers that break HTTP itself on raw sockets: requests whose answers are never read,
//! request heads never finished (slowloris).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Abuse, Tally};
use crate::load::BoxError;
use crate::soak::wire::{self, Conn};

/// How long a non-reading socket is held, and how often one more is opened.
const HOLD: Duration = Duration::from_secs(60);
const NON_READING_EVERY: Duration = Duration::from_secs(10);

pub(super) async fn non_reading(abuse: Abuse, tally: Arc<Tally>) {
    let mut held: Vec<(tokio::net::TcpStream, Instant)> = Vec::new();
    let mut n = 0u64;
    while abuse.running() {
        n += 1;
        held.retain(|(_, until)| Instant::now() < *until);
        let run = async {
            let mut conn = Conn::connect(abuse.addr).await?;
            let session = conn.open_session("{}").await?;
            let (label, stream) = match n % 3 {
                0 => {
                    let head = wire::head(abuse.addr, "GET", &session, 0);
                    ("GET stream", wire::raw(abuse.addr, &head, b"").await?)
                }
                1 => {
                    let body = wire::call(1, "slow", r#"{"steps":2000,"interval_ms":5}"#);
                    let head = wire::head(abuse.addr, "POST", &session, body.len());
                    ("slow", wire::raw(abuse.addr, &head, body.as_bytes()).await?)
                }
                _ => {
                    let body = wire::call(1, "big", r#"{"kib":8192}"#);
                    let head = wire::head(abuse.addr, "POST", &session, body.len());
                    (
                        "big (8 MiB)",
                        wire::raw(abuse.addr, &head, body.as_bytes()).await?,
                    )
                }
            };
            Ok::<_, BoxError>((label, stream))
        };
        match abuse.bounded(run).await {
            Some(Ok((label, stream))) => {
                held.push((stream, Instant::now() + HOLD));
                tally.record(Ok(format!("{label}: held unread 60 s")));
            }
            Some(Err(e)) => tally.record(Err(e)),
            None => break,
        }
        abuse.pause(NON_READING_EVERY).await;
    }
    drop(held);
}

/// How long a slowloris connection is kept, and how often it sends one more header line.
const SLOWLORIS_HOLD: Duration = Duration::from_secs(120);
const SLOWLORIS_DRIP: Duration = Duration::from_secs(5);

pub(super) async fn slowloris(abuse: Abuse) -> Result<String, BoxError> {
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n",
        abuse.addr
    );
    let mut stream = wire::raw(abuse.addr, &head, b"").await?;
    let opened = Instant::now();
    let mut buf = [0u8; 512];
    let mut line = 0u64;
    // Rounded to 5 s, so that the tally groups them.
    let after = || opened.elapsed().as_secs() / 5 * 5;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(abuse.until.into()) => {
                return Ok("still open when the abuse ended".into());
            }
            read = stream.read(&mut buf) => {
                let answer = match read {
                    Ok(0) | Err(_) => String::new(),
                    Ok(n) => {
                        let text = String::from_utf8_lossy(&buf[..n]);
                        format!(" with \"{}\"", text.lines().next().unwrap_or_default())
                    }
                };
                return Ok(format!("closed by the server after ~{} s{answer}", after()));
            }
            () = tokio::time::sleep(SLOWLORIS_DRIP) => {
                if opened.elapsed() >= SLOWLORIS_HOLD {
                    return Err("held 120 s: the server never closed an unfinished request head".into());
                }
                line += 1;
                let header = format!("X-Soak-{line}: 1\r\n");
                if stream.write_all(header.as_bytes()).await.is_err() {
                    return Ok(format!("closed by the server after ~{} s", after()));
                }
            }
        }
    }
}
