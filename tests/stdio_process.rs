//! A stdio server as a real child process, spoken to over its stdin and stdout pipes, the way
//! MCP clients launch local servers.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

struct Process {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Process {
    fn spawn() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stdio-calculator"))
            .env("RUST_LOG", "debug") // plenty of logs, all of which must stay off stdout
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the stdio-calculator binary starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Process {
            child,
            stdin,
            stdout,
        }
    }

    async fn send_line(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write to stdin");
        self.stdin.flush().await.expect("flush stdin");
    }

    async fn request(&mut self, id: i64, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_line(&message.to_string()).await;
    }

    async fn call(&mut self, id: i64, tool: &str, arguments: Value) {
        self.request(
            id,
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await;
    }

    /// The next stdout line, which must be one JSON-RPC message; `None` when stdout closes.
    async fn recv_or_end(&mut self) -> Option<Value> {
        let line = timeout(LIMIT, self.stdout.next_line())
            .await
            .expect("the server wrote within the time limit")
            .expect("read stdout")?;
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        Some(message)
    }

    /// The next response, skipping notifications (the `slow` tool logs).
    async fn recv(&mut self) -> Value {
        loop {
            let message = self
                .recv_or_end()
                .await
                .expect("a message before stdout closed");
            if message.get("method").is_none() {
                return message;
            }
        }
    }
}

fn text(response: &Value) -> &str {
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text content in {response}"))
}

#[tokio::test]
async fn a_child_process_serves_a_whole_session_and_exits_when_stdin_closes() {
    let mut server = Process::spawn();

    server
        .request(
            1,
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "stdio-process-test", "version": "1" }
            }),
        )
        .await;
    let init = server.recv().await;
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(init["result"]["serverInfo"]["name"], "calculator");
    server
        .send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .await;

    server.request(2, "tools/list", json!({})).await;
    let list = server.recv().await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .expect("a tools array")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["add", "divide", "explode", "slow"]);

    server.call(3, "add", json!({ "a": 2, "b": 3 })).await;
    assert_eq!(text(&server.recv().await), "5");

    server.call(4, "divide", json!({ "a": 1, "b": 0 })).await;
    let error = server.recv().await;
    assert_eq!(
        (error["id"].clone(), error["result"]["isError"].clone()),
        (json!(4), json!(true))
    );

    // A panicking tool is a tool error; the process lives on.
    server.call(5, "explode", json!({})).await;
    let panicked = server.recv().await;
    assert_eq!(panicked["result"]["isError"], true);
    assert_eq!(
        text(&panicked),
        "tool `explode` failed with an internal error",
        "{panicked}"
    );

    server.send_line("{not json").await;
    let malformed = server.recv().await;
    assert_eq!(
        (malformed["id"].clone(), malformed["error"]["code"].clone()),
        (Value::Null, json!(-32700))
    );

    // A slow request does not hold up a quick one sent after it: this one would take a minute.
    server.call(6, "slow", json!({ "ms": 60_000 })).await;
    // Its log comes once it waits in its sleep: a cancellation then cannot land mid-poll.
    let started = server.recv_or_end().await.expect("the slow call's log");
    assert_eq!(
        (started["method"].clone(), started["params"]["data"].clone()),
        (json!("notifications/message"), json!("starting"))
    );
    server.call(7, "add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(server.recv().await["id"], 7);
    // Cancelled, it answers nothing (`a_cancelled_request_gets_no_response`).
    server
        .send_line(
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}"#,
        )
        .await;

    // Closing stdin ends the server once the slow request has answered.
    server.call(8, "slow", json!({ "ms": 300 })).await;
    drop(server.stdin);
    let Process {
        mut child,
        mut stdout,
        ..
    } = server;
    let mut rest = Vec::new();
    while let Some(line) = timeout(LIMIT, stdout.next_line())
        .await
        .expect("stdout closes")
        .expect("read")
    {
        let message: Value = serde_json::from_str(&line).expect("JSON");
        if message.get("method").is_none() {
            rest.push(message);
        }
    }
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!((rest[0]["id"].clone(), text(&rest[0])), (json!(8), "done"));
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("the process exits")
        .expect("wait");
    assert!(status.success(), "{status}");

    let mut stderr = String::new();
    let mut pipe = child.stderr.take().expect("piped stderr");
    pipe.read_to_string(&mut stderr).await.expect("read stderr");
    assert!(stderr.contains("DEBUG"), "logs go to stderr: {stderr:?}");
}

#[tokio::test]
async fn a_cancelled_request_gets_no_response() {
    let mut server = Process::spawn();
    server.call(1, "slow", json!({ "ms": 60_000 })).await;
    server
        .send_line(
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
        )
        .await;
    server.request(2, "ping", json!({})).await;
    assert_eq!(
        server.recv().await,
        json!({ "jsonrpc": "2.0", "id": 2, "result": {} })
    );
    drop(server.stdin);
    let Process {
        mut child,
        mut stdout,
        ..
    } = server;
    while let Some(line) = timeout(LIMIT, stdout.next_line())
        .await
        .expect("stdout closes")
        .expect("read")
    {
        assert!(
            line.contains("\"method\""),
            "the cancelled request must not answer: {line}"
        );
    }
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("exits")
        .expect("wait");
    assert!(status.success(), "{status}");
}
