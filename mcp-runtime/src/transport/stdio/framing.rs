//! Newline-delimited framing: one JSON-RPC message per line, in both directions.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Writes each message on a line of its own until `stop`, flushing whenever no more are
/// queued. On failure it cancels `closed`, so the rest of the connection stops.
pub(super) async fn write_lines<W: AsyncWrite + Unpin>(
    writer: W,
    mut lines: mpsc::Receiver<String>,
    stop: CancellationToken,
    closed: CancellationToken,
) -> io::Result<()> {
    let mut out = BufWriter::new(writer);
    let result = async {
        loop {
            let line = tokio::select! {
                biased;
                line = lines.recv() => line,
                () = stop.cancelled() => None,
            };
            let Some(line) = line else { break };
            write_line(&mut out, &line).await?;
            while let Ok(line) = lines.try_recv() {
                write_line(&mut out, &line).await?;
            }
            out.flush().await?;
        }
        // Input ended: write what is still queued, then close.
        while let Ok(line) = lines.try_recv() {
            write_line(&mut out, &line).await?;
        }
        out.shutdown().await
    }
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            closed.cancel();
            if e.kind() == io::ErrorKind::BrokenPipe {
                tracing::debug!("the client closed the output (broken pipe); stopping");
                Ok(())
            } else {
                tracing::error!(error = %e, "cannot write to the client; stopping");
                Err(e)
            }
        }
    }
}

async fn write_line<W: AsyncWrite + Unpin>(out: &mut W, line: &str) -> io::Result<()> {
    // A newline in valid JSON can only be whitespace between tokens (inside strings it is
    // escaped), so replacing it keeps the message intact and on one line.
    if line.contains(['\n', '\r']) {
        out.write_all(line.replace(['\n', '\r'], " ").as_bytes())
            .await?;
    } else {
        out.write_all(line.as_bytes()).await?;
    }
    out.write_all(b"\n").await
}

/// One line of input.
#[derive(Debug, PartialEq)]
pub(super) enum Line {
    /// A line's bytes, without its end of line.
    Message(Vec<u8>),
    /// A line longer than the limit, skipped.
    TooLong,
}

/// Splits input into lines of bounded length. Cancel-safe: its state lives in the struct,
/// so `next_line` can be a branch of `tokio::select!`.
pub(super) struct LineReader<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    too_long: bool,
    max: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// Reads lines of at most `max` bytes from `reader`.
    pub(super) fn new(reader: R, max: usize) -> Self {
        LineReader {
            inner: BufReader::with_capacity(64 * 1024, reader),
            line: Vec::new(),
            too_long: false,
            max,
        }
    }

    /// The next line, or `None` at end of input. A last line without a newline counts.
    pub(super) async fn next_line(&mut self) -> io::Result<Option<Line>> {
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                return Ok(if self.too_long {
                    self.too_long = false;
                    Some(Line::TooLong)
                } else if self.line.is_empty() {
                    None
                } else {
                    Some(self.take())
                });
            }
            let (chunk, end) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            if !self.too_long && self.line.len() + chunk.len() > self.max {
                self.too_long = true;
                self.line = Vec::new();
            }
            if !self.too_long {
                self.line.extend_from_slice(chunk);
            }
            let used = end.unwrap_or(chunk.len());
            self.inner.consume(used);
            if end.is_some() {
                if self.too_long {
                    self.too_long = false;
                    return Ok(Some(Line::TooLong));
                }
                return Ok(Some(self.take()));
            }
        }
    }

    fn take(&mut self) -> Line {
        let mut line = std::mem::take(&mut self.line);
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Line::Message(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], max: usize) -> Vec<Line> {
        let mut reader = LineReader::new(input, max);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().await.unwrap() {
            out.push(line);
        }
        out
    }

    fn msg(s: &str) -> Line {
        Line::Message(s.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn splits_lines_and_keeps_a_last_unterminated_one() {
        assert_eq!(
            lines(b"a\nbc\r\n\nd", 10).await,
            [msg("a"), msg("bc"), msg(""), msg("d")]
        );
        assert_eq!(lines(b"", 10).await, []);
    }

    #[tokio::test]
    async fn skips_lines_over_the_limit_and_goes_on() {
        assert_eq!(
            lines(b"12345\n123456\n1\n123456", 5).await,
            [msg("12345"), Line::TooLong, msg("1"), Line::TooLong]
        );
    }

    #[tokio::test]
    async fn a_long_line_split_across_reads_is_still_one_line() {
        let mut input = vec![b'x'; 200_000];
        input.push(b'\n');
        let got = lines(&input, 300_000).await;
        assert_eq!(got.len(), 1);
        assert!(matches!(&got[0], Line::Message(m) if m.len() == 200_000));
    }

    #[tokio::test]
    async fn newlines_between_tokens_are_flattened() {
        let mut out = Vec::new();
        write_line(&mut out, "{\n  \"a\": \"b\\nc\"\r\n}")
            .await
            .unwrap();
        assert_eq!(out, b"{   \"a\": \"b\\nc\"  }\n");
    }
}
