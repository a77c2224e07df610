//! The stdio transport over in-memory pipes (`tokio::io::duplex`): lifecycle, tools, malformed
//! input, notifications, concurrency, server-to-client requests and end-of-input shutdown.

use std::time::Duration;

use mcp_runtime::{Context, mcp_server, serve_io, tool};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::task::JoinHandle;
use tokio::time::timeout;

struct Calculator;

#[mcp_server(name = "calculator", version = "1.0.0")]
impl Calculator {
    /// Add two numbers.
    #[tool]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Divide `a` by `b`.
    #[tool]
    fn divide(&self, a: f64, b: f64) -> Result<f64, String> {
        if b == 0.0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }

    /// Wait until cancelled.
    #[tool]
    async fn block(&self, ctx: Context) -> &'static str {
        ctx.cancelled().await;
        "cancelled"
    }

    /// Sleep `ms` milliseconds.
    #[tool]
    async fn sleep(&self, ms: u64) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        format!("slept {ms}")
    }

    /// Ask the client for a completion.
    #[tool]
    async fn ask(&self, ctx: Context) -> Result<String, String> {
        let params = json!({ "messages": [], "maxTokens": 10 });
        match ctx.request("sampling/createMessage", params).await {
            Ok(answer) => Ok(format!("client said {}", answer["content"]["text"])),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Report progress three times.
    #[tool]
    async fn count(&self, ctx: Context) -> &'static str {
        for i in 1..=3 {
            ctx.progress(f64::from(i), Some(3.0), None).await;
        }
        "counted"
    }

    /// Hide `add`.
    #[tool]
    fn hide_add(&self, ctx: Context) -> &'static str {
        ctx.server().set_tool_enabled("add", false);
        "hidden"
    }
}

type Output = Lines<BufReader<DuplexStream>>;

/// The client's end of a connection to a server running [`serve_io`] in a task: the server's
/// input and output are separate pipes, so either can be closed alone.
struct Client {
    write: DuplexStream,
    lines: Output,
    server: JoinHandle<std::io::Result<()>>,
}

/// The next line as JSON, or `None` at the end of the server's output.
async fn next_message(lines: &mut Output) -> Option<Value> {
    let line = timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the server answered within 10 s")
        .unwrap()?;
    Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
}

impl Client {
    fn start() -> Self {
        let (write, server_input) = tokio::io::duplex(64 * 1024);
        let (read, server_output) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(serve_io(Calculator, server_input, server_output));
        Client {
            write,
            lines: BufReader::new(read).lines(),
            server,
        }
    }

    async fn send_raw(&mut self, line: &str) {
        self.write.write_all(line.as_bytes()).await.unwrap();
        self.write.write_all(b"\n").await.unwrap();
    }

    async fn send(&mut self, message: Value) {
        self.send_raw(&message.to_string()).await;
    }

    async fn request(&mut self, id: i64, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
    }

    async fn call(&mut self, id: i64, tool: &str, arguments: Value) {
        self.request(
            id,
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await;
    }

    async fn recv(&mut self) -> Value {
        next_message(&mut self.lines)
            .await
            .expect("a message, not the end of output")
    }

    async fn initialize(&mut self) -> Value {
        let params = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": { "sampling": {} },
            "clientInfo": { "name": "test", "version": "1" }
        });
        self.request(0, "initialize", params).await;
        let reply = self.recv().await;
        self.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        reply
    }

    /// Closes the server's input and collects everything it writes until it stops.
    async fn finish(mut self) -> Vec<Value> {
        drop(self.write);
        let mut rest = Vec::new();
        while let Some(message) = next_message(&mut self.lines).await {
            rest.push(message);
        }
        stopped(self.server).await;
        rest
    }
}

async fn stopped(server: JoinHandle<std::io::Result<()>>) {
    timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stopped within 10 s")
        .unwrap()
        .unwrap();
}

fn text(response: &Value) -> &str {
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {response}"))
}

#[tokio::test]
async fn initialize_list_and_call_tools() {
    let mut client = Client::start();
    let init = client.initialize().await;
    assert_eq!(init["id"], 0);
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(
        init["result"]["serverInfo"],
        json!({ "name": "calculator", "version": "1.0.0" })
    );

    client.request(1, "tools/list", json!({})).await;
    let list = client.recv().await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"add") && names.contains(&"divide"),
        "{names:?}"
    );

    client.call(2, "add", json!({ "a": 1, "b": 2 })).await;
    let sum = client.recv().await;
    assert_eq!((sum["id"].clone(), text(&sum)), (json!(2), "3"));

    client.call(3, "divide", json!({ "a": 1, "b": 0 })).await;
    let failed = client.recv().await;
    assert_eq!(failed["result"]["isError"], true);
    assert_eq!(text(&failed), "division by zero");

    client.call(4, "nope", json!({})).await;
    assert_eq!(client.recv().await["error"]["code"], -32602);

    client.request(5, "no/such/method", json!({})).await;
    assert_eq!(client.recv().await["error"]["code"], -32601);
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

#[tokio::test]
async fn malformed_lines_get_an_error_with_a_null_id_and_serving_goes_on() {
    let mut client = Client::start();
    client.send_raw("this is not json").await;
    let parse = client.recv().await;
    assert_eq!(
        (parse["id"].clone(), parse["error"]["code"].clone()),
        (Value::Null, json!(-32700))
    );

    for invalid in [
        r#"{"jsonrpc":"2.0"}"#,
        r#"{"id":1,"method":"ping"}"#,
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
    ] {
        client.send_raw(invalid).await;
        let reply = client.recv().await;
        assert_eq!(
            (reply["id"].clone(), reply["error"]["code"].clone()),
            (Value::Null, json!(-32600)),
            "{invalid}"
        );
    }

    client.send_raw("").await; // blank lines are skipped silently
    client.send_raw("   \r").await;
    client
        .send_raw(r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#)
        .await;
    assert_eq!(
        client.recv().await,
        json!({ "jsonrpc": "2.0", "id": "p", "result": {} })
    );
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

#[tokio::test]
async fn an_oversized_line_is_refused_and_the_next_one_served() {
    let Client {
        mut write,
        mut lines,
        server,
    } = Client::start();
    let pad = "x".repeat(5 << 20);
    let huge = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{pad}"}}}}"#);
    // The pipe holds 64 KiB: write the big line while the test reads.
    let writer = tokio::spawn(async move {
        write.write_all(huge.as_bytes()).await.unwrap();
        write
            .write_all(b"\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n")
            .await
            .unwrap();
    });
    let refused = next_message(&mut lines).await.unwrap();
    assert_eq!(
        (refused["id"].clone(), refused["error"]["code"].clone()),
        (Value::Null, json!(-32600))
    );
    assert_eq!(next_message(&mut lines).await.unwrap()["id"], 2);
    writer.await.unwrap();
    assert_eq!(next_message(&mut lines).await, None);
    stopped(server).await;
}

// Two threads: the cancellation must win the race against the task that starts the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_get_no_response_and_cancel_requests() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "block", json!({})).await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "notifications/unknown" }))
        .await;
    client
        .send(json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 1 } }))
        .await;
    client.request(2, "ping", json!({})).await;
    assert_eq!(client.recv().await["id"], 2);
    // The cancelled request never answers, not even at shutdown.
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

// Paused time: the 50 ms sleep passes when nothing else can run, not on the wall clock.
#[tokio::test(start_paused = true)]
async fn requests_run_concurrently() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "block", json!({})).await;
    client.call(2, "sleep", json!({ "ms": 50 })).await;
    client.call(3, "add", json!({ "a": 2, "b": 2 })).await;
    let mut answered = [client.recv().await, client.recv().await];
    answered.sort_by_key(|m| m["id"].as_i64());
    assert_eq!(text(&answered[0]), "slept 50");
    assert_eq!(text(&answered[1]), "4");

    // An id already in flight is refused at once.
    client.call(1, "add", json!({ "a": 0, "b": 0 })).await;
    let duplicate = client.recv().await;
    assert_eq!(
        (duplicate["id"].clone(), duplicate["error"]["code"].clone()),
        (json!(1), json!(-32600))
    );

    client
        .send(json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 1 } }))
        .await;
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

#[tokio::test]
async fn progress_notifications_come_before_the_response() {
    let mut client = Client::start();
    client.initialize().await;
    client
        .request(
            1,
            "tools/call",
            json!({ "name": "count", "arguments": {}, "_meta": { "progressToken": "t" } }),
        )
        .await;
    for i in 1..=3 {
        let progress = client.recv().await;
        assert_eq!(progress["method"], "notifications/progress");
        assert_eq!(
            progress["params"],
            json!({ "progressToken": "t", "progress": f64::from(i), "total": 3.0 })
        );
    }
    assert_eq!(text(&client.recv().await), "counted");
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_tool_can_ask_the_client_while_other_requests_are_served() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "ask", json!({})).await;
    let asked = client.recv().await;
    assert_eq!(asked["method"], "sampling/createMessage");
    assert!(
        asked["id"].is_string() || asked["id"].is_number(),
        "{asked}"
    );

    // The server keeps serving while the tool waits for the answer.
    client.call(2, "add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(text(&client.recv().await), "2");

    let answer = json!({ "role": "assistant", "content": { "type": "text", "text": "hello" }, "model": "m" });
    client
        .send(json!({ "jsonrpc": "2.0", "id": asked["id"], "result": answer }))
        .await;
    let result = client.recv().await;
    assert_eq!(
        (result["id"].clone(), text(&result)),
        (json!(1), "client said \"hello\"")
    );
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

// Paused time: the sleep is still running when the input ends, however slow the machine.
#[tokio::test(start_paused = true)]
async fn end_of_input_lets_requests_in_flight_finish() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "sleep", json!({ "ms": 200 })).await;
    client.call(2, "add", json!({ "a": 1, "b": 2 })).await;
    let mut rest = client.finish().await;
    rest.sort_by_key(|m| m["id"].as_i64());
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(text(&rest[0]), "slept 200");
    assert_eq!(text(&rest[1]), "3");
}

#[tokio::test]
async fn end_of_input_fails_requests_waiting_for_the_client() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "ask", json!({})).await;
    assert_eq!(client.recv().await["method"], "sampling/createMessage");
    let rest = client.finish().await;
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["result"]["isError"], true);
    assert!(text(&rest[0]).contains("Connection closed"), "{}", rest[0]);
}

#[tokio::test]
async fn a_client_that_stops_reading_ends_the_server() {
    let Client {
        mut write,
        lines,
        server,
    } = Client::start();
    drop(lines);
    let block =
        json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": { "name": "block" } });
    write
        .write_all(format!("{block}\n").as_bytes())
        .await
        .unwrap();
    write
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n")
        .await
        .unwrap();
    // Writing the ping's response fails (broken pipe): the blocked request is cancelled and
    // `serve_io` returns although its input is still open.
    stopped(server).await;
    drop(write);
}

#[tokio::test]
async fn list_changes_are_announced_on_the_connection() {
    let mut client = Client::start();
    client.initialize().await;
    client.call(1, "hide_add", json!({})).await;
    let mut got = [client.recv().await, client.recv().await];
    got.sort_by_key(|m| m["method"].is_null());
    assert_eq!(
        got[0],
        json!({ "jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {} })
    );
    assert_eq!(text(&got[1]), "hidden");
    assert_eq!(client.finish().await, Vec::<Value>::new());
}

/// A client that sends without reading: the server stops reading once its request tasks reach
/// the cap (running, or answered and waiting for the writer), so the client's writes block
/// instead of the server's memory growing; once the client reads, every request is answered.
#[tokio::test(start_paused = true)]
async fn a_client_that_sends_without_reading_is_held_back_and_then_fully_answered() {
    const REQUESTS: usize = 20_000;
    let Client {
        mut write,
        mut lines,
        server,
    } = Client::start();
    let mut input = String::new();
    for id in 1..=REQUESTS {
        input.push_str(&format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"ping\"}}\n"
        ));
    }
    let input = input.into_bytes();
    let mut sent = &input[..];
    // Time is paused: the timeout fires as soon as both sides wait on each other.
    let held = timeout(Duration::from_secs(30), write.write_all_buf(&mut sent)).await;
    assert!(
        held.is_err(),
        "the server read all {REQUESTS} requests unanswered"
    );
    // The 64 KiB pipe, the request tasks (100 in flight + 1,024 unsent answers) and the
    // writer's queue hold a few thousand; not all of them.
    let unsent = sent.len();
    assert!(unsent > input.len() / 2, "only {unsent} bytes left unread");
    let reading = tokio::spawn(async move {
        let mut ids = Vec::with_capacity(REQUESTS);
        while let Some(message) = next_message(&mut lines).await {
            assert_eq!(message["result"], json!({}), "{message}");
            ids.push(message["id"].as_u64().expect("a numeric id"));
        }
        ids
    });
    write.write_all_buf(&mut sent).await.unwrap();
    drop(write);
    let mut ids = reading.await.unwrap();
    ids.sort_unstable();
    assert_eq!(ids, (1..=REQUESTS as u64).collect::<Vec<_>>());
    stopped(server).await;
}
