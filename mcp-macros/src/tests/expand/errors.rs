impl Server {
    #[tool(__mcp_server_checked)]
    fn add(&mut self, a: &str) {}
}
impl ::mcp_runtime::__private::MCPServer for Server {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::core::unreachable!()
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        ::mcp_runtime::__private::core::unreachable!()
    }
    fn call_tool<'__mcp>(
        &'__mcp self,
        _: &::mcp_runtime::__private::str,
        _: ::mcp_runtime::__private::ToolArguments,
        _: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::Option<
        ::mcp_runtime::__private::BoxFuture<
            '__mcp,
            ::mcp_runtime::__private::CallToolResult,
        >,
    > {
        ::mcp_runtime::__private::core::unreachable!()
    }
}
::core::compile_error! {
    "unknown #[mcp_server] argument `nme`; the arguments are `name`, `version`, `title`, `description`, `website_url`, `icon`, `instructions`, `scopes` and `crate`"
}
::core::compile_error! {
    "tools take `&self`, not `&mut self`: calls may run concurrently, so keep mutable state in a `Mutex` or an atomic"
}
::core::compile_error! {
    "tool arguments are deserialized from JSON; use an owned type such as `String`"
}
