//! Elicitation: asking the user, through the client, for input (form mode) or for an
//! out-of-band interaction at a URL (url mode).

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Context;
use super::elicitation_schema::elicitation_schema;
use crate::engine::PeerError;
use crate::protocol::{
    ClientCapabilities, ElicitAction, ElicitFormParams, ElicitResult, ElicitUrlParams,
};

/// The user's answer to a typed elicitation: the form's values, or a refusal.
///
/// ```no_run
/// use mcp_runtime::{mcp_server, tool, Context, Elicitation, PeerError};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Confirm {
///     /// Really delete?
///     sure: bool,
/// }
///
/// struct Files;
///
/// #[mcp_server]
/// impl Files {
///     /// Delete everything, after asking.
///     #[tool]
///     async fn wipe(&self, ctx: Context) -> Result<String, PeerError> {
///         Ok(match ctx.elicit::<Confirm>("Delete all files?").await? {
///             Elicitation::Accept(Confirm { sure: true }) => "deleted".into(),
///             Elicitation::Accept(_) | Elicitation::Decline => "kept".into(),
///             Elicitation::Cancel => "cancelled".into(),
///         })
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elicitation<T> {
    /// The user submitted the form.
    Accept(T),
    /// The user explicitly refused.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

impl<T> Elicitation<T> {
    /// The submitted values, if the user accepted.
    ///
    /// ```
    /// use mcp_runtime::Elicitation;
    /// assert_eq!(Elicitation::Accept(3).accepted(), Some(3));
    /// assert_eq!(Elicitation::<u8>::Decline.accepted(), None);
    /// ```
    pub fn accepted(self) -> Option<T> {
        match self {
            Elicitation::Accept(value) => Some(value),
            Elicitation::Decline | Elicitation::Cancel => None,
        }
    }

    /// What the user did.
    ///
    /// ```
    /// use mcp_runtime::{Elicitation, protocol::ElicitAction};
    /// assert_eq!(Elicitation::<()>::Cancel.action(), ElicitAction::Cancel);
    /// ```
    pub fn action(&self) -> ElicitAction {
        match self {
            Elicitation::Accept(_) => ElicitAction::Accept,
            Elicitation::Decline => ElicitAction::Decline,
            Elicitation::Cancel => ElicitAction::Cancel,
        }
    }
}

impl Context {
    /// Asks the user to fill in a form generated from `T`, and parses the answer into `T`.
    ///
    /// The form is [`elicitation_schema::<T>()`](crate::convert::elicitation_schema): a flat object of
    /// strings, numbers, booleans and enums.
    ///
    /// # Errors
    /// [`PeerError::InvalidSchema`] when `T` cannot be a form (checked before anything is
    /// sent); [`PeerError::MissingCapability`] when the client does not support form
    /// elicitation; [`PeerError::Malformed`] when the accepted values do not fit `T`; and
    /// the errors of [`request`](Self::request).
    ///
    /// ```no_run
    /// use mcp_runtime::{mcp_server, tool, Context, PeerError};
    /// use schemars::JsonSchema;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize, JsonSchema)]
    /// #[serde(rename_all = "lowercase")]
    /// enum Size { Small, Large }
    ///
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Order {
    ///     size: Size,
    ///     /// Extra wishes.
    ///     note: Option<String>,
    /// }
    ///
    /// struct Shop;
    ///
    /// #[mcp_server]
    /// impl Shop {
    ///     /// Take an order.
    ///     #[tool]
    ///     async fn order(&self, ctx: Context) -> Result<String, PeerError> {
    ///         let order = ctx.elicit::<Order>("What would you like?").await?;
    ///         Ok(match order.accepted() {
    ///             Some(Order { size: Size::Small, .. }) => "a small one".into(),
    ///             Some(Order { size: Size::Large, .. }) => "a large one".into(),
    ///             None => "nothing".into(),
    ///         })
    ///     }
    /// }
    /// ```
    pub async fn elicit<T: JsonSchema + DeserializeOwned>(
        &self,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, PeerError> {
        let schema = elicitation_schema::<T>()?;
        let answer = self.elicit_with_schema(message, schema).await?;
        match answer.action {
            ElicitAction::Accept => {
                let content = Value::Object(answer.content.unwrap_or_default());
                T::deserialize(content)
                    .map(Elicitation::Accept)
                    .map_err(|e| {
                        PeerError::Malformed(format!(
                            "the accepted values do not fit `{}`: {e}",
                            T::schema_name()
                        ))
                    })
            }
            ElicitAction::Decline => Ok(Elicitation::Decline),
            ElicitAction::Cancel => Ok(Elicitation::Cancel),
        }
    }

    /// Asks the user to fill in a form with exactly this `requestedSchema`, and returns the
    /// raw answer. The schema is sent as given: keep it to the spec's flat primitives.
    ///
    /// # Errors
    /// [`PeerError::MissingCapability`] when the client does not support form elicitation;
    /// [`PeerError::Malformed`] when the answer is not an `ElicitResult`; and the errors of
    /// [`request`](Self::request).
    ///
    /// ```no_run
    /// # async fn f(ctx: mcp_runtime::Context) -> Result<(), mcp_runtime::PeerError> {
    /// let schema = serde_json::json!({
    ///     "type": "object",
    ///     "properties": {"name": {"type": "string", "default": "John Doe"}},
    ///     "required": ["name"]
    /// });
    /// let answer = ctx
    ///     .elicit_with_schema("Your name?", schema.as_object().cloned().unwrap_or_default())
    ///     .await?;
    /// println!("{:?} {:?}", answer.action, answer.content);
    /// # Ok(()) }
    /// ```
    pub async fn elicit_with_schema(
        &self,
        message: impl Into<String>,
        requested_schema: Map<String, Value>,
    ) -> Result<ElicitResult, PeerError> {
        if !supports_form(self.client_capabilities()) {
            return Err(self.missing_capability("elicitation.form").await);
        }
        let params = ElicitFormParams::new(message, requested_schema);
        let answer = self
            .request("elicitation/create", to_params(&params))
            .await?;
        parse_answer(answer)
    }

    /// Asks the user to visit `url` for an interaction the client must not see (a sign-in,
    /// a payment), and returns whether they agreed to go. The outcome itself reaches the
    /// server out of band.
    ///
    /// # Errors
    /// [`PeerError::MissingCapability`] when the client did not declare `elicitation.url`;
    /// [`PeerError::Malformed`] when the answer is not an `ElicitResult`; and the errors of
    /// [`request`](Self::request).
    ///
    /// ```no_run
    /// # async fn f(ctx: mcp_runtime::Context) -> Result<(), mcp_runtime::PeerError> {
    /// use mcp_runtime::protocol::ElicitAction;
    /// let action = ctx
    ///     .elicit_url("Sign in to continue", "https://example.com/login?s=1", "login-1")
    ///     .await?;
    /// if action == ElicitAction::Accept {
    ///     // wait for the sign-in to complete on the server's side
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn elicit_url(
        &self,
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Result<ElicitAction, PeerError> {
        if !supports_mode(self.client_capabilities(), "url") {
            return Err(self.missing_capability("elicitation.url").await);
        }
        let params = ElicitUrlParams::new(message, url, elicitation_id);
        let answer = self
            .request("elicitation/create", to_params(&params))
            .await?;
        parse_answer(answer).map(|answer| answer.action)
    }
}

fn parse_answer(answer: Value) -> Result<ElicitResult, PeerError> {
    serde_json::from_value(answer)
        .map_err(|e| PeerError::Malformed(format!("elicitation/create: {e}")))
}

/// Params as JSON; serializing them cannot fail (every map key is a string).
pub(super) fn to_params(params: &impl serde::Serialize) -> Value {
    serde_json::to_value(params).unwrap_or(Value::Null)
}

/// Whether the client declared the elicitation `mode` (`form` or `url`).
fn supports_mode(capabilities: &ClientCapabilities, mode: &str) -> bool {
    capabilities
        .0
        .get("elicitation")
        .and_then(|e| e.get(mode))
        .is_some_and(|m| !m.is_null())
}

/// Form mode: declared as `elicitation.form`, or implied by an `elicitation` capability that
/// names no mode (the spec's rule for clients from before modes existed).
fn supports_form(capabilities: &ClientCapabilities) -> bool {
    capabilities.supports("elicitation")
        && (supports_mode(capabilities, "form") || !supports_mode(capabilities, "url"))
}

#[cfg(test)]
mod tests {
    use schemars::JsonSchema;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::protocol::Implementation;

    #[derive(Debug, Deserialize, JsonSchema)]
    struct Name {
        #[allow(dead_code)]
        name: String,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    struct Nested {
        #[allow(dead_code)]
        inner: Name,
    }

    fn capabilities(caps: Value) -> ClientCapabilities {
        serde_json::from_value(caps).unwrap()
    }

    /// A context whose client declared `caps` but that has no channel to it.
    fn unreachable_client(caps: Value) -> Context {
        let ctx = Context::detached();
        let client = Implementation::new("c", "1");
        assert!(ctx.inner.peer.initialize(
            crate::protocol::Version::V2025_11_25,
            client,
            capabilities(caps)
        ));
        ctx
    }

    #[test]
    fn form_mode_follows_the_backwards_compatibility_rule() {
        assert!(supports_form(&capabilities(json!({"elicitation": {}}))));
        assert!(supports_form(&capabilities(
            json!({"elicitation": {"form": {}}})
        )));
        assert!(supports_form(&capabilities(
            json!({"elicitation": {"form": {}, "url": {}}})
        )));
        assert!(!supports_form(&capabilities(
            json!({"elicitation": {"url": {}}})
        )));
        assert!(!supports_form(&capabilities(json!({"sampling": {}}))));
        assert!(!supports_form(&capabilities(json!({"elicitation": null}))));
    }

    #[test]
    fn url_mode_needs_its_own_declaration() {
        assert!(supports_mode(
            &capabilities(json!({"elicitation": {"url": {}}})),
            "url"
        ));
        assert!(!supports_mode(
            &capabilities(json!({"elicitation": {}})),
            "url"
        ));
        assert!(!supports_mode(
            &capabilities(json!({"elicitation": {"form": {}}})),
            "url"
        ));
    }

    #[tokio::test]
    async fn a_detached_context_lacks_the_capability() {
        let ctx = Context::detached();
        assert_eq!(
            ctx.elicit::<Name>("?").await.unwrap_err(),
            PeerError::MissingCapability("elicitation.form")
        );
        assert_eq!(
            ctx.elicit_url("?", "https://example.com", "e")
                .await
                .unwrap_err(),
            PeerError::MissingCapability("elicitation.url")
        );
    }

    #[tokio::test]
    async fn a_url_only_client_is_not_sent_forms() {
        let ctx = unreachable_client(json!({"elicitation": {"url": {}}}));
        assert_eq!(
            ctx.elicit_with_schema("?", Map::new()).await.unwrap_err(),
            PeerError::MissingCapability("elicitation.form")
        );
        assert_eq!(
            ctx.elicit_url("?", "https://example.com", "e")
                .await
                .unwrap_err(),
            PeerError::NoChannel
        );
    }

    #[tokio::test]
    async fn a_capable_client_without_a_channel_is_no_channel() {
        let ctx = unreachable_client(json!({"elicitation": {}}));
        assert_eq!(
            ctx.elicit::<Name>("?").await.unwrap_err(),
            PeerError::NoChannel
        );
    }

    #[tokio::test]
    async fn a_type_that_cannot_be_a_form_fails_before_anything_is_sent() {
        let err = Context::detached().elicit::<Nested>("?").await.unwrap_err();
        let PeerError::InvalidSchema(why) = err else {
            panic!("expected InvalidSchema, got {err:?}");
        };
        assert!(
            why.contains("`inner`") && why.contains("nested object"),
            "{why}"
        );
    }

    #[test]
    fn answers_of_the_wrong_shape_are_malformed() {
        let err = parse_answer(json!({"action": "maybe"})).unwrap_err();
        assert!(
            matches!(&err, PeerError::Malformed(m) if m.contains("maybe")),
            "{err}"
        );
        let ok = parse_answer(json!({"action": "cancel"})).unwrap();
        assert_eq!(ok.action, ElicitAction::Cancel);
    }

    #[test]
    fn elicitation_reports_its_action() {
        assert_eq!(Elicitation::Accept(1).action(), ElicitAction::Accept);
        assert_eq!(Elicitation::<u8>::Decline.action(), ElicitAction::Decline);
    }
}
