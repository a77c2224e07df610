impl<T: Clone + Send + Sync + 'static> Worker<T>
where
    T: Default,
{
    #[my::mcp::tool(__mcp_server_checked)]
    async fn run(&self, Args(job): Args<Job>, ctx: Context) {}
    #[tool(__mcp_server_checked)]
    fn ping(&self) -> CallToolResult {
        todo!()
    }
}
#[automatically_derived]
impl<T: Clone + Send + Sync + 'static> ::my::mcp::__private::MCPServer for Worker<T>
where
    T: Default,
{
    fn server_info(&self) -> ::my::mcp::__private::Implementation {
        ::my::mcp::__private::Implementation::new(
            ::my::mcp::__private::core::env!("CARGO_PKG_NAME"),
            ::my::mcp::__private::core::env!("CARGO_PKG_VERSION"),
        )
    }
    fn instructions(
        &self,
    ) -> ::my::mcp::__private::Option<::my::mcp::__private::String> {
        ::my::mcp::__private::some_text("Use it wisely.")
    }
    fn tools(&self) -> ::my::mcp::__private::Vec<::my::mcp::__private::Tool> {
        let __schemas = &const { ([],) };
        ::my::mcp::__private::vec([
            ::my::mcp::__private::tool(
                "run-job",
                ::my::mcp::__private::Some("Runs a job."),
                ::my::mcp::__private::struct_input_schema(
                    ::my::mcp::__private::struct_argument::<Job>(),
                ),
            ),
            ::my::mcp::__private::tool(
                "ping",
                ::my::mcp::__private::None,
                ::my::mcp::__private::input_schema(&__schemas.0),
            ),
        ])
    }
    fn call_tool<'__mcp>(
        &'__mcp self,
        __name: &::my::mcp::__private::str,
        __arguments: ::my::mcp::__private::ToolArguments,
        __ctx: ::my::mcp::__private::Context,
    ) -> ::my::mcp::__private::Option<
        ::my::mcp::__private::BoxFuture<'__mcp, ::my::mcp::__private::CallToolResult>,
    > {
        #[allow(unused_imports)]
        use ::my::mcp::__private::{
            IntoResultKind as _, IntoResultOutput as _, SerializeKind as _,
            SerializeOutputKind as _,
        };
        let __params = &const { (::my::mcp::__private::struct_argument::<Job>(),) };
        match __name {
            "run-job" => {
                ::my::mcp::__private::Some(
                    match ::my::mcp::__private::args_struct(&__params.0, __arguments) {
                        ::my::mcp::__private::Ok(__value) => {
                            let __future = Self::run(
                                self,
                                ::my::mcp::__private::Args(__value),
                                __ctx,
                            );
                            let __converted = ::my::mcp::__private::output_of(&__future)
                                .__tool_output_kind()
                                .converter()
                                .wrap(__future);
                            ::my::mcp::__private::tool_future(__converted)
                        }
                        ::my::mcp::__private::Err(__error) => __error,
                    },
                )
            }
            "ping" => {
                ::my::mcp::__private::Some(
                    match ::my::mcp::__private::no_arguments(__arguments) {
                        ::my::mcp::__private::Ok(()) => {
                            ::my::mcp::__private::tool_future(async move {
                                let __ret = Self::ping(self);
                                (&__ret).__tool_result_kind().convert(__ret)
                            })
                        }
                        ::my::mcp::__private::Err(__error) => __error,
                    },
                )
            }
            _ => {
                let _ = (__arguments, __ctx);
                ::my::mcp::__private::None
            }
        }
    }
    fn tool_may_ask_input(
        &self,
        name: &::my::mcp::__private::str,
    ) -> ::my::mcp::__private::bool {
        !::my::mcp::__private::core::matches!(name, "ping")
    }
}
