//! MCP Apps (`io.modelcontextprotocol/ui`) in both eras: a tool's `_meta.ui` in `tools/list`,
//! the `ui://` view with its MIME type and `_meta.ui` in `resources/list` and `resources/read`,
//! and the extension declared only by a server that has an app.

use integration_tests::servers::Calculator;
use integration_tests::{Client, TestServer};
use mcp_runtime::{Mode, mcp_server, resource, tool};
use serde_json::{Value, json};

use crate::support::ModernClient;

const VIEW: &str = "<!doctype html><title>Weather</title><p>Sunny</p>";
const MIME: &str = "text/html;profile=mcp-app";

struct Weather;

#[mcp_server(name = "weather", version = "1.0.0")]
impl Weather {
    /// Today's weather in `city`.
    #[tool(read_only, app = "ui://weather/view.html")]
    fn forecast(&self, city: String) -> String {
        format!("Sunny in {city}, 21 °C.")
    }

    /// Refreshes the view (for the view only).
    #[tool(app = "ui://weather/view.html", visibility = ["app"])]
    fn refresh(&self) -> &'static str {
        "refreshed"
    }

    /// For the model only, with no view.
    #[tool(visibility = ["model"])]
    fn summary(&self) -> &'static str {
        "sunny"
    }

    /// The weather view.
    #[resource(
        uri = "ui://weather/view.html",
        name = "Weather view",
        app(
            prefers_border = false,
            domain = "weather.example.com",
            csp(
                connect_domains = ["https://api.weather.example"],
                resource_domains = ["https://cdn.example.com", "https://*.example.net"],
            ),
            permissions(geolocation, clipboard_write),
        )
    )]
    fn view(&self) -> &'static str {
        VIEW
    }

    /// A view with no sandbox settings.
    #[resource(uri = "ui://weather/plain.html", app)]
    fn plain(&self) -> String {
        "<!doctype html><title>Plain</title>".into()
    }
}

/// The view's `_meta.ui`, as both lists and reads carry it.
fn view_ui() -> Value {
    json!({
        "csp": {
            "connectDomains": ["https://api.weather.example"],
            "resourceDomains": ["https://cdn.example.com", "https://*.example.net"]
        },
        "permissions": {"geolocation": {}, "clipboardWrite": {}},
        "domain": "weather.example.com",
        "prefersBorder": false
    })
}

fn by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item[key] == value))
        .unwrap_or_else(|| panic!("no {key} {value} in {list}"))
}

/// What `tools/list`, `resources/list` and `resources/read` show of the apps, whatever the era.
fn check_lists(tools: &Value, resources: &Value, view: &Value, plain: &Value) {
    assert_eq!(
        by(&tools["tools"], "name", "forecast")["_meta"],
        json!({"ui": {"resourceUri": "ui://weather/view.html"}, "ui/resourceUri": "ui://weather/view.html"})
    );
    assert_eq!(
        by(&tools["tools"], "name", "refresh")["_meta"]["ui"],
        json!({"resourceUri": "ui://weather/view.html", "visibility": ["app"]})
    );
    assert_eq!(
        by(&tools["tools"], "name", "summary")["_meta"],
        json!({"ui": {"visibility": ["model"]}}),
        "no view, so no flat key"
    );

    let listed = by(&resources["resources"], "uri", "ui://weather/view.html");
    assert_eq!(listed["name"], "Weather view");
    assert_eq!(listed["mimeType"], MIME);
    assert_eq!(listed["_meta"]["ui"], view_ui());
    let listed_plain = by(&resources["resources"], "uri", "ui://weather/plain.html");
    assert_eq!(listed_plain["mimeType"], MIME);
    assert!(listed_plain.get("_meta").is_none(), "{listed_plain}");

    let [contents] = view["contents"].as_array().expect("contents").as_slice() else {
        panic!("one part: {view}")
    };
    assert_eq!(contents["uri"], "ui://weather/view.html");
    assert_eq!(contents["mimeType"], MIME);
    assert_eq!(contents["text"], VIEW);
    assert_eq!(contents["_meta"]["ui"], view_ui());
    assert_eq!(plain["contents"][0]["mimeType"], MIME);
    assert!(plain["contents"][0].get("_meta").is_none(), "{plain}");
}

async fn handshake_result(client: &mut Client, method: &str, params: Value) -> Value {
    let reply = client.request(method, params).await;
    assert_eq!(reply.status, 200, "{method}: {}", reply.body);
    reply.response()["result"].clone()
}

#[tokio::test]
async fn a_handshake_era_client_sees_the_apps() {
    let server = TestServer::start(Weather, Mode::Stateful).await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert_eq!(
        init["result"]["capabilities"]["extensions"],
        json!({"io.modelcontextprotocol/ui": {}})
    );
    let tools = handshake_result(&mut client, "tools/list", json!({})).await;
    let resources = handshake_result(&mut client, "resources/list", json!({})).await;
    let view = handshake_result(
        &mut client,
        "resources/read",
        json!({"uri": "ui://weather/view.html"}),
    )
    .await;
    let plain = handshake_result(
        &mut client,
        "resources/read",
        json!({"uri": "ui://weather/plain.html"}),
    )
    .await;
    check_lists(&tools, &resources, &view, &plain);

    // The tool still answers in text, for clients that render no view.
    let called = client.call_tool("forecast", json!({"city": "Lyon"})).await;
    assert_eq!(called["content"][0]["text"], "Sunny in Lyon, 21 °C.");
    server.stop().await;
}

#[tokio::test]
async fn a_modern_client_sees_the_apps() {
    let server = TestServer::start(Weather, Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    client.capabilities =
        json!({"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": [MIME]}}});
    let discover = client.result("server/discover", json!({})).await;
    assert_eq!(
        discover["capabilities"]["extensions"],
        json!({"io.modelcontextprotocol/ui": {}})
    );
    let tools = client.result("tools/list", json!({})).await;
    let resources = client.result("resources/list", json!({})).await;
    let view = client
        .result("resources/read", json!({"uri": "ui://weather/view.html"}))
        .await;
    let plain = client
        .result("resources/read", json!({"uri": "ui://weather/plain.html"}))
        .await;
    check_lists(&tools, &resources, &view, &plain);
    server.stop().await;
}

#[tokio::test]
async fn a_server_without_apps_declares_no_extension() {
    let server = TestServer::start(Calculator, Mode::Stateful).await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert!(
        init["result"]["capabilities"].get("extensions").is_none(),
        "{init}"
    );
    let tools = handshake_result(&mut client, "tools/list", json!({})).await;
    assert!(
        tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("_meta").is_none()),
        "{tools}"
    );
    let discover = ModernClient::new(&server.url)
        .result("server/discover", json!({}))
        .await;
    let extensions = &discover["capabilities"]["extensions"];
    assert!(
        extensions.get("io.modelcontextprotocol/ui").is_none(),
        "{discover}"
    );
    server.stop().await;
}
