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

/// Over pipes, stdin is read through the runtime's I/O driver, not on a blocking thread that
/// only the end of stdin can free: when the client closes the server's stdout, the next write
/// fails (a broken pipe), serving stops and the process exits although stdin is still open.
/// (With tokio's `stdin()`, the process would live on until stdin closed.)
#[tokio::test]
async fn over_pipes_closing_stdout_ends_the_process_while_stdin_stays_open() {
    let Process {
        mut child,
        mut stdin,
        stdout,
    } = Process::spawn();
    drop(stdout);
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n")
        .await
        .expect("write to stdin");
    stdin.flush().await.expect("flush stdin");
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("the process exits with its stdin still open")
        .expect("wait");
    assert!(status.success(), "{status}");
    drop(stdin);
}

/// The lines of a whole session, for the tests whose stdin or stdout is a regular file.
const SESSION: &str = concat!(
    r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"stdio-file-test","version":"1"}}}"#,
    "\n",
    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    "\n",
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}"#,
    "\n",
    r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
    "\n",
);

/// Checks the server's answers to [`SESSION`], in any order.
fn check_session_output(output: &str) {
    let mut replies: Vec<Value> = output
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
        })
        .collect();
    replies.sort_by_key(|reply| reply["id"].as_i64());
    let ids: Vec<&Value> = replies.iter().map(|reply| &reply["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2), &json!(3)], "{output}");
    assert_eq!(replies[0]["result"]["serverInfo"]["name"], "calculator");
    assert_eq!(text(&replies[1]), "5");
    assert_eq!(replies[2]["result"], json!({}));
}

/// A file in this test target's scratch directory, holding `contents`.
fn scratch_file(name: &str, contents: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("stdio-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write the scratch file");
    path
}

/// stdin that is not a pipe (a regular file, which epoll refuses) is read the blocking way.
#[tokio::test]
async fn stdin_from_a_regular_file_is_served_to_its_end() {
    let input = scratch_file("input", SESSION);
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdio-calculator"))
        .stdin(std::fs::File::open(&input).expect("open the input file"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the stdio-calculator binary starts");
    let mut output = String::new();
    let mut stdout = child.stdout.take().expect("piped stdout");
    timeout(LIMIT, stdout.read_to_string(&mut output))
        .await
        .expect("stdout closes at the end of the file")
        .expect("read stdout");
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("the process exits")
        .expect("wait");
    assert!(status.success(), "{status}");
    check_session_output(&output);
    let _ = std::fs::remove_file(input);
}

/// stdout that is not a pipe (a regular file) is written the blocking way, stdin being a pipe.
#[tokio::test]
async fn stdout_to_a_regular_file_gets_every_answer() {
    let output_path = scratch_file("output", "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdio-calculator"))
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&output_path).expect("create the output file"))
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the stdio-calculator binary starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all(SESSION.as_bytes())
        .await
        .expect("write to stdin");
    drop(stdin);
    let status = timeout(LIMIT, child.wait())
        .await
        .expect("the process exits once stdin closes")
        .expect("wait");
    assert!(status.success(), "{status}");
    let output = std::fs::read_to_string(&output_path).expect("read the output file");
    check_session_output(&output);
    let _ = std::fs::remove_file(output_path);
}

/// On Linux the server reads and writes its stdio pipes through second, non-blocking opens of
/// them, and leaves fd 0 and 1 blocking: their flags live in open file descriptions that the
/// process which launched it may share.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn stdio_pipes_are_reopened_non_blocking_and_fd_0_and_1_are_left_alone() {
    const O_NONBLOCK: u32 = 0o4000; // Linux's value on every architecture tokio supports
    let mut server = Process::spawn();
    server.request(1, "ping", json!({})).await;
    assert_eq!(server.recv().await["id"], 1);
    let pid = server.child.id().expect("the process runs");
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    let flags = |fd: &str| -> u32 {
        let info = std::fs::read_to_string(proc_dir.join("fdinfo").join(fd)).expect("fdinfo");
        let octal = info
            .lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .unwrap_or_else(|| panic!("no flags in {info:?}"));
        u32::from_str_radix(octal.trim(), 8).expect("octal flags")
    };
    for std_fd in ["0", "1"] {
        let pipe = std::fs::read_link(proc_dir.join("fd").join(std_fd)).expect("fd link");
        assert!(
            pipe.to_string_lossy().starts_with("pipe:"),
            "fd {std_fd}: {pipe:?}"
        );
        assert_eq!(
            flags(std_fd) & O_NONBLOCK,
            0,
            "fd {std_fd} must stay blocking"
        );
        let reopened: Vec<String> = std::fs::read_dir(proc_dir.join("fd"))
            .expect("the process's fds")
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let name = entry.file_name().into_string().ok()?;
                (name != std_fd && std::fs::read_link(entry.path()).ok()? == pipe).then_some(name)
            })
            .collect();
        assert!(
            reopened.iter().any(|fd| flags(fd) & O_NONBLOCK != 0),
            "no non-blocking second open of fd {std_fd}'s {pipe:?}: {reopened:?}"
        );
    }
}
