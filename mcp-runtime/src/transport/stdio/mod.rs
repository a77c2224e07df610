//! The stdio transport: newline-delimited JSON-RPC on stdin and stdout.
//!
//! One connection, one client, one [`Peer`] for the life of the process. Each line read is one
//! message; each request runs in a task of its own, so a slow tool does not hold up the others
//! and a client's answer to a server-to-client request (sampling, elicitation, roots) can be
//! read while the tool that asked waits for it. Every line written goes through one writer,
//! so messages never interleave.
//!
//! Shutdown follows the MCP spec's stdio lifecycle: the client closes the server's stdin (and
//! may send SIGTERM later). At end of input the server stops reading; server-to-client requests
//! still waiting for an answer fail at once (nobody can answer them any more); requests in
//! flight run to completion and their responses are written; then [`serve_io`] returns. A
//! client that wants them stopped sooner sends `notifications/cancelled` first, or SIGTERM.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use self::framing::{Line, LineReader, write_lines};
use crate::engine::principal::Caller;
use crate::engine::{
    Dispatcher, MCPServer, NetworkTransport, Peer, RequestEnv, ServerConfig, ServerEvent,
};
use crate::protocol::{
    ErrorObject, Message, Request, RequestId, error_codes, error_json, notification_json,
};
use crate::recover::lock;

mod framing;
mod pipes;

/// The longest line (one message) accepted, in bytes: the HTTP transport's default body limit.
/// A longer line is skipped and answered with a -32600 error.
const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Request tasks that may wait to write their answers, beyond the
/// [`Limits::max_in_flight_per_session`](crate::Limits::max_in_flight_per_session) that may be
/// running: past that many tasks, no input is read until one ends.
const MAX_UNSENT_ANSWERS: usize = 1024;

/// Serves `server` on this process's stdin and stdout until the client closes stdin.
///
/// The connection is one session for the life of the process, whatever the HTTP
/// [`Mode`](crate::Mode) settings: there is no session id, and a tool's requests to the client
/// (sampling, elicitation, roots) always have a channel. stdout carries only protocol
/// messages: send logs to stderr (as `tracing_subscriber`'s `with_writer(std::io::stderr)`
/// does). The default SIGTERM and Ctrl-C behaviour (exit at once) is kept. See [`serve_io`]
/// for the shutdown rules.
///
/// Serving runs in a task of its own on the runtime's worker threads, so this needs a tokio
/// runtime (`#[tokio::main]` gives one); dropping the future stops it. When stdin and stdout
/// are pipes, as when a client launches the server, they are read and written through the
/// runtime's I/O driver (on Linux: a second, non-blocking open of each pipe through
/// `/proc/self/fd`; fd 0 and 1 keep their flags), with no thread hand-off per message. Anything
/// else (a terminal, a file, another OS, a runtime without `enable_io`) is read and written
/// through tokio's `stdin()` and `stdout()`, on the blocking thread pool. Such a blocking read
/// of stdin cannot be interrupted: if the client then closes the server's stdout but keeps
/// its stdin open, this returns, but the runtime (and so the process) ends only when stdin
/// closes or a signal arrives. Over pipes, the process can end at once.
///
/// ```no_run
/// use mcp_runtime::{mcp_server, tool};
///
/// struct Calculator;
///
/// #[mcp_server(name = "calculator", version = "1.0.0")]
/// impl Calculator {
///     /// Add two numbers.
///     #[tool]
///     fn add(&self, a: f64, b: f64) -> f64 {
///         a + b
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     mcp_runtime::serve_stdio(Calculator).await
/// }
/// ```
pub async fn serve_stdio(server: impl MCPServer) -> io::Result<()> {
    serve_stdio_with(server, ServerConfig::default()).await
}

/// [`serve_stdio`] with protocol-level settings (paging, caching hints, tasks).
///
/// ```no_run
/// # use mcp_runtime::{mcp_server, tool, ServerConfig};
/// # struct Hello;
/// # #[mcp_server] impl Hello { /// Greet.
/// #   #[tool] fn hello(&self) -> &'static str { "hi" } }
/// # async fn run() -> std::io::Result<()> {
/// mcp_runtime::serve_stdio_with(Hello, ServerConfig::new().page_size(Some(20))).await
/// # }
/// ```
pub async fn serve_stdio_with(server: impl MCPServer, config: ServerConfig) -> io::Result<()> {
    // On a worker thread rather than wherever this future is polled (`#[tokio::main]` polls
    // it on the main thread, outside the worker pool): the I/O driver's wake-ups, the request
    // tasks and the writer then share one thread, with no hand-off between threads per call.
    let dispatcher = Dispatcher::try_new(server, &config, NetworkTransport::Pipe)?;
    let serving = AbortOnDrop(spawn_stdio(dispatcher));
    match serving.join().await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(io::Error::other(e)),
    }
}

/// Serves stdin and stdout in a task of its own. Not generic, so the transport's code (the
/// read loop, the request tasks, the writer) is compiled once, here, not in each server's
/// crate as it would be if the serving future were made and spawned by a generic function.
fn spawn_stdio(dispatcher: Dispatcher) -> tokio::task::JoinHandle<io::Result<()>> {
    tokio::spawn(serve_dispatcher(
        dispatcher,
        pipes::stdin(),
        pipes::stdout(),
    ))
}

/// A spawned task aborted when its handle is dropped: dropping [`serve_stdio_with`]'s future
/// stops serving, as dropping [`serve_io_with`]'s does.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn join(mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves `server` over any byte streams: messages are read from `reader`, one per line, and
/// written to `writer`, one per line.
///
/// At end of input, server-to-client requests still waiting for an answer fail, requests in
/// flight finish and their responses are written, `writer` is shut down, and this returns.
/// A malformed line is answered with a JSON-RPC error whose `id` is `null` (-32700 for bad
/// JSON, -32600 for JSON that is not a message, or for a line over 4 MiB) and serving goes
/// on. It returns an error if reading or writing fails; a writer whose other end is closed (a
/// broken pipe) counts as the client leaving, and ends serving without an error. Dropping the
/// future aborts every request still running.
///
/// Input is read only while fewer than
/// [`max_in_flight_per_session`](crate::Limits::max_in_flight_per_session) + 1,024 requests are
/// running or have answers waiting to be written. A client that keeps sending without reading
/// what comes back sees its writes block, as over a full pipe, and the server's memory stays
/// bounded; every request read is still answered once the client reads again.
///
/// ```
/// use mcp_runtime::{mcp_server, tool};
/// use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
///
/// struct Hello;
///
/// #[mcp_server]
/// impl Hello {
///     /// Greet.
///     #[tool]
///     fn hello(&self) -> &'static str { "hi" }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// // Two in-memory pipes stand in for stdin and stdout.
/// let (mut to_server, server_input) = tokio::io::duplex(64 * 1024);
/// let (from_server, server_output) = tokio::io::duplex(64 * 1024);
/// let serving = tokio::spawn(mcp_runtime::serve_io(Hello, server_input, server_output));
///
/// to_server.write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n").await?;
/// let mut lines = BufReader::new(from_server).lines();
/// let reply = lines.next_line().await?;
/// assert_eq!(reply.as_deref(), Some(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#));
///
/// drop(to_server); // end of input: the server finishes and returns
/// serving.await??;
/// assert_eq!(lines.next_line().await?, None); // and closes its output
/// # Ok(())
/// # }
/// ```
pub async fn serve_io<R, W>(server: impl MCPServer, reader: R, writer: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    serve_io_with(server, ServerConfig::default(), reader, writer).await
}

/// [`serve_io`] with protocol-level settings.
///
/// An invalid server (see [`InvalidServer`](crate::InvalidServer)) is an
/// [`InvalidInput`](io::ErrorKind::InvalidInput) error holding it, before anything is read.
pub async fn serve_io_with<R, W>(
    server: impl MCPServer,
    config: ServerConfig,
    reader: R,
    writer: W,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let dispatcher = Dispatcher::try_new(server, &config, NetworkTransport::Pipe)?;
    serve_dispatcher(dispatcher, reader, writer).await
}

/// Serves `dispatcher` on `reader` and `writer` (see [`serve_io`]).
async fn serve_dispatcher<R, W>(dispatcher: Dispatcher, reader: R, writer: W) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (lines_tx, lines_rx) = mpsc::channel(64);
    let peer = Arc::new(dispatcher.session_peer());
    let connection = Arc::new(Connection {
        dispatcher,
        peer,
        lines: lines_tx,
        closed: CancellationToken::new(),
        running: Mutex::default(),
        next_task: AtomicU64::new(0),
        awaiting: Mutex::new(Some(HashSet::new())),
    });
    let stop_writing = CancellationToken::new();
    let read = async {
        let result = connection.clone().read_loop(reader).await;
        stop_writing.cancel();
        result
    };
    let write = write_lines(
        writer,
        lines_rx,
        stop_writing.clone(),
        connection.closed.clone(),
    );
    let (read, write) = tokio::join!(read, write);
    tracing::debug!("stdio transport stopped");
    write.and(read)
}

/// What every request task of the connection shares.
#[derive(Debug)]
struct Connection {
    dispatcher: Dispatcher,
    peer: Arc<Peer>,
    /// Lines for the writer.
    lines: mpsc::Sender<String>,
    /// Cancelled when the writer fails: nothing more can reach the client.
    closed: CancellationToken,
    /// The cancellation token of each request task, by request id, from the moment the line
    /// is read: a `notifications/cancelled` read next must find it even if the task has not
    /// started yet. The number tells a task from a later one reusing its id.
    running: Mutex<HashMap<RequestId, (u64, CancellationToken)>>,
    next_task: AtomicU64,
    /// Ids of server-to-client requests sent and not yet answered; `None` after end of input,
    /// when no answer can come any more.
    awaiting: Mutex<Option<HashSet<RequestId>>>,
}

impl Connection {
    /// Reads and handles messages until end of input, then waits for requests in flight.
    async fn read_loop<R: AsyncRead + Unpin>(self: Arc<Self>, reader: R) -> io::Result<()> {
        let mut reader = LineReader::new(reader, MAX_LINE_BYTES);
        let mut tasks = JoinSet::new();
        let mut events = Some(self.dispatcher.handle().subscribe());
        let most_tasks = self.peer.limits().max_in_flight_per_session + MAX_UNSENT_ANSWERS;
        let outcome = loop {
            let line = tokio::select! {
                // At the cap, input waits until a request task ends: a client that sends
                // without reading the answers fills its pipe, instead of this process's memory.
                line = reader.next_line(), if tasks.len() < most_tasks => line,
                () = self.closed.cancelled() => break Ok(()),
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    report_join(joined);
                    continue;
                }
                event = recv_event(&mut events) => {
                    self.announce(event).await;
                    continue;
                }
            };
            match line {
                Ok(Some(Line::Message(bytes))) => self.handle_line(&bytes, &mut tasks).await,
                Ok(Some(Line::TooLong)) => {
                    let error = ErrorObject::invalid_request(format!(
                        "a message must fit in one line of at most {MAX_LINE_BYTES} bytes"
                    ));
                    self.send(error_json(None, &error)).await;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        tracing::debug!(
            in_flight = tasks.len(),
            "stopped reading: finishing requests in flight"
        );
        self.fail_awaiting();
        while let Some(joined) = tasks.join_next().await {
            report_join(joined);
        }
        outcome
    }

    async fn handle_line(self: &Arc<Self>, bytes: &[u8], tasks: &mut JoinSet<()>) {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match Message::parse(bytes) {
            Ok(Message::Request(request)) => {
                let cancel = self.closed.child_token();
                let task = self.next_task.fetch_add(1, Ordering::Relaxed);
                // A duplicate of an id in flight keeps the first one's entry (and is refused).
                lock(&self.running)
                    .entry(request.id.clone())
                    .or_insert_with(|| (task, cancel.clone()));
                tasks.spawn(self.clone().run_request(request, task, cancel));
            }
            Ok(Message::Notification(notification)) => {
                if notification.method == "notifications/cancelled" {
                    self.cancel(notification.params.as_deref());
                }
                // stdio has no headers: nothing but the peer says where it came from.
                self.dispatcher
                    .handle_notification(notification, &self.peer, &Caller::default());
            }
            Ok(Message::Response(response)) => {
                if let Some(awaiting) = lock(&self.awaiting).as_mut() {
                    awaiting.remove(&response.id);
                }
                self.dispatcher.handle_response(response, &self.peer);
            }
            Err(e) => {
                tracing::debug!(error = %e, "malformed message");
                self.send(error_json(None, &e.to_error_object())).await;
            }
        }
    }

    /// Runs one request, passing on the messages it sends and then its response (none when
    /// it was cancelled: the spec says a cancelled request gets no response).
    async fn run_request(self: Arc<Self>, request: Request, task: u64, cancel: CancellationToken) {
        let id = request.id.clone();
        let (tx, mut rx) = mpsc::channel::<String>(16);
        let env = RequestEnv {
            peer: self.peer.clone(),
            outbound: Some(tx.into()),
            cancel,
            close_stream: None,
            caller: Default::default(),
        };
        let mut asked = Vec::new();
        let work = crate::recover::catch_panic(self.dispatcher.handle_request(request, env));
        tokio::pin!(work);
        let outcome = loop {
            tokio::select! {
                outcome = &mut work => break outcome,
                Some(frame) = rx.recv() => self.forward(frame, &mut asked).await,
            }
        };
        while let Ok(frame) = rx.try_recv() {
            self.forward(frame, &mut asked).await;
        }
        // Before the response goes out: once the client has it, it may reuse the id.
        {
            let mut running = lock(&self.running);
            if running.get(&id).is_some_and(|(t, _)| *t == task) {
                running.remove(&id);
            }
        }
        match outcome {
            Ok(Some(reply)) => self.send(reply).await,
            Ok(None) => tracing::debug!(id = %id, "request cancelled; no response"),
            Err(panic) => {
                tracing::error!(id = %id, panic = %panic, "request handling panicked");
                let error = ErrorObject::internal("the server failed while answering this request");
                self.send(error_json(Some(&id), &error)).await;
            }
        }
        if let Some(awaiting) = lock(&self.awaiting).as_mut() {
            for id in &asked {
                awaiting.remove(id);
            }
        }
    }

    /// Cancels the request a `notifications/cancelled` names, started or not.
    fn cancel(&self, params: Option<&RawValue>) {
        #[derive(serde::Deserialize)]
        struct Cancelled {
            #[serde(rename = "requestId")]
            request_id: RequestId,
        }
        let Some(Ok(Cancelled { request_id })) = params.map(|p| serde_json::from_str(p.get()))
        else {
            return; // the dispatcher logs malformed cancellations
        };
        if let Some((_, token)) = lock(&self.running).get(&request_id) {
            token.cancel();
        }
    }

    /// Sends a message a request produced, remembering server-to-client requests so they can
    /// be failed if input ends before the client answers them.
    async fn forward(&self, frame: String, asked: &mut Vec<RequestId>) {
        if let Some(id) = outgoing_request_id(&frame) {
            let mut awaiting = lock(&self.awaiting);
            match awaiting.as_mut() {
                Some(set) => {
                    set.insert(id.clone());
                    asked.push(id);
                }
                None => {
                    drop(awaiting);
                    self.peer.complete(&id, Err(input_closed()));
                    return;
                }
            }
        }
        self.send(frame).await;
    }

    /// After end of input: fail every server-to-client request still waiting, and any sent later.
    fn fail_awaiting(&self) {
        let awaiting = lock(&self.awaiting).take().unwrap_or_default();
        for id in awaiting {
            self.peer.complete(&id, Err(input_closed()));
        }
    }

    /// Passes a server announcement (list changed, resource updated) to the client.
    async fn announce(&self, event: ServerEvent) {
        if !self.peer.is_initialized() {
            return;
        }
        let concerned = match &event {
            ServerEvent::ResourceUpdated(uri) => self.peer.is_subscribed(uri),
            _ => true,
        };
        if !concerned {
            return;
        }
        self.send(notification_json(event.method(), &event.params()))
            .await;
    }

    async fn send(&self, line: String) {
        if self.lines.send(line).await.is_err() {
            tracing::debug!("message dropped: the output is closed");
        }
    }
}

/// The next server announcement; pending forever once the channel is gone.
async fn recv_event(events: &mut Option<broadcast::Receiver<ServerEvent>>) -> ServerEvent {
    loop {
        let Some(rx) = events.as_mut() else {
            return std::future::pending().await;
        };
        match rx.recv().await {
            Ok(event) => return event,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "server announcements dropped: too many at once");
            }
            Err(broadcast::error::RecvError::Closed) => *events = None,
        }
    }
}

fn report_join(joined: Result<(), tokio::task::JoinError>) {
    if let Err(e) = joined {
        tracing::error!(error = %e, "request task failed");
    }
}

/// The error a server-to-client request gets when input has ended before its answer.
fn input_closed() -> ErrorObject {
    ErrorObject::new(
        error_codes::SERVER_ERROR,
        "Connection closed: the client closed the server's input before answering",
    )
}

/// The id of a server-to-client request, or `None` for a notification.
fn outgoing_request_id(frame: &str) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct Probe {
        id: Option<RequestId>,
    }
    serde_json::from_str::<Probe>(frame).ok()?.id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_id_of_outgoing_requests_only() {
        assert_eq!(
            outgoing_request_id(
                r#"{"jsonrpc":"2.0","id":"srv-1","method":"sampling/createMessage","params":{}}"#
            ),
            Some(RequestId::from("srv-1"))
        );
        assert_eq!(
            outgoing_request_id(r#"{"jsonrpc":"2.0","method":"notifications/progress"}"#),
            None
        );
    }
}
