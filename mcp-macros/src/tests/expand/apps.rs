impl Weather {
    /// Today's weather.
    #[tool(__mcp_server_checked)]
    fn forecast(&self, city: String) -> String {
        todo!()
    }
    /// Refresh the view.
    #[tool(__mcp_server_checked)]
    fn refresh(&self) -> String {
        todo!()
    }
    /// The view.
    #[resource(__mcp_server_checked)]
    fn view(&self) -> &'static str {
        todo!()
    }
    /// A view with the host's defaults.
    #[resource(__mcp_server_checked)]
    fn plain(&self) -> String {
        todo!()
    }
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Weather {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::Implementation::new("weather", "1.0.0")
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        let __schemas = &const {
            (
                [
                    ::mcp_runtime::__private::param_schema(
                        "city",
                        ::mcp_runtime::__private::argument::<String>(),
                        true,
                        ::mcp_runtime::__private::None,
                    ),
                ],
                [],
            )
        };
        ::mcp_runtime::__private::vec([
            {
                let mut __tool = ::mcp_runtime::__private::tool(
                    "forecast",
                    ::mcp_runtime::__private::Some("Today's weather."),
                    ::mcp_runtime::__private::input_schema(&__schemas.0),
                );
                __tool.meta = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::tool_ui(
                        ::mcp_runtime::__private::Some("ui://weather/view.html"),
                        ::mcp_runtime::__private::None,
                    ),
                );
                __tool
            },
            {
                let mut __tool = ::mcp_runtime::__private::tool(
                    "refresh",
                    ::mcp_runtime::__private::Some("Refresh the view."),
                    ::mcp_runtime::__private::input_schema(&__schemas.1),
                );
                __tool.meta = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::tool_ui(
                        ::mcp_runtime::__private::Some("ui://weather/view.html"),
                        ::mcp_runtime::__private::Some(
                            &[::mcp_runtime::__private::UiVisibility::App],
                        ),
                    ),
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
                        "city",
                        ::mcp_runtime::__private::argument::<String>(),
                    ),
                ),
            )
        };
        match __name {
            "forecast" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::flat_arguments(
                        __arguments,
                        &__params.0,
                    ) {
                        ::mcp_runtime::__private::Ok((city,)) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                let __ret = Self::forecast(self, city);
                                (&__ret).__tool_result_kind().convert(__ret)
                            })
                        }
                        ::mcp_runtime::__private::Err(__error) => __error,
                    },
                )
            }
            "refresh" => {
                ::mcp_runtime::__private::Some(
                    match ::mcp_runtime::__private::no_arguments(__arguments) {
                        ::mcp_runtime::__private::Ok(()) => {
                            ::mcp_runtime::__private::tool_future(async move {
                                let __ret = Self::refresh(self);
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
    fn resources(
        &self,
    ) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Resource> {
        ::mcp_runtime::__private::vec([
            {
                let mut __resource = ::mcp_runtime::__private::Resource::new(
                    "ui://weather/view.html",
                    "view",
                );
                __resource.description = ::mcp_runtime::__private::some_text(
                    "The view.",
                );
                __resource.mime_type = ::mcp_runtime::__private::some_text(
                    ::mcp_runtime::__private::APP_MIME_TYPE,
                );
                __resource.meta = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::ResourceMeta::app(
                        <::mcp_runtime::__private::UiResourceMeta as ::mcp_runtime::__private::Default>::default()
                            .with_csp(
                                <::mcp_runtime::__private::UiResourceCsp as ::mcp_runtime::__private::Default>::default()
                                    .with_connect_domains(["https://api.example.com"])
                                    .with_base_uri_domains(["https://cdn.example.com"]),
                            )
                            .with_permissions(
                                <::mcp_runtime::__private::UiResourcePermissions as ::mcp_runtime::__private::Default>::default()
                                    .with_geolocation(),
                            )
                            .with_domain("weather.example.com")
                            .with_prefers_border(false),
                    ),
                );
                __resource
            },
            {
                let mut __resource = ::mcp_runtime::__private::Resource::new(
                    "ui://weather/plain.html",
                    "plain",
                );
                __resource.description = ::mcp_runtime::__private::some_text(
                    "A view with the host's defaults.",
                );
                __resource.mime_type = ::mcp_runtime::__private::some_text(
                    ::mcp_runtime::__private::APP_MIME_TYPE,
                );
                __resource
            },
        ])
    }
    fn resource_templates(
        &self,
    ) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::ResourceTemplate> {
        ::mcp_runtime::__private::Vec::new()
    }
    fn read_resource<'__mcp>(
        &'__mcp self,
        __uri: &::mcp_runtime::__private::str,
        __ctx: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::Option<
        ::mcp_runtime::__private::BoxFuture<
            '__mcp,
            ::mcp_runtime::__private::Result<
                ::mcp_runtime::__private::ReadResourceResult,
                ::mcp_runtime::__private::McpError,
            >,
        >,
    > {
        match __uri {
            "ui://weather/view.html" => {
                return ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let __ret = Self::view(self);
                        ::mcp_runtime::__private::app_read(
                            ::mcp_runtime::__private::IntoReadResourceResult::into_read_result(
                                __ret,
                                "ui://weather/view.html",
                                ::mcp_runtime::__private::Some(
                                    ::mcp_runtime::__private::APP_MIME_TYPE,
                                ),
                            ),
                            <::mcp_runtime::__private::UiResourceMeta as ::mcp_runtime::__private::Default>::default()
                                .with_csp(
                                    <::mcp_runtime::__private::UiResourceCsp as ::mcp_runtime::__private::Default>::default()
                                        .with_connect_domains(["https://api.example.com"])
                                        .with_base_uri_domains(["https://cdn.example.com"]),
                                )
                                .with_permissions(
                                    <::mcp_runtime::__private::UiResourcePermissions as ::mcp_runtime::__private::Default>::default()
                                        .with_geolocation(),
                                )
                                .with_domain("weather.example.com")
                                .with_prefers_border(false),
                        )
                    }),
                );
            }
            "ui://weather/plain.html" => {
                return ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let __ret = Self::plain(self);
                        ::mcp_runtime::__private::IntoReadResourceResult::into_read_result(
                            __ret,
                            "ui://weather/plain.html",
                            ::mcp_runtime::__private::Some(
                                ::mcp_runtime::__private::APP_MIME_TYPE,
                            ),
                        )
                    }),
                );
            }
            _ => {}
        }
        let _ = __ctx;
        ::mcp_runtime::__private::None
    }
    fn tool_may_ask_input(
        &self,
        name: &::mcp_runtime::__private::str,
    ) -> ::mcp_runtime::__private::bool {
        !::mcp_runtime::__private::core::matches!(name, "forecast" | "refresh")
    }
}
