//! The 2026-07-28 request envelope: the `_meta` every request carries instead of a handshake.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::lifecycle::{ClientCapabilities, Implementation};
use super::meta::RequestMeta;
use super::{CallToolParams, ToolArguments};

/// `_meta` key of the request's protocol version (required).
pub const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of the client's capabilities for this request (required).
pub const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key of the client's name and version (optional).
pub const CLIENT_INFO_KEY: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key of the log level the client wants for this request (optional; no logs without).
pub const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";
/// Result `_meta` key naming the server.
pub const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
/// Notification and result `_meta` key naming the `subscriptions/listen` stream.
pub const SUBSCRIPTION_ID_KEY: &str = "io.modelcontextprotocol/subscriptionId";

/// What a 2026-07-28 request says about its client, read from `params._meta`.
///
/// ```
/// use mcp_runtime::protocol::RequestEnvelope;
/// let params = serde_json::value::RawValue::from_string(r#"{"_meta":{
///     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
///     "io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}}"#.into()).unwrap();
/// let envelope = RequestEnvelope::parse(Some(&params)).unwrap();
/// assert_eq!(envelope.protocol_version, "2026-07-28");
/// assert!(envelope.client_capabilities.supports("elicitation"));
/// assert!(RequestEnvelope::parse(None).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEnvelope {
    /// The revision the request speaks.
    pub protocol_version: String,
    /// What the client supports for this request.
    pub client_capabilities: ClientCapabilities,
    /// Who the client says it is (display only; absent or malformed reads as `None`).
    pub client_info: Option<Implementation>,
    /// The log level the client asked for, as sent (`None`: the client wants no logs).
    pub log_level: Option<String>,
}

/// Why a request's `_meta` envelope is unusable (-32602).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// No `params._meta` object.
    #[error(
        "params._meta must be an object carrying the required {PROTOCOL_VERSION_KEY:?} and {CLIENT_CAPABILITIES_KEY:?} keys"
    )]
    MissingMeta,
    /// `_meta` lacks required keys.
    #[error("params._meta is missing the required key(s): {0}")]
    MissingKeys(String),
    /// A key has the wrong JSON type.
    #[error("params._meta {0:?} must be {1}")]
    WrongType(&'static str, &'static str),
}

/// `T` read from a JSON object only. A derived struct also accepts an array, filling its
/// fields in order: params or a `_meta` sent as an array must not read as an object.
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(Object(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

/// The request's params as far as the envelope goes: `_meta` read, the rest skipped.
#[derive(Deserialize)]
struct Params<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: MetaSlot<'a>,
}

/// The envelope's keys in `_meta`, and the progress token, each left unread until it is
/// needed.
#[derive(Default)]
struct Meta<'a> {
    protocol_version: Option<&'a RawValue>,
    client_capabilities: Option<&'a RawValue>,
    client_info: Option<&'a RawValue>,
    log_level: Option<&'a RawValue>,
    /// `progressToken`, which the envelope does not hold: a tool call reads it.
    progress_token: Option<&'a RawValue>,
    /// `progressToken` appeared more than once (the tool call's own reading refuses that).
    progress_token_repeated: bool,
}

impl<'a> Meta<'a> {
    /// `_meta` as a tool call's params read it: `None` when its `progressToken` appears twice
    /// or is not JSON the token can be built from.
    fn request_meta(&self) -> Option<RequestMeta> {
        if self.progress_token_repeated {
            return None;
        }
        let progress_token = match self.progress_token {
            None => None,
            Some(raw) => serde_json::from_str::<Option<Value>>(raw.get()).ok()?,
        };
        Some(RequestMeta { progress_token })
    }

    /// `_meta` of raw params: `None` unless the params are an object whose `_meta` is an
    /// object in which no envelope key appears twice.
    fn of(params: &'a RawValue) -> Option<Self> {
        serde_json::from_str::<ObjectOnly<Params<'a>>>(params.get())
            .ok()?
            .0
            .meta
            .into_meta()
    }
}

/// `_meta` as the params' one pass reads it, in place: its envelope keys (each left unread),
/// or the mark that no envelope can be read from it. Other keys are skipped unbuilt.
#[derive(Default)]
enum MetaSlot<'a> {
    /// No `_meta` (or `null`).
    #[default]
    Absent,
    /// Not an object, or an envelope key given twice (which one would count is ambiguous).
    Unreadable,
    /// An object.
    Read(Meta<'a>),
}

impl<'a> MetaSlot<'a> {
    fn into_meta(self) -> Option<Meta<'a>> {
        match self {
            MetaSlot::Read(meta) => Some(meta),
            MetaSlot::Absent | MetaSlot::Unreadable => None,
        }
    }
}

/// A `_meta` key, compared without being kept.
enum MetaKey {
    ProtocolVersion,
    ClientCapabilities,
    ClientInfo,
    LogLevel,
    ProgressToken,
    Other,
}

impl<'de> Deserialize<'de> for MetaKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Key;
        impl serde::de::Visitor<'_> for Key {
            type Value = MetaKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<MetaKey, E> {
                Ok(match key {
                    PROTOCOL_VERSION_KEY => MetaKey::ProtocolVersion,
                    CLIENT_CAPABILITIES_KEY => MetaKey::ClientCapabilities,
                    CLIENT_INFO_KEY => MetaKey::ClientInfo,
                    LOG_LEVEL_KEY => MetaKey::LogLevel,
                    "progressToken" => MetaKey::ProgressToken,
                    _ => MetaKey::Other,
                })
            }
        }
        deserializer.deserialize_str(Key)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for MetaSlot<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Slot;
        impl<'de> Visitor<'de> for Slot {
            type Value = MetaSlot<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetaSlot<'de>, A::Error> {
                let mut meta = Meta::default();
                let mut repeated = false;
                while let Some(key) = map.next_key::<MetaKey>()? {
                    let slot = match key {
                        MetaKey::ProtocolVersion => &mut meta.protocol_version,
                        MetaKey::ClientCapabilities => &mut meta.client_capabilities,
                        MetaKey::ClientInfo => &mut meta.client_info,
                        MetaKey::LogLevel => &mut meta.log_level,
                        // Not an envelope key: given twice, it leaves the envelope readable.
                        MetaKey::ProgressToken => {
                            meta.progress_token_repeated |= meta.progress_token.is_some();
                            meta.progress_token = Some(map.next_value::<&'de RawValue>()?);
                            continue;
                        }
                        MetaKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    repeated |= slot.is_some();
                    *slot = Some(map.next_value::<&'de RawValue>()?);
                }
                Ok(if repeated {
                    MetaSlot::Unreadable
                } else {
                    MetaSlot::Read(meta)
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MetaSlot<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MetaSlot::Unreadable)
            }
            fn visit_unit<E>(self) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Absent)
            }
            fn visit_bool<E>(self, _: bool) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Unreadable)
            }
            fn visit_i64<E>(self, _: i64) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Unreadable)
            }
            fn visit_u64<E>(self, _: u64) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Unreadable)
            }
            fn visit_f64<E>(self, _: f64) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Unreadable)
            }
            fn visit_str<E>(self, _: &str) -> Result<MetaSlot<'de>, E> {
                Ok(MetaSlot::Unreadable)
            }
        }
        deserializer.deserialize_any(Slot)
    }
}

/// A 2026-07-28 request's params as the era reads them around the method, in one pass: the
/// `_meta` envelope, the fields the routing headers mirror, the arguments and the retry fields
/// of a multi round-trip request, each left unread until it is needed. The method's own
/// params are the handler's to read; nothing else is built.
#[derive(Deserialize)]
pub(crate) struct StatelessParams<'a> {
    #[serde(rename = "_meta", borrow, default)]
    meta: MetaSlot<'a>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    uri: Option<&'a RawValue>,
    #[serde(rename = "taskId", borrow, default)]
    task_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
    /// Present even when `null` (which is then refused as answers).
    #[serde(
        rename = "inputResponses",
        borrow,
        default,
        deserialize_with = "present"
    )]
    input_responses: Option<&'a RawValue>,
    #[serde(rename = "requestState", borrow, default, deserialize_with = "present")]
    request_state: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

impl<'a> StatelessParams<'a> {
    /// Reads raw params: an error unless they are an object in which none of these fields
    /// appears twice.
    pub(crate) fn read(params: &'a RawValue) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<ObjectOnly<Self>>(params.get()).map(|p| p.0)
    }

    /// The envelope, as [`RequestEnvelope::parse`] reads it but for the client's info, which
    /// is left unread (`None`): it is display only, and nothing a request's path runs reads it
    /// (building it cost 1.2k instructions per call, callgrind).
    pub(crate) fn envelope(&self) -> Result<RequestEnvelope, EnvelopeError> {
        match &self.meta {
            MetaSlot::Read(meta) => RequestEnvelope::from_meta(meta, ClientInfo::Skip),
            MetaSlot::Absent | MetaSlot::Unreadable => Err(EnvelopeError::MissingMeta),
        }
    }

    /// The field `field` (`name`, `uri` or `taskId`) if it is a string.
    pub(crate) fn string(&self, field: &str) -> Option<std::borrow::Cow<'a, str>> {
        let raw = match field {
            "name" => self.name,
            "uri" => self.uri,
            "taskId" => self.task_id,
            _ => None,
        }?;
        serde_json::from_str(raw.get()).ok()
    }

    /// A tool call's arguments built into a map; `None` unless they are an object.
    pub(crate) fn arguments(&self) -> Option<Map<String, Value>> {
        self.arguments
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// The params of a `tools/call` as [`CallToolParams`] reads them, built from this pass
    /// instead of a second one. `None` unless they have the plain shape (`name` a string,
    /// `arguments` an object, `null` or absent, `_meta` absent, `null` or an object with one
    /// `progressToken` at most): the route then reads them itself, with its own errors.
    pub(crate) fn tool_call(&self) -> Option<CallToolParams> {
        let name = serde_json::from_str::<String>(self.name?.get()).ok()?;
        let arguments = match self.arguments {
            None => ToolArguments::none(),
            Some(raw) => ToolArguments::from_raw(raw.to_owned()).ok()?,
        };
        let meta = match &self.meta {
            MetaSlot::Absent => None,
            MetaSlot::Unreadable => return None,
            MetaSlot::Read(meta) => Some(meta.request_meta()?),
        };
        Some(CallToolParams {
            name,
            arguments,
            meta,
        })
    }

    /// The retry fields of a multi round-trip request.
    pub(crate) fn retry(&self) -> super::InputRetry {
        let value = |raw: Option<&RawValue>| raw.and_then(|r| serde_json::from_str(r.get()).ok());
        super::InputRetry {
            input_responses: value(self.input_responses),
            request_state: value(self.request_state),
        }
    }
}

/// Whether an envelope is read with the client's info.
#[derive(Clone, Copy)]
enum ClientInfo {
    Read,
    Skip,
}

impl RequestEnvelope {
    /// Reads the envelope from a request's raw params.
    ///
    /// Only the envelope's own keys are built into values; the rest of the params (the
    /// arguments of a tool call, say) is skipped, since the handler reads it.
    pub fn parse(params: Option<&RawValue>) -> Result<Self, EnvelopeError> {
        let meta = params
            .and_then(Meta::of)
            .ok_or(EnvelopeError::MissingMeta)?;
        Self::from_meta(&meta, ClientInfo::Read)
    }

    fn from_meta(meta: &Meta<'_>, info: ClientInfo) -> Result<Self, EnvelopeError> {
        let (Some(version), Some(capabilities)) = (meta.protocol_version, meta.client_capabilities)
        else {
            let missing: Vec<&str> = [
                (PROTOCOL_VERSION_KEY, meta.protocol_version.is_none()),
                (CLIENT_CAPABILITIES_KEY, meta.client_capabilities.is_none()),
            ]
            .into_iter()
            .filter_map(|(key, absent)| absent.then_some(key))
            .collect();
            return Err(EnvelopeError::MissingKeys(missing.join(", ")));
        };
        let protocol_version = serde_json::from_str::<String>(version.get())
            .map_err(|_| EnvelopeError::WrongType(PROTOCOL_VERSION_KEY, "a string"))?;
        let capabilities = serde_json::from_str::<Map<String, Value>>(capabilities.get())
            .map_err(|_| EnvelopeError::WrongType(CLIENT_CAPABILITIES_KEY, "an object"))?;
        let client_info = match info {
            ClientInfo::Read => meta
                .client_info
                .and_then(|v| serde_json::from_str(v.get()).ok()),
            ClientInfo::Skip => None,
        };
        let log_level = match meta.log_level {
            None => None,
            Some(raw) => serde_json::from_str::<Option<String>>(raw.get())
                .map_err(|_| EnvelopeError::WrongType(LOG_LEVEL_KEY, "a string"))?,
        };
        Ok(RequestEnvelope {
            protocol_version,
            client_capabilities: ClientCapabilities(capabilities),
            client_info,
            log_level,
        })
    }

    /// Whether `params._meta` names a protocol version: the mark of a 2026-07-28 client.
    ///
    /// ```
    /// use mcp_runtime::protocol::RequestEnvelope;
    /// let modern = serde_json::value::RawValue::from_string(
    ///     r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#.into()).unwrap();
    /// assert!(RequestEnvelope::names_a_version(Some(&modern)));
    /// assert!(!RequestEnvelope::names_a_version(None));
    /// ```
    pub fn names_a_version(params: Option<&RawValue>) -> bool {
        params
            .and_then(Meta::of)
            .is_some_and(|m| m.protocol_version.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<RequestEnvelope, EnvelopeError> {
        let raw = RawValue::from_string(json.to_owned()).unwrap();
        RequestEnvelope::parse(Some(&raw))
    }

    #[test]
    fn required_keys_and_types() {
        assert_eq!(parse("{}"), Err(EnvelopeError::MissingMeta));
        assert_eq!(parse("[1]"), Err(EnvelopeError::MissingMeta));
        assert_eq!(parse(r#"{"_meta":5}"#), Err(EnvelopeError::MissingMeta));
        // Arrays do not fill the envelope's fields in order.
        assert_eq!(
            parse(r#"[{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}]"#),
            Err(EnvelopeError::MissingMeta)
        );
        assert_eq!(
            parse(r#"{"_meta":["2026-07-28",{}]}"#),
            Err(EnvelopeError::MissingMeta)
        );
        assert!(matches!(
            parse(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#),
            Err(EnvelopeError::MissingKeys(k)) if k == CLIENT_CAPABILITIES_KEY
        ));
        assert!(matches!(
            parse(
                r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":7,"io.modelcontextprotocol/clientCapabilities":{}}}"#
            ),
            Err(EnvelopeError::WrongType(PROTOCOL_VERSION_KEY, _))
        ));
        let ok = parse(
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                "io.modelcontextprotocol/clientCapabilities":{},
                "io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},
                "io.modelcontextprotocol/logLevel":"info"}}"#,
        )
        .unwrap();
        assert_eq!(ok.client_info.unwrap().name, "c");
        assert_eq!(ok.log_level.as_deref(), Some("info"));
    }

    #[test]
    fn only_the_envelope_is_read_and_its_types_are_checked() {
        assert_eq!(
            parse(r#"{"_meta":{}}"#),
            Err(EnvelopeError::MissingKeys(format!(
                "{PROTOCOL_VERSION_KEY}, {CLIENT_CAPABILITIES_KEY}"
            )))
        );
        let base = r#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities""#;
        assert!(matches!(
            parse(&format!(r#"{{"_meta":{{{base}:[]}}}}"#)),
            Err(EnvelopeError::WrongType(CLIENT_CAPABILITIES_KEY, _))
        ));
        assert!(matches!(
            parse(&format!(
                r#"{{"_meta":{{{base}:{{}},"io.modelcontextprotocol/logLevel":3}}}}"#
            )),
            Err(EnvelopeError::WrongType(LOG_LEVEL_KEY, _))
        ));
        // A null log level is no log level; a malformed client info reads as none; other
        // keys, in `_meta` and beside it, are skipped whatever they hold.
        let ok = parse(&format!(
            r#"{{"arguments":{{"deep":[1,{{"x":null}}]}},"_meta":{{{base}:{{"sampling":{{}}}},"io.modelcontextprotocol/logLevel":null,"io.modelcontextprotocol/clientInfo":7,"other":{{"a":[true]}}}}}}"#
        ))
        .unwrap();
        assert_eq!(ok.log_level, None);
        assert_eq!(ok.client_info, None);
        assert!(ok.client_capabilities.supports("sampling"));
        // A repeated envelope key makes `_meta` unreadable.
        assert_eq!(
            parse(&format!(
                r#"{{"_meta":{{{base}:{{}},"io.modelcontextprotocol/protocolVersion":"x"}}}}"#
            )),
            Err(EnvelopeError::MissingMeta)
        );
    }

    #[test]
    fn stateless_params_are_read_in_one_pass() {
        let raw = |json: &str| RawValue::from_string(json.to_owned()).unwrap();
        let body = raw(
            r#"{"name":"add","arguments":{"a":1},"inputResponses":null,"extra":[1,2],
                "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                         "io.modelcontextprotocol/clientCapabilities":{}}}"#,
        );
        let params = StatelessParams::read(&body).unwrap();
        assert_eq!(params.string("name").as_deref(), Some("add"));
        assert_eq!(params.string("uri"), None);
        assert_eq!(params.arguments().unwrap()["a"], 1);
        assert_eq!(params.envelope().unwrap().protocol_version, "2026-07-28");
        // A null `inputResponses` is present (and refused later as answers).
        let retry = params.retry();
        assert_eq!(retry.input_responses, Some(Value::Null));
        assert_eq!(retry.request_state, None);
        // Not an object, or a field the checks read given twice: unreadable.
        assert!(StatelessParams::read(&raw("[1]")).is_err());
        assert!(StatelessParams::read(&raw(r#"{"name":"a","name":"b"}"#)).is_err());
        // An escaped name reads unescaped.
        let escaped = raw(r#"{"name":"a\u0064d"}"#);
        assert_eq!(
            StatelessParams::read(&escaped)
                .unwrap()
                .string("name")
                .as_deref(),
            Some("add")
        );
        // A name that is not a string is nothing to compare.
        let numeric = raw(r#"{"name":5}"#);
        assert_eq!(
            StatelessParams::read(&numeric).unwrap().string("name"),
            None
        );
    }

    /// A tool call's params read by the one pass are those the route would read, or none
    /// when the route must read them itself (and answer with its own error).
    #[test]
    fn the_one_pass_reads_a_tool_call_as_the_route_does() {
        let raw = |json: &str| RawValue::from_string(json.to_owned()).unwrap();
        let envelope = r#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}"#;
        for params in [
            // `_meta` absent, null, empty, with a progress token (string, number, null).
            r#"{"name":"add","arguments":{"a":1}}"#.to_owned(),
            r#"{"name":"add","_meta":null}"#.to_owned(),
            r#"{"name":"a\u0064d","arguments":null,"_meta":{}}"#.to_owned(),
            format!(
                r#"{{"name":"add","arguments":{{}},"_meta":{{{envelope},"progressToken":"p1"}}}}"#
            ),
            format!(r#"{{"_meta":{{"progressToken":7,{envelope}}},"name":"add","extra":[1]}}"#),
            format!(r#"{{"name":"add","_meta":{{{envelope},"progressToken":null}}}}"#),
        ] {
            let body = raw(&params);
            let read = StatelessParams::read(&body).unwrap().tool_call();
            let routed: CallToolParams = serde_json::from_str(&params).unwrap();
            let read = read.unwrap_or_else(|| panic!("{params}: not read ahead"));
            assert_eq!(read.name, routed.name, "{params}");
            assert_eq!(
                read.arguments.raw().map(RawValue::get),
                routed.arguments.raw().map(RawValue::get),
                "{params}"
            );
            assert_eq!(
                read.meta.map(|m| m.progress_token),
                routed.meta.map(|m| m.progress_token),
                "{params}"
            );
        }
        // What the route refuses is left to it: no name, a name that is not a string,
        // arguments that are not an object, a repeated progress token, an unreadable `_meta`.
        for params in [
            r#"{"arguments":{}}"#.to_owned(),
            r#"{"name":5}"#.to_owned(),
            r#"{"name":null}"#.to_owned(),
            r#"{"name":"add","arguments":[1]}"#.to_owned(),
            format!(
                r#"{{"name":"add","_meta":{{{envelope},"progressToken":1,"progressToken":2}}}}"#
            ),
            r#"{"name":"add","_meta":[1]}"#.to_owned(),
        ] {
            let body = raw(&params);
            assert!(
                StatelessParams::read(&body).unwrap().tool_call().is_none(),
                "{params}"
            );
        }
        // A repeated progress token leaves the envelope readable, as before.
        let twice = raw(&format!(
            r#"{{"name":"add","_meta":{{{envelope},"progressToken":1,"progressToken":2}}}}"#
        ));
        assert!(StatelessParams::read(&twice).unwrap().envelope().is_ok());
    }

    #[test]
    fn the_one_pass_reads_meta_in_place_as_the_envelope_parser_does() {
        let raw = |json: &str| RawValue::from_string(json.to_owned()).unwrap();
        let base = r#""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}"#;
        // Each `_meta` reads the same through the one pass and through `RequestEnvelope::parse`.
        for meta in [
            format!("{{{base}}}"),
            // An escaped key is the same key.
            r#"{"io.modelcontextprotocol\/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#.to_owned(),
            format!(r#"{{{base},"io.modelcontextprotocol/clientInfo":{{"name":"c","version":"1"}},"x":[{{"y":null}}]}}"#),
            // Not an object, or an envelope key twice: no envelope.
            "null".into(),
            "[1,{}]".into(),
            r#""2026-07-28""#.into(),
            "7".into(),
            "true".into(),
            format!(r#"{{{base},"io.modelcontextprotocol/clientCapabilities":{{}}}}"#),
            // Missing or mistyped keys.
            "{}".into(),
            r#"{"io.modelcontextprotocol/protocolVersion":5,"io.modelcontextprotocol/clientCapabilities":{}}"#.into(),
        ] {
            let params = raw(&format!(r#"{{"name":"add","_meta":{meta}}}"#));
            let one_pass = StatelessParams::read(&params).unwrap().envelope();
            // The one pass leaves the client's info unread.
            let parsed = RequestEnvelope::parse(Some(&params)).map(|envelope| RequestEnvelope {
                client_info: None,
                ..envelope
            });
            assert_eq!(one_pass, parsed, "{meta}");
        }
        let with_info = raw(&format!(
            r#"{{"_meta":{{{base},"io.modelcontextprotocol/clientInfo":{{"name":"c","version":"1"}}}}}}"#
        ));
        assert_eq!(
            RequestEnvelope::parse(Some(&with_info))
                .unwrap()
                .client_info
                .map(|i| i.name),
            Some("c".to_owned())
        );
        assert_eq!(
            StatelessParams::read(&with_info)
                .unwrap()
                .envelope()
                .unwrap()
                .client_info,
            None
        );
        for unreadable in [
            "null".to_owned(),
            "[1,{}]".into(),
            r#""x""#.into(),
            "7".into(),
            format!(r#"{{{base},"io.modelcontextprotocol/clientCapabilities":{{}}}}"#),
        ] {
            let params = raw(&format!(r#"{{"_meta":{unreadable}}}"#));
            assert_eq!(
                StatelessParams::read(&params).unwrap().envelope(),
                Err(EnvelopeError::MissingMeta),
                "{unreadable}"
            );
        }
        let escaped = raw(
            r#"{"_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}"#,
        );
        assert!(StatelessParams::read(&escaped).unwrap().envelope().is_ok());
        let twice = raw(&format!(
            r#"{{"_meta":{{{base}}},"io.modelcontextprotocol/clientCapabilities":{{}}}}"#
        ));
        assert_eq!(
            StatelessParams::read(&twice)
                .unwrap()
                .envelope()
                .map(|e| e.protocol_version),
            Ok("2026-07-28".to_owned()),
            "an envelope key beside `_meta` is not in it"
        );
        // `_meta` itself given twice is refused by the pass.
        assert!(StatelessParams::read(&raw(r#"{"_meta":{},"_meta":{}}"#)).is_err());
    }
}
