//! Expansion snapshots: what `cargo expand` shows for typical servers.
//!
//! Update them with `UPDATE_EXPECT=1 cargo test -p mcp-macros`.

use expect_test::{ExpectFile, expect_file};
use proc_macro2::TokenStream;
use quote::quote;

fn check(args: TokenStream, input: TokenStream, expected: ExpectFile) {
    let output = crate::mcp_server_impl(args, input);
    let file: syn::File = syn::parse2(output).expect("the expansion parses");
    expected.assert_eq(&prettyplease::unparse(&file));
}

/// The impl block of `examples/quickstart.rs`, as the README shows it, expanded: what
/// `cargo expand -p examples --example quickstart` prints for it. A change in the size or the
/// shape of the generated code shows up here.
#[test]
fn quickstart() {
    let source: syn::File = syn::parse_str(include_str!("../../../examples/quickstart.rs"))
        .expect("examples/quickstart.rs parses");
    let server = source.items.into_iter().find_map(|item| match item {
        syn::Item::Impl(mut item) => {
            let at = item
                .attrs
                .iter()
                .position(|attr| attr.path().is_ident("mcp_server"))?;
            Some((item.attrs.remove(at), item))
        }
        _ => None,
    });
    let (attr, item) = server.expect("an `#[mcp_server]` impl block");
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    check(args, quote!(#item), expect_file!["expand/quickstart.rs"]);
}

#[test]
fn calculator() {
    check(
        quote!(name = "calculator", version = "1.0.0"),
        quote! {
            impl Calculator {
                /// Add two numbers.
                #[tool]
                async fn add(&self, a: f64, b: f64) -> f64 {
                    a + b
                }

                /// Divide `a` by `b`.
                #[tool(read_only, title = "Divide")]
                fn divide(
                    &self,
                    #[arg(description = "The dividend.")] a: f64,
                    /// The divisor.
                    b: Option<f64>,
                ) -> Result<f64, String> {
                    todo!()
                }

                fn helper(&self) {}
            }
        },
        expect_file!["expand/calculator.rs"],
    );
}

#[test]
fn args_struct_context_and_defaults() {
    check(
        quote!(instructions = "Use it wisely.", crate = ::my::mcp),
        quote! {
            impl<T: Clone + Send + Sync + 'static> Worker<T> where T: Default {
                #[my::mcp::tool(name = "run-job", description = "Runs a job.")]
                async fn run(&self, Args(job): Args<Job>, ctx: Context) {}

                #[tool]
                fn ping(&self) -> CallToolResult {
                    todo!()
                }
            }
        },
        expect_file!["expand/args_context.rs"],
    );
}

#[test]
fn errors_keep_the_impl() {
    check(
        quote!(nme = "x"),
        quote! {
            impl Server {
                #[tool]
                fn add(&mut self, #[arg(description = "x")] a: &str) {}
            }
        },
        expect_file!["expand/errors.rs"],
    );
}

#[test]
fn resources_prompts_and_completions() {
    check(
        quote!(name = "library", version = "1.0.0"),
        quote! {
            impl Library {
                /// The catalogue.
                #[resource(uri = "library://catalogue", mime_type = "text/plain", audience = "user assistant", priority = 0.9)]
                fn catalogue(&self) -> String {
                    todo!()
                }

                /// One book.
                #[resource(
                    uri = "library://books/{id}/{format}",
                    name = "book",
                    mime_type = "application/json",
                    priority = 0,
                    complete(format = formats),
                )]
                async fn book(&self, id: u32, format: String, ctx: Context) -> Result<String, McpError> {
                    todo!()
                }

                /// Recommend a book.
                #[prompt(title = "Recommend", complete(genre = genres))]
                fn recommend(
                    &self,
                    /// The genre.
                    genre: String,
                    #[arg(name = "maxPages")] max_pages: Option<u32>,
                ) -> Vec<PromptMessage> {
                    todo!()
                }

                fn formats(&self, value: &str) -> Vec<String> {
                    todo!()
                }

                async fn genres(&self, value: String, chosen: HashMap<String, String>, ctx: Context) -> Vec<String> {
                    todo!()
                }
            }
        },
        expect_file!["expand/library.rs"],
    );
}

#[test]
fn server_info_structured_tools_and_icons() {
    check(
        quote!(
            name = "shapes",
            version = "2.0.0",
            title = "Shapes",
            description = "Geometry for models.",
            website_url = "https://example.com/shapes",
            icon = "https://example.com/shapes.svg",
            icon(src = "shapes-dark.png", theme = "dark")
        ),
        quote! {
            impl Shapes {
                /// The area of a square.
                #[tool(icon = "https://example.com/square.svg")]
                fn area(&self, side: f64) -> Json<Area> {
                    todo!()
                }

                /// Sides of a regular polygon.
                #[tool(structured, icon(src = "poly.png", mime_type = "image/png", sizes = "48x48", theme = "dark"))]
                fn sides(&self, name: String) -> Result<u32, String> {
                    todo!()
                }
            }
        },
        expect_file!["expand/structured.rs"],
    );
}

#[test]
fn local_tool() {
    check(
        quote!(),
        quote! {
            impl Notes {
                /// Take a note.
                #[tool(local)]
                async fn note(&self, text: String, ctx: Context) -> Result<usize, String> {
                    todo!()
                }
            }
        },
        expect_file!["expand/local.rs"],
    );
}

#[test]
fn apps() {
    check(
        quote!(name = "weather", version = "1.0.0"),
        quote! {
            impl Weather {
                /// Today's weather.
                #[tool(app = "ui://weather/view.html")]
                fn forecast(&self, city: String) -> String {
                    todo!()
                }

                /// Refresh the view.
                #[tool(app = "ui://weather/view.html", visibility = ["app"])]
                fn refresh(&self) -> String {
                    todo!()
                }

                /// The view.
                #[resource(
                    uri = "ui://weather/view.html",
                    app(
                        prefers_border = false,
                        domain = "weather.example.com",
                        csp(connect_domains = ["https://api.example.com"], base_uri_domains = ["https://cdn.example.com"]),
                        permissions(geolocation),
                    )
                )]
                fn view(&self) -> &'static str {
                    todo!()
                }

                /// A view with the host's defaults.
                #[resource(uri = "ui://weather/plain.html", app)]
                fn plain(&self) -> String {
                    todo!()
                }
            }
        },
        expect_file!["expand/apps.rs"],
    );
}
