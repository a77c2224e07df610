//! The skills extension through the router, in both eras (no socket: the point is what the
//! endpoint answers).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{HttpConfig, Mode, ServerConfig, Skills, StreamableHttp, mcp_server, tool};

struct Plain;

#[mcp_server(crate = crate)]
impl Plain {
    /// Echo.
    #[tool]
    fn echo(&self, text: String) -> String {
        text
    }
}

const MANIFEST: &[u8] = b"---\nname: pdf\ndescription: Fill PDF forms\n---\n# PDF\n";

fn app(mode: Mode, skills: bool) -> axum::Router {
    let mut server = ServerConfig::new();
    if skills {
        server = server.skills(Skills::embedded([
            ("pdf/SKILL.md", MANIFEST),
            ("pdf/references/FORMS.md", &b"# Forms\n"[..]),
        ]));
    }
    StreamableHttp::new(
        Plain,
        HttpConfig::new(mode).json_response(true).server(server),
    )
    .router()
}

fn post(body: Value, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let session = response.headers().get("mcp-session-id").cloned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(session) = session {
        body["session"] = json!(session.to_str().unwrap());
    }
    (status, body)
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

#[tokio::test]
async fn a_handshake_era_client_lists_gets_reads_and_walks_skills() {
    let app = app(Mode::Stateful, true);
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25",
        "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    );
    let (status, body) = send(&app, post(init, &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let capabilities = &body["result"]["capabilities"];
    assert_eq!(
        capabilities["extensions"]["io.modelcontextprotocol/skills"],
        json!({"directoryRead": true})
    );
    assert!(capabilities["resources"].is_object());
    let session = body["session"].as_str().unwrap().to_owned();
    let headers = [
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];

    let (_, body) = send(&app, post(request(2, "skills/list", json!({})), &headers)).await;
    let skill = &body["result"]["skills"][0];
    assert_eq!(skill["uri"], "skill://pdf/SKILL.md");
    assert_eq!(
        skill["frontmatter"],
        json!({"name": "pdf", "description": "Fill PDF forms"})
    );
    assert_eq!(skill["resources"][0]["size"], MANIFEST.len());
    assert_eq!(
        skill["resources"][1]["uri"],
        "skill://pdf/references/FORMS.md"
    );
    assert!(
        body["result"].get("ttlMs").is_none(),
        "no caching hints before 2026-07-28"
    );

    let get = request(3, "skills/get", json!({"uri": "skill://pdf/SKILL.md"}));
    let (_, body) = send(&app, post(get, &headers)).await;
    assert_eq!(body["result"]["skill"], *skill);

    let read = request(
        4,
        "resources/read",
        json!({"uri": "skill://pdf/references/FORMS.md"}),
    );
    let (_, body) = send(&app, post(read, &headers)).await;
    assert_eq!(body["result"]["contents"][0]["text"], "# Forms\n");
    assert_eq!(body["result"]["contents"][0]["mimeType"], "text/markdown");

    let dir = request(5, "resources/directory/read", json!({"uri": "skill://pdf"}));
    let (_, body) = send(&app, post(dir, &headers)).await;
    assert_eq!(
        body["result"]["resources"][1]["uri"],
        "skill://pdf/references"
    );
    assert_eq!(
        body["result"]["resources"][1]["mimeType"],
        "inode/directory"
    );

    let (_, body) = send(
        &app,
        post(request(6, "resources/list", json!({})), &headers),
    )
    .await;
    assert_eq!(
        body["result"]["resources"],
        json!([{"uri": "skill://pdf/SKILL.md", "name": "pdf", "description": "Fill PDF forms",
            "mimeType": "text/markdown", "size": MANIFEST.len()}])
    );

    for (id, method, uri) in [
        (7, "skills/get", "skill://nope/SKILL.md"),
        (8, "resources/directory/read", "skill://pdf/SKILL.md"),
        (9, "resources/read", "skill://pdf/../../etc/passwd"),
    ] {
        let (_, body) = send(
            &app,
            post(request(id, method, json!({"uri": uri})), &headers),
        )
        .await;
        assert_eq!(body["error"]["code"], -32602, "{method} {uri}: {body}");
    }
}

fn stateless(id: i64, method: &str, params: Value) -> Request<Body> {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", method),
    ];
    let uri = params["uri"].as_str().map(str::to_owned);
    if method == "resources/read" {
        headers.push(("mcp-name", uri.as_deref().unwrap()));
    }
    post(request(id, method, params), &headers)
}

#[tokio::test]
async fn a_stateless_client_discovers_skills_and_gets_caching_hints() {
    let app = app(Mode::Stateless, true);
    let (_, body) = send(&app, stateless(1, "server/discover", json!({}))).await;
    assert_eq!(
        body["result"]["capabilities"]["extensions"]["io.modelcontextprotocol/skills"],
        json!({"directoryRead": true}),
        "{body}"
    );
    for (id, method, params) in [
        (2, "skills/list", json!({})),
        (3, "skills/get", json!({"uri": "skill://pdf/SKILL.md"})),
        (
            4,
            "resources/directory/read",
            json!({"uri": "skill://pdf/references"}),
        ),
        (5, "resources/read", json!({"uri": "skill://pdf/SKILL.md"})),
    ] {
        let (status, body) = send(&app, stateless(id, method, params)).await;
        assert_eq!(status, StatusCode::OK, "{method}: {body}");
        let result = &body["result"];
        assert_eq!(result["resultType"], "complete", "{method}: {body}");
        assert!(
            result["ttlMs"].is_u64() && result["cacheScope"].is_string(),
            "{method}: {body}"
        );
    }
    let (_, body) = send(
        &app,
        stateless(6, "skills/get", json!({"uri": "skill://x/SKILL.md"})),
    )
    .await;
    assert_eq!(body["error"]["code"], -32602, "{body}");
}

#[tokio::test]
async fn an_unreadable_skills_directory_is_an_internal_error_but_resources_still_list() {
    let config = HttpConfig::new(Mode::Stateless)
        .json_response(true)
        .server(ServerConfig::new().skills(Skills::from_dir("/nonexistent/mcp-rs-skills")));
    let app = StreamableHttp::new(Plain, config).router();
    let (_, body) = send(&app, stateless(1, "skills/list", json!({}))).await;
    assert_eq!(body["error"]["code"], -32603, "{body}");
    let (_, body) = send(&app, stateless(2, "resources/list", json!({}))).await;
    assert_eq!(body["result"]["resources"], json!([]), "{body}");
}

#[tokio::test]
async fn a_server_without_skills_declares_and_answers_none() {
    let app = app(Mode::Stateless, false);
    let (_, body) = send(&app, stateless(1, "server/discover", json!({}))).await;
    assert!(
        body["result"]["capabilities"].get("extensions").is_none(),
        "{body}"
    );
    let (_, body) = send(&app, stateless(2, "skills/list", json!({}))).await;
    assert_eq!(body["error"]["code"], -32601, "{body}");
    let stateful = self::app(Mode::Stateful, false);
    let init = request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25",
        "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    );
    let (_, body) = send(&stateful, post(init, &[])).await;
    let session = body["session"].as_str().unwrap().to_owned();
    let headers = [
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    let (_, body) = send(
        &stateful,
        post(request(2, "skills/list", json!({})), &headers),
    )
    .await;
    assert_eq!(body["error"]["code"], -32601, "{body}");
}
