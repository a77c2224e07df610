//! [`ResourceDef`]: a resource or resource template added while the server runs.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::engine::BoxFuture;
use crate::engine::context::Context;
use crate::handler::error::McpError;
use crate::handler::resource::{FromArgument, IntoReadResourceResult};
use crate::handler::uri_template::match_uri_template;
use crate::protocol::{Annotations, Icon, ReadResourceResult, Resource, ResourceTemplate};

/// A read with its result's conversion erased: the URI read (and its template's values), the
/// resource's MIME type.
type ReadFn = dyn Fn(
        UriVariables,
        Option<String>,
        Context,
    ) -> BoxFuture<'static, Result<ReadResourceResult, McpError>>
    + Send
    + Sync;

/// A resource (a fixed URI) or a resource template (a URI with `{name}`s) added while the server
/// runs, with [`ServerHandle::add_resource`](crate::ServerHandle::add_resource).
///
/// The handler returns what a `#[resource]` may return
/// ([`IntoReadResourceResult`](crate::convert::IntoReadResourceResult)): text and bytes carry
/// the URI read and the [`mime_type`](Self::mime_type). A template's handler gets the
/// [`UriVariables`] of the URI read. `resources/read` tries fixed URIs first (those added at
/// run time, then the server's own), then the server's templates, then those added at run
/// time, in the order they were added.
///
/// ```
/// use mcp_runtime::{Context, McpError, ResourceDef, UriVariables};
///
/// let readme = ResourceDef::new("docs://readme", "readme", |_ctx: Context| async { "Read me." })
///     .mime_type("text/markdown")
///     .description("The project's README.");
///
/// let page = ResourceDef::template("docs://pages/{n}", "page", |vars: UriVariables, _ctx: Context| async move {
///     let n: u32 = vars.parse("n")?; // not a number: "resource not found"
///     Ok::<_, McpError>(format!("Page {n}."))
/// });
/// assert_eq!(page.uri(), "docs://pages/{n}");
/// # drop(readme);
/// ```
#[derive(Clone)]
pub struct ResourceDef {
    pub(super) kind: Kind,
    read: Arc<ReadFn>,
}

/// What a [`ResourceDef`] describes.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    Fixed(Box<Resource>),
    Template(ResourceTemplate),
}

impl fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDef")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl ResourceDef {
    /// The resource at `uri`, listed by `resources/list` as `name`.
    pub fn new<F, Fut>(uri: impl Into<String>, name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoReadResourceResult,
    {
        let read = move |vars: UriVariables,
                         mime: Option<String>,
                         ctx: Context|
              -> BoxFuture<'static, _> {
            let reading = handler(ctx);
            Box::pin(async move { reading.await.into_read_result(&vars.uri, mime.as_deref()) })
        };
        ResourceDef {
            kind: Kind::Fixed(Box::new(Resource::new(uri, name))),
            read: Arc::new(read),
        }
    }

    /// The resources whose URIs match `uri_template` (RFC 6570 `{name}` and `{+name}`, as in
    /// `#[resource]`), listed by `resources/templates/list` as `name`.
    pub fn template<F, Fut>(
        uri_template: impl Into<String>,
        name: impl Into<String>,
        handler: F,
    ) -> Self
    where
        F: Fn(UriVariables, Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoReadResourceResult,
    {
        let read = move |vars: UriVariables,
                         mime: Option<String>,
                         ctx: Context|
              -> BoxFuture<'static, _> {
            let uri = vars.uri.clone();
            let reading = handler(vars, ctx);
            Box::pin(async move { reading.await.into_read_result(&uri, mime.as_deref()) })
        };
        ResourceDef {
            kind: Kind::Template(ResourceTemplate::new(uri_template, name)),
            read: Arc::new(read),
        }
    }

    /// Its URI, or its URI template: what [`ServerHandle::remove_resource`] takes.
    ///
    /// [`ServerHandle::remove_resource`]: crate::ServerHandle::remove_resource
    pub fn uri(&self) -> &str {
        match &self.kind {
            Kind::Fixed(r) => &r.uri,
            Kind::Template(t) => &t.uri_template,
        }
    }

    /// A display name.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        let title = Some(title.into());
        match &mut self.kind {
            Kind::Fixed(r) => r.title = title,
            Kind::Template(t) => t.title = title,
        }
        self
    }

    /// What it holds, for the model.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        let description = Some(description.into());
        match &mut self.kind {
            Kind::Fixed(r) => r.description = description,
            Kind::Template(t) => t.description = description,
        }
        self
    }

    /// Its MIME type, listed and given to the text or bytes the handler returns.
    pub fn mime_type(mut self, mime_type: impl Into<String>) -> Self {
        let mime_type = Some(mime_type.into());
        match &mut self.kind {
            Kind::Fixed(r) => r.mime_type = mime_type,
            Kind::Template(t) => t.mime_type = mime_type,
        }
        self
    }

    /// Its audience and priority.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        match &mut self.kind {
            Kind::Fixed(r) => r.annotations = Some(annotations),
            Kind::Template(t) => t.annotations = Some(annotations),
        }
        self
    }

    /// An icon clients may show (repeat for more sizes or themes).
    pub fn icon(mut self, icon: Icon) -> Self {
        match &mut self.kind {
            Kind::Fixed(r) => r.icons.push(icon),
            Kind::Template(t) => t.icons.push(icon),
        }
        self
    }

    /// The fixed resource it describes, if it is one.
    pub(super) fn resource(&self) -> Option<&Resource> {
        match &self.kind {
            Kind::Fixed(r) => Some(&**r),
            Kind::Template(_) => None,
        }
    }

    /// The template it describes, if it is one.
    pub(super) fn resource_template(&self) -> Option<&ResourceTemplate> {
        match &self.kind {
            Kind::Fixed(_) => None,
            Kind::Template(t) => Some(t),
        }
    }

    fn mime(&self) -> Option<String> {
        match &self.kind {
            Kind::Fixed(r) => r.mime_type.clone(),
            Kind::Template(t) => t.mime_type.clone(),
        }
    }

    /// Reads the fixed resource.
    pub(crate) fn read(
        &self,
        uri: &str,
        ctx: Context,
    ) -> BoxFuture<'static, Result<ReadResourceResult, McpError>> {
        let vars = UriVariables {
            uri: uri.to_owned(),
            values: Vec::new(),
        };
        (self.read)(vars, self.mime(), ctx)
    }

    /// Reads `uri` when it matches the template (`None` otherwise).
    pub(crate) fn read_matching(
        &self,
        uri: &str,
        ctx: Context,
    ) -> Option<BoxFuture<'static, Result<ReadResourceResult, McpError>>> {
        let values = match_uri_template(self.uri(), uri)?
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        let vars = UriVariables {
            uri: uri.to_owned(),
            values,
        };
        Some((self.read)(vars, self.mime(), ctx))
    }

    /// Whether `uri` is this resource, or matches this template.
    pub(super) fn serves(&self, uri: &str) -> bool {
        match &self.kind {
            Kind::Fixed(r) => r.uri == uri,
            Kind::Template(t) => match_uri_template(&t.uri_template, uri).is_some(),
        }
    }
}

/// The URI a resource template's handler reads, and the value of each of the template's
/// `{name}`s in it (percent-decoded).
///
/// ```
/// use mcp_runtime::{Context, ResourceDef, UriVariables};
///
/// let def = ResourceDef::template("db://{table}/{id}", "row", |vars: UriVariables, _ctx: Context| async move {
///     let table = vars.get("table").unwrap_or_default().to_owned();
///     let id: u64 = vars.parse("id")?;
///     Ok::<_, mcp_runtime::McpError>(format!("{} of {table}", id))
/// });
/// # drop(def);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriVariables {
    uri: String,
    values: Vec<(String, String)>,
}

impl UriVariables {
    /// The URI read.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The value of `{name}`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `{name}` parsed with `FromStr`; when there is none or it does not parse,
    /// "resource not found" (-32002) for the URI, as for a `#[resource]` template whose
    /// parameter does not parse: return it with `?`.
    pub fn parse<T: FromArgument>(&self, name: &str) -> Result<T, McpError> {
        self.get(name)
            .and_then(|text| T::from_argument(text).ok())
            .ok_or_else(|| McpError::resource_not_found(&self.uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_template_reads_its_variables_with_the_uri_and_mime_type() {
        let def = ResourceDef::template("t://{a}/{n}", "t", |vars: UriVariables, _| async move {
            let n: u8 = vars.parse("n")?;
            Ok::<_, McpError>(format!("{}:{n}", vars.get("a").unwrap_or("?")))
        })
        .mime_type("text/plain");
        let read = def
            .read_matching("t://x%20y/7", Context::detached())
            .unwrap();
        let json = serde_json::to_value(read.await.unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"contents": [{"uri": "t://x%20y/7", "mimeType": "text/plain", "text": "x y:7"}]})
        );
        assert!(def.read_matching("t://x", Context::detached()).is_none());
        let unparsable = def
            .read_matching("t://x/seven", Context::detached())
            .unwrap();
        assert_eq!(unparsable.await.unwrap_err().code(), -32002);
    }
}
