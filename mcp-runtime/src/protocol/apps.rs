//! The MCP Apps extension (`io.modelcontextprotocol/ui`, SEP-1865, spec 2026-01-26): a tool
//! links an interactive HTML view, a `ui://` resource served as `text/html;profile=mcp-app`
//! that hosts render in a sandboxed iframe. The link is the tool's `_meta.ui`
//! ([`UiToolMeta`]); the view's sandbox (CSP, permissions, origin, border) is the resource's
//! `_meta.ui` ([`UiResourceMeta`]), on its `resources/list` entry and on its contents.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The extension's identifier, under `capabilities.extensions` on both sides.
pub const UI_EXTENSION: &str = "io.modelcontextprotocol/ui";

/// The MIME type of an app's HTML (the only one the 2026-01-26 spec defines).
pub const APP_MIME_TYPE: &str = "text/html;profile=mcp-app";

/// The scheme of app resources.
pub const UI_SCHEME: &str = "ui://";

/// The flat `_meta` key older hosts read the linked view from; the spec deprecates it for
/// `_meta.ui.resourceUri`, and [`ToolMeta::app`] writes both, as the reference SDK does.
pub const LEGACY_RESOURCE_URI_KEY: &str = "ui/resourceUri";

/// Who may call a tool (`_meta.ui.visibility`; both when left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UiVisibility {
    /// The agent: the host lists the tool to the model.
    Model,
    /// The server's own apps, from their iframe.
    App,
}

/// A tool's `_meta.ui`: the view that renders its results, and who may call it.
///
/// ```
/// use mcp_runtime::protocol::{UiToolMeta, UiVisibility};
/// let ui = UiToolMeta::new("ui://counter/view.html").with_visibility([UiVisibility::App]);
/// assert_eq!(
///     serde_json::to_value(&ui).unwrap(),
///     serde_json::json!({"resourceUri": "ui://counter/view.html", "visibility": ["app"]})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UiToolMeta {
    /// The `ui://` resource the host renders the tool's results with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_uri: Option<String>,
    /// Who may call the tool; `None` is both the model and the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Vec<UiVisibility>>,
}

impl UiToolMeta {
    /// Links the view at `resource_uri`.
    pub fn new(resource_uri: impl Into<String>) -> Self {
        UiToolMeta {
            resource_uri: Some(resource_uri.into()),
            visibility: None,
        }
    }

    /// Sets who may call the tool.
    pub fn with_visibility(mut self, visibility: impl IntoIterator<Item = UiVisibility>) -> Self {
        self.visibility = Some(visibility.into_iter().collect());
        self
    }
}

/// A tool's `_meta`: the MCP Apps keys, typed, and any other key as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolMeta {
    /// `_meta.ui`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<UiToolMeta>,
    /// The deprecated flat `_meta["ui/resourceUri"]` ([`LEGACY_RESOURCE_URI_KEY`]).
    #[serde(
        rename = "ui/resourceUri",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub legacy_resource_uri: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ToolMeta {
    /// `_meta` with `ui`, and the flat `ui/resourceUri` key beside it when `ui` links a view:
    /// hosts that predate the nested form read that one.
    ///
    /// ```
    /// use mcp_runtime::protocol::{ToolMeta, UiToolMeta};
    /// let meta = ToolMeta::app(UiToolMeta::new("ui://clock"));
    /// assert_eq!(
    ///     serde_json::to_value(&meta).unwrap(),
    ///     serde_json::json!({"ui": {"resourceUri": "ui://clock"}, "ui/resourceUri": "ui://clock"})
    /// );
    /// ```
    pub fn app(ui: UiToolMeta) -> Self {
        ToolMeta {
            legacy_resource_uri: ui.resource_uri.clone(),
            ui: Some(ui),
            other: Map::new(),
        }
    }
}

/// The origins a view may reach (`_meta.ui.csp`); each list left empty allows none, and the
/// host's restrictive default applies when the whole policy is left out.
///
/// ```
/// use mcp_runtime::protocol::UiResourceCsp;
/// let csp = UiResourceCsp::default().with_connect_domains(["https://api.example.com"]);
/// assert_eq!(
///     serde_json::to_value(&csp).unwrap(),
///     serde_json::json!({"connectDomains": ["https://api.example.com"]})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UiResourceCsp {
    /// Origins for `fetch`, XHR and WebSockets (`connect-src`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect_domains: Vec<String>,
    /// Origins for scripts, styles, images, fonts and media (`img-src`, `script-src`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_domains: Vec<String>,
    /// Origins for nested iframes (`frame-src`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frame_domains: Vec<String>,
    /// Allowed base URIs of the document (`base-uri`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_uri_domains: Vec<String>,
}

fn strings(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl UiResourceCsp {
    /// Sets [`connect_domains`](Self::connect_domains).
    pub fn with_connect_domains(
        mut self,
        origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.connect_domains = strings(origins);
        self
    }

    /// Sets [`resource_domains`](Self::resource_domains).
    pub fn with_resource_domains(
        mut self,
        origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.resource_domains = strings(origins);
        self
    }

    /// Sets [`frame_domains`](Self::frame_domains).
    pub fn with_frame_domains(
        mut self,
        origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.frame_domains = strings(origins);
        self
    }

    /// Sets [`base_uri_domains`](Self::base_uri_domains).
    pub fn with_base_uri_domains(
        mut self,
        origins: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.base_uri_domains = strings(origins);
        self
    }
}

/// The browser features a view asks for (`_meta.ui.permissions`); each one asked for is an
/// empty object on the wire, and hosts may grant it or not.
///
/// ```
/// use mcp_runtime::protocol::UiResourcePermissions;
/// let asked = UiResourcePermissions::default().with_camera().with_clipboard_write();
/// assert_eq!(
///     serde_json::to_value(asked).unwrap(),
///     serde_json::json!({"camera": {}, "clipboardWrite": {}})
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UiResourcePermissions {
    /// The `camera` permission policy feature.
    pub camera: bool,
    /// `microphone`.
    pub microphone: bool,
    /// `geolocation`.
    pub geolocation: bool,
    /// `clipboard-write`.
    pub clipboard_write: bool,
}

impl UiResourcePermissions {
    const NAMES: [&'static str; 4] = ["camera", "microphone", "geolocation", "clipboardWrite"];

    fn flags(&self) -> [bool; 4] {
        [
            self.camera,
            self.microphone,
            self.geolocation,
            self.clipboard_write,
        ]
    }

    /// Asks for the camera.
    pub fn with_camera(mut self) -> Self {
        self.camera = true;
        self
    }

    /// Asks for the microphone.
    pub fn with_microphone(mut self) -> Self {
        self.microphone = true;
        self
    }

    /// Asks for the location.
    pub fn with_geolocation(mut self) -> Self {
        self.geolocation = true;
        self
    }

    /// Asks to write to the clipboard.
    pub fn with_clipboard_write(mut self) -> Self {
        self.clipboard_write = true;
        self
    }
}

impl Serialize for UiResourcePermissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let asked = self.flags();
        let mut map = serializer.serialize_map(Some(asked.iter().filter(|a| **a).count()))?;
        for (name, _) in Self::NAMES.iter().zip(asked).filter(|(_, a)| *a) {
            map.serialize_entry(name, &Map::new())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for UiResourcePermissions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Permissions;
        impl<'de> Visitor<'de> for Permissions {
            type Value = UiResourcePermissions;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of permissions")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut asked = UiResourcePermissions::default();
                while let Some(key) = map.next_key::<String>()? {
                    // A feature is asked for by being there (as `{}`); `null` is not asking.
                    let value: Value = map.next_value()?;
                    let on = !value.is_null();
                    match key.as_str() {
                        "camera" => asked.camera = on,
                        "microphone" => asked.microphone = on,
                        "geolocation" => asked.geolocation = on,
                        "clipboardWrite" => asked.clipboard_write = on,
                        _ => {}
                    }
                }
                Ok(asked)
            }
        }
        deserializer.deserialize_map(Permissions)
    }
}

/// A view's `_meta.ui`: its sandbox and how the host frames it.
///
/// ```
/// use mcp_runtime::protocol::{UiResourceCsp, UiResourceMeta};
/// let ui = UiResourceMeta::default()
///     .with_csp(UiResourceCsp::default().with_resource_domains(["https://cdn.example.com"]))
///     .with_prefers_border(true);
/// assert_eq!(
///     serde_json::to_value(&ui).unwrap(),
///     serde_json::json!({
///         "csp": {"resourceDomains": ["https://cdn.example.com"]},
///         "prefersBorder": true
///     })
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UiResourceMeta {
    /// The origins the view may reach; the host's restrictive default when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csp: Option<UiResourceCsp>,
    /// The browser features it asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<UiResourcePermissions>,
    /// A dedicated origin for the view's sandbox, in the host's own format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Whether the host draws a border and background around it; the host decides when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefers_border: Option<bool>,
}

impl UiResourceMeta {
    /// Sets [`csp`](Self::csp).
    pub fn with_csp(mut self, csp: UiResourceCsp) -> Self {
        self.csp = Some(csp);
        self
    }

    /// Sets [`permissions`](Self::permissions).
    pub fn with_permissions(mut self, permissions: UiResourcePermissions) -> Self {
        self.permissions = Some(permissions);
        self
    }

    /// Sets [`domain`](Self::domain).
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets [`prefers_border`](Self::prefers_border).
    pub fn with_prefers_border(mut self, prefers_border: bool) -> Self {
        self.prefers_border = Some(prefers_border);
        self
    }
}

/// The `_meta` of a resource (its `resources/list` entry) or of its contents: the MCP Apps
/// keys, typed, and any other key as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceMeta {
    /// `_meta.ui`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<UiResourceMeta>,
    /// Every other key.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ResourceMeta {
    /// `_meta` with `ui` only.
    pub fn app(ui: UiResourceMeta) -> Self {
        ResourceMeta {
            ui: Some(ui),
            other: Map::new(),
        }
    }
}

/// Whether `uri` is an app resource's (`ui://...`).
///
/// ```
/// assert!(mcp_runtime::protocol::is_ui_uri("ui://clock/view.html"));
/// assert!(!mcp_runtime::protocol::is_ui_uri("https://example.com/view.html"));
/// ```
pub fn is_ui_uri(uri: &str) -> bool {
    uri.strip_prefix(UI_SCHEME)
        .is_some_and(|rest| !rest.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_meta_keeps_other_keys_and_reads_both_forms() {
        let meta: ToolMeta = serde_json::from_value(json!({
            "ui": {"resourceUri": "ui://a", "visibility": ["model", "app"]},
            "ui/resourceUri": "ui://a",
            "vendor/x": 1
        }))
        .unwrap();
        assert_eq!(
            meta.ui.as_ref().unwrap().visibility.as_deref(),
            Some(&[UiVisibility::Model, UiVisibility::App][..])
        );
        assert_eq!(meta.legacy_resource_uri.as_deref(), Some("ui://a"));
        assert_eq!(meta.other["vendor/x"], 1);
        let back = serde_json::to_value(&meta).unwrap();
        assert_eq!(back["vendor/x"], 1);
        assert_eq!(back["ui"]["visibility"], json!(["model", "app"]));
    }

    #[test]
    fn permissions_round_trip() {
        let all = UiResourcePermissions::default()
            .with_camera()
            .with_microphone()
            .with_geolocation()
            .with_clipboard_write();
        let json = serde_json::to_value(all).unwrap();
        assert_eq!(
            json,
            json!({"camera": {}, "microphone": {}, "geolocation": {}, "clipboardWrite": {}})
        );
        assert_eq!(
            serde_json::from_value::<UiResourcePermissions>(json).unwrap(),
            all
        );
        let none: UiResourcePermissions =
            serde_json::from_value(json!({"camera": null, "usb": {}})).unwrap();
        assert_eq!(none, UiResourcePermissions::default());
        assert_eq!(serde_json::to_value(none).unwrap(), json!({}));
    }

    #[test]
    fn resource_meta_round_trips() {
        let ui = UiResourceMeta::default()
            .with_csp(
                UiResourceCsp::default()
                    .with_connect_domains(["https://api.example.com"])
                    .with_frame_domains(["https://www.youtube.com"])
                    .with_base_uri_domains(["https://cdn.example.com"]),
            )
            .with_permissions(UiResourcePermissions::default().with_geolocation())
            .with_domain("abc.example.com")
            .with_prefers_border(false);
        let json = serde_json::to_value(ResourceMeta::app(ui.clone())).unwrap();
        assert_eq!(
            json,
            json!({"ui": {
                "csp": {
                    "connectDomains": ["https://api.example.com"],
                    "frameDomains": ["https://www.youtube.com"],
                    "baseUriDomains": ["https://cdn.example.com"]
                },
                "permissions": {"geolocation": {}},
                "domain": "abc.example.com",
                "prefersBorder": false
            }})
        );
        let back: ResourceMeta = serde_json::from_value(json).unwrap();
        assert_eq!(back.ui, Some(ui));
    }

    #[test]
    fn ui_uris() {
        assert!(is_ui_uri("ui://x"));
        assert!(!is_ui_uri("ui://"));
        assert!(!is_ui_uri("UI://x"));
        assert!(!is_ui_uri("test://x"));
    }
}
