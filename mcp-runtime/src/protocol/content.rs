//! Content blocks: what tools return and prompts contain.

use serde::{Deserialize, Serialize};

use super::annotations::Annotations;
use super::apps::{ResourceMeta, UiResourceMeta};
use super::base64;
use super::resources::Resource;

/// One block of content in a tool result or a prompt message.
///
/// ```
/// use mcp_runtime::protocol::Content;
/// let c = Content::text("hi");
/// assert_eq!(serde_json::to_value(&c).unwrap(), serde_json::json!({"type":"text","text":"hi"}));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Plain text.
    Text {
        /// The text.
        text: String,
        /// Who it is for, how much it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotations: Option<Annotations>,
    },
    /// An image, base64-encoded.
    Image {
        /// Base64 data.
        data: String,
        /// The MIME type, e.g. `image/png`.
        #[serde(rename = "mimeType")]
        mime_type: String,
        /// Who it is for, how much it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotations: Option<Annotations>,
    },
    /// Audio, base64-encoded.
    Audio {
        /// Base64 data.
        data: String,
        /// The MIME type, e.g. `audio/wav`.
        #[serde(rename = "mimeType")]
        mime_type: String,
        /// Who it is for, how much it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotations: Option<Annotations>,
    },
    /// A link to a resource the client may read.
    ResourceLink {
        /// The resource URI.
        uri: String,
        /// The resource name.
        name: String,
        /// An optional description.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// The MIME type, if known.
        #[serde(rename = "mimeType", default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// Who it is for, how much it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotations: Option<Annotations>,
    },
    /// A resource embedded in the content.
    Resource {
        /// The contents.
        resource: ResourceContents,
        /// Who it is for, how much it matters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        annotations: Option<Annotations>,
    },
}

impl Content {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Content::Text {
            text: text.into(),
            annotations: None,
        }
    }

    /// An image block from base64 data.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// let c = Content::image("iVBORw0KGgo=", "image/png");
    /// assert_eq!(serde_json::to_value(&c).unwrap()["mimeType"], "image/png");
    /// ```
    pub fn image(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Content::Image {
            data: data_base64.into(),
            mime_type: mime_type.into(),
            annotations: None,
        }
    }

    /// An image block from raw bytes (encoded to base64 here).
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// let c = Content::image_bytes(b"\x89PNG", "image/png");
    /// assert_eq!(c, Content::image("iVBORw==", "image/png"));
    /// ```
    pub fn image_bytes(bytes: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        Self::image(base64::encode(bytes.as_ref()), mime_type)
    }

    /// A PNG image block from raw bytes.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// assert_eq!(Content::image_png(b"\x89PNG"), Content::image("iVBORw==", "image/png"));
    /// ```
    pub fn image_png(bytes: impl AsRef<[u8]>) -> Self {
        Self::image_bytes(bytes, "image/png")
    }

    /// An audio block from base64 data.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// let c = Content::audio("UklGRg==", "audio/wav");
    /// assert_eq!(serde_json::to_value(&c).unwrap()["type"], "audio");
    /// ```
    pub fn audio(data_base64: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Content::Audio {
            data: data_base64.into(),
            mime_type: mime_type.into(),
            annotations: None,
        }
    }

    /// An audio block from raw bytes (encoded to base64 here).
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// assert_eq!(Content::audio_bytes(b"RIFF", "audio/wav"), Content::audio("UklGRg==", "audio/wav"));
    /// ```
    pub fn audio_bytes(bytes: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        Self::audio(base64::encode(bytes.as_ref()), mime_type)
    }

    /// A link to the resource at `uri`, called `name`.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// let c = Content::resource_link("file:///notes.txt", "notes");
    /// assert_eq!(serde_json::to_value(&c).unwrap()["type"], "resource_link");
    /// ```
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Content::ResourceLink {
            uri: uri.into(),
            name: name.into(),
            description: None,
            mime_type: None,
            annotations: None,
        }
    }

    /// A link to a resource as `resources/list` describes it (URI, name, description and
    /// MIME type).
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// use mcp_runtime::protocol::Resource;
    /// let notes = Resource::new("file:///notes.txt", "notes").with_mime_type("text/plain");
    /// assert_eq!(
    ///     serde_json::to_value(Content::link(&notes)).unwrap(),
    ///     serde_json::json!({
    ///         "type": "resource_link",
    ///         "uri": "file:///notes.txt",
    ///         "name": "notes",
    ///         "mimeType": "text/plain"
    ///     })
    /// );
    /// ```
    pub fn link(resource: &Resource) -> Self {
        Content::ResourceLink {
            uri: resource.uri.clone(),
            name: resource.name.clone(),
            description: resource.description.clone(),
            mime_type: resource.mime_type.clone(),
            annotations: resource.annotations.clone(),
        }
    }

    /// An embedded resource.
    ///
    /// ```
    /// use mcp_runtime::{Content, ResourceContents};
    /// let c = Content::resource(ResourceContents::text("test://a", "text/plain", "hi"));
    /// assert_eq!(serde_json::to_value(&c).unwrap()["resource"]["text"], "hi");
    /// ```
    pub fn resource(resource: ResourceContents) -> Self {
        Content::Resource {
            resource,
            annotations: None,
        }
    }

    /// An embedded text resource.
    ///
    /// ```
    /// use mcp_runtime::{Content, ResourceContents};
    /// assert_eq!(
    ///     Content::embedded_text("test://a", "text/plain", "hi"),
    ///     Content::resource(ResourceContents::text("test://a", "text/plain", "hi"))
    /// );
    /// ```
    pub fn embedded_text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self::resource(ResourceContents::text(uri, mime_type, text))
    }

    /// An embedded binary resource, from raw bytes.
    ///
    /// ```
    /// use mcp_runtime::{Content, ResourceContents};
    /// assert_eq!(
    ///     Content::embedded_bytes("test://a", "application/octet-stream", [0u8, 1]),
    ///     Content::resource(ResourceContents::blob("test://a", "application/octet-stream", "AAE="))
    /// );
    /// ```
    pub fn embedded_bytes(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: impl AsRef<[u8]>,
    ) -> Self {
        Self::resource(ResourceContents::bytes(uri, mime_type, bytes))
    }

    /// The text of a text block.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// assert_eq!(Content::text("hi").as_text(), Some("hi"));
    /// assert_eq!(Content::image_png([0u8]).as_text(), None);
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Content::Text { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Sets the block's annotations.
    ///
    /// ```
    /// use mcp_runtime::Content;
    /// use mcp_runtime::protocol::{Annotations, Role};
    /// let c = Content::text("for you").with_annotations(Annotations::for_audience([Role::User]));
    /// assert_eq!(
    ///     serde_json::to_value(&c).unwrap(),
    ///     serde_json::json!({"type": "text", "text": "for you", "annotations": {"audience": ["user"]}})
    /// );
    /// assert_eq!(c.annotations().map(|a| a.audience.len()), Some(1));
    /// ```
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        *self.annotations_mut() = Some(annotations);
        self
    }

    /// The block's annotations, if any.
    pub fn annotations(&self) -> Option<&Annotations> {
        match self {
            Content::Text { annotations, .. }
            | Content::Image { annotations, .. }
            | Content::Audio { annotations, .. }
            | Content::ResourceLink { annotations, .. }
            | Content::Resource { annotations, .. } => annotations.as_ref(),
        }
    }

    fn annotations_mut(&mut self) -> &mut Option<Annotations> {
        match self {
            Content::Text { annotations, .. }
            | Content::Image { annotations, .. }
            | Content::Audio { annotations, .. }
            | Content::ResourceLink { annotations, .. }
            | Content::Resource { annotations, .. } => annotations,
        }
    }
}

/// The contents of a resource: text or base64 binary.
///
/// ```
/// use mcp_runtime::protocol::ResourceContents;
/// let r = ResourceContents::text("test://a", "text/plain", "hello");
/// assert_eq!(serde_json::to_value(&r).unwrap()["text"], "hello");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ResourceContents {
    /// Text contents.
    Text {
        /// The resource URI.
        uri: String,
        /// The MIME type.
        #[serde(rename = "mimeType", default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The text.
        text: String,
        /// Metadata (`_meta`): an app view's sandbox (MCP Apps), and other keys.
        #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
        meta: Option<ResourceMeta>,
    },
    /// Binary contents, base64-encoded.
    Blob {
        /// The resource URI.
        uri: String,
        /// The MIME type.
        #[serde(rename = "mimeType", default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// Base64 data.
        blob: String,
        /// Metadata (`_meta`): an app view's sandbox (MCP Apps), and other keys.
        #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
        meta: Option<ResourceMeta>,
    },
}

/// The bytes of text and base64 data a result carries: a floor for the length of its JSON,
/// known without serializing it. A large result is written into a buffer of about this size
/// rather than one that doubles as it fills.
pub(crate) trait PayloadLen {
    /// The length of the strings that make up most of the result.
    fn payload_len(&self) -> usize;
}

impl PayloadLen for Content {
    fn payload_len(&self) -> usize {
        match self {
            Content::Text { text, .. } => text.len(),
            Content::Image { data, .. } | Content::Audio { data, .. } => data.len(),
            Content::ResourceLink { .. } => 0,
            Content::Resource { resource, .. } => resource.payload_len(),
        }
    }
}

impl PayloadLen for ResourceContents {
    fn payload_len(&self) -> usize {
        match self {
            ResourceContents::Text { text, .. } => text.len(),
            ResourceContents::Blob { blob, .. } => blob.len(),
        }
    }
}

impl ResourceContents {
    /// Text contents with a MIME type.
    pub fn text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        ResourceContents::Text {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: text.into(),
            meta: None,
        }
    }

    /// Binary contents with a MIME type, from base64 data.
    ///
    /// ```
    /// use mcp_runtime::ResourceContents;
    /// let r = ResourceContents::blob("test://b", "image/png", "iVBORw==");
    /// assert_eq!(serde_json::to_value(&r).unwrap()["blob"], "iVBORw==");
    /// ```
    pub fn blob(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        blob_base64: impl Into<String>,
    ) -> Self {
        ResourceContents::Blob {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            blob: blob_base64.into(),
            meta: None,
        }
    }

    /// Binary contents with a MIME type, from raw bytes (encoded to base64 here).
    ///
    /// ```
    /// use mcp_runtime::ResourceContents;
    /// assert_eq!(
    ///     ResourceContents::bytes("test://b", "image/png", b"\x89PNG"),
    ///     ResourceContents::blob("test://b", "image/png", "iVBORw==")
    /// );
    /// ```
    pub fn bytes(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: impl AsRef<[u8]>,
    ) -> Self {
        Self::blob(uri, mime_type, base64::encode(bytes.as_ref()))
    }

    /// The URI of the resource these contents are of.
    ///
    /// ```
    /// use mcp_runtime::ResourceContents;
    /// assert_eq!(ResourceContents::text("test://a", "text/plain", "").uri(), "test://a");
    /// ```
    pub fn uri(&self) -> &str {
        match self {
            ResourceContents::Text { uri, .. } | ResourceContents::Blob { uri, .. } => uri,
        }
    }

    /// The contents' `_meta`, if any.
    pub fn meta(&self) -> Option<&ResourceMeta> {
        match self {
            ResourceContents::Text { meta, .. } | ResourceContents::Blob { meta, .. } => {
                meta.as_ref()
            }
        }
    }

    /// The contents' `_meta`, to change it.
    pub fn meta_mut(&mut self) -> &mut Option<ResourceMeta> {
        match self {
            ResourceContents::Text { meta, .. } | ResourceContents::Blob { meta, .. } => meta,
        }
    }

    /// The contents' `_meta.ui`, if any: an app view's sandbox (MCP Apps).
    pub fn ui(&self) -> Option<&UiResourceMeta> {
        self.meta()?.ui.as_ref()
    }

    /// The contents with `_meta.ui` set to `ui` (other `_meta` keys are kept): the app view's
    /// sandbox for this read, which hosts prefer to the `resources/list` entry's.
    ///
    /// ```
    /// use mcp_runtime::ResourceContents;
    /// use mcp_runtime::protocol::{APP_MIME_TYPE, UiResourceCsp, UiResourceMeta};
    /// let view = ResourceContents::text("ui://map", APP_MIME_TYPE, "<!doctype html>")
    ///     .with_ui(UiResourceMeta::default()
    ///         .with_csp(UiResourceCsp::default().with_connect_domains(["https://tiles.example.com"])));
    /// let json = serde_json::to_value(&view).unwrap();
    /// assert_eq!(json["_meta"]["ui"]["csp"]["connectDomains"][0], "https://tiles.example.com");
    /// ```
    pub fn with_ui(mut self, ui: UiResourceMeta) -> Self {
        self.meta_mut().get_or_insert_with(ResourceMeta::default).ui = Some(ui);
        self
    }
}
