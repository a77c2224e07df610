//! Tests of the checks.

use super::*;
use quote::quote;
use syn::{ItemImpl, parse_quote};

/// The messages of every error in `item`, with the source text each points at.
fn check_errors(item: ItemImpl) -> Vec<(String, String)> {
    let cx = Ctxt::new();
    let server = Server::from_syn(&cx, quote!(), &item);
    check(&cx, &server);
    match cx.check() {
        Ok(()) => Vec::new(),
        Err(err) => err
            .into_iter()
            .map(|e| {
                let at = e.to_compile_error().to_string();
                (e.to_string(), at)
            })
            .collect(),
    }
}

fn messages(item: ItemImpl) -> Vec<String> {
    check_errors(item)
        .into_iter()
        .map(|(message, _)| message)
        .collect()
}

#[test]
fn a_good_server_has_no_errors() {
    let item: ItemImpl = parse_quote! {
        impl<T: Send + Sync + 'static> S<T> where T: Clone {
            #[tool(name = "do.it-now_2")]
            async fn a<'x>(&'x self, ctx: Context, r#type: Option<String>, n: Vec<[u8; 4]>) {}
            #[tool]
            fn b(self: &Self, Args(p): Args<P>, _c: Context) -> Result<String, Error> {}
            fn not_a_tool(&mut self, x: &str) {}
        }
    };
    assert_eq!(messages(item), Vec::<String>::new());
}

#[test]
fn receivers() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a(&mut self) {}
            #[tool] fn b(self) {}
            #[tool] fn c(self: Arc<Self>) {}
            #[tool] fn d(x: i32) {}
        }
    };
    assert_eq!(
        messages(item),
        [
            "tools take `&self`, not `&mut self`: calls may run concurrently, so keep \
             mutable state in a `Mutex` or an atomic",
            "tools take `&self`; write `&self`",
            "tools take `&self`; write `&self`",
            "a tool must take `&self` as its first parameter; add `&self`",
        ]
    );
}

#[test]
fn generics_and_unsafe() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a<T: DeserializeOwned>(&self, x: T) {}
            #[tool] fn b<const N: usize>(&self, x: [u8; N]) {}
            #[tool] fn c(&self, x: impl Into<String>) {}
            #[tool] unsafe fn d(&self) {}
        }
    };
    let generic = "tools cannot be generic: their arguments are deserialized from JSON into \
                   concrete types";
    assert_eq!(
        messages(item),
        [
            generic,
            generic,
            generic,
            "tools cannot be `unsafe fn`s; use an `unsafe` block inside",
        ]
    );
}

#[test]
fn references_are_rejected_where_they_are() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a(&self, x: &str, y: Option<Vec<&'static str>>, z: String) -> &str {}
        }
    };
    let owned = "tool arguments are deserialized from JSON; use an owned type such as `String`";
    let errors = check_errors(item);
    assert_eq!(
        errors.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
        [owned, owned]
    );
}

#[test]
fn parameters() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a(&self, a: Context, b: Context) {}
            #[tool] fn b(&self, ctx: &Context) {}
            #[tool] fn c(&self, (x, y): (i32, i32), _: String) {}
            #[tool] fn d(&self, p: Args<P>, q: Args<Q>) {}
            #[tool] fn e(&self, p: Args<P>, extra: i32, ctx: Context) {}
            #[tool] fn f(&self, #[arg(description = "no")] ctx: Context, /// no
                p: Args<P>) {}
        }
    };
    let plain = "give this parameter a plain name: it is the argument's name in the input \
                 schema (or take all arguments as one struct with `Args<T>`)";
    let described = "only arguments have descriptions; describe the fields of an `Args<T>` \
                     struct with doc comments on the fields";
    assert_eq!(
        messages(item),
        [
            "a tool takes at most one `Context`",
            "take the context by value (`ctx: Context`); it is cheap to clone",
            plain,
            plain,
            "a tool takes at most one `Args<T>`; put all the arguments in `T`",
            "a tool with an `Args<T>` parameter takes all its arguments from `T`; make this \
             parameter a field of `P`",
            described,
            described,
        ]
    );
}

#[test]
fn tool_names() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn add(&self) {}
            #[tool(name = "add")] fn plus(&self) {}
            #[tool(name = "sum")] fn add_all(&self) {}
            #[tool] fn sum(&self) {}
            #[tool(name = "has space")] fn c(&self) {}
            #[tool(name = "")] fn d(&self) {}
            #[tool] fn café(&self) {}
        }
    };
    let long = "x".repeat(129);
    let long: ItemImpl = parse_quote!(impl S { #[tool(name = #long)] fn e(&self) {} });
    let rule = "names have 1 to 128 characters among `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`";
    let rename = "; choose another with `#[tool(name = \"...\")]`";
    assert_eq!(
        messages(item),
        [
            "duplicate tool name `add`; rename one with `#[tool(name = \"...\")]`".to_owned(),
            "duplicate tool name `sum`; rename one with `#[tool(name = \"...\")]`".to_owned(),
            format!("invalid tool name `has space`: ' ' is not allowed; {rule}"),
            format!("a tool name cannot be empty: {rule}"),
            format!("invalid tool name `café`: 'é' is not allowed; {rule}{rename}"),
        ]
    );
    assert_eq!(
        messages(long),
        [format!("invalid tool name: it has 129 characters; {rule}")]
    );
    let ok = "x".repeat(128);
    let ok: ItemImpl = parse_quote!(impl S { #[tool(name = #ok)] fn e(&self) {} });
    assert!(messages(ok).is_empty());
}

#[test]
fn all_errors_are_reported_together() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool(bogus)] fn a(&mut self, x: &str) {}
            #[tool] fn a(&self) {}
        }
    };
    let cx = Ctxt::new();
    let server = Server::from_syn(&cx, quote!(nam = "x"), &item);
    check(&cx, &server);
    assert_eq!(
        cx.messages(),
        [
            "unknown #[mcp_server] argument `nam`; the arguments are `name`, `version`, `title`, \
             `description`, `website_url`, `icon`, `instructions`, `scopes` and `crate`",
            "unknown #[tool] argument `bogus`; the arguments are `name`, `description`, `title`, \
             `read_only`, `destructive`, `idempotent`, `open_world`, `structured`, `local`, \
             `task`, `icon`, `scopes`, `app`, `visibility` and `timeout`",
            "tools take `&self`, not `&mut self`: calls may run concurrently, so keep mutable \
             state in a `Mutex` or an atomic",
            "tool arguments are deserialized from JSON; use an owned type such as `String`",
            "duplicate tool name `a`; rename one with `#[tool(name = \"...\")]`",
        ]
    );
}

#[test]
fn not_an_impl() {
    let item: Item = parse_quote!(
        struct S;
    );
    assert!(
        not_an_inherent_impl(&item)
            .to_string()
            .contains("not on the struct")
    );
    let item: Item = parse_quote!(impl Trait for S {});
    assert!(
        not_an_inherent_impl(&item)
            .to_string()
            .contains("not on a trait impl")
    );
    let item: Item = parse_quote!(
        fn f() {}
    );
    assert!(
        not_an_inherent_impl(&item)
            .to_string()
            .starts_with("`#[mcp_server]` goes on an impl block; to make")
    );
}

#[test]
fn a_good_surface_has_no_errors() {
    let item: ItemImpl = parse_quote! {
        impl S {
            /// Static.
            #[resource(uri = "test://static", mime_type = "text/plain")]
            fn fixed(&self) -> &'static str { "x" }
            #[resource(uri = "test://items/{id}/{+path}", complete(id = ids, path = paths))]
            async fn item(&self, ctx: Context, path: String, id: u32) -> String { todo!() }
            #[prompt(complete(who = names, lang = names))]
            fn greet(&self, who: String, #[arg(name = "lang")] language: Option<String>, n: Option<u8>, ctx: Context) -> String { todo!() }
            #[prompt]
            fn simple(&self) -> Vec<PromptMessage> { todo!() }
            fn ids(&self, value: String) -> Vec<String> { todo!() }
            async fn paths(&self, value: &str, chosen: HashMap<String, String>, ctx: Context) -> Result<Vec<String>, McpError> { todo!() }
            fn names(&self) -> Vec<&'static str> { todo!() }
            #[tool(structured)]
            fn s(&self) -> Result<u32, String> { todo!() }
        }
    };
    assert_eq!(messages(item), Vec::<String>::new());
}

#[test]
fn resource_templates_bind_parameters_by_name() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[resource(uri = "test://items/{id}/{part}")]
            fn a(&self, id: u32, other: String) -> String { todo!() }
            #[resource(uri = "test://fixed")]
            fn b(&self, id: u32) -> String { todo!() }
            #[resource(uri = "test://o/{id}")]
            fn c(&self, id: Option<u32>, /// no
                ctx: Context, Args(x): Args<X>) -> String { todo!() }
            #[resource(uri = "test://fixed")]
            fn d(&self) {}
            #[resource(uri = "no-scheme")]
            fn e(&self) -> String { todo!() }
            #[resource(uri = "x://{a}", complete(b = f))]
            fn f(&self, a: &str) -> String { todo!() }
        }
    };
    assert_eq!(
        messages(item),
        [
            "`other` is not a parameter of the URI template `test://items/{id}/{part}`; add \
             `{other}` to it, or remove this parameter",
            "`{part}` has no parameter to go to; add `part: String` (or another `FromStr` \
             type) to `a`",
            "a resource with a fixed URI takes no arguments; to make it a template, put `{id}` \
             in its URI",
            "a template parameter is always in the URI; take `T`, not `Option<T>`",
            "template parameters have no descriptions; describe the resource in its doc comment",
            "a resource takes its template parameters one by one (`id: u32`), not as `Args<T>`",
            "two resources have the URI `test://fixed`",
            "a resource returns its contents: text (`String`), bytes (`Vec<u8>`), \
             `ResourceContents`, or a `Result` of one of them",
            "`no-scheme` is not a URI: give it a scheme, such as `file:///...` or `app://...`",
            "resource arguments are parsed from text; use an owned type such as `String`",
            "no argument `b` to complete; the arguments are `a`",
        ]
    );
}

#[test]
fn prompt_parameters() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[prompt]
            fn a(&self, p: Args<P>, (x, y): (String, String), s: &str, #[arg(description = "no")] ctx: Context) -> String { todo!() }
            #[prompt(name = "a")]
            fn b(&self, x: String, #[arg(name = "x")] y: String) {}
            #[prompt(name = "")]
            fn c(&mut self) -> String { todo!() }
        }
    };
    assert_eq!(
        messages(item),
        [
            "a prompt takes its arguments one by one (`topic: String`, `style: Option<String>`), \
             not as `Args<T>`",
            "give this parameter a plain name: it is the argument's name",
            "prompt arguments are parsed from text; use an owned type such as `String`",
            "only arguments have descriptions",
            "duplicate prompt name `a`; rename one with `#[prompt(name = \"...\")]`",
            "two arguments are named `x`; rename one with `#[arg(name = \"...\")]`",
            "a prompt returns its messages: `Vec<PromptMessage>`, a `String` (one user \
             message), `GetPromptResult`, or a `Result` of one of them",
            "a prompt's name cannot be empty",
            "prompts take `&self`, not `&mut self`: calls may run concurrently, so keep \
             mutable state in a `Mutex` or an atomic",
        ]
    );
}

#[test]
fn completion_methods() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[prompt(complete(who = missing, whom = ok, who = ok))]
            fn a(&self, who: String) -> String { todo!() }
            #[prompt(complete(x = ok))]
            fn c(&self) -> String { todo!() }
            fn ok(&self, value: &str) -> Vec<String> { todo!() }
        }
    };
    assert_eq!(
        messages(item),
        [
            "duplicate completion for `who`",
            "no method `missing` in this `#[mcp_server]` impl block; a completion method is \
             written there: `fn missing(&self, value: &str) -> Vec<String>`",
            "no argument `whom` to complete; the arguments are `who`",
            "no argument `x` to complete; this prompt has no argument",
        ]
    );
    let item: ItemImpl = parse_quote! {
        impl S {
            #[prompt(complete(x = bad_sig))]
            fn b(&self, x: String) -> String { todo!() }
            #[resource(uri = "a://b", complete(x = bad_sig))]
            fn r(&self) -> String { todo!() }
            fn bad_sig<T>(value: &str, a: A, b: B, ctx: &Context) {}
        }
    };
    assert_eq!(
        messages(item),
        [
            "a completion method must take `&self` as its first parameter; add `&self`",
            "completion methods cannot be generic: their arguments are parsed from text into \
             concrete types",
            "a completion method takes the value typed so far (`value: &str`), then optionally \
             the arguments already chosen (`chosen: HashMap<String, String>`) and \
             `ctx: Context`; nothing else",
            "take the context by value (`ctx: Context`); it is cheap to clone",
            "`bad_sig` must return the suggested values: `Vec<String>`, `Completion`, or a \
             `Result` of one of them",
            "no argument `x` to complete; a resource with a fixed URI has no parameters to \
             complete",
        ]
    );
}

#[test]
fn structured_needs_a_value() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool(structured)]
            fn a(&self) {}
        }
    };
    assert_eq!(
        messages(item),
        [
            "a structured tool returns a value: `T` or `Result<T, E>`, with `T: Serialize + \
          JsonSchema`"
        ]
    );
}

#[test]
fn local_is_for_async_tools() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool(local)]
            async fn a(&self) {}
            #[tool(local = false)]
            fn b(&self) {}
            #[tool(local)]
            fn c(&self) {}
        }
    };
    assert_eq!(
        messages(item),
        [
            "`local` is for `async` tools whose future is not `Send`; this tool is not `async`: \
          remove `local`"
        ]
    );
}
