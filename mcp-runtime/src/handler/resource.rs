//! What a `#[resource]` method may return ([`IntoReadResourceResult`]), and how URI template
//! parameters are bound to its arguments.

use std::borrow::Cow;
use std::fmt::Display;
use std::str::FromStr;

use crate::handler::error::McpError;
use crate::handler::structured::{Json, StructuredOutput};
use crate::handler::uri_template::match_uri_template;
use crate::protocol::base64;
use crate::protocol::{ReadResourceResult, ResourceContents};

/// Converts what a `#[resource]` method returns into a `resources/read` result.
///
/// - text (`String`, `&str`, `Cow<str>`): one text part with the resource's URI and declared
///   MIME type;
/// - bytes (`Vec<u8>`, `&[u8]`, `Cow<[u8]>`): one base64 `blob` part, likewise;
/// - [`Json<T>`](crate::Json): one text part with `T` as JSON (MIME type `application/json`
///   unless another is declared);
/// - [`ResourceContents`], `Vec<ResourceContents>`, [`ReadResourceResult`]: as they are;
/// - `Result<T, E>` with `E: Into<McpError>` (`McpError`, `String`, `&str`,
///   `std::io::Error`…): `Err` becomes the JSON-RPC error the client gets.
///
/// ```
/// use mcp_runtime::{McpError};
/// use mcp_runtime::convert::{IntoReadResourceResult};
/// let read = "hello".into_read_result("test://greeting", Some("text/plain")).unwrap();
/// assert_eq!(
///     serde_json::to_value(read).unwrap(),
///     serde_json::json!({"contents": [
///         {"uri": "test://greeting", "mimeType": "text/plain", "text": "hello"}
///     ]})
/// );
/// let missing: Result<String, McpError> = Err(McpError::resource_not_found("test://x"));
/// assert_eq!(missing.into_read_result("test://x", None).unwrap_err().code(), -32002);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource",
    label = "not resource contents",
    note = "return text (`String`), bytes (`Vec<u8>`), `Json<T>`, `ResourceContents`, `Vec<ResourceContents>`, `ReadResourceResult`, or `Result<T, E: Into<McpError>>` of one of them"
)]
pub trait IntoReadResourceResult {
    /// Performs the conversion for the resource at `uri` with the declared `mime_type`.
    fn into_read_result(
        self,
        uri: &str,
        mime_type: Option<&str>,
    ) -> Result<ReadResourceResult, McpError>;
}

fn text(uri: &str, mime_type: Option<&str>, text: String) -> ReadResourceResult {
    ReadResourceResult::one(ResourceContents::Text {
        uri: uri.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        text,
        meta: None,
    })
}

fn blob(uri: &str, mime_type: Option<&str>, bytes: &[u8]) -> ReadResourceResult {
    ReadResourceResult::one(ResourceContents::Blob {
        uri: uri.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        blob: base64::encode(bytes),
        meta: None,
    })
}

impl IntoReadResourceResult for String {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(text(uri, mime, self))
    }
}

impl IntoReadResourceResult for &str {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(text(uri, mime, self.to_owned()))
    }
}

impl IntoReadResourceResult for Cow<'_, str> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(text(uri, mime, self.into_owned()))
    }
}

impl IntoReadResourceResult for Vec<u8> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(blob(uri, mime, &self))
    }
}

impl IntoReadResourceResult for &[u8] {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(blob(uri, mime, self))
    }
}

impl IntoReadResourceResult for Cow<'_, [u8]> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        Ok(blob(uri, mime, &self))
    }
}

impl<T: StructuredOutput> IntoReadResourceResult for Json<T> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        let json = serde_json::to_string(&self.0).map_err(McpError::internal)?;
        Ok(text(uri, Some(mime.unwrap_or("application/json")), json))
    }
}

impl IntoReadResourceResult for ResourceContents {
    fn into_read_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, McpError> {
        Ok(ReadResourceResult::one(self))
    }
}

impl IntoReadResourceResult for Vec<ResourceContents> {
    fn into_read_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, McpError> {
        Ok(ReadResourceResult { contents: self })
    }
}

impl IntoReadResourceResult for ReadResourceResult {
    fn into_read_result(self, _: &str, _: Option<&str>) -> Result<ReadResourceResult, McpError> {
        Ok(self)
    }
}

impl<T: IntoReadResourceResult, E: Into<McpError>> IntoReadResourceResult for Result<T, E> {
    fn into_read_result(
        self,
        uri: &str,
        mime: Option<&str>,
    ) -> Result<ReadResourceResult, McpError> {
        self.map_err(Into::into)?.into_read_result(uri, mime)
    }
}

/// A type a prompt argument or a URI template parameter is parsed into, from its text:
/// any `FromStr` type whose error is `Display` (`String`, numbers, `bool`, your own types).
///
/// ```
/// use mcp_runtime::convert::FromArgument;
/// assert_eq!(u32::from_argument("42"), Ok(42));
/// assert!(u32::from_argument("forty-two").is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be parsed from an argument's text",
    label = "not `FromStr`",
    note = "prompt arguments and URI template parameters are strings: use `String`, a number, `bool`, or a type that implements `FromStr` with a `Display` error"
)]
pub trait FromArgument: Sized {
    /// Parses the text; `Err` says why it does not fit.
    fn from_argument(text: &str) -> Result<Self, String>;
}

// Not recommended through: the error names `FromArgument` and its note, not every `FromStr`.
#[diagnostic::do_not_recommend]
impl<T> FromArgument for T
where
    T: FromStr,
    T::Err: Display,
{
    fn from_argument(text: &str) -> Result<Self, String> {
        text.parse().map_err(|e: T::Err| e.to_string())
    }
}

/// A URI that matched a template, with the text of each `{name}`.
///
/// ```
/// use mcp_runtime::__private::TemplateMatch;
/// let m = TemplateMatch::new("db://{table}/{id}", "db://users/42").unwrap();
/// assert_eq!(m.parse::<u32>("id"), Some(42));
/// assert_eq!(m.parse::<u32>("table"), None);
/// ```
#[derive(Debug)]
pub struct TemplateMatch {
    vars: Vec<(&'static str, String)>,
}

impl TemplateMatch {
    /// Matches `uri` against `template`.
    pub fn new(template: &'static str, uri: &str) -> Option<Self> {
        match_uri_template(template, uri).map(|vars| TemplateMatch { vars })
    }

    /// The value of `{name}` parsed as `T`; `None` when it does not parse (so the URI does
    /// not match this template).
    pub fn parse<T: FromArgument>(&self, name: &str) -> Option<T> {
        let (_, text) = self.vars.iter().find(|(n, _)| *n == name)?;
        T::from_argument(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(value: impl IntoReadResourceResult, mime: Option<&str>) -> serde_json::Value {
        match value.into_read_result("test://r", mime) {
            Ok(read) => serde_json::to_value(read).unwrap(),
            Err(e) => json!({"error": e.code(), "message": e.0.message}),
        }
    }

    #[test]
    fn each_kind_of_contents() {
        let text = json!({"contents": [{"uri": "test://r", "text": "hi"}]});
        assert_eq!(read("hi", None), text);
        assert_eq!(read(String::from("hi"), None), text);
        assert_eq!(read(Cow::Borrowed("hi"), None), text);
        let blob =
            json!({"contents": [{"uri": "test://r", "mimeType": "image/png", "blob": "AQI="}]});
        assert_eq!(read(vec![1u8, 2], Some("image/png")), blob);
        assert_eq!(read(&[1u8, 2][..], Some("image/png")), blob);
        assert_eq!(
            read(Json(json!({"a": 1})), None),
            json!({"contents": [{"uri": "test://r", "mimeType": "application/json", "text": r#"{"a":1}"#}]})
        );
        let parts = vec![
            ResourceContents::text("test://r#1", "text/plain", "one"),
            ResourceContents::text("test://r#2", "text/plain", "two"),
        ];
        assert_eq!(
            read(parts.clone(), None)["contents"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            read(parts[0].clone(), None)["contents"][0]["uri"],
            "test://r#1"
        );
        let err: Result<String, String> = Err("gone".into());
        assert_eq!(read(err, None), json!({"error": -32603, "message": "gone"}));
        let err: Result<String, McpError> = Err(McpError::invalid_params("bad id"));
        assert_eq!(read(err, None)["error"], -32602);
    }

    #[test]
    fn template_parameters_parse_or_do_not_match() {
        let m = TemplateMatch::new("test://{a}/{b}", "test://x%20y/7").unwrap();
        assert_eq!(m.parse::<String>("a").as_deref(), Some("x y"));
        assert_eq!(m.parse::<i64>("b"), Some(7));
        assert_eq!(m.parse::<bool>("b"), None);
        assert_eq!(m.parse::<String>("c"), None);
        assert!(TemplateMatch::new("test://{a}/{b}", "test://x").is_none());
    }
}
