//! `#[mcp_server]` and `#[tool]`: the generated `MCPServer`, called directly (no transport).

use mcp_runtime::{
    Args, CallToolResult, Context, Json, MCPServer, ToolArguments, mcp_server, tool,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Calls `name` with `arguments` (a JSON object, or `null` for none).
async fn call(server: &impl MCPServer, name: &str, arguments: Value) -> CallToolResult {
    let arguments = match arguments {
        Value::Object(map) => Some(map),
        Value::Null => None,
        other => panic!("arguments must be an object, not {other}"),
    };
    let future = server
        .call_tool(name, arguments.into(), Context::detached())
        .unwrap_or_else(|| panic!("no tool named {name}"));
    future.await
}

/// The text of a result's only content block.
fn text(result: &CallToolResult) -> &str {
    assert_eq!(result.content.len(), 1, "{result:?}");
    result.content[0].as_text().expect("a text block")
}

/// The `tools/list` entry of `name`, as JSON.
fn listed(server: &impl MCPServer, name: &str) -> Value {
    let tool = server.tools().into_iter().find(|tool| tool.name == name);
    serde_json::to_value(tool.unwrap_or_else(|| panic!("no tool named {name}"))).unwrap()
}

struct Calculator;

#[derive(Serialize)]
struct Stats {
    count: usize,
    mean: f64,
}

/// An arithmetic operation.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Op {
    /// Addition.
    Add,
    /// Multiplication.
    Mul,
}

#[mcp_server(name = "calculator", version = "1.0.0", instructions = "Do maths.")]
impl Calculator {
    /// Add two numbers.
    #[tool]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Divide `a` by `b`.
    ///
    ///     Dividing by zero is an error.
    #[tool(read_only, idempotent, title = "Divide")]
    fn divide(
        &self,
        #[arg(description = "The dividend.")] a: f64,
        #[arg(description = "The divisor.")] b: f64,
    ) -> Result<f64, String> {
        if b == 0.0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }

    /// Ignored: `description` wins.
    #[tool(
        name = "repeat",
        description = "Repeat a text.",
        destructive = false,
        open_world
    )]
    fn repeat_text(&self, text: String, times: Option<i64>) -> String {
        text.repeat(times.unwrap_or(2) as usize)
    }

    /// Count and average some numbers.
    #[tool]
    async fn stats(&self, values: Vec<f64>) -> Result<Stats, std::io::Error> {
        let count = values.len();
        let mean = values.iter().sum::<f64>() / count as f64;
        Ok(Stats { count, mean })
    }

    /// Apply an operation.
    #[tool]
    fn apply(&self, op: Op, x: i64, y: i64) -> i64 {
        match op {
            Op::Add => x + y,
            Op::Mul => x * y,
        }
    }

    /// Whether the request was cancelled.
    #[tool]
    async fn cancelled(&self, ctx: Context, label: String) -> String {
        format!("{label}: {}", ctx.is_cancelled())
    }

    #[tool]
    fn nothing(&self) {}

    /// Not a tool.
    fn helper(&self) -> f64 {
        1.0
    }
}

#[test]
fn explicit_server_info() {
    let info = Calculator.server_info();
    assert_eq!(
        (info.name.as_str(), info.version.as_str()),
        ("calculator", "1.0.0")
    );
    assert_eq!(Calculator.instructions().as_deref(), Some("Do maths."));
    assert_eq!(Calculator.helper(), 1.0);
}

#[test]
fn tool_names_in_order() {
    let names: Vec<String> = Calculator.tools().into_iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "add",
            "divide",
            "repeat",
            "stats",
            "apply",
            "cancelled",
            "nothing"
        ]
    );
}

#[test]
fn flat_parameters_and_doc_description() {
    assert_eq!(
        listed(&Calculator, "add"),
        json!({
            "name": "add",
            "description": "Add two numbers.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "a": { "type": "number", "format": "double" },
                    "b": { "type": "number", "format": "double" },
                },
                "required": ["a", "b"],
                "additionalProperties": false,
            },
        })
    );
}

#[test]
fn annotations_title_and_arg_descriptions() {
    assert_eq!(
        listed(&Calculator, "divide"),
        json!({
            "name": "divide",
            "title": "Divide",
            "description": "Divide `a` by `b`.\n\n    Dividing by zero is an error.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "a": { "type": "number", "format": "double", "description": "The dividend." },
                    "b": { "type": "number", "format": "double", "description": "The divisor." },
                },
                "required": ["a", "b"],
                "additionalProperties": false,
            },
            "annotations": { "title": "Divide", "readOnlyHint": true, "idempotentHint": true },
        })
    );
}

#[test]
fn renamed_tool_with_description_optional_parameter_and_false_hint() {
    assert_eq!(
        listed(&Calculator, "repeat"),
        json!({
            "name": "repeat",
            "description": "Repeat a text.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "text": { "type": "string" },
                    "times": { "type": "integer", "format": "int64" },
                },
                "required": ["text"],
                "additionalProperties": false,
            },
            "annotations": { "destructiveHint": false, "openWorldHint": true },
        })
    );
}

#[test]
fn vec_enum_defs_and_no_parameters() {
    assert_eq!(
        listed(&Calculator, "stats")["inputSchema"],
        json!({
            "type": "object",
            "properties": {
                "values": { "type": "array", "items": { "type": "number", "format": "double" } },
            },
            "required": ["values"],
            "additionalProperties": false,
        })
    );
    assert_eq!(
        listed(&Calculator, "apply")["inputSchema"],
        json!({
            "type": "object",
            "properties": {
                "op": { "$ref": "#/$defs/Op" },
                "x": { "type": "integer", "format": "int64" },
                "y": { "type": "integer", "format": "int64" },
            },
            "required": ["op", "x", "y"],
            "additionalProperties": false,
            "$defs": {
                "Op": {
                    "description": "An arithmetic operation.",
                    "oneOf": [
                        { "type": "string", "const": "add", "description": "Addition." },
                        { "type": "string", "const": "mul", "description": "Multiplication." },
                    ],
                },
            },
        })
    );
    // The context is not an argument.
    assert_eq!(
        listed(&Calculator, "cancelled")["inputSchema"]["properties"],
        json!({ "label": { "type": "string" } })
    );
    assert_eq!(
        listed(&Calculator, "nothing"),
        json!({
            "name": "nothing",
            "inputSchema": { "type": "object", "properties": {}, "additionalProperties": false },
        })
    );
}

#[tokio::test]
async fn sync_and_async_tools_return_text() {
    let result = call(&Calculator, "add", json!({ "a": 1.5, "b": 2 })).await;
    assert_eq!(text(&result), "3.5");
    assert_eq!(result.is_error, None);
    let result = call(&Calculator, "divide", json!({ "a": 1, "b": 4 })).await;
    assert_eq!(text(&result), "0.25");
    let result = call(&Calculator, "repeat", json!({ "text": "ab" })).await;
    assert_eq!(text(&result), "abab");
    let result = call(&Calculator, "repeat", json!({ "text": "ab", "times": 3 })).await;
    assert_eq!(text(&result), "ababab");
    let result = call(
        &Calculator,
        "repeat",
        json!({ "text": "ab", "times": null }),
    )
    .await;
    assert_eq!(text(&result), "abab");
    let result = call(&Calculator, "apply", json!({ "op": "mul", "x": 6, "y": 7 })).await;
    assert_eq!(text(&result), "42");
}

#[tokio::test]
async fn serialize_results_become_json_text() {
    let result = call(&Calculator, "stats", json!({ "values": [1.0, 2.0, 6.0] })).await;
    assert_eq!(text(&result), r#"{"count":3,"mean":3.0}"#);
}

#[tokio::test]
async fn err_becomes_an_error_result() {
    let result = call(&Calculator, "divide", json!({ "a": 1, "b": 0 })).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "division by zero");
}

#[tokio::test]
async fn unit_result_has_no_content() {
    let result = call(&Calculator, "nothing", Value::Null).await;
    assert_eq!(result, CallToolResult::default());
    let result = call(&Calculator, "nothing", json!({})).await;
    assert_eq!(result, CallToolResult::default());
}

#[tokio::test]
async fn tool_with_context() {
    let result = call(&Calculator, "cancelled", json!({ "label": "cancelled" })).await;
    assert_eq!(text(&result), "cancelled: false");
}

#[tokio::test]
async fn bad_arguments_name_every_argument() {
    let result = call(&Calculator, "add", json!({ "a": 1 })).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        text(&result),
        "Invalid arguments: missing required argument `b`"
    );

    let result = call(&Calculator, "add", Value::Null).await;
    assert_eq!(
        text(&result),
        "Invalid arguments: missing required argument `a`; missing required argument `b`"
    );

    let result = call(&Calculator, "add", json!({ "a": "one", "b": 2, "c": 3 })).await;
    assert_eq!(
        text(&result),
        "Invalid arguments: invalid argument `a`: invalid type: string \"one\", expected f64; \
         unknown argument `c`"
    );

    let result = call(&Calculator, "apply", json!({ "op": "div", "x": 1, "y": 2 })).await;
    assert!(
        text(&result)
            .starts_with("Invalid arguments: invalid argument `op`: unknown variant `div`"),
        "{result:?}"
    );

    let result = call(&Calculator, "nothing", json!({ "extra": true })).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "Invalid arguments: unknown argument `extra`");
}

#[test]
fn unknown_tool_is_none() {
    assert!(
        Calculator
            .call_tool("helper", ToolArguments::none(), Context::detached())
            .is_none()
    );
    assert!(
        Calculator
            .call_tool("", ToolArguments::none(), Context::detached())
            .is_none()
    );
}

struct Echo;

#[mcp_server]
impl Echo {
    /// Say it back.
    #[tool]
    fn echo(
        &self,
        /// The text to say back.
        text: String,
        /** How many times:
        once by default. */
        times: Option<u32>,
        /// Loses to `#[arg]`.
        #[arg(description = "Between the copies.")]
        separator: Option<String>,
    ) -> String {
        let times = times.unwrap_or(1) as usize;
        vec![text; times].join(&separator.unwrap_or_default())
    }
}

#[test]
fn parameter_doc_comments_describe_arguments() {
    assert_eq!(
        listed(&Echo, "echo")["inputSchema"],
        json!({
            "type": "object",
            "properties": {
                "text": { "type": "string", "description": "The text to say back." },
                "times": {
                    "type": "integer",
                    "format": "uint32",
                    "minimum": 0,
                    "description": "How many times:\nonce by default.",
                },
                "separator": { "type": "string", "description": "Between the copies." },
            },
            "required": ["text"],
            "additionalProperties": false,
        })
    );
}

#[tokio::test]
async fn parameters_with_doc_comments_are_called_as_usual() {
    let arguments = json!({ "text": "ab", "times": 2, "separator": "-" });
    assert_eq!(text(&call(&Echo, "echo", arguments).await), "ab-ab");
}

/// A server with the defaults and no tools.
struct Defaults;

#[mcp_server]
impl Defaults {}

#[test]
fn default_server_info_is_the_crate_s() {
    let info = Defaults.server_info();
    assert_eq!(info.name, "mcp-runtime");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(Defaults.instructions(), None);
    assert!(Defaults.tools().is_empty());
    assert!(
        Defaults
            .call_tool("add", ToolArguments::none(), Context::detached())
            .is_none()
    );
}

/// Parameters of a search.
#[derive(Deserialize, JsonSchema)]
struct SearchParams {
    /// What to look for.
    query: String,
    /// At most this many results.
    #[serde(default)]
    limit: Option<u32>,
}

struct Search;

#[mcp_server]
impl Search {
    /// Search the catalogue.
    #[tool]
    fn search(&self, Args(params): Args<SearchParams>) -> Vec<String> {
        let limit = params.limit.unwrap_or(2) as usize;
        (1..=limit)
            .map(|i| format!("{} {i}", params.query))
            .collect()
    }

    /// Search, with the context.
    #[tool]
    async fn search_later(&self, ctx: Context, params: Args<SearchParams>) -> String {
        format!("{} ({})", params.0.query, ctx.is_cancelled())
    }
}

/// The struct's own schema: its `$schema` kept (SEP-1613), the title schemars makes up from the
/// type's name left out, and its optional field not nullable (strict clients reject
/// `["integer", "null"]`), without the `default: null` that `#[serde(default)]` adds.
#[test]
fn args_struct_schema_is_the_struct_s() {
    assert_eq!(
        listed(&Search, "search")["inputSchema"],
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "description": "Parameters of a search.",
            "type": "object",
            "properties": {
                "query": { "type": "string", "description": "What to look for." },
                "limit": {
                    "type": "integer",
                    "format": "uint32",
                    "minimum": 0,
                    "description": "At most this many results.",
                },
            },
            "required": ["query"],
        })
    );
    assert_eq!(
        listed(&Search, "search")["inputSchema"],
        listed(&Search, "search_later")["inputSchema"]
    );
}

#[tokio::test]
async fn args_struct_calls() {
    let result = call(&Search, "search", json!({ "query": "rust" })).await;
    assert_eq!(text(&result), r#"["rust 1","rust 2"]"#);
    let result = call(
        &Search,
        "search_later",
        json!({ "query": "rust", "limit": 1 }),
    )
    .await;
    assert_eq!(text(&result), "rust (false)");
}

#[tokio::test]
async fn args_struct_parse_errors() {
    let result = call(&Search, "search", json!({ "limit": 1 })).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "Invalid arguments: missing field `query`");
    let result = call(&Search, "search", json!({ "query": 5 })).await;
    assert_eq!(
        text(&result),
        "Invalid arguments: invalid type: integer `5`, expected a string"
    );
}

/// Parameter names that the generated code might have used for itself.
struct Collide;

#[mcp_server]
impl Collide {
    #[tool]
    async fn collide(
        &self,
        __parser: i64,
        __value: i64,
        __ctx: i64,
        __arguments: i64,
        __name: i64,
        ctx: Context,
    ) -> i64 {
        let _ = ctx;
        __parser + __value + __ctx + __arguments + __name
    }

    #[tool]
    fn collide_result(&self, __ret: i64, __error: i64) -> Result<i64, String> {
        Ok(__ret - __error)
    }

    #[tool]
    fn r#type(&self, r#type: String, r#async: Option<bool>) -> String {
        format!("{type}{}", r#async.unwrap_or_default())
    }

    /// Template parameters named like the generated locals.
    #[mcp_runtime::resource(uri = "collide://{__uri}/{__matched}")]
    fn collide_resource(&self, __uri: String, __matched: u8) -> String {
        format!("{__uri} {__matched}")
    }

    /// Prompt arguments named like the generated locals.
    #[mcp_runtime::prompt(complete(__value = __request))]
    fn collide_prompt(&self, __parser: String, __value: Option<String>) -> String {
        format!("{__parser} {}", __value.unwrap_or_default())
    }

    fn __request(&self, __context: &str) -> Vec<String> {
        vec![__context.to_uppercase()]
    }
}

#[tokio::test]
async fn parameter_names_do_not_collide_with_generated_ones() {
    let arguments =
        json!({ "__parser": 1, "__value": 2, "__ctx": 3, "__arguments": 4, "__name": 5 });
    let result = call(&Collide, "collide", arguments).await;
    assert_eq!(text(&result), "15");
    let result = call(
        &Collide,
        "collide_result",
        json!({ "__ret": 5, "__error": 2 }),
    )
    .await;
    assert_eq!(text(&result), "3");
    assert_eq!(
        listed(&Collide, "type")["inputSchema"]["properties"],
        json!({ "type": { "type": "string" }, "async": { "type": "boolean" } })
    );
    let result = call(&Collide, "type", json!({ "type": "t", "async": true })).await;
    assert_eq!(text(&result), "ttrue");

    let read = Collide.read_resource("collide://a/7", Context::detached());
    let read = serde_json::to_value(read.unwrap().await.unwrap()).unwrap();
    assert_eq!(read["contents"][0]["text"], "a 7");
    let arguments = json!({ "__parser": "p", "__value": "v" })
        .as_object()
        .cloned();
    let prompt = Collide.get_prompt("collide_prompt", arguments, Context::detached());
    let prompt = serde_json::to_value(prompt.unwrap().await.unwrap()).unwrap();
    assert_eq!(prompt["messages"][0]["content"]["text"], "p v");
    let request = serde_json::from_value(json!({
        "ref": { "type": "ref/prompt", "name": "collide_prompt" },
        "argument": { "name": "__value", "value": "x" },
    }))
    .unwrap();
    let completion = Collide
        .complete(request, Context::detached())
        .await
        .unwrap();
    assert_eq!(completion.values, ["X"]);
}

/// Generic servers keep their parameters and bounds.
struct Counter<T> {
    start: T,
}

#[mcp_server(name = "counter")]
impl<T> Counter<T>
where
    T: Copy + Into<i64> + Send + Sync + 'static,
{
    /// Add to the start.
    #[mcp_runtime::tool]
    fn plus(&self, n: i64) -> i64 {
        self.start.into() + n
    }
}

#[tokio::test]
async fn generic_server() {
    let counter = Counter { start: 40_i32 };
    assert_eq!(text(&call(&counter, "plus", json!({ "n": 2 })).await), "42");
}

/// A tool parameter of the impl's own type parameter: the constants that describe the
/// parameters (one `const` block per generated method) are generic too.
struct GenericEcho<T> {
    prefix: String,
    _value: std::marker::PhantomData<T>,
}

#[mcp_server(name = "echo")]
impl<T> GenericEcho<T>
where
    T: serde::de::DeserializeOwned + JsonSchema + std::fmt::Debug + Send + Sync + 'static,
{
    /// Echo a value of type `T`.
    #[tool]
    fn echo(&self, value: T, times: Option<u32>) -> String {
        format!("{}{value:?} x{}", self.prefix, times.unwrap_or(1))
    }

    /// Echo a value of type `T` twice, after the other tool's constants.
    #[tool]
    async fn twice(&self, first: T, second: T) -> String {
        format!("{}{first:?} {second:?}", self.prefix)
    }
}

#[tokio::test]
async fn generic_parameter_types() {
    let echo = GenericEcho::<Point> {
        prefix: "> ".into(),
        _value: std::marker::PhantomData,
    };
    let result = call(
        &echo,
        "echo",
        json!({ "value": { "x": 1, "y": 2 }, "times": 3 }),
    )
    .await;
    assert_eq!(text(&result), "> Point { x: 1, y: 2 } x3");
    let result = call(
        &echo,
        "twice",
        json!({ "first": { "x": 1, "y": 2 }, "second": { "x": 3, "y": 4 } }),
    )
    .await;
    assert_eq!(text(&result), "> Point { x: 1, y: 2 } Point { x: 3, y: 4 }");
    let tools = echo.tools();
    let schema = serde_json::to_value(&tools[1].input_schema).unwrap();
    assert_eq!(schema["required"], json!(["first", "second"]));
    assert_eq!(
        schema["properties"]["first"]["$ref"],
        json!("#/$defs/Point")
    );
    let rejected = call(
        &echo,
        "twice",
        json!({ "first": 1, "second": { "x": 3, "y": 4 } }),
    )
    .await;
    assert_eq!(rejected.is_error, Some(true), "{}", text(&rejected));
}

#[derive(Serialize, Deserialize, JsonSchema, Debug)]
struct Point {
    x: i64,
    y: i64,
}

/// Everything the generated code names, shadowed: it must still compile.
mod hygiene {
    #![allow(dead_code, non_camel_case_types)]

    use mcp_runtime::{Context, mcp_server, prompt, resource, tool};

    use super::Point;

    type Result = ();
    struct Option;
    struct Some;
    struct None;
    struct Ok;
    struct Err;
    struct String;
    struct Box;
    struct Vec;
    struct str;
    struct Default;
    trait Into {}
    trait From {}
    mod std {}
    mod core {}
    mod serde {}
    mod serde_json {}
    mod schemars {}

    #[derive(Clone)]
    pub(super) struct Shadowed;

    #[mcp_server(name = "shadowed", instructions = "Shadows everything.")]
    impl Shadowed {
        /// A future that is not `Send`.
        #[tool(local)]
        async fn local(&self, x: i64, ctx: Context) -> ::std::string::String {
            let held = ::std::rc::Rc::new(x);
            ctx.progress(
                1.0,
                ::std::option::Option::None,
                ::std::option::Option::None,
            )
            .await;
            ::std::format!("{held}")
        }

        /// Subtract.
        #[tool(read_only, title = "Subtract")]
        fn sub(
            &self,
            x: i64,
            y: ::std::option::Option<i64>,
        ) -> ::std::result::Result<i64, ::std::string::String> {
            ::std::result::Result::Ok(x - y.unwrap_or(0))
        }

        #[tool]
        async fn ctx(&self, ctx: Context) -> bool {
            ctx.is_cancelled()
        }

        #[tool]
        fn mirror(&self, ::mcp_runtime::Args(p): ::mcp_runtime::Args<Point>) -> Point {
            Point { x: p.y, y: p.x }
        }

        #[tool(structured)]
        fn origin(&self) -> ::std::result::Result<Point, ::std::string::String> {
            ::std::result::Result::Ok(Point { x: 0, y: 0 })
        }

        #[tool]
        fn boxed(&self) -> ::mcp_runtime::Json<::std::vec::Vec<i64>> {
            ::mcp_runtime::Json(::std::vec![1])
        }

        /// A point by its x.
        #[resource(uri = "points://{x}", complete(x = xs))]
        fn point(&self, x: i64, ctx: Context) -> ::std::string::String {
            let _ = ctx;
            ::std::format!("({x}, 0)")
        }

        /// The origin.
        #[resource(uri = "points://origin")]
        async fn origin_text(&self) -> &'static ::core::primitive::str {
            "(0, 0)"
        }

        /// Describe a point.
        #[prompt(complete(x = xs))]
        fn describe(&self, x: i64, y: ::std::option::Option<i64>) -> ::std::string::String {
            ::std::format!("({x}, {})", y.unwrap_or(0))
        }

        fn xs(
            &self,
            value: &::core::primitive::str,
        ) -> ::std::vec::Vec<&'static ::core::primitive::str> {
            let _ = value;
            ::std::vec!["1", "2"]
        }
    }
}

/// Without the prelude: the generated code names nothing implicitly.
mod no_prelude {
    #![no_implicit_prelude]

    use ::mcp_runtime::{Context, mcp_server, prompt, resource, tool};

    #[derive(::core::clone::Clone)]
    pub(super) struct Bare;

    #[mcp_server(name = "bare")]
    impl Bare {
        /// A future that is not `Send`.
        #[tool(local)]
        async fn local(&self, x: ::std::option::Option<i64>) -> i64 {
            let held = ::std::rc::Rc::new(x);
            ::tokio::task::yield_now().await;
            ::std::option::Option::unwrap_or(*held, 0)
        }

        /// Negate.
        #[tool(read_only)]
        async fn neg(
            &self,
            x: i64,
            _ctx: Context,
        ) -> ::std::result::Result<i64, ::std::string::String> {
            ::std::result::Result::Ok(-x)
        }

        #[tool]
        fn unit(&self, _flag: ::std::option::Option<bool>) {}

        /// Show a view.
        #[tool(app = "ui://bare/view", visibility = ["model"])]
        fn show(&self) -> &'static ::core::primitive::str {
            "shown"
        }

        /// The view.
        #[resource(
            uri = "ui://bare/view",
            app(prefers_border, csp(connect_domains = ["https://a.example"]), permissions(camera))
        )]
        fn view(&self) -> &'static ::core::primitive::str {
            "<!doctype html>"
        }

        /// A number.
        #[resource(uri = "bare://{n}", complete(n = ns))]
        fn number(&self, n: u8) -> ::std::string::String {
            ::std::string::ToString::to_string(&n)
        }

        /// Say a number.
        #[prompt]
        async fn say(&self, n: u8, _ctx: Context) -> ::std::string::String {
            ::std::string::ToString::to_string(&n)
        }

        fn ns(&self, _value: ::std::string::String) -> ::std::vec::Vec<::std::string::String> {
            ::std::vec::Vec::new()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shadowed_names_change_nothing() {
    let server = hygiene::Shadowed;
    assert_eq!(
        server.instructions().as_deref(),
        Some("Shadows everything.")
    );
    assert_eq!(
        text(&call(&server, "sub", json!({ "x": 5, "y": 3 })).await),
        "2"
    );
    assert_eq!(text(&call(&server, "ctx", json!({})).await), "false");
    let result = call(&server, "mirror", json!({ "x": 1, "y": 2 })).await;
    assert_eq!(text(&result), r#"{"x":2,"y":1}"#);
    let result = call(&server, "origin", json!({})).await;
    assert_eq!(result.structured_content, Some(json!({"x": 0, "y": 0})));
    let result = call(&server, "boxed", json!({})).await;
    assert_eq!(result.structured_content, Some(json!({"result": [1]})));
    let read = server
        .read_resource("points://3", Context::detached())
        .unwrap();
    assert_eq!(read.await.unwrap().contents[0].uri(), "points://3");
    let read = server.read_resource("points://origin", Context::detached());
    assert!(read.unwrap().await.is_ok());
    let prompt = server
        .get_prompt("describe", None, Context::detached())
        .unwrap();
    assert_eq!(prompt.await.unwrap_err().code(), -32602);
    assert!(server.supports_completions());
    let server = no_prelude::Bare;
    assert_eq!(text(&call(&server, "neg", json!({ "x": 5 })).await), "-5");
    let read = server
        .read_resource("bare://7", Context::detached())
        .unwrap();
    assert_eq!(read.await.unwrap().contents[0].uri(), "bare://7");
    assert!(
        server
            .read_resource("bare://700", Context::detached())
            .is_none()
    );
    let prompt = server.get_prompt("say", None, Context::detached()).unwrap();
    assert_eq!(prompt.await.unwrap_err().code(), -32602);
    assert_eq!(
        call(&server, "unit", json!({})).await,
        CallToolResult::default()
    );
    assert_eq!(text(&call(&server, "local", json!({ "x": 4 })).await), "4");
    let show = server
        .tools()
        .into_iter()
        .find(|t| t.name == "show")
        .unwrap();
    assert_eq!(
        serde_json::to_value(show.meta).unwrap(),
        json!({"ui": {"resourceUri": "ui://bare/view", "visibility": ["model"]}, "ui/resourceUri": "ui://bare/view"})
    );
    let read = server
        .read_resource("ui://bare/view", Context::detached())
        .unwrap();
    let view = serde_json::to_value(&read.await.unwrap().contents[0]).unwrap();
    assert_eq!(view["mimeType"], "text/html;profile=mcp-app");
    assert_eq!(
        view["_meta"]["ui"],
        json!({"csp": {"connectDomains": ["https://a.example"]}, "permissions": {"camera": {}}, "prefersBorder": true})
    );
    let server = hygiene::Shadowed;
    assert_eq!(text(&call(&server, "local", json!({ "x": 3 })).await), "3");
}

#[derive(Serialize, JsonSchema)]
struct Area {
    /// Square units.
    value: f64,
}

struct Shapes;

#[mcp_server]
impl Shapes {
    /// The area of a square.
    #[tool(icon = "https://example.com/square.svg")]
    fn area(&self, side: f64) -> Json<Area> {
        Json(Area { value: side * side })
    }

    /// Sides of a regular polygon.
    #[tool(
        structured,
        icon(
            src = "poly.png",
            mime_type = "image/png",
            sizes = "48x48 96x96",
            theme = "dark"
        ),
        icon = "poly.svg"
    )]
    fn sides(&self, name: String) -> Result<u32, String> {
        match name.as_str() {
            "triangle" => Ok(3),
            "square" => Ok(4),
            other => Err(format!("unknown polygon {other}")),
        }
    }

    /// A structured point, fallible.
    #[tool]
    async fn point(&self, x: i64) -> Result<Json<Point>, std::io::Error> {
        Ok(Json(Point { x, y: 0 }))
    }

    /// Plain `Serialize` stays text without `structured`.
    #[tool]
    fn plain(&self) -> Area {
        Area { value: 1.0 }
    }
}

#[test]
fn structured_tools_have_an_output_schema_and_icons() {
    assert_eq!(
        listed(&Shapes, "area"),
        json!({
            "name": "area",
            "description": "The area of a square.",
            "inputSchema": {
                "type": "object",
                "properties": { "side": { "type": "number", "format": "double" } },
                "required": ["side"],
                "additionalProperties": false,
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "value": { "type": "number", "format": "double", "description": "Square units." },
                },
                "required": ["value"],
            },
            "icons": [{ "src": "https://example.com/square.svg" }],
        })
    );
    assert_eq!(
        listed(&Shapes, "sides"),
        json!({
            "name": "sides",
            "description": "Sides of a regular polygon.",
            "inputSchema": {
                "type": "object",
                "properties": { "name": { "type": "string" } },
                "required": ["name"],
                "additionalProperties": false,
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "result": { "type": "integer", "format": "uint32", "minimum": 0 },
                },
                "required": ["result"],
            },
            "icons": [
                {
                    "src": "poly.png",
                    "mimeType": "image/png",
                    "sizes": ["48x48", "96x96"],
                    "theme": "dark",
                },
                { "src": "poly.svg" },
            ],
        })
    );
    assert_eq!(
        listed(&Shapes, "point")["outputSchema"]["required"],
        json!(["x", "y"])
    );
    assert_eq!(listed(&Shapes, "plain").get("outputSchema"), None);
}

#[tokio::test]
async fn structured_results_carry_content_and_text() {
    let json_of = |result: CallToolResult| serde_json::to_value(result).unwrap();
    assert_eq!(
        json_of(call(&Shapes, "area", json!({ "side": 3 })).await),
        json!({
            "content": [{ "type": "text", "text": r#"{"value":9.0}"# }],
            "structuredContent": { "value": 9.0 },
        })
    );
    assert_eq!(
        json_of(call(&Shapes, "sides", json!({ "name": "square" })).await),
        json!({
            "content": [{ "type": "text", "text": r#"{"result":4}"# }],
            "structuredContent": { "result": 4 },
        })
    );
    assert_eq!(
        json_of(call(&Shapes, "sides", json!({ "name": "circle" })).await),
        json!({
            "content": [{ "type": "text", "text": "unknown polygon circle" }],
            "isError": true,
        })
    );
    assert_eq!(
        json_of(call(&Shapes, "point", json!({ "x": 2 })).await),
        json!({
            "content": [{ "type": "text", "text": r#"{"x":2,"y":0}"# }],
            "structuredContent": { "x": 2, "y": 0 },
        })
    );
    assert_eq!(
        json_of(call(&Shapes, "plain", json!({})).await),
        json!({ "content": [{ "type": "text", "text": r#"{"value":1.0}"# }] })
    );
}

struct Many;

#[mcp_server(name = "many", version = "1.0.0")]
impl Many {
    /// Twelve parameters: one tuple of them.
    #[tool]
    #[allow(clippy::too_many_arguments)]
    fn twelve(
        &self,
        a: i64,
        b: i64,
        c: i64,
        d: i64,
        e: i64,
        f: i64,
        g: i64,
        h: i64,
        i: i64,
        j: i64,
        k: i64,
        l: i64,
    ) -> i64 {
        a + b + c + d + e + f + g + h + i + j + k + l
    }

    /// Fourteen parameters, optional ones past the twelfth: a tuple nested in the last place.
    #[tool]
    #[allow(clippy::too_many_arguments)]
    fn fourteen(
        &self,
        a: i64,
        b: i64,
        c: i64,
        d: i64,
        e: i64,
        f: i64,
        g: i64,
        h: i64,
        i: i64,
        j: i64,
        k: String,
        l: i64,
        m: Option<i64>,
        n: i64,
    ) -> String {
        let sum = a + b + c + d + e + f + g + h + i + j + l + m.unwrap_or(100) + n;
        format!("{k}{sum}")
    }
}

#[tokio::test]
async fn many_parameters_are_read_in_order() {
    let twelve: serde_json::Map<String, Value> = ('a'..='l')
        .map(|name| (name.to_string(), json!(1)))
        .collect();
    let result = call(&Many, "twelve", Value::Object(twelve)).await;
    assert_eq!(text(&result), "12");

    let mut fourteen: serde_json::Map<String, Value> = ('a'..='n')
        .map(|name| (name.to_string(), json!(1)))
        .collect();
    fourteen.insert("k".into(), json!("sum: "));
    let result = call(&Many, "fourteen", Value::Object(fourteen.clone())).await;
    assert_eq!(text(&result), "sum: 13");
    fourteen.remove("m");
    let result = call(&Many, "fourteen", Value::Object(fourteen.clone())).await;
    assert_eq!(text(&result), "sum: 112");

    fourteen.remove("a");
    fourteen.insert("l".into(), json!("x"));
    fourteen.remove("n");
    fourteen.insert("z".into(), json!(0));
    let result = call(&Many, "fourteen", Value::Object(fourteen)).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        text(&result),
        "Invalid arguments: missing required argument `a`; invalid argument `l`: invalid type: \
         string \"x\", expected i64; missing required argument `n`; unknown argument `z`"
    );
}

/// `async` tools whose value converts as it is: their futures are converted by a combinator
/// rather than an `async` block each (`Converted`), through either of the two conversions.
struct Awaited;

#[mcp_server(name = "awaited", version = "1.0.0")]
impl Awaited {
    /// `IntoToolResult`.
    #[tool]
    async fn greet(&self, name: String) -> String {
        tokio::task::yield_now().await;
        format!("hello {name}")
    }

    /// `Serialize` only.
    #[tool]
    async fn summary(&self, values: Vec<f64>) -> Stats {
        tokio::task::yield_now().await;
        let count = values.len();
        Stats {
            count,
            mean: values.iter().sum::<f64>() / count as f64,
        }
    }

    /// `Serialize`, but not as JSON: maps with keys that are not strings are refused.
    #[tool]
    async fn pairs(&self) -> std::collections::HashMap<(i32, i32), i32> {
        std::collections::HashMap::from([((1, 2), 3)])
    }

    /// Nothing.
    #[tool]
    async fn touch(&self) {
        tokio::task::yield_now().await;
    }

    /// A `Result`: `Ok` converts as a value would, `Err` is an error result.
    #[tool]
    async fn root(&self, n: i64) -> Result<Stats, String> {
        tokio::task::yield_now().await;
        if n < 0 {
            return Err(format!("{n} has no square root"));
        }
        Ok(Stats {
            count: 1,
            mean: (n as f64).sqrt(),
        })
    }
}

#[tokio::test]
async fn async_tools_convert_what_they_return_after_pending() {
    let result = call(&Awaited, "greet", json!({ "name": "ada" })).await;
    assert_eq!((text(&result), result.is_error), ("hello ada", None));
    let result = call(&Awaited, "summary", json!({ "values": [1.0, 2.0, 6.0] })).await;
    assert_eq!(text(&result), r#"{"count":3,"mean":3.0}"#);
    let result = call(&Awaited, "pairs", Value::Null).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        text(&result),
        "the tool's result could not be serialized: key must be a string"
    );
    let result = call(&Awaited, "touch", Value::Null).await;
    assert_eq!(result, CallToolResult::default());
    let result = call(&Awaited, "root", json!({ "n": 9 })).await;
    assert_eq!(
        (text(&result), result.is_error),
        (r#"{"count":1,"mean":3.0}"#, None)
    );
    let result = call(&Awaited, "root", json!({ "n": -4 })).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "-4 has no square root");
}

/// Plain (not `async`) tools: called when their future is first polled, not when it is made;
/// what they return may borrow from the server.
struct Plain {
    label: String,
    calls: std::sync::atomic::AtomicUsize,
}

#[mcp_server(name = "plain", version = "1.0.0")]
impl Plain {
    /// Borrows from the server.
    #[tool]
    fn label(&self) -> &str {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        &self.label
    }

    /// A `Result` of a `Serialize` value.
    #[tool]
    fn halve(&self, n: i64) -> Result<Stats, String> {
        if n % 2 != 0 {
            return Err(format!("{n} is odd"));
        }
        Ok(Stats {
            count: 1,
            mean: (n / 2) as f64,
        })
    }
}

#[tokio::test]
async fn plain_tools_are_called_at_the_first_poll() {
    let server = Plain {
        label: "plain".into(),
        calls: Default::default(),
    };
    let calls = || server.calls.load(std::sync::atomic::Ordering::SeqCst);
    let future = server
        .call_tool("label", None.into(), Context::detached())
        .expect("a tool");
    assert_eq!(calls(), 0, "made, not called");
    let result = future.await;
    assert_eq!((text(&result), calls()), ("plain", 1));
    let result = call(&server, "halve", json!({ "n": 8 })).await;
    assert_eq!(text(&result), r#"{"count":1,"mean":4.0}"#);
    let result = call(&server, "halve", json!({ "n": 7 })).await;
    assert_eq!((text(&result), result.is_error), ("7 is odd", Some(true)));
}
