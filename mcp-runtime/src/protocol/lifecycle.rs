//! `initialize`: client and server identities and capabilities.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who a client or server is: `clientInfo` and `serverInfo`.
///
/// ```
/// use mcp_runtime::protocol::{Icon, Implementation};
/// let info = Implementation::new("calculator", "1.0.0")
///     .with_title("Calculator")
///     .with_website_url("https://example.com/calculator")
///     .with_icon(Icon::new("https://example.com/calc.svg"));
/// let json = serde_json::to_value(&info).unwrap();
/// assert_eq!(json["websiteUrl"], "https://example.com/calculator");
/// assert_eq!(json["icons"][0]["src"], "https://example.com/calc.svg");
///
/// // Read from a peer, malformed display fields are dropped rather than refused.
/// let client: Implementation = serde_json::from_value(serde_json::json!({
///     "name": "c", "version": "1", "websiteUrl": 5, "icons": [{"src": "a.png"}, {"nope": 1}]
/// })).unwrap();
/// assert_eq!((client.website_url, client.icons.len()), (None, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
    /// Programmatic name.
    pub name: String,
    /// Version string.
    pub version: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it does, for people (2025-11-25).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub description: Option<String>,
    /// Icons a client may show for it (2025-11-25). Malformed ones are dropped when read.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_icons"
    )]
    pub icons: Vec<super::Icon>,
    /// Its home page (2025-11-25).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub website_url: Option<String>,
}

// These fields are for display: a peer that sends them malformed still gets its handshake.
fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

fn lenient_icons<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<super::Icon>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(icons) => icons
            .into_iter()
            .filter_map(|icon| serde_json::from_value(icon).ok())
            .collect(),
        _ => Vec::new(),
    })
}

impl Implementation {
    /// A name and a version, nothing else.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Implementation {
            name: name.into(),
            version: version.into(),
            title: None,
            description: None,
            icons: Vec::new(),
            website_url: None,
        }
    }

    /// Sets the display name.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an icon.
    pub fn with_icon(mut self, icon: super::Icon) -> Self {
        self.icons.push(icon);
        self
    }

    /// Sets the home page.
    pub fn with_website_url(mut self, url: impl Into<String>) -> Self {
        self.website_url = Some(url.into());
        self
    }
}

/// `initialize` params.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// The revision the client asks for.
    pub protocol_version: String,
    /// What the client supports (kept as sent).
    #[serde(default)]
    pub capabilities: ClientCapabilities,
    /// Who the client is.
    pub client_info: Implementation,
}

/// What a client declares it supports, kept as the JSON object it sent.
///
/// ```
/// let caps: mcp_runtime::protocol::ClientCapabilities =
///     serde_json::from_str(r#"{"sampling":{},"roots":{"listChanged":true}}"#).unwrap();
/// assert!(caps.supports("sampling"));
/// assert!(!caps.supports("elicitation"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientCapabilities(pub Map<String, Value>);

impl ClientCapabilities {
    /// Whether the client declared the capability `name` (`sampling`, `elicitation`, `roots`…).
    pub fn supports(&self, name: &str) -> bool {
        self.0.get(name).is_some_and(|v| !v.is_null())
    }

    /// Whether the client declared the extension `id` under `extensions`.
    ///
    /// ```
    /// let caps: mcp_runtime::protocol::ClientCapabilities = serde_json::from_str(
    ///     r#"{"extensions":{"io.modelcontextprotocol/tasks":{}}}"#).unwrap();
    /// assert!(caps.supports_extension("io.modelcontextprotocol/tasks"));
    /// assert!(!caps.supports_extension("io.modelcontextprotocol/skills"));
    /// ```
    pub fn supports_extension(&self, id: &str) -> bool {
        self.0
            .get("extensions")
            .and_then(|e| e.get(id))
            .is_some_and(|v| !v.is_null())
    }

    /// Whether the client renders MCP Apps: it declared the `io.modelcontextprotocol/ui`
    /// extension with [`APP_MIME_TYPE`](super::APP_MIME_TYPE) among its `mimeTypes`. A tool
    /// with an app returns meaningful content either way; this tells it whether a view will
    /// show it too.
    ///
    /// ```
    /// let caps: mcp_runtime::protocol::ClientCapabilities = serde_json::from_str(
    ///     r#"{"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}"#,
    /// ).unwrap();
    /// assert!(caps.supports_apps());
    /// assert!(!mcp_runtime::protocol::ClientCapabilities::default().supports_apps());
    /// ```
    pub fn supports_apps(&self) -> bool {
        self.0
            .get("extensions")
            .and_then(|e| e.get(super::UI_EXTENSION))
            .and_then(|ui| ui.get("mimeTypes"))
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == super::APP_MIME_TYPE))
    }
}

/// What the server supports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerCapabilities {
    /// Tools, with `listChanged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ListChanged>,
    /// Resources, with `subscribe` and `listChanged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesCapability>,
    /// Prompts, with `listChanged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<ListChanged>,
    /// Log messages (`logging/setLevel`, `notifications/message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Map<String, Value>>,
    /// Argument completion (`completion/complete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<Map<String, Value>>,
    /// Experimental capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Map<String, Value>>,
    /// Extensions, by identifier (`io.modelcontextprotocol/tasks`…), with their settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, Value>>,
}

/// A capability with a `listChanged` flag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChanged {
    /// Whether the server sends `notifications/*/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

/// The resources capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesCapability {
    /// Whether clients may subscribe to resource updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<bool>,
    /// Whether the server sends `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

/// `initialize` result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeResult<'a> {
    /// The negotiated revision.
    pub protocol_version: &'a str,
    /// The server's capabilities.
    pub capabilities: &'a ServerCapabilities,
    /// The server's identity.
    pub server_info: &'a Implementation,
    /// Usage hints for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<&'a str>,
}
