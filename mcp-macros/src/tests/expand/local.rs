impl Notes {
    /// Take a note.
    #[tool(__mcp_server_checked)]
    async fn note(&self, text: String, ctx: Context) -> Result<usize, String> {
        todo!()
    }
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Notes {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::Implementation::new(
            ::mcp_runtime::__private::core::env!("CARGO_PKG_NAME"),
            ::mcp_runtime::__private::core::env!("CARGO_PKG_VERSION"),
        )
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        let __schemas = &const {
            (
                [
                    ::mcp_runtime::__private::param_schema(
                        "text",
                        ::mcp_runtime::__private::argument::<String>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
            )
        };
        ::mcp_runtime::__private::vec([
            ::mcp_runtime::__private::tool(
                "note",
                ::mcp_runtime::__private::Some("Take a note."),
                ::mcp_runtime::__private::input_schema(&__schemas.0),
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
                        "text",
                        ::mcp_runtime::__private::argument::<String>(),
                    ),
                ),
            )
        };
        match __name {
            "note" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.0,
                    ) {
                        ::mcp_runtime::__private::Ok((text,)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                let __this = ::mcp_runtime::__private::clone_server::<
                                    Self,
                                >(self);
                                ::mcp_runtime::__private::LocalTool::new(&__ctx)
                                    .run(move || async move {
                                        match Self::note(&__this, text, __ctx).await {
                                            ::mcp_runtime::__private::Ok(__ret) => {
                                                (&__ret).__tool_result_kind().convert(__ret)
                                            }
                                            ::mcp_runtime::__private::Err(__error) => {
                                                ::mcp_runtime::__private::error_result(__error)
                                            }
                                        }
                                    })
                                    .await
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
}
