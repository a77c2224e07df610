//! Tools added at run time over HTTP in the 2026-07-28 era: `subscriptions/listen` streams hear
//! of them, and their `x-mcp-header` parameters are checked as the server's own.

use integration_tests::servers::Calculator;
use integration_tests::{SseReader, TestServer, read};
use mcp_runtime::{HttpConfig, Mode, StreamableHttp, ToolDef};
use serde_json::json;

use crate::support::ModernClient;

/// Opens a listen stream for every tool list change.
async fn listen_to_tools(client: &mut ModernClient) -> SseReader {
    let params = client.with_meta(json!({"notifications": {"toolsListChanged": true}}));
    let body = client.body("subscriptions/listen", &params);
    let response = client
        .builder("subscriptions/listen", &params)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    SseReader::new(response)
}

#[tokio::test]
async fn listen_streams_hear_of_tools_added_and_removed_at_run_time() {
    let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateless));
    let handle = endpoint.handle().clone();
    let server = TestServer::serve(endpoint).await;
    let mut client = ModernClient::new(&server.url);
    let mut stream = listen_to_tools(&mut client).await;
    let (_, ack) = stream.next_message().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");

    let echo = ToolDef::raw(
        "echo",
        "Echo.",
        json!({"type": "object"}),
        |args, _| async move { serde_json::Value::Object(args) },
    );
    handle.add_tool(echo).unwrap();
    let (_, changed) = stream.next_message().await.unwrap();
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    let tools = client.result("tools/list", json!({})).await;
    assert!(
        tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "echo")
    );
    let echoed = client
        .result("tools/call", json!({"name": "echo", "arguments": {"a": 1}}))
        .await;
    assert_eq!(echoed["content"][0]["text"], r#"{"a":1}"#);

    assert!(handle.remove_tool("echo"));
    let (_, changed) = stream.next_message().await.unwrap();
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    let (status, error) = client
        .error("tools/call", json!({"name": "echo", "arguments": {}}))
        .await;
    assert_eq!((status, error["code"].clone()), (400, json!(-32602)));
    server.stop().await;
}

#[tokio::test]
async fn a_run_time_tool_has_its_param_headers_checked() {
    let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateless));
    let schema = json!({
        "type": "object",
        "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
        "required": ["region"],
    });
    let weather = ToolDef::raw("weather", "The weather.", schema, |args, _| async move {
        format!("sunny in {}", args["region"].as_str().unwrap_or("?"))
    });
    endpoint.handle().add_tool(weather).unwrap();
    let server = TestServer::serve(endpoint).await;
    let mut client = ModernClient::new(&server.url);
    let params = client.with_meta(json!({"name": "weather", "arguments": {"region": "Bern"}}));
    let send = |client: &mut ModernClient, region: Option<&str>| {
        let body = client.body("tools/call", &params);
        let mut b = client.builder("tools/call", &params);
        if let Some(region) = region {
            b = b.header("mcp-param-region", region);
        }
        async move { read(b.body(body.to_string()).send().await.unwrap()).await }
    };
    let ok = send(&mut client, Some("Bern")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.response()["result"]["content"][0]["text"],
        "sunny in Bern"
    );
    for bad in [None, Some("Zug")] {
        let reply = send(&mut client, bad).await;
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.body);
        assert_eq!(reply.response()["error"]["code"], -32020, "{bad:?}");
    }
    server.stop().await;
}
