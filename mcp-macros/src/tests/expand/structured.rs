impl Shapes {
    /// The area of a square.
    #[tool(__mcp_server_checked)]
    fn area(&self, side: f64) -> Json<Area> {
        todo!()
    }
    /// Sides of a regular polygon.
    #[tool(__mcp_server_checked)]
    fn sides(&self, name: String) -> Result<u32, String> {
        todo!()
    }
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Shapes {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        {
            let mut __info = ::mcp_runtime::__private::Implementation::new(
                "shapes",
                "2.0.0",
            );
            __info.description = ::mcp_runtime::__private::some_text(
                "Geometry for models.",
            );
            __info.title = ::mcp_runtime::__private::some_text("Shapes");
            __info.icons = ::mcp_runtime::__private::vec([
                ::mcp_runtime::__private::Icon::new("https://example.com/shapes.svg"),
                ::mcp_runtime::__private::Icon::new("shapes-dark.png")
                    .with_theme(::mcp_runtime::__private::IconTheme::Dark),
            ]);
            __info.website_url = ::mcp_runtime::__private::some_text(
                "https://example.com/shapes",
            );
            __info
        }
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        let __schemas = &const {
            (
                [
                    ::mcp_runtime::__private::param_schema(
                        "side",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
                [
                    ::mcp_runtime::__private::param_schema(
                        "name",
                        ::mcp_runtime::__private::argument::<String>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
            )
        };
        ::mcp_runtime::__private::vec([
            {
                let mut __tool = ::mcp_runtime::__private::tool(
                    "area",
                    ::mcp_runtime::__private::Some("The area of a square."),
                    ::mcp_runtime::__private::input_schema(&__schemas.0),
                );
                __tool.icons = ::mcp_runtime::__private::vec([
                    ::mcp_runtime::__private::Icon::new("https://example.com/square.svg"),
                ]);
                __tool.output_schema = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::output_schema::<Area>(),
                );
                __tool
            },
            {
                let mut __tool = ::mcp_runtime::__private::tool(
                    "sides",
                    ::mcp_runtime::__private::Some("Sides of a regular polygon."),
                    ::mcp_runtime::__private::input_schema(&__schemas.1),
                );
                __tool.icons = ::mcp_runtime::__private::vec([
                    ::mcp_runtime::__private::Icon::new("poly.png")
                        .with_mime_type("image/png")
                        .with_sizes(["48x48"])
                        .with_theme(::mcp_runtime::__private::IconTheme::Dark),
                ]);
                __tool.output_schema = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::output_schema::<u32>(),
                );
                __tool
            },
        ])
    }
    fn call_tool<'__mcp>(
        &'__mcp self,
        __name: &::mcp_runtime::__private::str,
        __arguments: ::mcp_runtime::__private::ToolArguments,
        __ctx: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::Option<
        ::mcp_runtime::__private::BoxFuture<
            '__mcp,
            ::mcp_runtime::__private::CallToolResult,
        >,
    > {
        #[allow(unused_imports)]
        use ::mcp_runtime::__private::{
            IntoResultKind as _, IntoResultOutput as _, SerializeKind as _,
            SerializeOutputKind as _,
        };
        let __params = &const {
            (
                (
                    ::mcp_runtime::__private::required(
                        "side",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                ),
                (
                    ::mcp_runtime::__private::required(
                        "name",
                        ::mcp_runtime::__private::argument::<String>(),
                    ),
                ),
            )
        };
        match __name {
            "area" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.0,
                    ) {
                        ::mcp_runtime::__private::Ok((side,)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                let __ret = Self::area(self, side);
                                (&__ret).__tool_result_kind().convert(__ret)
                            })
                        }
                        ::mcp_runtime::__private::Err(__error) => __error,
                    },
                )
            }
            "sides" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.1,
                    ) {
                        ::mcp_runtime::__private::Ok((name,)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                match Self::sides(self, name) {
                                    ::mcp_runtime::__private::Ok(__ret) => {
                                        ::mcp_runtime::__private::structured_result(__ret)
                                    }
                                    ::mcp_runtime::__private::Err(__error) => {
                                        ::mcp_runtime::__private::error_result(__error)
                                    }
                                }
                            })
                        }
                        ::mcp_runtime::__private::Err(__error) => __error,
                    },
                )
            }
            _ => {
                let _ = (__arguments, __ctx);
                ::mcp_runtime::__private::None
            }
        }
    }
    fn tool_may_ask_input(
        &self,
        name: &::mcp_runtime::__private::str,
    ) -> ::mcp_runtime::__private::bool {
        !::mcp_runtime::__private::core::matches!(name, "area" | "sides")
    }
}
