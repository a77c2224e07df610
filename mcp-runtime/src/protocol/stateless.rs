//! The fields every complete 2026-07-28 result gains (`resultType`, the caching hints of
//! cacheable methods, the server's identity in `_meta`), written around the result's own
//! fields while it is serialized: no result is parsed back or edited as text.

use serde::ser::{self, Serialize, SerializeMap, SerializeStruct, Serializer};

use super::caching::CacheHint;
use super::envelope::SERVER_INFO_KEY;
use super::lifecycle::Implementation;
use serde_json::value::RawValue;

/// A complete 2026-07-28 result: `result` with `resultType: "complete"`, `ttlMs` and
/// `cacheScope` when `cache` is set, and `serverInfo` in its `_meta` (merged into the result's
/// own `_meta` when it has one; a nested `_meta`, in `structuredContent` or in resource
/// contents, is left alone).
///
/// ```
/// use mcp_runtime::protocol::{CacheHint, Implementation, StatelessResult};
/// use serde_json::json;
///
/// let info = Implementation::new("calc", "1.0.0");
/// let result = json!({"content": [], "_meta": {"trace": 1}, "structuredContent": {"_meta": 2}});
/// let out = serde_json::to_value(StatelessResult::new(&result, &info, Some(CacheHint::NONE))).unwrap();
/// assert_eq!(out["resultType"], "complete");
/// assert_eq!(out["ttlMs"], 0);
/// assert_eq!(out["_meta"]["trace"], 1);
/// assert_eq!(out["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "calc");
/// assert_eq!(out["structuredContent"], json!({"_meta": 2}));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StatelessResult<'a, T: ?Sized> {
    result: &'a T,
    server_info: Info<'a>,
    cache: Option<CacheHint>,
}

impl<'a, T: ?Sized + Serialize> StatelessResult<'a, T> {
    /// `result` as a complete result of `server_info`, with caching hints when `cache` is set.
    pub fn new(result: &'a T, server_info: &'a Implementation, cache: Option<CacheHint>) -> Self {
        StatelessResult {
            result,
            server_info: Info::Typed(server_info),
            cache,
        }
    }

    /// The same, with the server's identity already serialized (the dispatcher does it once,
    /// not for every result).
    pub(crate) fn with_info_json(
        result: &'a T,
        server_info: &'a InfoJson,
        cache: Option<CacheHint>,
    ) -> Self {
        StatelessResult {
            result,
            server_info: Info::Json(server_info),
            cache,
        }
    }
}

/// The server's identity serialized once, as results carry it: alone, and as the `_meta` of
/// a result that has none (most), written whole instead of built as a map for every result
/// (600 instructions per result, callgrind).
#[derive(Debug)]
pub(crate) struct InfoJson {
    info: Box<RawValue>,
    /// `None` if it did not serialize (it always does): results then build it.
    meta: Option<Box<RawValue>>,
}

impl InfoJson {
    /// `info` serialized, alone and as `{"io.modelcontextprotocol/serverInfo": info}`.
    pub(crate) fn new(info: &Implementation) -> Self {
        // An `Implementation` is strings and JSON values: it always serializes.
        let info = serde_json::value::to_raw_value(info).unwrap_or_else(|error| {
            tracing::warn!(%error, "the server's info does not serialize");
            RawValue::NULL.to_owned()
        });
        let meta = serde_json::value::to_raw_value(&InfoOnly(Info::Raw(&info))).ok();
        InfoJson { info, meta }
    }
}

/// The server's identity as a result carries it.
#[derive(Debug, Clone, Copy)]
enum Info<'a> {
    Typed(&'a Implementation),
    /// Serialized ahead, written as it is.
    Raw(&'a RawValue),
    /// Serialized ahead, alone and as a whole `_meta`.
    Json(&'a InfoJson),
}

impl Serialize for Info<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Info::Typed(info) => info.serialize(serializer),
            Info::Raw(json) => json.serialize(serializer),
            Info::Json(json) => json.info.serialize(serializer),
        }
    }
}

impl<T: ?Sized + Serialize> Serialize for StatelessResult<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.result.serialize(Outer {
            inner: serializer,
            fields: Fields {
                server_info: self.server_info,
                cache: self.cache,
            },
        })
    }
}

#[derive(Clone, Copy)]
struct Fields<'a> {
    server_info: Info<'a>,
    cache: Option<CacheHint>,
}

/// `{"io.modelcontextprotocol/serverInfo": ...}`, for a result without `_meta`.
struct InfoOnly<'a>(Info<'a>);

impl Serialize for InfoOnly<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(SERVER_INFO_KEY, &self.0)?;
        map.end()
    }
}

/// Forwards every kind of value but objects unchanged to `$inner`.
macro_rules! forward_non_objects {
    ($inner:ident) => {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = S::SerializeSeq;
        type SerializeTuple = S::SerializeTuple;
        type SerializeTupleStruct = S::SerializeTupleStruct;
        type SerializeTupleVariant = S::SerializeTupleVariant;
        type SerializeStructVariant = S::SerializeStructVariant;

        fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_bool(v)
        }
        fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_i8(v)
        }
        fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_i16(v)
        }
        fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_i32(v)
        }
        fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_i64(v)
        }
        fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_u8(v)
        }
        fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_u16(v)
        }
        fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_u32(v)
        }
        fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_u64(v)
        }
        fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_f32(v)
        }
        fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_f64(v)
        }
        fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_char(v)
        }
        fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_str(v)
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_bytes(v)
        }
        fn serialize_none(self) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_none()
        }
        fn serialize_some<V: ?Sized + Serialize>(self, value: &V) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_unit()
        }
        fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_unit_struct(name)
        }
        fn serialize_unit_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
        ) -> Result<S::Ok, S::Error> {
            self.$inner.serialize_unit_variant(name, index, variant)
        }
        fn serialize_newtype_struct<V: ?Sized + Serialize>(
            self,
            _name: &'static str,
            value: &V,
        ) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<V: ?Sized + Serialize>(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            value: &V,
        ) -> Result<S::Ok, S::Error> {
            self.$inner
                .serialize_newtype_variant(name, index, variant, value)
        }
        fn serialize_seq(self, len: Option<usize>) -> Result<S::SerializeSeq, S::Error> {
            self.$inner.serialize_seq(len)
        }
        fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
            self.$inner.serialize_tuple(len)
        }
        fn serialize_tuple_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<S::SerializeTupleStruct, S::Error> {
            self.$inner.serialize_tuple_struct(name, len)
        }
        fn serialize_tuple_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeTupleVariant, S::Error> {
            self.$inner
                .serialize_tuple_variant(name, index, variant, len)
        }
        fn serialize_struct_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeStructVariant, S::Error> {
            self.$inner
                .serialize_struct_variant(name, index, variant, len)
        }
    };
}

/// The result object itself: the era's fields first, then the result's, with `_meta` merged.
struct Outer<'a, S> {
    inner: S,
    fields: Fields<'a>,
}

impl<'a, S: Serializer> Outer<'a, S> {
    fn open(self) -> Result<TopLevel<'a, S::SerializeMap>, S::Error> {
        let mut map = self.inner.serialize_map(None)?;
        map.serialize_entry("resultType", "complete")?;
        if let Some(hint) = self.fields.cache {
            map.serialize_entry("ttlMs", &hint.ttl_ms)?;
            map.serialize_entry("cacheScope", hint.scope.as_str())?;
        }
        Ok(TopLevel {
            map,
            fields: self.fields,
            meta_written: false,
            next_is_meta: false,
        })
    }
}

impl<'a, S: Serializer> Serializer for Outer<'a, S> {
    type SerializeStruct = TopLevel<'a, S::SerializeMap>;
    type SerializeMap = TopLevel<'a, S::SerializeMap>;

    forward_non_objects!(inner);

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.open()
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.open()
    }
}

/// The result's members as they are written.
struct TopLevel<'a, M> {
    map: M,
    fields: Fields<'a>,
    meta_written: bool,
    /// The key just written was `_meta` (for results serialized as maps).
    next_is_meta: bool,
}

impl<M: SerializeMap> TopLevel<'_, M> {
    fn finish(mut self) -> Result<M::Ok, M::Error> {
        if !self.meta_written {
            match self.fields.server_info {
                Info::Json(InfoJson {
                    meta: Some(meta), ..
                }) => self.map.serialize_entry("_meta", &**meta)?,
                info => self.map.serialize_entry("_meta", &InfoOnly(info))?,
            }
        }
        self.map.end()
    }
}

impl<M: SerializeMap> SerializeStruct for TopLevel<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), M::Error> {
        if key == "_meta" {
            self.meta_written = true;
            let merged = WithInfo {
                meta: value,
                server_info: self.fields.server_info,
            };
            return self.map.serialize_entry(key, &merged);
        }
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.finish()
    }
}

impl<M: SerializeMap> SerializeMap for TopLevel<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<K: ?Sized + Serialize>(&mut self, key: &K) -> Result<(), M::Error> {
        self.next_is_meta = key.serialize(IS_META).unwrap_or(false);
        self.map.serialize_key(key)
    }

    fn serialize_value<V: ?Sized + Serialize>(&mut self, value: &V) -> Result<(), M::Error> {
        if std::mem::take(&mut self.next_is_meta) {
            self.meta_written = true;
            let merged = WithInfo {
                meta: value,
                server_info: self.fields.server_info,
            };
            return self.map.serialize_value(&merged);
        }
        self.map.serialize_value(value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.finish()
    }
}

/// A result's own `_meta`, with the server's identity added unless it names one already.
struct WithInfo<'a, V: ?Sized> {
    meta: &'a V,
    server_info: Info<'a>,
}

impl<V: ?Sized + Serialize> Serialize for WithInfo<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.meta.serialize(MetaObject {
            inner: serializer,
            server_info: self.server_info,
        })
    }
}

struct MetaObject<'a, S> {
    inner: S,
    server_info: Info<'a>,
}

impl<'a, S: Serializer> MetaObject<'a, S> {
    fn open(self) -> Result<MetaMembers<'a, S::SerializeMap>, S::Error> {
        Ok(MetaMembers {
            map: self.inner.serialize_map(None)?,
            server_info: self.server_info,
            has_info: false,
        })
    }
}

impl<'a, S: Serializer> Serializer for MetaObject<'a, S> {
    type SerializeStruct = MetaMembers<'a, S::SerializeMap>;
    type SerializeMap = MetaMembers<'a, S::SerializeMap>;

    forward_non_objects!(inner);

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.open()
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.open()
    }
}

struct MetaMembers<'a, M> {
    map: M,
    server_info: Info<'a>,
    has_info: bool,
}

impl<M: SerializeMap> MetaMembers<'_, M> {
    fn finish(mut self) -> Result<M::Ok, M::Error> {
        if !self.has_info {
            self.map
                .serialize_entry(SERVER_INFO_KEY, &self.server_info)?;
        }
        self.map.end()
    }
}

impl<M: SerializeMap> SerializeMap for MetaMembers<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<K: ?Sized + Serialize>(&mut self, key: &K) -> Result<(), M::Error> {
        self.has_info |= key.serialize(IsKey(SERVER_INFO_KEY)).unwrap_or(false);
        self.map.serialize_key(key)
    }

    fn serialize_value<V: ?Sized + Serialize>(&mut self, value: &V) -> Result<(), M::Error> {
        self.map.serialize_value(value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.finish()
    }
}

impl<M: SerializeMap> SerializeStruct for MetaMembers<'_, M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), M::Error> {
        self.has_info |= key == SERVER_INFO_KEY;
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.finish()
    }
}

/// Whether a map key is `_meta`.
const IS_META: IsKey = IsKey("_meta");

/// Tells whether a map key is one string; anything but a string is not.
#[derive(Clone, Copy)]
struct IsKey(&'static str);

#[derive(Debug)]
struct NotAString;

impl std::fmt::Display for NotAString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a string key")
    }
}

impl std::error::Error for NotAString {}

impl ser::Error for NotAString {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAString
    }
}

impl Serializer for IsKey {
    type Ok = bool;
    type Error = NotAString;
    type SerializeSeq = ser::Impossible<bool, NotAString>;
    type SerializeTuple = ser::Impossible<bool, NotAString>;
    type SerializeTupleStruct = ser::Impossible<bool, NotAString>;
    type SerializeTupleVariant = ser::Impossible<bool, NotAString>;
    type SerializeMap = ser::Impossible<bool, NotAString>;
    type SerializeStruct = ser::Impossible<bool, NotAString>;
    type SerializeStructVariant = ser::Impossible<bool, NotAString>;

    fn serialize_str(self, v: &str) -> Result<bool, NotAString> {
        Ok(v == self.0)
    }
    fn serialize_bool(self, _: bool) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_i8(self, _: i8) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_i16(self, _: i16) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_i32(self, _: i32) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_i64(self, _: i64) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_u8(self, _: u8) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_u16(self, _: u16) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_u32(self, _: u32) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_u64(self, _: u64) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_f32(self, _: f32) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_f64(self, _: f64) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_char(self, _: char) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_none(self) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_some<V: ?Sized + Serialize>(self, value: &V) -> Result<bool, NotAString> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, NotAString> {
        Ok(false)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, NotAString> {
        Ok(variant == self.0)
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<bool, NotAString> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<bool, NotAString> {
        Err(NotAString)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAString> {
        Err(NotAString)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAString> {
        Err(NotAString)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAString> {
        Err(NotAString)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAString> {
        Err(NotAString)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAString> {
        Err(NotAString)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAString> {
        Err(NotAString)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAString> {
        Err(NotAString)
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde_json::{Value, json};

    use super::*;
    use crate::protocol::{CacheScope, CallToolResult, Content, ReadResourceResult};

    fn info() -> Implementation {
        Implementation::new("srv", "1.0")
    }

    fn complete<T: Serialize>(result: &T, cache: Option<CacheHint>) -> Value {
        let info = info();
        serde_json::to_value(StatelessResult::new(result, &info, cache)).unwrap()
    }

    /// The server's identity serialized ahead writes the same text as the typed one, whether
    /// the result has a `_meta` of its own (merged) or not (the whole `_meta` written as it is).
    #[test]
    fn identity_serialized_ahead_writes_what_the_typed_one_does() {
        let info = info();
        let ahead = InfoJson::new(&info);
        let hint = Some(CacheHint::NONE);
        let plain = CallToolResult::text("3");
        let own_meta = json!({"content": [], "_meta": {"trace": 1}});
        for cache in [None, hint] {
            assert_eq!(
                serde_json::to_string(&StatelessResult::with_info_json(&plain, &ahead, cache))
                    .unwrap(),
                serde_json::to_string(&StatelessResult::new(&plain, &info, cache)).unwrap()
            );
            assert_eq!(
                serde_json::to_string(&StatelessResult::with_info_json(&own_meta, &ahead, cache))
                    .unwrap(),
                serde_json::to_string(&StatelessResult::new(&own_meta, &info, cache)).unwrap()
            );
        }
        let text =
            serde_json::to_string(&StatelessResult::with_info_json(&plain, &ahead, None)).unwrap();
        assert!(
            text.ends_with(
                r#","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"srv","version":"1.0"}}}"#
            ),
            "{text}"
        );
    }

    #[test]
    fn fields_come_first_and_server_info_is_added_once() {
        let text = serde_json::to_string(&StatelessResult::new(
            &json!({"tools": []}),
            &info(),
            Some(CacheHint {
                ttl_ms: 5,
                scope: CacheScope::Public,
            }),
        ))
        .unwrap();
        assert_eq!(
            text,
            r#"{"resultType":"complete","ttlMs":5,"cacheScope":"public","tools":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"srv","version":"1.0"}}}"#
        );
    }

    #[test]
    fn nested_meta_in_structured_content_does_not_hide_server_info() {
        let mut result = CallToolResult::structured(json!({"_meta": {"x": 1}, "n": 2}));
        result.content.push(Content::text("\"_meta\""));
        let out = complete(&result, None);
        assert_eq!(
            out["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
            "srv"
        );
        assert_eq!(out["structuredContent"]["_meta"], json!({"x": 1}));
        assert!(out.get("ttlMs").is_none());
    }

    #[test]
    fn nested_meta_in_resource_contents_does_not_hide_server_info() {
        let result =
            json!({"contents": [{"uri": "a://b", "text": "{\"_meta\": 1}", "_meta": "inner"}]});
        let out = complete(&result, Some(CacheHint::NONE));
        assert_eq!(
            out["_meta"]["io.modelcontextprotocol/serverInfo"]["version"],
            "1.0"
        );
        assert_eq!(out["contents"][0]["_meta"], "inner");
        let typed = ReadResourceResult {
            contents: vec![crate::protocol::ResourceContents::text(
                "a://b",
                "application/json",
                "{\"_meta\":1}",
            )],
        };
        let out = complete(&typed, Some(CacheHint::NONE));
        assert_eq!(
            out["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
            "srv"
        );
    }

    #[test]
    fn a_result_with_its_own_meta_keeps_it_and_gains_server_info() {
        let mut result = CallToolResult::text("ok");
        result.meta = json!({"progress": 3}).as_object().cloned();
        let out = complete(&result, None);
        assert_eq!(out["_meta"]["progress"], 3);
        assert_eq!(
            out["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
            "srv"
        );
        let own = json!({"_meta": {"io.modelcontextprotocol/serverInfo": "mine"}});
        let out = complete(&own, None);
        assert_eq!(out["_meta"]["io.modelcontextprotocol/serverInfo"], "mine");
        let text = serde_json::to_string(&StatelessResult::new(&own, &info(), None)).unwrap();
        assert_eq!(text.matches("serverInfo").count(), 1);
    }
}
