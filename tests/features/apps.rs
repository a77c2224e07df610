//! A hand-written server whose tool links an MCP App: checked when it starts, over HTTP and
//! over stdio, with a typed error ([`InvalidServer`]) when the view is not a `ui://` resource
//! the server serves.

use mcp_runtime::protocol::{
    APP_MIME_TYPE, Implementation, ReadResourceResult, Resource, ResourceContents,
    ResourceTemplate, Tool, UiResourceMeta, UiToolMeta,
};
use mcp_runtime::{
    BoxFuture, CallToolResult, Context, HttpConfig, InvalidServer, MCPServer, McpError, Mode,
    StreamableHttp, ToolArguments,
};
use serde_json::json;

/// One tool linking `link`; the resources and templates given, read as HTML when they match.
struct Linking {
    link: &'static str,
    resources: Vec<Resource>,
    templates: Vec<ResourceTemplate>,
}

impl Linking {
    fn new(link: &'static str) -> Self {
        Linking {
            link,
            resources: Vec::new(),
            templates: Vec::new(),
        }
    }
}

impl MCPServer for Linking {
    fn server_info(&self) -> Implementation {
        Implementation::new("linking", "1.0.0")
    }

    fn tools(&self) -> Vec<Tool> {
        vec![Tool::new("show", Default::default()).with_ui(UiToolMeta::new(self.link))]
    }

    fn call_tool<'a>(
        &'a self,
        _: &str,
        _: ToolArguments,
        _: Context,
    ) -> Option<BoxFuture<'a, CallToolResult>> {
        Some(Box::pin(async { CallToolResult::text("shown") }))
    }

    fn resources(&self) -> Vec<Resource> {
        self.resources.clone()
    }

    fn resource_templates(&self) -> Vec<ResourceTemplate> {
        self.templates.clone()
    }

    fn read_resource<'a>(
        &'a self,
        uri: &str,
        _: Context,
    ) -> Option<BoxFuture<'a, Result<ReadResourceResult, McpError>>> {
        let known = self.resources.iter().any(|r| r.uri == uri)
            || (uri.starts_with("ui://views/") && !self.templates.is_empty())
            || uri == "ui://unlisted";
        let contents = ResourceContents::text(uri, APP_MIME_TYPE, "<!doctype html>");
        known.then(|| -> BoxFuture<'a, _> {
            Box::pin(async move { Ok(ReadResourceResult::one(contents)) })
        })
    }
}

fn endpoint(server: Linking) -> Result<StreamableHttp, InvalidServer> {
    StreamableHttp::try_new(server, HttpConfig::new(Mode::Stateless))
}

#[test]
fn a_tool_must_link_a_ui_uri() {
    let error = endpoint(Linking::new("https://example.com/view.html")).unwrap_err();
    assert_eq!(
        error,
        InvalidServer::NotAUiUri {
            tool: "show".into(),
            uri: "https://example.com/view.html".into()
        }
    );
    assert!(
        error.to_string().contains("an app is a `ui://` resource"),
        "{error}"
    );
}

#[test]
fn a_tool_must_link_a_resource_the_server_serves() {
    let error = endpoint(Linking::new("ui://missing")).unwrap_err();
    assert_eq!(
        error,
        InvalidServer::MissingApp {
            tool: "show".into(),
            uri: "ui://missing".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "tool `show` links the app `ui://missing`, but the server serves no resource at that \
         URI: list it in `resources()` (MIME type `text/html;profile=mcp-app`) and read it in \
         `read_resource`, or fix the tool's `_meta.ui.resourceUri`"
    );
}

#[test]
fn a_linked_resource_must_be_listed_as_an_app() {
    let mut server = Linking::new("ui://view");
    server.resources = vec![Resource::new("ui://view", "view").with_mime_type("text/html")];
    assert_eq!(
        endpoint(server).unwrap_err(),
        InvalidServer::NotAnApp {
            tool: "show".into(),
            uri: "ui://view".into(),
            mime_type: "text/html".into()
        }
    );
}

#[test]
fn a_view_may_be_listed_unlisted_or_matched_by_a_template() {
    let mut listed = Linking::new("ui://view");
    listed.resources = vec![Resource::app(
        "ui://view",
        "view",
        UiResourceMeta::default(),
    )];
    assert!(endpoint(listed).is_ok());
    // The spec lets a server leave views out of `resources/list`: `read_resource` serves it.
    assert!(endpoint(Linking::new("ui://unlisted")).is_ok());
    let mut templated = Linking::new("ui://views/clock");
    templated.templates = vec![ResourceTemplate::new("ui://views/{name}", "views")];
    assert!(endpoint(templated).is_ok());
}

#[test]
#[should_panic(expected = "invalid MCP server: tool `show` links the app `ui://missing`")]
fn new_panics_on_an_invalid_server() {
    let _ = StreamableHttp::new(
        Linking::new("ui://missing"),
        HttpConfig::new(Mode::Stateless),
    );
}

#[tokio::test]
async fn serving_an_invalid_server_fails_before_it_starts() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = mcp_runtime::serve_listener(
        Linking::new("ui://missing"),
        listener,
        Mode::Stateful,
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let invalid = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<InvalidServer>());
    assert!(
        matches!(invalid, Some(InvalidServer::MissingApp { uri, .. }) if uri == "ui://missing"),
        "{error:?}"
    );

    // Over stdio too, before anything is read.
    let (_input, reader) = tokio::io::duplex(64);
    let (writer, _output) = tokio::io::duplex(64);
    let error = mcp_runtime::serve_io(Linking::new("test://view"), reader, writer)
        .await
        .unwrap_err();
    let invalid = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<InvalidServer>());
    assert!(
        matches!(invalid, Some(InvalidServer::NotAUiUri { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_valid_hand_written_app_declares_the_extension() {
    let mut server = Linking::new("ui://view");
    server.resources = vec![Resource::app(
        "ui://view",
        "view",
        UiResourceMeta::default().with_prefers_border(true),
    )];
    let server = integration_tests::TestServer::start(server, Mode::Stateful).await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert_eq!(
        init["result"]["capabilities"]["extensions"]["io.modelcontextprotocol/ui"],
        json!({})
    );
    server.stop().await;
}
