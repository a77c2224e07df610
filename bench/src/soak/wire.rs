//! What the abusers speak: HTTP/1.1 exchanges whose SSE bodies are read event by event (so
//! a client can stop in the middle), and raw sockets for clients that break HTTP itself.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::load::{BoxError, PROTOCOL_VERSION};

/// Any step of an abuser that takes longer than this has failed.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// `fut`, failing after [`STEP_TIMEOUT`].
pub async fn timed<T>(
    what: &str,
    fut: impl Future<Output = Result<T, BoxError>>,
) -> Result<T, BoxError> {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .map_err(|_| format!("{what}: timed out"))?
}

/// One keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

/// What a request carries besides its body.
#[derive(Default, Clone, Copy)]
pub struct Extra<'a> {
    pub session: Option<&'a str>,
    pub last_event_id: Option<&'a str>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> Result<Conn, BoxError> {
        let stream = timed("connect", async { Ok(TcpStream::connect(addr).await?) }).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Conn {
            sender,
            host: HeaderValue::from_str(&addr.to_string())?,
        })
    }

    /// Sends a request and returns the response with its body unread.
    pub async fn send(
        &mut self,
        method: Method,
        extra: Extra<'_>,
        body: Bytes,
    ) -> Result<Response<Incoming>, BoxError> {
        timed("request", async {
            self.sender.ready().await?;
            let mut request = Request::builder()
                .method(method.clone())
                .uri("/mcp")
                .header(HOST, self.host.clone())
                .header(ACCEPT, accept(&method))
                .header("mcp-protocol-version", PROTOCOL_VERSION);
            if method == Method::POST {
                request = request.header(CONTENT_TYPE, "application/json");
            }
            if let Some(session) = extra.session {
                request = request.header("mcp-session-id", session);
            }
            if let Some(last) = extra.last_event_id {
                request = request.header("last-event-id", last);
            }
            Ok(self
                .sender
                .send_request(request.body(Full::new(body))?)
                .await?)
        })
        .await
    }

    /// POSTs `body` and reads the whole answer: its status and body.
    pub async fn post_all(
        &mut self,
        session: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Result<(StatusCode, Bytes), BoxError> {
        let extra = Extra {
            session,
            ..Extra::default()
        };
        let response = self.send(Method::POST, extra, body.into()).await?;
        let status = response.status();
        let body = timed("body", async { Ok(response.into_body().collect().await?) }).await?;
        Ok((status, body.to_bytes()))
    }

    /// Opens a session (`initialize`, then `notifications/initialized`) with these client
    /// capabilities (a JSON object) and returns its id.
    pub async fn open_session(&mut self, capabilities: &str) -> Result<String, BoxError> {
        let init = format!(
            r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"{PROTOCOL_VERSION}","capabilities":{capabilities},"clientInfo":{{"name":"mcp-bench-soak","version":"0.1.0"}}}}}}"#
        );
        let response = self
            .send(Method::POST, Extra::default(), init.into())
            .await?;
        if response.status() != StatusCode::OK {
            return Err(format!("initialize: HTTP {}", response.status()).into());
        }
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .ok_or("initialize: no Mcp-Session-Id")?
            .to_owned();
        timed("initialize body", async {
            Ok(response.into_body().collect().await?)
        })
        .await?;
        let (status, _) = self
            .post_all(
                Some(&session),
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            )
            .await?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("notifications/initialized: HTTP {status}").into());
        }
        Ok(session)
    }

    /// Ends a session with DELETE; returns the status.
    pub async fn delete(&mut self, session: &str) -> Result<StatusCode, BoxError> {
        let extra = Extra {
            session: Some(session),
            ..Extra::default()
        };
        let response = self.send(Method::DELETE, extra, Bytes::new()).await?;
        Ok(response.status())
    }
}

fn accept(method: &Method) -> &'static str {
    if method == Method::GET {
        "text/event-stream"
    } else {
        "application/json, text/event-stream"
    }
}

/// A `tools/call` request with a progress token.
pub fn call(id: u64, tool: &str, arguments: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments},"_meta":{{"progressToken":{id}}}}}}}"#
    )
}

/// One SSE event: its id and its data (empty for a priming event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: Option<String>,
    pub data: String,
}

/// The events of an SSE body, read as they arrive.
pub struct Events {
    body: Incoming,
    buf: Vec<u8>,
}

impl Events {
    pub fn new(response: Response<Incoming>) -> Self {
        Events {
            body: response.into_body(),
            buf: Vec::new(),
        }
    }

    /// The next event; `None` when the stream ended.
    pub async fn next(&mut self) -> Result<Option<Event>, BoxError> {
        loop {
            if let Some((event, used)) = parse_event(&self.buf) {
                self.buf.drain(..used);
                match event {
                    Some(event) => return Ok(Some(event)),
                    None => continue, // a comment (keep-alive)
                }
            }
            let frame = timed("event", async { Ok(self.body.frame().await) }).await?;
            match frame {
                None => return Ok(None),
                Some(frame) => {
                    if let Ok(data) = frame?.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
            }
        }
    }
}

/// The first complete event of `buf` (`None` inside for a block of comments only), with the
/// bytes it took; `None` when no event is complete yet.
fn parse_event(buf: &[u8]) -> Option<(Option<Event>, usize)> {
    let end = buf.windows(2).position(|w| w == b"\n\n")? + 2;
    let text = String::from_utf8_lossy(&buf[..end]);
    let mut id = None;
    let mut data: Option<String> = None;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("id:") {
            id = Some(v.trim_start().to_owned());
        } else if let Some(v) = line.strip_prefix("data:") {
            let v = v.strip_prefix(' ').unwrap_or(v);
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(v);
                }
                None => data = Some(v.to_owned()),
            }
        }
    }
    let event = (id.is_some() || data.is_some()).then(|| Event {
        id,
        data: data.unwrap_or_default(),
    });
    Some((event, end))
}

/// A raw TCP connection that sends `head` (and `body`) and is then left alone: never read by
/// the caller unless it wants to.
pub async fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Result<TcpStream, BoxError> {
    let mut stream = timed("connect", async { Ok(TcpStream::connect(addr).await?) }).await?;
    timed("raw write", async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        Ok(())
    })
    .await?;
    Ok(stream)
}

/// The head of a request to `/mcp`, with `Content-Length: body_len` for a POST.
pub fn head(addr: SocketAddr, method: &str, session: &str, body_len: usize) -> String {
    let mut head = format!(
        "{method} /mcp HTTP/1.1\r\nHost: {addr}\r\nMcp-Session-Id: {session}\r\nMcp-Protocol-Version: {PROTOCOL_VERSION}\r\n"
    );
    if method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {body_len}\r\n"
        ));
    } else {
        head.push_str("Accept: text/event-stream\r\n");
    }
    head.push_str("\r\n");
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_cut_at_blank_lines_and_comments_skipped() {
        let buf = b":\n\nid: 7\ndata: {\"a\":\ndata: 1}\n\nid: 8\ndata:";
        let (comment, used) = parse_event(buf).expect("a complete block");
        assert_eq!(comment, None);
        let (event, more) = parse_event(&buf[used..]).expect("a complete event");
        assert_eq!(
            event,
            Some(Event {
                id: Some("7".into()),
                data: "{\"a\":\n1}".into()
            })
        );
        assert_eq!(parse_event(&buf[used + more..]), None);
    }
}
