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
    ) -> ::my::mcp::__private::core::option::Option<
        ::my::mcp::__private::std::string::String,
    > {
        ::my::mcp::__private::core::option::Option::Some(
            ::my::mcp::__private::core::convert::From::from("Use it wisely."),
        )
    }
    fn tools(&self) -> ::my::mcp::__private::std::vec::Vec<::my::mcp::__private::Tool> {
        ::my::mcp::__private::core::convert::From::from([
            {
                let mut __tool = ::my::mcp::__private::Tool::new(
                    "run-job",
                    ::my::mcp::__private::struct_input_schema::<Job>(),
                );
                __tool.description = ::my::mcp::__private::core::option::Option::Some(
                    ::my::mcp::__private::core::convert::From::from("Runs a job."),
                );
                __tool
            },
            ::my::mcp::__private::Tool::new(
                "ping",
                ::my::mcp::__private::InputSchema::new().build(),
            ),
        ])
    }
    fn call_tool<'__mcp>(
        &'__mcp self,
        __name: &::my::mcp::__private::core::primitive::str,
        __arguments: ::my::mcp::__private::Arguments,
        __ctx: ::my::mcp::__private::Context,
    ) -> ::my::mcp::__private::core::option::Option<
        ::my::mcp::__private::BoxFuture<'__mcp, ::my::mcp::__private::CallToolResult>,
    > {
        match __name {
            "run-job" => {
                ::my::mcp::__private::core::option::Option::Some(
                    ::my::mcp::__private::box_future(async move {
                        match ::my::mcp::__private::struct_arguments::<
                            Job,
                        >(__arguments) {
                            ::my::mcp::__private::core::result::Result::Ok(__value) => {
                                ::my::mcp::__private::IntoToolResult::into_tool_result(
                                    Self::run(self, ::my::mcp::__private::Args(__value), __ctx)
                                        .await,
                                )
                            }
                            ::my::mcp::__private::core::result::Result::Err(__error) => {
                                __error
                            }
                        }
                    }),
                )
            }
            "ping" => {
                ::my::mcp::__private::core::option::Option::Some(
                    ::my::mcp::__private::box_future(async move {
                        match ::my::mcp::__private::ArgumentParser::new(__arguments)
                            .finish()
                        {
                            ::my::mcp::__private::core::result::Result::Ok(()) => {
                                let __ret = Self::ping(self);
                                {
                                    #[allow(unused_imports)]
                                    use ::my::mcp::__private::{
                                        IntoResultKind as _, SerializeKind as _,
                                    };
                                    (&__ret).__tool_result_kind().convert(__ret)
                                }
                            }
                            ::my::mcp::__private::core::result::Result::Err(__error) => {
                                __error
                            }
                        }
                    }),
                )
            }
            _ => {
                let _ = (__arguments, __ctx);
                ::my::mcp::__private::core::option::Option::None
            }
        }
    }
}
