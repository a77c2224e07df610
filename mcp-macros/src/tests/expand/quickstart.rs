impl Calculator {
    /// Add two numbers.
    #[tool(__mcp_server_checked)]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    /// Divide `a` by `b`; dividing by zero is a tool error, not a crash.
    #[tool(__mcp_server_checked)]
    fn divide(&self, a: f64, b: f64) -> Result<f64, String> {
        if b == 0.0 { Err("division by zero".into()) } else { Ok(a / b) }
    }
    /// Round `x` to `digits` decimal places (0 when omitted).
    #[tool(__mcp_server_checked)]
    fn round(&self, x: f64, digits: Option<u32>) -> f64 {
        let factor = 10f64.powi(digits.unwrap_or(0).min(15) as i32);
        (x * factor).round() / factor
    }
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Calculator {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::Implementation::new("calculator", "1.0.0")
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        let __schemas = &const {
            (
                [
                    ::mcp_runtime::__private::param_schema(
                        "a",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                    ::mcp_runtime::__private::param_schema(
                        "b",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
                [
                    ::mcp_runtime::__private::param_schema(
                        "a",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                    ::mcp_runtime::__private::param_schema(
                        "b",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
                [
                    ::mcp_runtime::__private::param_schema(
                        "x",
                        ::mcp_runtime::__private::argument::<f64>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                    ::mcp_runtime::__private::param_schema(
                        "digits",
                        ::mcp_runtime::__private::argument::<u32>(),
                        false,
                        ::mcp_runtime::__private::Some("Decimal places to keep"),
                    ),
                ],
            )
        };
        ::mcp_runtime::__private::vec([
            ::mcp_runtime::__private::tool(
                "add",
                ::mcp_runtime::__private::Some("Add two numbers."),
                ::mcp_runtime::__private::input_schema(&__schemas.0),
            ),
            {
                let mut __tool = ::mcp_runtime::__private::tool(
                    "divide",
                    ::mcp_runtime::__private::Some(
                        "Divide `a` by `b`; dividing by zero is a tool error, not a crash.",
                    ),
                    ::mcp_runtime::__private::input_schema(&__schemas.1),
                );
                __tool.annotations = ::mcp_runtime::__private::Some(::mcp_runtime::__private::ToolAnnotations {
                    read_only_hint: ::mcp_runtime::__private::Some(true),
                    ..::mcp_runtime::__private::Default::default()
                });
                __tool
            },
            ::mcp_runtime::__private::tool(
                "round",
                ::mcp_runtime::__private::Some(
                    "Round `x` to `digits` decimal places (0 when omitted).",
                ),
                ::mcp_runtime::__private::input_schema(&__schemas.2),
            ),
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
                        "a",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                    ::mcp_runtime::__private::required(
                        "b",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                ),
                (
                    ::mcp_runtime::__private::required(
                        "a",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                    ::mcp_runtime::__private::required(
                        "b",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                ),
                (
                    ::mcp_runtime::__private::required(
                        "x",
                        ::mcp_runtime::__private::argument::<f64>(),
                    ),
                    ::mcp_runtime::__private::optional(
                        "digits",
                        ::mcp_runtime::__private::argument::<u32>(),
                    ),
                ),
            )
        };
        match __name {
            "add" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.0,
                    ) {
                        ::mcp_runtime::__private::Ok((a, b)) => {
                            let __future = Self::add(self, a, b);
                            let __converted = {
                                let __kind = ::mcp_runtime::__private::output_of(&__future)
                                    .__tool_output_kind();
                                __kind.converter().wrap(__future)
                            };
                            ::mcp_runtime::__private::tool_future(__converted)
                        }
                        ::mcp_runtime::__private::Err(__error) => __error,
                    },
                )
            }
            "divide" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.1,
                    ) {
                        ::mcp_runtime::__private::Ok((a, b)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                match Self::divide(self, a, b) {
                                    ::mcp_runtime::__private::Ok(__ret) => {
                                        (&__ret).__tool_result_kind().convert(__ret)
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
            "round" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.2,
                    ) {
                        ::mcp_runtime::__private::Ok((x, digits)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                let __ret = Self::round(self, x, digits);
                                (&__ret).__tool_result_kind().convert(__ret)
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
        !::mcp_runtime::__private::core::matches!(name, "add" | "divide" | "round")
    }
}
