//! `resources/*`: fixed resources, URI templates, reading and subscriptions.

use serde::{Deserialize, Serialize};

use super::annotations::Annotations;
use super::apps::{ResourceMeta, UiResourceMeta};
use super::content::{PayloadLen, ResourceContents};
use super::icon::Icon;

/// A resource as listed by `resources/list`.
///
/// ```
/// use mcp_runtime::protocol::Resource;
/// let r = Resource::new("test://static-text", "static-text").with_mime_type("text/plain");
/// assert_eq!(serde_json::to_value(&r).unwrap()["mimeType"], "text/plain");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The resource's URI.
    pub uri: String,
    /// Programmatic name.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// MIME type of its contents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Size in bytes, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Icons a client may show for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Who it is for, how much it matters, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Metadata (`_meta`): an app view's sandbox (MCP Apps), and other keys.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResourceMeta>,
}

impl Resource {
    /// A resource with a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Resource {
            uri: uri.into(),
            name: name.into(),
            title: None,
            description: None,
            mime_type: None,
            size: None,
            icons: Vec::new(),
            annotations: None,
            meta: None,
        }
    }

    /// An app view (MCP Apps): a `ui://` resource served as
    /// [`APP_MIME_TYPE`](super::APP_MIME_TYPE), with its sandbox as `_meta.ui` (static
    /// defaults hosts may review before they read it; contents may carry their own).
    ///
    /// ```
    /// use mcp_runtime::protocol::{Resource, UiResourceMeta};
    /// let view = Resource::app("ui://clock", "clock", UiResourceMeta::default().with_prefers_border(true));
    /// let json = serde_json::to_value(&view).unwrap();
    /// assert_eq!(json["mimeType"], "text/html;profile=mcp-app");
    /// assert_eq!(json["_meta"]["ui"]["prefersBorder"], true);
    /// ```
    pub fn app(uri: impl Into<String>, name: impl Into<String>, ui: UiResourceMeta) -> Self {
        let mut resource = Resource::new(uri, name).with_mime_type(super::APP_MIME_TYPE);
        if ui != UiResourceMeta::default() {
            resource.meta = Some(ResourceMeta::app(ui));
        }
        resource
    }

    /// The resource's `_meta.ui`, if it has one.
    pub fn ui(&self) -> Option<&UiResourceMeta> {
        self.meta.as_ref()?.ui.as_ref()
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the MIME type.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// Sets the size in bytes.
    pub fn with_size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the annotations.
    ///
    /// ```
    /// use mcp_runtime::protocol::{Annotations, Resource, Role};
    /// let r = Resource::new("file:///notes.md", "notes")
    ///     .with_annotations(Annotations::for_audience([Role::Assistant]).with_priority(0.2));
    /// let json = serde_json::to_value(&r).unwrap();
    /// assert_eq!(json["annotations"]["audience"][0], "assistant");
    /// ```
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = Some(annotations);
        self
    }
}

/// A family of resources named by an RFC 6570 URI template, as listed by
/// `resources/templates/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplate {
    /// The template, e.g. `test://template/{id}/data`.
    pub uri_template: String,
    /// Programmatic name.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What its resources hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// MIME type of its resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Icons a client may show for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Who it is for, how much it matters, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
}

impl ResourceTemplate {
    /// A template with a name.
    pub fn new(uri_template: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceTemplate {
            uri_template: uri_template.into(),
            name: name.into(),
            title: None,
            description: None,
            mime_type: None,
            icons: Vec::new(),
            annotations: None,
        }
    }

    /// Sets the annotations.
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = Some(annotations);
        self
    }
}

/// `resources/read` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadResourceResult {
    /// The contents (one resource may have several parts).
    pub contents: Vec<ResourceContents>,
}

impl PayloadLen for ReadResourceResult {
    fn payload_len(&self) -> usize {
        self.contents.iter().map(|c| c.payload_len()).sum()
    }
}

impl ReadResourceResult {
    /// A result with one part.
    pub fn one(contents: ResourceContents) -> Self {
        ReadResourceResult {
            contents: vec![contents],
        }
    }
}

/// Params of `resources/read`, `resources/subscribe` and `resources/unsubscribe`.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceUriParams {
    /// The resource's URI.
    pub uri: String,
}
