//! Long-running tools as tasks (the `io.modelcontextprotocol/tasks` extension, 2026-07-28): a
//! task that completes, one that fails, one cancelled mid-run, one that asks for input, TTL
//! expiry, isolation between callers, status notifications, and what clients without the
//! extension see.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use integration_tests::{SseReader, TestServer, eventually, poll};
use mcp_runtime::store::InMemoryTaskStore;
use mcp_runtime::{
    Context, HttpConfig, Mode, PeerError, ServerConfig, TaskConfig, mcp_server, tool,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::support::{CountOnDrop, ModernClient};

const TASKS: &str = "io.modelcontextprotocol/tasks";

/// A yes or no.
#[derive(Debug, Deserialize, JsonSchema)]
struct Approval {
    /// Go ahead?
    approve: bool,
}

/// Jobs that take a while.
#[derive(Default)]
struct Jobs {
    /// `forever` calls started.
    started: Arc<AtomicUsize>,
    /// `forever` futures dropped.
    dropped: Arc<AtomicUsize>,
    /// When set, `build` takes a permit from here after each of its first two steps: held after
    /// the first, it can only become a task by `start_after`; released once the test has the
    /// task, its second step reports to the task, then it is held again while the test looks.
    hold: Option<Arc<Semaphore>>,
}

#[mcp_server(name = "jobs", version = "1.0.0")]
impl Jobs {
    /// Builds in `steps` steps of 40 ms, reporting progress.
    #[tool(task = "optional")]
    async fn build(&self, steps: u32, ctx: Context) -> String {
        for step in 1..=steps {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let (done, total) = (f64::from(step), f64::from(steps));
            ctx.progress(done, Some(total), Some("building")).await;
            ctx.info(format!("step {step} done")).await;
            if let (1 | 2, Some(hold)) = (step, &self.hold) {
                hold.acquire().await.expect("the hold stays open").forget();
            }
        }
        format!("built in {steps} steps")
    }

    /// Answers at once.
    #[tool(task = "optional")]
    fn quick(&self) -> &'static str {
        "quick answer"
    }

    /// Always a task, done at once.
    #[tool(task = "required")]
    fn instant(&self) -> &'static str {
        "instant, but a task"
    }

    /// Fails as a tool (`isError`).
    #[tool(task = "required")]
    async fn reject(&self) -> Result<String, String> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err("rejected: the input is invalid".into())
    }

    /// Crashes.
    #[tool(task = "required")]
    async fn crash(&self) -> String {
        tokio::time::sleep(Duration::from_millis(20)).await;
        panic!("out of cheese")
    }

    /// Crashes at once, before it could become a task.
    #[tool(task = "optional")]
    async fn crash_now(&self) -> String {
        panic!("out of cheese")
    }

    /// Runs until cancelled.
    #[tool(task = "optional")]
    async fn forever(&self, ctx: Context) -> &'static str {
        let _dropped = CountOnDrop(self.dropped.clone());
        self.started.fetch_add(1, Ordering::SeqCst);
        ctx.start_task().await;
        tokio::time::sleep(Duration::from_secs(600)).await;
        "never"
    }

    /// Asks for approval inside the task, then reports it.
    #[tool(task = "optional")]
    async fn deploy(&self, target: String, ctx: Context) -> Result<String, PeerError> {
        let became_a_task = ctx.start_task().await;
        let question = format!("Deploy to {target}?");
        let answer = ctx
            .with_input_key("approval")
            .elicit::<Approval>(question)
            .await?;
        let approved = answer.accepted().is_some_and(|a| a.approve);
        Ok(format!(
            "deploy to {target}: approved={approved}, task={became_a_task}"
        ))
    }

    /// Asks who is calling before it becomes a task, then works.
    #[tool(task = "required")]
    async fn report(&self, ctx: Context) -> Result<String, PeerError> {
        let who = ctx
            .with_input_key("who")
            .elicit::<Approval>("Approve the report?")
            .await?;
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(format!(
            "report approved={}",
            who.accepted().is_some_and(|a| a.approve)
        ))
    }
}

/// A client that declares the tasks extension.
fn tasks_client(url: &str) -> ModernClient {
    let mut client = ModernClient::new(url);
    client.capabilities = json!({"elicitation": {}, "extensions": {TASKS: {}}});
    client
}

fn fast_tasks() -> TaskConfig {
    TaskConfig::default()
        .poll_interval(Duration::from_millis(50))
        .start_after(Duration::from_millis(60))
}

async fn start(mode: Mode) -> TestServer {
    TestServer::start(
        Jobs::default(),
        HttpConfig::new(mode).server(ServerConfig::new().tasks(fast_tasks())),
    )
    .await
}

async fn call(client: &mut ModernClient, name: &str, arguments: Value) -> Value {
    client
        .result("tools/call", json!({"name": name, "arguments": arguments}))
        .await
}

async fn get(client: &mut ModernClient, id: &str) -> Value {
    client.result("tasks/get", json!({"taskId": id})).await
}

/// Polls until the task is in `status` (or any terminal status).
async fn wait_for(client: &mut ModernClient, id: &str, status: &str) -> Value {
    poll(&format!("task {id} reaches {status}"), async || {
        let task = get(client, id).await;
        let now = task["status"].as_str().unwrap_or_default();
        (now == status || ["completed", "failed", "cancelled"].contains(&now)).then_some(task)
    })
    .await
}

fn task_id(created: &Value) -> String {
    assert_eq!(created["resultType"], "task", "{created}");
    created["taskId"].as_str().expect("a taskId").to_owned()
}

#[tokio::test]
async fn a_task_completes_with_its_result() {
    for mode in [Mode::Stateless, Mode::Stateful] {
        // Held after its first step, the build becomes a task; held after its second (which
        // reports to the task), it is working for as long as the test looks.
        let hold = Arc::new(Semaphore::new(0));
        let jobs = Jobs {
            hold: Some(hold.clone()),
            ..Jobs::default()
        };
        let config = HttpConfig::new(mode).server(ServerConfig::new().tasks(fast_tasks()));
        let server = TestServer::start(jobs, config).await;
        let mut client = tasks_client(&server.url);
        let created = call(&mut client, "build", json!({"steps": 6})).await;
        let id = task_id(&created);
        assert_eq!(created["status"], "working");
        assert_eq!(created["pollIntervalMs"], 50);
        assert_eq!(created["ttlMs"], 3_600_000);
        for field in ["result", "error", "inputRequests", "requestState", "task"] {
            assert!(created.get(field).is_none(), "{field} in {created}");
        }
        assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));

        // Durable at once; progress shows as the status message.
        let working = get(&mut client, &id).await;
        assert_eq!(working["resultType"], "complete");
        assert_eq!(working["taskId"], id.as_str());
        hold.add_permits(1);
        let message = poll("progress shows as the status message", async || {
            let task = get(&mut client, &id).await;
            assert_eq!(task["status"], "working", "{task}");
            task["statusMessage"].as_str().map(str::to_owned)
        })
        .await;
        assert!(message.starts_with("building ("), "{message}");

        hold.add_permits(1);
        let done = wait_for(&mut client, &id, "completed").await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["result"]["content"][0]["text"], "built in 6 steps");
        assert!(done.get("error").is_none());
        assert!(done["result"].get("_meta").is_none());
        server.stop().await;
    }
}

#[tokio::test]
async fn quick_calls_answer_at_once_and_required_tools_are_always_tasks() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);
    let quick = call(&mut client, "quick", json!({})).await;
    assert_eq!(quick["resultType"], "complete");
    assert_eq!(quick["content"][0]["text"], "quick answer");
    let fast = call(&mut client, "build", json!({"steps": 0})).await;
    assert_eq!(fast["content"][0]["text"], "built in 0 steps");

    let created = call(&mut client, "instant", json!({})).await;
    let id = task_id(&created);
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "instant, but a task");
    server.stop().await;
}

#[tokio::test]
async fn tool_errors_complete_and_crashes_fail() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);

    let id = task_id(&call(&mut client, "reject", json!({})).await);
    let rejected = wait_for(&mut client, &id, "completed").await;
    assert_eq!(rejected["status"], "completed", "a tool error is a result");
    assert_eq!(rejected["result"]["isError"], true);
    assert_eq!(
        rejected["result"]["content"][0]["text"],
        "rejected: the input is invalid"
    );

    let id = task_id(&call(&mut client, "crash", json!({})).await);
    let crashed = wait_for(&mut client, &id, "failed").await;
    assert_eq!(crashed["status"], "failed");
    assert_eq!(crashed["error"]["code"], -32603);
    // The panic's text stays in the server's log: it may hold internal details.
    assert_eq!(
        crashed["error"]["message"], "Internal error: tool `crash` failed with an internal error",
        "{crashed}"
    );
    assert!(crashed.get("result").is_none());
    assert!(crashed["statusMessage"].is_string());
    server.stop().await;
}

#[tokio::test]
async fn an_optional_tool_that_crashes_before_it_is_a_task_answers_as_inline() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);
    // A result (a JSON-RPC error would fail `call`), as an inline call's panic gives.
    let answer = call(&mut client, "crash_now", json!({})).await;
    assert_eq!(answer["isError"], true, "{answer}");
    assert_eq!(
        answer["content"][0]["text"],
        "tool `crash_now` failed with an internal error"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_task_cancelled_mid_run_stops_its_handler() {
    let jobs = Jobs::default();
    let (started, dropped) = (jobs.started.clone(), jobs.dropped.clone());
    let server = TestServer::start(
        jobs,
        HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(fast_tasks())),
    )
    .await;
    let mut client = tasks_client(&server.url);
    let id = task_id(&call(&mut client, "forever", json!({})).await);
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert_eq!(get(&mut client, &id).await["status"], "working");

    let ack = client.result("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["resultType"], "complete");
    for field in ["taskId", "status", "result", "error", "inputRequests"] {
        assert!(ack.get(field).is_none(), "{field} in {ack}");
    }
    let cancelled = get(&mut client, &id).await;
    assert_eq!(cancelled["status"], "cancelled");
    eventually("the handler's future is dropped", || {
        dropped.load(Ordering::SeqCst) == 1
    })
    .await;

    // Idempotent on a terminal task, and the status sticks.
    let again = client.result("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(again["resultType"], "complete");
    assert_eq!(get(&mut client, &id).await["status"], "cancelled");
    server.stop().await;
}

#[tokio::test]
async fn a_task_asks_for_input_and_goes_on_with_the_answer() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);
    let created = call(&mut client, "deploy", json!({"target": "prod"})).await;
    let id = task_id(&created);
    let waiting = wait_for(&mut client, &id, "input_required").await;
    assert_eq!(waiting["status"], "input_required");
    let request = &waiting["inputRequests"]["approval"];
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(request["params"]["message"], "Deploy to prod?");
    assert_eq!(
        request["params"]["requestedSchema"]["properties"]["approve"]["type"],
        "boolean"
    );

    // A malformed answer is refused and changes nothing; unknown keys are ignored.
    let (status, error) = client
        .error(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": {"approve": true}}}),
        )
        .await;
    assert_eq!((status, error["code"].clone()), (400, json!(-32602)));
    assert_eq!(get(&mut client, &id).await["status"], "input_required");
    let answer = json!({"action": "accept", "content": {"approve": true}});
    let ack = client
        .result(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": answer, "stale": answer}}),
        )
        .await;
    assert_eq!(ack["resultType"], "complete");
    assert!(ack.get("status").is_none());

    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(
        done["result"]["content"][0]["text"],
        "deploy to prod: approved=true, task=true"
    );
    assert!(done.get("inputRequests").is_none());
    server.stop().await;
}

#[tokio::test]
async fn input_asked_before_the_task_travels_as_a_multi_round_trip_request() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);
    let first = call(&mut client, "report", json!({})).await;
    assert_eq!(first["resultType"], "input_required");
    assert!(first.get("taskId").is_none());
    assert_eq!(
        first["inputRequests"]["who"]["method"],
        "elicitation/create"
    );
    let retry = json!({
        "name": "report",
        "arguments": {},
        "inputResponses": {"who": {"action": "accept", "content": {"approve": true}}},
        "requestState": first["requestState"],
    });
    let created = client.result("tools/call", retry).await;
    let id = task_id(&created);
    assert!(created.get("requestState").is_none());
    let done = wait_for(&mut client, &id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "report approved=true");
    server.stop().await;
}

// Tasks expire on the wall clock, which paused Tokio time does not move: the TTL is long next
// to the three requests that must see the tasks alive, and the sweeper is awaited, not raced.
#[tokio::test]
async fn expired_tasks_are_reclaimed_after_their_ttl() {
    let store = InMemoryTaskStore::new(100).sweep_every(Duration::from_millis(20));
    let tasks = fast_tasks()
        .store(store.clone())
        .ttl(Some(Duration::from_secs(2)));
    let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(tasks));
    let server = TestServer::start(Jobs::default(), config).await;
    let mut client = tasks_client(&server.url);

    let done_id = task_id(&call(&mut client, "instant", json!({})).await);
    let running_id = task_id(&call(&mut client, "forever", json!({})).await);
    let created = get(&mut client, &done_id).await;
    assert_eq!(created["ttlMs"], 2000);
    assert_eq!(store.len(), 2);

    eventually("the sweeper reclaims them", || store.is_empty()).await;
    for id in [&done_id, &running_id] {
        let (status, error) = client.error("tasks/get", json!({"taskId": id})).await;
        assert_eq!((status, error["code"].clone()), (400, json!(-32602)));
        assert_eq!(
            error["message"],
            "Invalid params: Failed to retrieve task: Task not found"
        );
    }
    assert!(store.is_empty(), "nothing brought them back");
    server.stop().await;
}

#[tokio::test]
async fn a_full_store_runs_optional_tools_without_a_task() {
    let tasks = fast_tasks().store(InMemoryTaskStore::new(1));
    let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(tasks));
    let server = TestServer::start(Jobs::default(), config).await;
    let mut client = tasks_client(&server.url);
    let _first = task_id(&call(&mut client, "forever", json!({})).await);
    let second = call(&mut client, "build", json!({"steps": 3})).await;
    assert_eq!(second["resultType"], "complete", "{second}");
    assert_eq!(second["content"][0]["text"], "built in 3 steps");
    let (_, error) = client
        .error("tools/call", json!({"name": "instant", "arguments": {}}))
        .await;
    assert_eq!(error["code"], -32603);
    server.stop().await;
}

/// Serves `Jobs` with the caller's principal taken from an `x-user` header.
async fn serve_with_principals() -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    use axum::extract::Request;
    use axum::middleware::Next;
    async fn auth(mut request: Request, next: Next) -> axum::response::Response {
        let user = request
            .headers()
            .get("x-user")
            .and_then(|v| v.to_str().ok())
            .map(mcp_runtime::Principal::new);
        if let Some(principal) = user {
            request.extensions_mut().insert(principal);
        }
        next.run(request).await
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(fast_tasks()));
    let mcp = mcp_runtime::StreamableHttp::new(Jobs::default(), config);
    let app = mcp.router().layer(axum::middleware::from_fn(auth));
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/mcp"), task)
}

/// The status and JSON-RPC error code of a request sent as `user`.
async fn as_user(
    client: &mut ModernClient,
    user: Option<&str>,
    method: &str,
    params: Value,
) -> (u16, Value) {
    let params = client.with_meta(params);
    let body = client.body(method, &params);
    let mut builder = client.builder(method, &params).body(body.to_string());
    if let Some(user) = user {
        builder = builder.header("x-user", user);
    }
    let reply = integration_tests::read(builder.send().await.unwrap()).await;
    let response = reply.response();
    (reply.status, response)
}

#[tokio::test]
async fn one_principal_cannot_see_or_touch_another_principals_task() {
    let (url, server) = serve_with_principals().await;
    let mut client = tasks_client(&url);
    let call = json!({"name": "forever", "arguments": {}});
    let (_, created) = as_user(&mut client, Some("alice"), "tools/call", call).await;
    let id = task_id(&created["result"]);

    let (_, mine) = as_user(
        &mut client,
        Some("alice"),
        "tasks/get",
        json!({"taskId": id}),
    )
    .await;
    assert_eq!(mine["result"]["status"], "working");
    let answer = json!({"action": "accept", "content": {}});
    for (user, method, params) in [
        (Some("bob"), "tasks/get", json!({"taskId": id})),
        (None, "tasks/get", json!({"taskId": id})),
        (Some("bob"), "tasks/cancel", json!({"taskId": id})),
        (
            Some("bob"),
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"x": answer}}),
        ),
    ] {
        let (status, response) = as_user(&mut client, user, method, params).await;
        assert_eq!(status, 400, "{user:?} {method}: {response}");
        assert_eq!(response["error"]["code"], -32602, "{user:?} {method}");
        assert_eq!(
            response["error"]["message"], "Invalid params: Failed to retrieve task: Task not found",
            "another's task looks like no task at all"
        );
    }
    let (_, still) = as_user(
        &mut client,
        Some("alice"),
        "tasks/get",
        json!({"taskId": id}),
    )
    .await;
    assert_eq!(
        still["result"]["status"], "working",
        "bob's cancel did nothing"
    );
    let (_, ack) = as_user(
        &mut client,
        Some("alice"),
        "tasks/cancel",
        json!({"taskId": id}),
    )
    .await;
    assert_eq!(ack["result"]["resultType"], "complete");
    server.abort();
}

#[tokio::test]
async fn clients_without_the_extension_see_no_tasks() {
    let server = start(Mode::Stateful).await;
    let mut client = ModernClient::new(&server.url);

    let discover = client.result("server/discover", json!({})).await;
    assert_eq!(discover["capabilities"]["extensions"][TASKS], json!({}));
    assert!(discover["capabilities"].get("tasks").is_none());
    let tools = client.result("tools/list", json!({})).await;
    let build = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "build")
        .unwrap();
    assert_eq!(build["execution"]["taskSupport"], "optional");

    // An optional tool runs as any other; a required one needs the extension.
    let built = call(&mut client, "build", json!({"steps": 3})).await;
    assert_eq!(built["resultType"], "complete");
    assert_eq!(built["content"][0]["text"], "built in 3 steps");
    let (status, error) = client
        .error("tools/call", json!({"name": "instant", "arguments": {}}))
        .await;
    assert_eq!((status, error["code"].clone()), (400, json!(-32021)));
    assert_eq!(
        error["data"]["requiredCapabilities"]["extensions"][TASKS],
        json!({})
    );
    for method in ["tasks/get", "tasks/cancel"] {
        let (_, error) = client.error(method, json!({"taskId": "x"})).await;
        assert_eq!(error["code"], -32021, "{method}");
    }
    // The 2025-11-25 design's methods are gone, with or without the extension.
    let mut declaring = tasks_client(&server.url);
    for method in ["tasks/result", "tasks/list"] {
        let (status, error) = declaring.error(method, json!({"taskId": "x"})).await;
        assert_eq!(
            (status, error["code"].clone()),
            (404, json!(-32601)),
            "{method}"
        );
    }
    let answer = json!({"action": "accept", "content": {}});
    for (method, params) in [
        ("tasks/get", json!({"taskId": "nope"})),
        ("tasks/cancel", json!({"taskId": "nope"})),
        (
            "tasks/update",
            json!({"taskId": "nope", "inputResponses": {"k": answer}}),
        ),
    ] {
        let (status, unknown) = declaring.error(method, params).await;
        assert_eq!(
            (status, unknown["code"].clone()),
            (400, json!(-32602)),
            "{method}"
        );
    }
    // The legacy `task` param promotes nothing.
    let legacy = declaring
        .result(
            "tools/call",
            json!({"name": "quick", "arguments": {}, "task": {"ttl": 1000}}),
        )
        .await;
    assert_eq!(legacy["resultType"], "complete");

    // Handshake-era clients see neither the extension nor `execution`, and tools run inline.
    let mut legacy = server.client();
    let init = legacy.initialize().await;
    assert!(
        init["result"]["capabilities"].get("extensions").is_none(),
        "{init}"
    );
    let listed = legacy.request("tools/list", json!({})).await.response();
    assert!(
        listed["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("execution").is_none()),
        "{listed}"
    );
    let instant = legacy.call_tool("instant", json!({})).await;
    assert_eq!(instant["content"][0]["text"], "instant, but a task");
    server.stop().await;
}

/// Opens `subscriptions/listen` with `notifications`.
async fn listen(client: &mut ModernClient, notifications: Value) -> SseReader {
    let params = client.with_meta(json!({"notifications": notifications}));
    let body = client.body("subscriptions/listen", &params);
    let response = client
        .builder("subscriptions/listen", &params)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    SseReader::new(response)
}

#[tokio::test]
async fn listeners_get_the_status_of_the_tasks_they_follow() {
    let server = start(Mode::Stateless).await;
    let mut client = tasks_client(&server.url);
    let id = task_id(&call(&mut client, "deploy", json!({"target": "staging"})).await);
    wait_for(&mut client, &id, "input_required").await;

    let mut stream = listen(&mut client, json!({"taskIds": [id, "not-a-task"]})).await;
    assert_eq!(stream.status, 200);
    let (_, ack) = stream.next_message().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(
        ack["params"]["notifications"]["taskIds"],
        json!([id]),
        "only tasks that exist"
    );
    let (_, now) = stream.next_message().await.unwrap();
    assert_eq!(now["method"], "notifications/tasks");
    assert_eq!(now["params"]["status"], "input_required");
    assert!(now["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"].is_number());

    let answer = json!({"action": "accept", "content": {"approve": false}});
    client
        .result(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": answer}}),
        )
        .await;
    let mut last = Value::Null;
    while last["params"]["status"] != "completed" {
        let (_, note) = stream.next_message().await.unwrap();
        assert_eq!(note["method"], "notifications/tasks");
        assert_eq!(note["params"]["taskId"], id.as_str());
        last = note;
    }
    assert_eq!(
        last["params"]["result"]["content"][0]["text"],
        "deploy to staging: approved=false, task=true"
    );

    // Following tasks needs the extension.
    let mut plain = ModernClient::new(&server.url);
    let refused = listen(&mut plain, json!({"taskIds": [id]})).await;
    assert_eq!(refused.status, 400);
    drop((stream, refused));
    server.stop().await;
}

#[tokio::test]
async fn shutdown_records_running_tasks_as_cancelled() {
    let store = InMemoryTaskStore::new(100);
    let tasks = fast_tasks().store(store.clone());
    let config = HttpConfig::new(Mode::Stateless)
        .shutdown_timeout(Duration::from_millis(200))
        .server(ServerConfig::new().tasks(tasks));
    let server = TestServer::start(Jobs::default(), config).await;
    let mut client = tasks_client(&server.url);
    let id = task_id(&call(&mut client, "forever", json!({})).await);
    assert_eq!(get(&mut client, &id).await["status"], "working");
    server.stop().await;
    let record = mcp_runtime::store::TaskStore::load(&store, &id)
        .await
        .unwrap()
        .expect("the task is kept");
    assert_eq!(record.status.as_str(), "cancelled", "{record:?}");
}

#[tokio::test]
async fn running_tasks_per_principal_are_capped() {
    let tasks = fast_tasks().max_running_per_principal(1);
    let endpoint = mcp_runtime::StreamableHttp::new(
        Jobs::default(),
        HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(tasks)),
    );
    // Who calls is what an authentication layer says: here, the `x-user` header.
    let (url, served) = integration_tests::serve_with_users(&endpoint).await;
    let mut alice = tasks_client(&url);
    alice.extra_headers.push(("x-user".into(), "alice".into()));
    let mut bob = tasks_client(&url);
    bob.extra_headers.push(("x-user".into(), "bob".into()));
    task_id(&call(&mut alice, "forever", json!({})).await);
    // At the cap an optional tool runs inline: `build` would otherwise become a task after
    // `start_after` (a `required` one is refused with -32000 and `data.limit`).
    let inline = call(&mut alice, "build", json!({"steps": 3})).await;
    assert_eq!(inline["content"][0]["text"], "built in 3 steps", "{inline}");
    task_id(&call(&mut bob, "forever", json!({})).await);
    served.abort();
}

/// Two nodes sharing a cluster (sessions and bus) and a task store, as nodes sharing Redis do;
/// the first runs `jobs`.
async fn two_nodes(jobs: Jobs) -> (TestServer, TestServer) {
    two_nodes_on(jobs, mcp_runtime::store::LocalBus::default()).await
}

/// A bus that is down: every publish fails.
struct DownBus(tokio::sync::broadcast::Sender<Arc<mcp_runtime::store::Envelope>>);

impl mcp_runtime::store::Bus for DownBus {
    fn publish<'a>(
        &'a self,
        _: &'a mcp_runtime::store::Envelope,
    ) -> mcp_runtime::BoxFuture<'a, Result<(), mcp_runtime::store::BusError>> {
        Box::pin(async {
            Err(mcp_runtime::store::BusError::Unavailable(
                "down for the test".into(),
            ))
        })
    }

    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<mcp_runtime::store::Envelope>> {
        self.0.subscribe()
    }
}

async fn two_nodes_on(jobs: Jobs, bus: impl mcp_runtime::store::Bus) -> (TestServer, TestServer) {
    use mcp_runtime::StreamableHttp;
    use mcp_runtime::store::{Cluster, InMemorySessionStore};
    let cluster = Cluster::new(InMemorySessionStore::default(), bus);
    let tasks = fast_tasks().store(InMemoryTaskStore::default());
    let config = HttpConfig::new(Mode::Stateful)
        .server(ServerConfig::new().tasks(tasks))
        .cluster(cluster);
    let a = StreamableHttp::new(jobs, config.clone());
    let b = StreamableHttp::new(Jobs::default(), config);
    (TestServer::serve(a).await, TestServer::serve(b).await)
}

#[tokio::test]
async fn a_task_running_on_one_node_is_polled_and_cancelled_through_the_other() {
    let jobs = Jobs::default();
    let (started, dropped) = (jobs.started.clone(), jobs.dropped.clone());
    let (a, b) = two_nodes(jobs).await;
    let (mut on_a, mut on_b) = (tasks_client(&a.url), tasks_client(&b.url));
    let id = task_id(&call(&mut on_a, "forever", json!({})).await);
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert_eq!(get(&mut on_b, &id).await["status"], "working");

    let ack = on_b.result("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(ack["resultType"], "complete");
    assert_eq!(get(&mut on_b, &id).await["status"], "cancelled");
    // The work on A stopped: its handler's future was dropped there.
    eventually("A drops the cancelled handler", || {
        dropped.load(Ordering::SeqCst) == 1
    })
    .await;
    assert_eq!(get(&mut on_a, &id).await["status"], "cancelled");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_task_running_on_one_node_gets_its_input_through_the_other() {
    let (a, b) = two_nodes(Jobs::default()).await;
    let (mut on_a, mut on_b) = (tasks_client(&a.url), tasks_client(&b.url));
    let id = task_id(&call(&mut on_a, "deploy", json!({"target": "prod"})).await);
    let waiting = wait_for(&mut on_b, &id, "input_required").await;
    assert_eq!(
        waiting["inputRequests"]["approval"]["method"],
        "elicitation/create"
    );

    // B checks the answer against the task's request as A would, and refuses a bad one.
    let (status, error) = on_b
        .error(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": {"approve": true}}}),
        )
        .await;
    assert_eq!((status, error["code"].clone()), (400, json!(-32602)));
    assert_eq!(get(&mut on_a, &id).await["status"], "input_required");

    let answer = json!({"action": "accept", "content": {"approve": true}});
    let ack = on_b
        .result(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": answer}}),
        )
        .await;
    assert_eq!(ack["resultType"], "complete");
    let done = wait_for(&mut on_b, &id, "completed").await;
    assert_eq!(
        done["result"]["content"][0]["text"],
        "deploy to prod: approved=true, task=true"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn input_for_another_node_that_the_bus_cannot_carry_is_an_error_to_retry() {
    let bus = DownBus(tokio::sync::broadcast::channel(4).0);
    let (a, b) = two_nodes_on(Jobs::default(), bus).await;
    let (mut on_a, mut on_b) = (tasks_client(&a.url), tasks_client(&b.url));
    let id = task_id(&call(&mut on_a, "deploy", json!({"target": "prod"})).await);
    wait_for(&mut on_b, &id, "input_required").await;
    let answer = json!({"action": "accept", "content": {"approve": true}});
    let (_, error) = on_b
        .error(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"approval": answer}}),
        )
        .await;
    assert_eq!(error["code"], -32603, "{error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not reach the node running this task")),
        "{error}"
    );
    assert_eq!(get(&mut on_a, &id).await["status"], "input_required");
    a.stop().await;
    b.stop().await;
}

/// Counts the requests of each method that reach it, and when a tool call's work ends.
#[derive(Clone, Default)]
struct Seen {
    calls: Arc<std::sync::Mutex<Vec<String>>>,
    ended: Arc<AtomicUsize>,
}

impl<'a> mcp_runtime::middleware::Layer<mcp_runtime::middleware::McpService<'a>> for Seen {
    type Service = SeenService<'a>;
    fn layer(&self, inner: mcp_runtime::middleware::McpService<'a>) -> SeenService<'a> {
        SeenService(inner, self.clone())
    }
}

struct SeenService<'a>(mcp_runtime::middleware::McpService<'a>, Seen);

impl<'a> mcp_runtime::middleware::Service<mcp_runtime::middleware::McpRequest> for SeenService<'a> {
    type Response = Box<serde_json::value::RawValue>;
    type Error = mcp_runtime::protocol::ErrorObject;
    type Future = mcp_runtime::middleware::McpFuture<'a>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(
        &mut self,
        request: mcp_runtime::middleware::McpRequest,
    ) -> mcp_runtime::middleware::McpFuture<'a> {
        let name = format!(
            "{} {}",
            request.method.as_str(),
            request.target().unwrap_or_default()
        );
        lock(&self.1.calls).push(name);
        let ended = self.1.ended.clone();
        let work = self.0.call(request);
        Box::pin(async move {
            let result = work.await;
            ended.fetch_add(1, Ordering::SeqCst);
            result
        })
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A tool call run as a task goes through the server's layers when it runs (a layer sees its
/// end, in the background), and a `Timeout` layer times it out as an inline call: the task
/// completes with the `isError` "timed out" result, and the tool's future is dropped.
#[tokio::test]
async fn a_task_runs_through_the_layers_and_times_out() {
    let jobs = Jobs::default();
    let (started, dropped) = (jobs.started.clone(), jobs.dropped.clone());
    let seen = Seen::default();
    let config = ServerConfig::new()
        .tasks(fast_tasks())
        .layer(seen.clone())
        .layer_for_tool(
            "forever",
            mcp_runtime::middleware::Timeout::new(Duration::from_millis(300)),
        );
    let server = TestServer::start(jobs, HttpConfig::new(Mode::Stateless).server(config)).await;
    let mut client = tasks_client(&server.url);

    let id = task_id(&call(&mut client, "forever", json!({})).await);
    assert_eq!(started.load(Ordering::SeqCst), 1);
    // The layer saw the call; its work goes on after the `CreateTaskResult`.
    assert_eq!(
        lock(&seen.calls).first().map(String::as_str),
        Some("tools/call forever")
    );
    let ended = get(&mut client, &id).await;
    assert_eq!(ended["status"], "working", "{ended}");

    let ended = wait_for(&mut client, &id, "completed").await;
    assert_eq!(ended["status"], "completed", "{ended}");
    assert_eq!(ended["result"]["isError"], true, "{ended}");
    assert_eq!(
        ended["result"]["content"][0]["text"],
        "tool `forever` timed out after 300ms and was cancelled"
    );
    eventually("the timed-out task's future is dropped", || {
        dropped.load(Ordering::SeqCst) == 1
    })
    .await;
    // tasks/get went through the layer too; every call through it ended, the task's included.
    let calls = lock(&seen.calls).clone();
    assert!(
        calls.iter().any(|c| c.starts_with("tasks/get")),
        "{calls:?}"
    );
    assert_eq!(seen.ended.load(Ordering::SeqCst), calls.len(), "{calls:?}");
    server.stop().await;
}
