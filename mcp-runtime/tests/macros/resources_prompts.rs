//! `#[resource]`, `#[prompt]` and `complete(...)`: the generated `MCPServer`, called directly
//! (no transport), compared as whole JSON values.

use std::collections::HashMap;

use mcp_runtime::protocol::{
    CompleteParams, Completion, GetPromptResult, ReadResourceResult, ResourceContents, Role,
};
use mcp_runtime::{
    Content, Context, Json, MCPServer, McpError, PromptMessage, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

struct Library;

#[derive(Serialize, JsonSchema)]
struct Stats {
    books: u32,
}

#[mcp_server(name = "library", version = "1.0.0")]
impl Library {
    /// The catalogue.
    #[resource(
        uri = "library://catalogue",
        mime_type = "text/plain",
        title = "Catalogue"
    )]
    fn catalogue(&self) -> &'static str {
        "Dune\nEmma"
    }

    #[resource(
        uri = "library://cover.png",
        name = "cover",
        description = "The cover.",
        mime_type = "image/png",
        icon = "https://example.com/cover.png"
    )]
    async fn cover(&self) -> Vec<u8> {
        vec![0x89, b'P', b'N', b'G']
    }

    /// Statistics.
    #[resource(uri = "library://stats", audience = "assistant", priority = 0.25)]
    fn stats(&self) -> Json<Stats> {
        Json(Stats { books: 2 })
    }

    /// Two parts.
    #[resource(uri = "library://parts")]
    fn parts(&self) -> Vec<ResourceContents> {
        vec![
            ResourceContents::text("library://parts#1", "text/plain", "one"),
            ResourceContents::bytes("library://parts#2", "application/octet-stream", [1u8]),
        ]
    }

    /// Always fails.
    #[resource(uri = "library://broken")]
    fn broken(&self) -> Result<String, McpError> {
        Err(McpError::internal("the shelf fell"))
    }

    /// A book by number.
    #[resource(
        uri = "library://books/{id}",
        mime_type = "application/json",
        complete(id = book_ids)
    )]
    async fn book(&self, id: u32, ctx: Context) -> Result<String, String> {
        if id == 0 {
            return Err("no book 0".into());
        }
        Ok(format!(
            r#"{{"id":{id},"cancelled":{}}}"#,
            ctx.is_cancelled()
        ))
    }

    /// A book by title, for ids that are not numbers.
    #[resource(uri = "library://books/{title}")]
    fn book_by_title(&self, title: String) -> String {
        format!("the book called {title}")
    }

    /// A file under a shelf.
    #[resource(uri = "library://shelves/{shelf}/{+path}")]
    fn file(&self, shelf: char, path: String) -> ReadResourceResult {
        ReadResourceResult::one(ResourceContents::text(
            format!("library://shelves/{shelf}/{path}"),
            "text/plain",
            format!("{shelf}: {path}"),
        ))
    }

    /// Recommend a book.
    #[prompt(title = "Recommend", complete(genre = genres, era = eras))]
    fn recommend(
        &self,
        /// The genre.
        genre: String,
        #[arg(name = "maxPages", description = "At most this many pages.")] max_pages: Option<u32>,
        era: Option<String>,
    ) -> String {
        format!(
            "Recommend a {genre} book under {} pages from {}.",
            max_pages.unwrap_or(500),
            era.as_deref().unwrap_or("any era")
        )
    }

    /// Messages of every kind.
    #[prompt(name = "show_cover")]
    async fn cover_prompt(&self, ctx: Context) -> Vec<PromptMessage> {
        let _ = ctx.is_cancelled();
        vec![
            PromptMessage::new(Role::User, Content::image_png([0x89u8])),
            PromptMessage::assistant("A cover."),
        ]
    }

    /// The whole result.
    #[prompt]
    fn whole(&self) -> GetPromptResult {
        GetPromptResult {
            description: Some("All of it.".into()),
            messages: vec![PromptMessage::user("hi")],
        }
    }

    /// One content block.
    #[prompt]
    fn block(&self, uri: String) -> Result<Content, McpError> {
        if uri.is_empty() {
            return Err(McpError::invalid_params("empty uri"));
        }
        Ok(Content::embedded_text(uri, "text/plain", "embedded"))
    }

    /// A tool, beside the rest.
    #[tool]
    fn count(&self) -> u32 {
        2
    }

    fn genres(&self, value: &str) -> Vec<&'static str> {
        ["fantasy", "fiction", "history"]
            .into_iter()
            .filter(|g| g.starts_with(value))
            .collect()
    }

    async fn eras(
        &self,
        value: String,
        chosen: HashMap<String, String>,
        ctx: Context,
    ) -> Result<Completion, McpError> {
        let _ = ctx.is_cancelled();
        let genre = chosen.get("genre").cloned().unwrap_or_default();
        Ok(Completion {
            values: vec![format!("{genre}-{value}")],
            total: Some(10),
            has_more: Some(true),
        })
    }

    fn book_ids(&self, value: String) -> Vec<String> {
        (1..=3)
            .map(|i| i.to_string())
            .filter(|id| id.starts_with(&value))
            .collect()
    }
}

async fn read(server: &impl MCPServer, uri: &str) -> Value {
    let future = server
        .read_resource(uri, Context::detached())
        .unwrap_or_else(|| panic!("no resource {uri}"));
    match future.await {
        Ok(result) => serde_json::to_value(result).unwrap(),
        Err(e) => json!({"error": e.code(), "message": e.0.message}),
    }
}

async fn get(server: &impl MCPServer, name: &str, arguments: Value) -> Value {
    let arguments = match arguments {
        Value::Object(map) => Some(map),
        _ => None,
    };
    let future = server
        .get_prompt(name, arguments, Context::detached())
        .unwrap_or_else(|| panic!("no prompt {name}"));
    match future.await {
        Ok(result) => serde_json::to_value(result).unwrap(),
        Err(e) => json!({"error": e.code(), "message": e.0.message}),
    }
}

async fn complete(server: &impl MCPServer, request: Value) -> Value {
    let request: CompleteParams = serde_json::from_value(request).unwrap();
    match server.complete(request, Context::detached()).await {
        Ok(completion) => serde_json::to_value(completion).unwrap(),
        Err(e) => json!({"error": e.code(), "message": e.0.message}),
    }
}

#[test]
fn resources_and_templates_are_listed_in_order() {
    assert_eq!(
        serde_json::to_value(Library.resources()).unwrap(),
        json!([
            {
                "uri": "library://catalogue",
                "name": "catalogue",
                "title": "Catalogue",
                "description": "The catalogue.",
                "mimeType": "text/plain",
            },
            {
                "uri": "library://cover.png",
                "name": "cover",
                "description": "The cover.",
                "mimeType": "image/png",
                "icons": [{"src": "https://example.com/cover.png"}],
            },
            {
                "uri": "library://stats",
                "name": "stats",
                "description": "Statistics.",
                "annotations": {"audience": ["assistant"], "priority": 0.25},
            },
            {"uri": "library://parts", "name": "parts", "description": "Two parts."},
            {"uri": "library://broken", "name": "broken", "description": "Always fails."},
        ])
    );
    assert_eq!(
        serde_json::to_value(Library.resource_templates()).unwrap(),
        json!([
            {
                "uriTemplate": "library://books/{id}",
                "name": "book",
                "description": "A book by number.",
                "mimeType": "application/json",
            },
            {
                "uriTemplate": "library://books/{title}",
                "name": "book_by_title",
                "description": "A book by title, for ids that are not numbers.",
            },
            {
                "uriTemplate": "library://shelves/{shelf}/{+path}",
                "name": "file",
                "description": "A file under a shelf.",
            },
        ])
    );
}

#[tokio::test]
async fn fixed_resources_return_every_kind_of_contents() {
    assert_eq!(
        read(&Library, "library://catalogue").await,
        json!({"contents": [
            {"uri": "library://catalogue", "mimeType": "text/plain", "text": "Dune\nEmma"}
        ]})
    );
    assert_eq!(
        read(&Library, "library://cover.png").await,
        json!({"contents": [
            {"uri": "library://cover.png", "mimeType": "image/png", "blob": "iVBORw=="}
        ]})
    );
    assert_eq!(
        read(&Library, "library://stats").await,
        json!({"contents": [
            {"uri": "library://stats", "mimeType": "application/json", "text": r#"{"books":2}"#}
        ]})
    );
    assert_eq!(
        read(&Library, "library://parts").await,
        json!({"contents": [
            {"uri": "library://parts#1", "mimeType": "text/plain", "text": "one"},
            {"uri": "library://parts#2", "mimeType": "application/octet-stream", "blob": "AQ=="},
        ]})
    );
    assert_eq!(
        read(&Library, "library://broken").await,
        json!({"error": -32603, "message": "the shelf fell"})
    );
}

#[tokio::test]
async fn templates_bind_typed_parameters_in_declaration_order() {
    assert_eq!(
        read(&Library, "library://books/7").await,
        json!({"contents": [{
            "uri": "library://books/7",
            "mimeType": "application/json",
            "text": r#"{"id":7,"cancelled":false}"#,
        }]})
    );
    // `Err(String)` is an internal error.
    assert_eq!(
        read(&Library, "library://books/0").await,
        json!({"error": -32603, "message": "no book 0"})
    );
    // Not a `u32`: the first template does not match, the second does.
    assert_eq!(
        read(&Library, "library://books/dune%20messiah").await,
        json!({"contents": [{
            "uri": "library://books/dune%20messiah",
            "text": "the book called dune messiah",
        }]})
    );
    assert_eq!(
        read(&Library, "library://shelves/a/b/c.txt").await,
        json!({"contents": [{
            "uri": "library://shelves/a/b/c.txt",
            "mimeType": "text/plain",
            "text": "a: b/c.txt",
        }]})
    );
}

#[test]
fn unknown_uris_are_not_found() {
    for uri in [
        "library://nope",
        "library://books/",
        "library://books/1/2",
        // `shelf` is a `char`: "ab" does not parse, so no template matches.
        "library://shelves/ab/c",
        "other://catalogue",
    ] {
        assert!(
            Library.read_resource(uri, Context::detached()).is_none(),
            "{uri}"
        );
    }
}

#[test]
fn prompts_are_listed_with_their_arguments() {
    assert_eq!(
        serde_json::to_value(Library.prompts()).unwrap(),
        json!([
            {
                "name": "recommend",
                "title": "Recommend",
                "description": "Recommend a book.",
                "arguments": [
                    {"name": "genre", "description": "The genre.", "required": true},
                    {
                        "name": "maxPages",
                        "description": "At most this many pages.",
                        "required": false,
                    },
                    {"name": "era", "required": false},
                ],
            },
            {"name": "show_cover", "description": "Messages of every kind."},
            {"name": "whole", "description": "The whole result."},
            {
                "name": "block",
                "description": "One content block.",
                "arguments": [{"name": "uri", "required": true}],
            },
        ])
    );
}

#[tokio::test]
async fn prompts_render_typed_arguments() {
    let text = |text: &str| json!({"messages": [{"role": "user", "content": {"type": "text", "text": text}}]});
    assert_eq!(
        get(&Library, "recommend", json!({"genre": "fantasy"})).await,
        text("Recommend a fantasy book under 500 pages from any era.")
    );
    assert_eq!(
        get(
            &Library,
            "recommend",
            json!({"genre": "history", "maxPages": "200", "era": "antiquity"})
        )
        .await,
        text("Recommend a history book under 200 pages from antiquity.")
    );
    // A number sent as JSON is read from its text.
    assert_eq!(
        get(&Library, "recommend", json!({"genre": "x", "maxPages": 99})).await,
        text("Recommend a x book under 99 pages from any era.")
    );
}

#[tokio::test]
async fn bad_prompt_arguments_are_invalid_params_naming_each() {
    assert_eq!(
        get(&Library, "recommend", Value::Null).await,
        json!({"error": -32602, "message": "Invalid params: missing required argument `genre`"})
    );
    assert_eq!(
        get(
            &Library,
            "recommend",
            json!({"maxPages": "many", "max_pages": "1"})
        )
        .await,
        json!({
            "error": -32602,
            "message": "Invalid params: missing required argument `genre`; invalid argument \
                        `maxPages`: invalid digit found in string; unknown argument `max_pages`",
        })
    );
    assert_eq!(
        get(&Library, "whole", json!({"extra": "1"})).await,
        json!({"error": -32602, "message": "Invalid params: unknown argument `extra`"})
    );
    assert_eq!(
        get(&Library, "block", json!({"uri": ""})).await,
        json!({"error": -32602, "message": "Invalid params: empty uri"})
    );
    assert!(
        Library
            .get_prompt("nope", None, Context::detached())
            .is_none()
    );
}

#[tokio::test]
async fn prompts_return_every_kind_of_message() {
    assert_eq!(
        get(&Library, "show_cover", Value::Null).await,
        json!({"messages": [
            {"role": "user", "content": {"type": "image", "data": "iQ==", "mimeType": "image/png"}},
            {"role": "assistant", "content": {"type": "text", "text": "A cover."}},
        ]})
    );
    assert_eq!(
        get(&Library, "whole", Value::Null).await,
        json!({
            "description": "All of it.",
            "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
        })
    );
    assert_eq!(
        get(&Library, "block", json!({"uri": "library://x"})).await,
        json!({"messages": [{
            "role": "user",
            "content": {
                "type": "resource",
                "resource": {"uri": "library://x", "mimeType": "text/plain", "text": "embedded"},
            },
        }]})
    );
}

#[tokio::test]
async fn completions_route_by_reference_and_argument() {
    assert!(Library.supports_completions());
    assert_eq!(
        complete(
            &Library,
            json!({"ref": {"type": "ref/prompt", "name": "recommend"}, "argument": {"name": "genre", "value": "f"}})
        )
        .await,
        json!({"values": ["fantasy", "fiction"], "total": 2, "hasMore": false})
    );
    assert_eq!(
        complete(
            &Library,
            json!({
                "ref": {"type": "ref/prompt", "name": "recommend"},
                "argument": {"name": "era", "value": "ba"},
                "context": {"arguments": {"genre": "history"}},
            })
        )
        .await,
        json!({"values": ["history-ba"], "total": 10, "hasMore": true})
    );
    assert_eq!(
        complete(
            &Library,
            json!({"ref": {"type": "ref/resource", "uri": "library://books/{id}"}, "argument": {"name": "id", "value": "2"}})
        )
        .await,
        json!({"values": ["2"], "total": 1, "hasMore": false})
    );
    // Anything else: no values.
    for request in [
        json!({"ref": {"type": "ref/prompt", "name": "recommend"}, "argument": {"name": "maxPages", "value": ""}}),
        json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "genre", "value": ""}}),
        json!({"ref": {"type": "ref/resource", "uri": "library://books/{title}"}, "argument": {"name": "id", "value": ""}}),
        json!({"ref": {"type": "ref/resource", "uri": "recommend"}, "argument": {"name": "genre", "value": ""}}),
    ] {
        assert_eq!(complete(&Library, request).await, json!({"values": []}));
    }
}

struct Plain;

#[mcp_server]
impl Plain {
    /// A prompt with nothing to complete.
    #[prompt]
    fn hello(&self, name: String) -> String {
        format!("Say hello to {name}.")
    }
}

#[tokio::test]
async fn no_completion_methods_no_completions() {
    assert!(!Plain.supports_completions());
    assert!(Plain.tools().is_empty() && Plain.resources().is_empty());
    assert_eq!(
        complete(
            &Plain,
            json!({"ref": {"type": "ref/prompt", "name": "hello"}, "argument": {"name": "name", "value": ""}})
        )
        .await,
        json!({"values": []})
    );
}

/// An app whose read gives its own `_meta.ui` for this read: it wins over `app(...)`'s, which
/// stays the listing's; a part without one gets the listing's.
struct Map;

#[mcp_server]
impl Map {
    /// The map view.
    #[resource(uri = "ui://map/view.html", app(prefers_border = true))]
    fn view(&self) -> Vec<ResourceContents> {
        use mcp_runtime::protocol::{UiResourceCsp, UiResourceMeta};
        let tiles = UiResourceCsp::default().with_connect_domains(["https://tiles.example.com"]);
        vec![
            ResourceContents::text(
                "ui://map/view.html",
                "text/html;profile=mcp-app",
                "<!doctype html>",
            )
            .with_ui(UiResourceMeta::default().with_csp(tiles)),
            ResourceContents::text(
                "ui://map/view.html",
                "text/html;profile=mcp-app",
                "<p>2</p>",
            ),
        ]
    }
}

#[tokio::test]
async fn an_apps_own_meta_wins_over_the_attributes() {
    let listed = Map.resources();
    assert_eq!(
        serde_json::to_value(&listed[0]).unwrap()["_meta"],
        json!({"ui": {"prefersBorder": true}})
    );
    let read = Map
        .read_resource("ui://map/view.html", Context::detached())
        .unwrap()
        .await
        .unwrap();
    let read = serde_json::to_value(read).unwrap();
    assert_eq!(
        read["contents"][0]["_meta"],
        json!({"ui": {"csp": {"connectDomains": ["https://tiles.example.com"]}}})
    );
    assert_eq!(
        read["contents"][1]["_meta"],
        json!({"ui": {"prefersBorder": true}})
    );
}
