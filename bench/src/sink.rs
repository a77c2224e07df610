//! A sink for OTLP/HTTP exports: accepts every POST and answers `200` with an empty body, so
//! the `ours-stateless-json-otel` server pays for making and sending its telemetry, not for a
//! collector. Threads of the benchmark process (the load generator's core), started once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Export requests received so far.
static EXPORTS: AtomicU64 = AtomicU64::new(0);

/// How many export requests the sink has answered.
pub fn exports() -> u64 {
    EXPORTS.load(Ordering::Relaxed)
}

/// `http://127.0.0.1:PORT`, the sink's address (`None` if it could not bind).
pub fn endpoint() -> Option<String> {
    static SINK: OnceLock<Option<String>> = OnceLock::new();
    SINK.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").ok()?;
        let addr = listener.local_addr().ok()?;
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || serve(stream));
            }
        });
        Some(format!("http://{addr}"))
    })
    .clone()
}

/// Answers the requests of one keep-alive connection until it closes.
fn serve(stream: TcpStream) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        // The request line and headers, up to the blank line.
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        if std::io::copy(&mut (&mut reader).take(length as u64), &mut std::io::sink()).is_err() {
            return;
        }
        EXPORTS.fetch_add(1, Ordering::Relaxed);
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}
