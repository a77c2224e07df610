//! Tests of the model.

use super::*;
use quote::{ToTokens, quote};
use syn::parse_quote;

fn model(item: &ItemImpl, test: impl FnOnce(&Server<'_>)) -> Vec<String> {
    let cx = Ctxt::new();
    let server = Server::from_syn(&cx, quote!(name = "calc"), item);
    test(&server);
    cx.messages()
}

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

#[test]
fn tools_and_plain_methods() {
    let item: ItemImpl = parse_quote! {
        impl Calculator {
            /// Add two numbers.
            #[tool]
            async fn add(&self, a: f64, b: Option<f64>) -> f64 { a + b.unwrap_or(0.0) }

            fn helper(&self) {}

            #[tool(name = "div", description = "Divide.")]
            fn divide(&self, a: f64, b: f64) -> Result<f64, String> { todo!() }

            #[mcp_runtime::tool]
            fn r#type(&self) {}
        }
    };
    let errs = model(&item, |server| {
        assert_eq!(server.args.name.as_ref().unwrap().value(), "calc");
        let names: Vec<_> = server.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["add", "div", "type"]);

        let add = &server.tools[0];
        assert!(add.method.is_async());
        assert_eq!(add.description.as_deref(), Some("Add two numbers."));
        assert!(matches!(add.method.receiver, Receiver::Shared));
        assert!(matches!(add.method.output, Output::Value(ty) if tokens(ty) == "f64"));
        let [pa, pb] = &add.method.params[..] else {
            panic!("two params")
        };
        let (ParamKind::Flat(a), ParamKind::Flat(b)) = (&pa.kind, &pb.kind) else {
            panic!("flat params")
        };
        assert_eq!(
            (pa.name().unwrap(), tokens(a.ty), a.optional),
            ("a".into(), "f64".into(), false)
        );
        assert_eq!(
            (pb.name().unwrap(), tokens(b.ty), b.optional),
            ("b".into(), "f64".into(), true)
        );

        let div = &server.tools[1];
        assert_eq!(div.method.ident(), "divide");
        assert!(!div.method.is_async());
        assert_eq!(div.description.as_deref(), Some("Divide."));
        assert!(matches!(div.method.output, Output::Result(_)));

        let r#type = &server.tools[2];
        assert!(r#type.description.is_none());
        assert!(matches!(r#type.method.output, Output::Unit));
    });
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn context_args_and_descriptions() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool]
            fn a(&self, ctx: mcp_runtime::Context, Args(p): Args<Params>) {}
            #[tool]
            fn b(
                self: &Self,
                #[arg(description = "The text.")] text: String,
                /// Number of
                /// repeats.
                times: Option<u32>,
                (x, y): (i32, i32),
                c: &Context,
            ) {}
        }
    };
    let errs = model(&item, |server| {
        let a = &server.tools[0];
        assert!(matches!(a.method.params[0].kind, ParamKind::Context));
        assert!(
            matches!(a.method.params[1].kind, ParamKind::Args { inner } if tokens(inner) == "Params")
        );

        let b = &server.tools[1];
        assert!(matches!(b.method.receiver, Receiver::Shared));
        let descriptions: Vec<_> = b
            .method
            .params
            .iter()
            .map(|p| p.description.as_ref().map(|d| d.text.as_str()))
            .collect();
        assert_eq!(
            descriptions,
            [Some("The text."), Some("Number of\nrepeats."), None, None]
        );
        assert!(matches!(&b.method.params[2].kind, ParamKind::Flat(f) if f.ident.is_none()));
        assert!(matches!(b.method.params[3].kind, ParamKind::ContextRef));
    });
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn receivers() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a(&'x self) {}
            #[tool] fn b(&mut self) {}
            #[tool] fn c(self) {}
            #[tool] fn d(self: Box<Self>) {}
            #[tool] fn e() {}
        }
    };
    let errs = model(&item, |server| {
        let kinds: Vec<_> = server
            .tools
            .iter()
            .map(|t| match t.method.receiver {
                Receiver::Shared => "shared",
                Receiver::Other(_) => "other",
                Receiver::Missing => "missing",
            })
            .collect();
        assert_eq!(kinds, ["shared", "other", "other", "other", "missing"]);
    });
    assert!(errs.is_empty());
}

#[test]
fn attribute_errors_are_collected() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool(nam = "x")]
            #[tool]
            fn a(&self, #[arg(descr = "y")] y: i32) {}
        }
    };
    let errs = model(&item, |server| assert_eq!(server.tools.len(), 1));
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs[0].starts_with("duplicate `#[tool]`"));
    assert!(errs[1].starts_with("unknown #[tool] argument `nam`"));
    assert!(errs[2].starts_with("unknown #[arg] argument `descr`"));
}

#[test]
fn resources_prompts_and_their_defaults() {
    let item: ItemImpl = parse_quote! {
        impl S {
            /// The readme.
            #[resource(uri = "docs://readme", mime_type = "text/markdown")]
            fn readme(&self) -> String { todo!() }

            #[resource(uri = "db://{table}/{id}", name = "row", description = "A row.")]
            async fn row(&self, table: String, id: u64, ctx: Context) -> String { todo!() }

            /// Greet someone.
            #[prompt(complete(who = names))]
            fn greet(&self, who: String, #[arg(name = "lang")] language: Option<String>) -> String {
                todo!()
            }

            #[mcp_runtime::prompt(name = "other")]
            fn r#loop(&self) -> String { todo!() }

            fn names(&self, value: &str, ctx: Context) -> Vec<String> { todo!() }
        }
    };
    let errs = model(&item, |server| {
        let [readme, row] = &server.resources[..] else {
            panic!("two resources")
        };
        assert_eq!(
            (
                readme.uri.as_str(),
                readme.name.as_str(),
                readme.is_template()
            ),
            ("docs://readme", "readme", false)
        );
        assert_eq!(readme.description.as_deref(), Some("The readme."));
        assert!(readme.vars.is_empty());
        assert_eq!(
            (row.uri.as_str(), row.name.as_str(), row.is_template()),
            ("db://{table}/{id}", "row", true)
        );
        assert_eq!(row.description.as_deref(), Some("A row."));
        let vars: Vec<_> = row.vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(vars, ["table", "id"]);

        let [greet, other] = &server.prompts[..] else {
            panic!("two prompts")
        };
        assert_eq!(greet.name, "greet");
        assert_eq!(greet.description.as_deref(), Some("Greet someone."));
        let names: Vec<_> = greet.method.params.iter().map(|p| p.name()).collect();
        assert_eq!(names, [Some("who".to_owned()), Some("lang".to_owned())]);
        assert_eq!(other.name, "other");
        assert!(other.description.is_none());
        assert!(server.has_completions());

        let completer = server.completer(&greet.args.complete[0].method).unwrap();
        assert_eq!(completer.name(), "names");
        assert!(matches!(
            completer.params[..],
            [CompleterParam::Value(ty), CompleterParam::Context] if tokens(ty) == "& str"
        ));
        assert!(server.completer(&syn::parse_quote!(nope)).is_none());
    });
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn structured_tools() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool] fn a(&self) -> Json<Point> { todo!() }
            #[tool] fn b(&self) -> Result<mcp_runtime::Json<Vec<u8>>, String> { todo!() }
            #[tool(structured)] fn c(&self) -> Point { todo!() }
            #[tool(structured)] fn d(&self) -> io::Result<Point> { todo!() }
            #[tool] fn e(&self) -> Point { todo!() }
            #[tool(structured)] fn f(&self) {}
        }
    };
    let errs = model(&item, |server| {
        let kinds: Vec<String> = server
            .tools
            .iter()
            .map(|t| match t.structured() {
                Structured::No => "no".to_owned(),
                Structured::Json(ty) => format!("json {}", tokens(ty)),
                Structured::Value(ty) => format!("value {}", tokens(ty)),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "json Point",
                "json Vec < u8 >",
                "value Point",
                "value Point",
                "no",
                "no"
            ]
        );
    });
    assert!(errs.is_empty(), "{errs:?}");
}

#[test]
fn one_attribute_per_method() {
    let item: ItemImpl = parse_quote! {
        impl S {
            #[tool]
            #[prompt]
            #[resource(uri = "a://{")]
            fn a(&self) {}
        }
    };
    let errs = model(&item, |server| {
        assert_eq!(server.tools.len(), 1);
        assert!(server.prompts.is_empty() && server.resources.is_empty());
    });
    assert_eq!(
        errs,
        [
            "a method is a tool, a resource or a prompt, not two of them; this one is already \
             a `#[tool]`",
            "a method is a tool, a resource or a prompt, not two of them; this one is already \
             a `#[tool]`",
        ]
    );
    let item: ItemImpl = parse_quote! {
        impl S {
            #[resource(uri = "a://{x")]
            fn a(&self) {}
        }
    };
    assert_eq!(
        model(&item, |_| {}),
        ["invalid URI template: `{` without a matching `}`"]
    );
}
