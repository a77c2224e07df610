impl Calculator {
    /// Add two numbers.
    #[tool(__mcp_server_checked)]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    /// Divide `a` by `b`.
    #[tool(__mcp_server_checked)]
    fn divide(&self, a: f64, b: Option<f64>) -> Result<f64, String> {
        todo!()
    }
    fn helper(&self) {}
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Calculator {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::Implementation::new("calculator", "1.0.0")
    }
    fn tools(
        &self,
    ) -> ::mcp_runtime::__private::std::vec::Vec<::mcp_runtime::__private::Tool> {
        ::mcp_runtime::__private::core::convert::From::from([
            {
                let mut __tool = ::mcp_runtime::__private::Tool::new(
                    "add",
                    ::mcp_runtime::__private::InputSchema::new()
                        .param::<
                            f64,
                        >(
                            "a",
                            ::mcp_runtime::__private::core::option::Option::None,
                            true,
                        )
                        .param::<
                            f64,
                        >(
                            "b",
                            ::mcp_runtime::__private::core::option::Option::None,
                            true,
                        )
                        .build(),
                );
                __tool.description = ::mcp_runtime::__private::core::option::Option::Some(
                    ::mcp_runtime::__private::core::convert::From::from(
                        "Add two numbers.",
                    ),
                );
                __tool
            },
            {
                let mut __tool = ::mcp_runtime::__private::Tool::new(
                    "divide",
                    ::mcp_runtime::__private::InputSchema::new()
                        .param::<
                            f64,
                        >(
                            "a",
                            ::mcp_runtime::__private::core::option::Option::Some(
                                "The dividend.",
                            ),
                            true,
                        )
                        .param::<
                            f64,
                        >(
                            "b",
                            ::mcp_runtime::__private::core::option::Option::Some(
                                "The divisor.",
                            ),
                            false,
                        )
                        .build(),
                );
                __tool.description = ::mcp_runtime::__private::core::option::Option::Some(
                    ::mcp_runtime::__private::core::convert::From::from(
                        "Divide `a` by `b`.",
                    ),
                );
                __tool.title = ::mcp_runtime::__private::core::option::Option::Some(
                    ::mcp_runtime::__private::core::convert::From::from("Divide"),
                );
                __tool.annotations = ::mcp_runtime::__private::core::option::Option::Some(::mcp_runtime::__private::ToolAnnotations {
                    title: ::mcp_runtime::__private::core::option::Option::Some(
                        ::mcp_runtime::__private::core::convert::From::from("Divide"),
                    ),
                    read_only_hint: ::mcp_runtime::__private::core::option::Option::Some(
                        true,
                    ),
                    ..::mcp_runtime::__private::core::default::Default::default()
                });
                __tool
            },
        ])
    }
    fn call_tool<'__mcp>(
        &'__mcp self,
        __name: &::mcp_runtime::__private::core::primitive::str,
        __arguments: ::mcp_runtime::__private::Arguments,
        __ctx: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::core::option::Option<
        ::mcp_runtime::__private::BoxFuture<
            '__mcp,
            ::mcp_runtime::__private::CallToolResult,
        >,
    > {
        match __name {
            "add" => {
                ::mcp_runtime::__private::core::option::Option::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let mut __parser = ::mcp_runtime::__private::ArgumentParser::new(
                            __arguments,
                        );
                        let a = __parser.required::<f64>("a");
                        let b = __parser.required::<f64>("b");
                        match (__parser.finish(), a, b) {
                            (
                                ::mcp_runtime::__private::core::result::Result::Ok(()),
                                ::mcp_runtime::__private::core::option::Option::Some(a),
                                ::mcp_runtime::__private::core::option::Option::Some(b),
                            ) => {
                                let __ret = Self::add(self, a, b).await;
                                {
                                    #[allow(unused_imports)]
                                    use ::mcp_runtime::__private::{
                                        IntoResultKind as _, SerializeKind as _,
                                    };
                                    (&__ret).__tool_result_kind().convert(__ret)
                                }
                            }
                            (__outcome, ..) => {
                                ::mcp_runtime::__private::arguments_error(__outcome)
                            }
                        }
                    }),
                )
            }
            "divide" => {
                ::mcp_runtime::__private::core::option::Option::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let mut __parser = ::mcp_runtime::__private::ArgumentParser::new(
                            __arguments,
                        );
                        let a = __parser.required::<f64>("a");
                        let b = __parser.optional::<f64>("b");
                        match (__parser.finish(), a, b) {
                            (
                                ::mcp_runtime::__private::core::result::Result::Ok(()),
                                ::mcp_runtime::__private::core::option::Option::Some(a),
                                ::mcp_runtime::__private::core::option::Option::Some(b),
                            ) => {
                                match Self::divide(self, a, b) {
                                    ::mcp_runtime::__private::core::result::Result::Ok(
                                        __ret,
                                    ) => {
                                        #[allow(unused_imports)]
                                        use ::mcp_runtime::__private::{
                                            IntoResultKind as _, SerializeKind as _,
                                        };
                                        (&__ret).__tool_result_kind().convert(__ret)
                                    }
                                    ::mcp_runtime::__private::core::result::Result::Err(
                                        __error,
                                    ) => ::mcp_runtime::__private::error_result(__error),
                                }
                            }
                            (__outcome, ..) => {
                                ::mcp_runtime::__private::arguments_error(__outcome)
                            }
                        }
                    }),
                )
            }
            _ => {
                let _ = (__arguments, __ctx);
                ::mcp_runtime::__private::core::option::Option::None
            }
        }
    }
}
