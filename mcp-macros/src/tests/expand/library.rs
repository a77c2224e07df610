impl Library {
    /// The catalogue.
    #[resource(__mcp_server_checked)]
    fn catalogue(&self) -> String {
        todo!()
    }
    /// One book.
    #[resource(__mcp_server_checked)]
    async fn book(
        &self,
        id: u32,
        format: String,
        ctx: Context,
    ) -> Result<String, McpError> {
        todo!()
    }
    /// Recommend a book.
    #[prompt(__mcp_server_checked)]
    fn recommend(&self, genre: String, max_pages: Option<u32>) -> Vec<PromptMessage> {
        todo!()
    }
    fn formats(&self, value: &str) -> Vec<String> {
        todo!()
    }
    async fn genres(
        &self,
        value: String,
        chosen: HashMap<String, String>,
        ctx: Context,
    ) -> Vec<String> {
        todo!()
    }
}
#[automatically_derived]
impl ::mcp_runtime::__private::MCPServer for Library {
    fn server_info(&self) -> ::mcp_runtime::__private::Implementation {
        ::mcp_runtime::__private::Implementation::new("library", "1.0.0")
    }
    fn tools(&self) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Tool> {
        ::mcp_runtime::__private::Vec::new()
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
        match __name {
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
                    "library://catalogue",
                    "catalogue",
                );
                __resource.description = ::mcp_runtime::__private::some_text(
                    "The catalogue.",
                );
                __resource.mime_type = ::mcp_runtime::__private::some_text("text/plain");
                __resource.annotations = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::Annotations::for_audience([
                            ::mcp_runtime::__private::Role::User,
                            ::mcp_runtime::__private::Role::Assistant,
                        ])
                        .with_priority(0.9f64),
                );
                __resource
            },
        ])
    }
    fn resource_templates(
        &self,
    ) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::ResourceTemplate> {
        ::mcp_runtime::__private::vec([
            {
                let mut __template = ::mcp_runtime::__private::ResourceTemplate::new(
                    "library://books/{id}/{format}",
                    "book",
                );
                __template.description = ::mcp_runtime::__private::some_text(
                    "One book.",
                );
                __template.mime_type = ::mcp_runtime::__private::some_text(
                    "application/json",
                );
                __template.annotations = ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::Annotations::for_audience([])
                        .with_priority(0f64),
                );
                __template
            },
        ])
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
            "library://catalogue" => {
                return ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let __ret = Self::catalogue(self);
                        ::mcp_runtime::__private::IntoReadResourceResult::into_read_result(
                            __ret,
                            "library://catalogue",
                            ::mcp_runtime::__private::Some("text/plain"),
                        )
                    }),
                );
            }
            _ => {}
        }
        if let ::mcp_runtime::__private::Some(__matched) = ::mcp_runtime::__private::TemplateMatch::new(
            "library://books/{id}/{format}",
            __uri,
        ) {
            if let (
                ::mcp_runtime::__private::Some(id),
                ::mcp_runtime::__private::Some(format),
            ) = (__matched.parse::<u32>("id"), __matched.parse::<String>("format")) {
                let __uri: ::mcp_runtime::__private::String = ::mcp_runtime::__private::From::from(
                    __uri,
                );
                return ::mcp_runtime::__private::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let __ret = Self::book(self, id, format, __ctx).await;
                        ::mcp_runtime::__private::IntoReadResourceResult::into_read_result(
                            __ret,
                            &__uri,
                            ::mcp_runtime::__private::Some("application/json"),
                        )
                    }),
                );
            }
        }
        let _ = __ctx;
        ::mcp_runtime::__private::None
    }
    fn prompts(
        &self,
    ) -> ::mcp_runtime::__private::Vec<::mcp_runtime::__private::Prompt> {
        ::mcp_runtime::__private::vec([
            {
                let mut __prompt = ::mcp_runtime::__private::Prompt::new("recommend");
                __prompt.description = ::mcp_runtime::__private::some_text(
                    "Recommend a book.",
                );
                __prompt.title = ::mcp_runtime::__private::some_text("Recommend");
                __prompt.arguments = ::mcp_runtime::__private::vec([
                    ::mcp_runtime::__private::prompt_argument(
                        "genre",
                        ::mcp_runtime::__private::Some("The genre."),
                        true,
                    ),
                    ::mcp_runtime::__private::prompt_argument(
                        "maxPages",
                        ::mcp_runtime::__private::None,
                        false,
                    ),
                ]);
                __prompt
            },
        ])
    }
    fn get_prompt<'__mcp>(
        &'__mcp self,
        __name: &::mcp_runtime::__private::str,
        __arguments: ::mcp_runtime::__private::Arguments,
        __ctx: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::Option<
        ::mcp_runtime::__private::BoxFuture<
            '__mcp,
            ::mcp_runtime::__private::Result<
                ::mcp_runtime::__private::GetPromptResult,
                ::mcp_runtime::__private::McpError,
            >,
        >,
    > {
        match __name {
            "recommend" => {
                ::mcp_runtime::__private::Option::Some(
                    ::mcp_runtime::__private::box_future(async move {
                        let mut __parser = ::mcp_runtime::__private::PromptArguments::new(
                            __arguments,
                        );
                        let genre = __parser.required::<String>("genre");
                        let max_pages = __parser.optional::<u32>("maxPages");
                        match (__parser.finish(), genre, max_pages) {
                            (
                                ::mcp_runtime::__private::Result::Ok(()),
                                ::mcp_runtime::__private::Option::Some(genre),
                                ::mcp_runtime::__private::Option::Some(max_pages),
                            ) => {
                                let __ret = Self::recommend(self, genre, max_pages);
                                ::mcp_runtime::__private::IntoGetPromptResult::into_get_prompt_result(
                                    __ret,
                                )
                            }
                            (__outcome, ..) => {
                                ::mcp_runtime::__private::Result::Err(
                                    ::mcp_runtime::__private::prompt_arguments_error(__outcome),
                                )
                            }
                        }
                    }),
                )
            }
            _ => {
                let _ = (__arguments, __ctx);
                ::mcp_runtime::__private::None
            }
        }
    }
    fn supports_completions(&self) -> bool {
        true
    }
    fn complete<'__mcp>(
        &'__mcp self,
        __request: ::mcp_runtime::__private::CompleteParams,
        __ctx: ::mcp_runtime::__private::Context,
    ) -> ::mcp_runtime::__private::BoxFuture<
        '__mcp,
        ::mcp_runtime::__private::Result<
            ::mcp_runtime::__private::Completion,
            ::mcp_runtime::__private::McpError,
        >,
    > {
        let ::mcp_runtime::__private::CompleteParams {
            reference: __reference,
            argument: __argument,
            context: __context,
            ..
        } = __request;
        let ::mcp_runtime::__private::CompletionArgument {
            name: __argument,
            value: __value,
            ..
        } = __argument;
        match (
            ::mcp_runtime::__private::completion_target(&__reference),
            __argument.as_str(),
        ) {
            ((::mcp_runtime::__private::RefKind::Prompt, "recommend"), "genre") => {
                ::mcp_runtime::__private::box_future(async move {
                    let __ret = Self::genres(
                            self,
                            ::mcp_runtime::__private::FromCompletionValue::from_completion_value(
                                __value.as_str(),
                            ),
                            ::mcp_runtime::__private::FromCompletionContext::from_completion_context(
                                __context,
                            ),
                            __ctx,
                        )
                        .await;
                    ::mcp_runtime::__private::IntoCompletion::into_completion(__ret)
                })
            }
            (
                (
                    ::mcp_runtime::__private::RefKind::Resource,
                    "library://books/{id}/{format}",
                ),
                "format",
            ) => {
                ::mcp_runtime::__private::box_future(async move {
                    let __ret = Self::formats(
                        self,
                        ::mcp_runtime::__private::FromCompletionValue::from_completion_value(
                            __value.as_str(),
                        ),
                    );
                    ::mcp_runtime::__private::IntoCompletion::into_completion(__ret)
                })
            }
            _ => {
                let _ = (__value, __context, __ctx);
                ::mcp_runtime::__private::no_completion()
            }
        }
    }
}
