//! What the fuzz targets share: a server written with the macros, and the endpoints built on
//! it once per process.

use std::sync::OnceLock;

use mcp_runtime::{
    Args, HttpConfig, Mode, Security, StreamableHttp, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Deserialize;

/// Arguments of `locate`: two of them mirrored into `Mcp-Param-*` headers (2026-07-28).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Locate {
    /// Where to look.
    #[schemars(extend("x-mcp-header" = "Region"))]
    pub region: String,
    /// Which floor.
    #[schemars(extend("x-mcp-header" = "Floor"))]
    pub floor: Option<i64>,
    /// What to look for.
    pub query: String,
}

/// A server with a bit of everything that answers at once: no tool waits on the client, so
/// every POST ends (a tool that asked the client would keep its stream open).
#[derive(Debug, Default, Clone, Copy)]
pub struct Library;

#[mcp_server(name = "fuzz-library", version = "1.0.0", instructions = "Fuzzing.")]
impl Library {
    /// Add two numbers.
    #[tool(read_only)]
    fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Say it back, `times` times.
    #[tool(structured)]
    fn echo(&self, text: String, times: Option<u8>) -> String {
        text.repeat(usize::from(times.unwrap_or(1).min(4)))
    }

    /// Find something.
    #[tool]
    fn locate(&self, Args(args): Args<Locate>) -> String {
        format!("{} in {} ({:?})", args.query, args.region, args.floor)
    }

    /// Fail with a tool error when `fail` is true.
    #[tool]
    fn check(&self, fail: bool, note: Option<Option<String>>) -> Result<String, String> {
        if fail {
            Err(format!("failed: {note:?}"))
        } else {
            Ok("fine".into())
        }
    }

    /// The catalogue.
    #[resource(uri = "library://catalogue", mime_type = "text/plain")]
    fn catalogue(&self) -> &'static str {
        "Dune\nEmma"
    }

    /// A book.
    #[resource(uri = "library://books/{id}", complete(id = book_ids))]
    fn book(&self, id: u32) -> String {
        format!("book {id}")
    }

    /// A file.
    #[resource(uri = "file:///{+path}")]
    fn file(&self, path: String) -> Vec<u8> {
        path.into_bytes()
    }

    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String, lines: Option<u32>) -> String {
        format!("A poem on {topic} in {} lines", lines.unwrap_or(4))
    }

    fn book_ids(&self, typed: &str) -> Vec<String> {
        (1..=20)
            .map(|n| n.to_string())
            .filter(|n| n.starts_with(typed))
            .collect()
    }
}

/// The endpoints the targets post to, each built once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Stateless, answers in JSON.
    StatelessJson,
    /// Stateless, answers on SSE when the client accepts it.
    StatelessSse,
    /// Sessions, SSE answers.
    Stateful,
    /// Sessions, JSON answers.
    StatefulJson,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 4] = [
        Endpoint::StatelessJson,
        Endpoint::StatelessSse,
        Endpoint::Stateful,
        Endpoint::StatefulJson,
    ];

    /// The configuration: the default checks of a loopback server, a small body limit, no
    /// keep-alive frames (a body that stays open then stays quiet).
    pub fn config(self) -> HttpConfig {
        let (mode, json) = match self {
            Endpoint::StatelessJson => (Mode::Stateless, true),
            Endpoint::StatelessSse => (Mode::Stateless, false),
            Endpoint::Stateful => (Mode::Stateful, false),
            Endpoint::StatefulJson => (Mode::Stateful, true),
        };
        HttpConfig::new(mode)
            .json_response(json)
            .security(Security::loopback())
            .keep_alive(None)
            .max_request_body(64 * 1024)
    }

    /// A fresh endpoint (stateful ones keep sessions: the router target makes one per input,
    /// so that inputs do not depend on each other).
    pub fn build(self) -> StreamableHttp {
        StreamableHttp::new(Library, self.config())
    }

    /// The shared stateless endpoint of this kind (stateless endpoints keep nothing between
    /// requests).
    pub fn shared(self) -> &'static StreamableHttp {
        static ENDPOINTS: OnceLock<Vec<StreamableHttp>> = OnceLock::new();
        let all = ENDPOINTS.get_or_init(|| Endpoint::ALL.iter().map(|e| e.build()).collect());
        &all[self as usize]
    }
}

/// `text` percent-encoded byte by byte, except the unreserved characters and those `keep`s.
pub fn percent_encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
