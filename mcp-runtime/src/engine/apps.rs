//! MCP Apps (`io.modelcontextprotocol/ui`) in the engine: the check, when a server starts,
//! that each tool's view is a resource the server serves, and whether the server uses the
//! extension (and so declares it).

use super::MCPServer;
use super::context::Context;
use crate::protocol::{APP_MIME_TYPE, Resource, ResourceTemplate, Tool, is_ui_uri};

/// Why a server cannot be served: a mistake in what it declares, found when it starts
/// ([`StreamableHttp::try_new`](crate::StreamableHttp::try_new), [`serve`](crate::serve),
/// [`serve_stdio`](crate::serve_stdio)...). `#[mcp_server]` servers find these at compile time;
/// servers that implement [`MCPServer`] by hand find them here.
///
/// ```
/// use mcp_runtime::protocol::{Tool, UiToolMeta};
/// use mcp_runtime::{BoxFuture, CallToolResult, Context, HttpConfig, InvalidServer, MCPServer, Mode,
///     StreamableHttp, ToolArguments};
///
/// struct Clock;
///
/// impl MCPServer for Clock {
///     fn server_info(&self) -> mcp_runtime::protocol::Implementation {
///         mcp_runtime::protocol::Implementation::new("clock", "1.0.0")
///     }
///     fn tools(&self) -> Vec<Tool> {
///         // Links a view, but the server has no `ui://clock` resource.
///         vec![Tool::new("show_clock", Default::default()).with_ui(UiToolMeta::new("ui://clock"))]
///     }
///     fn call_tool<'a>(&'a self, _: &str, _: ToolArguments, _: Context)
///         -> Option<BoxFuture<'a, CallToolResult>> {
///         None
///     }
/// }
///
/// let error = StreamableHttp::try_new(Clock, HttpConfig::new(Mode::Stateless)).unwrap_err();
/// assert!(matches!(&error, InvalidServer::MissingApp { tool, uri } if tool == "show_clock" && uri == "ui://clock"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidServer {
    /// A tool links a view (`_meta.ui.resourceUri`) that is not a `ui://` URI.
    #[error(
        "tool `{tool}` links `{uri}` as its app, but an app is a `ui://` resource \
         (`_meta.ui.resourceUri`)"
    )]
    NotAUiUri {
        /// The tool's name.
        tool: String,
        /// The URI it links.
        uri: String,
    },
    /// A tool links a view the server does not serve: not in `resources/list`, and
    /// `read_resource` matches no resource or template at that URI.
    #[error(
        "tool `{tool}` links the app `{uri}`, but the server serves no resource at that URI: \
         list it in `resources()` (MIME type `{APP_MIME_TYPE}`) and read it in \
         `read_resource`, or fix the tool's `_meta.ui.resourceUri`"
    )]
    MissingApp {
        /// The tool's name.
        tool: String,
        /// The URI it links.
        uri: String,
    },
    /// A tool links a view that `resources/list` shows with a MIME type other than
    /// `text/html;profile=mcp-app`.
    #[error(
        "tool `{tool}` links the app `{uri}`, but `resources/list` gives it the MIME type \
         `{mime_type}`: an app is served as `{APP_MIME_TYPE}`"
    )]
    NotAnApp {
        /// The tool's name.
        tool: String,
        /// The URI it links.
        uri: String,
        /// The MIME type the resource is listed with.
        mime_type: String,
    },
}

impl From<InvalidServer> for std::io::Error {
    /// An [`InvalidInput`](std::io::ErrorKind::InvalidInput) error holding the
    /// [`InvalidServer`] (`error.get_ref()` and `downcast_ref` find it).
    fn from(error: InvalidServer) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, error)
    }
}

/// Checks that every view a tool links is a `ui://` resource the server serves. A view may
/// be left out of `resources/list` (the spec allows it) when `read_resource` serves it.
pub(crate) fn check(
    server: &dyn MCPServer,
    tools: &[Tool],
    resources: &[Resource],
) -> Result<(), InvalidServer> {
    for tool in tools {
        let Some(uri) = tool.ui().and_then(|ui| ui.resource_uri.as_deref()) else {
            continue;
        };
        let (tool, uri_owned) = (tool.name.clone(), uri.to_owned());
        if !is_ui_uri(uri) {
            return Err(InvalidServer::NotAUiUri {
                tool,
                uri: uri_owned,
            });
        }
        match resources.iter().find(|r| r.uri == uri) {
            Some(Resource {
                mime_type: Some(mime_type),
                ..
            }) if mime_type != APP_MIME_TYPE => {
                return Err(InvalidServer::NotAnApp {
                    tool,
                    uri: uri_owned,
                    mime_type: mime_type.clone(),
                });
            }
            Some(_) => {}
            // The future is dropped unpolled: only whether a resource matches counts.
            None if server.read_resource(uri, Context::detached()).is_some() => {}
            None => {
                return Err(InvalidServer::MissingApp {
                    tool,
                    uri: uri_owned,
                });
            }
        }
    }
    Ok(())
}

/// Whether the server uses MCP Apps: a tool has `_meta.ui`, or a resource or template is an
/// app view (its MIME type, or `_meta.ui`). Only then is the extension declared.
pub(crate) fn uses_apps(
    tools: &[Tool],
    resources: &[Resource],
    templates: &[ResourceTemplate],
) -> bool {
    let app_mime = |mime: &Option<String>| mime.as_deref() == Some(APP_MIME_TYPE);
    tools.iter().any(|t| t.ui().is_some())
        || resources
            .iter()
            .any(|r| app_mime(&r.mime_type) || r.ui().is_some())
        || templates.iter().any(|t| app_mime(&t.mime_type))
}
