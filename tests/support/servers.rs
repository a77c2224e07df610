//! Servers the tests run.

use mcp_runtime::{Context, mcp_server, tool};

/// A calculator with a few tools that exercise the runtime.
#[derive(Clone, Default)]
pub struct Calculator;

#[mcp_server(name = "calculator", version = "1.0.0")]
impl Calculator {
    /// Add two numbers.
    #[tool]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Divide `a` by `b`.
    #[tool(read_only)]
    fn divide(&self, a: f64, b: f64) -> Result<f64, String> {
        if b == 0.0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }

    /// Always panics.
    #[tool]
    fn explode(&self) -> String {
        panic!("kaboom")
    }

    /// Sleep for `ms` milliseconds, then answer "done"; reports progress and logs.
    #[tool]
    async fn slow(&self, ms: u64, ctx: Context) -> String {
        ctx.info("starting").await;
        ctx.progress(0.0, Some(1.0), Some("started")).await;
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(ms)) => {}
            () = ctx.cancelled() => return "cancelled".into(),
        }
        ctx.progress(1.0, Some(1.0), Some("finished")).await;
        "done".into()
    }
}

/// Tools that talk back to the client.
#[derive(Clone, Default)]
pub struct Chatty {
    /// Counts finished `ticks` calls, to see work that outlives a disconnect.
    pub finished: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Counts `wait` calls started: once it moves, the call is in flight.
    pub started: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Counts `wait` calls whose future was dropped (cancelled) or finished.
    pub stopped: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

struct CountOnDrop(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[mcp_server(name = "chatty", version = "0.1.0")]
impl Chatty {
    /// Ask the client's model to complete `prompt`.
    #[tool]
    async fn ask(&self, prompt: String, ctx: Context) -> Result<String, mcp_runtime::PeerError> {
        let answer = ctx
            .request_with_capability(
                "sampling",
                "sampling/createMessage",
                serde_json::json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": prompt}}],
                    "maxTokens": 100
                }),
            )
            .await?;
        Ok(format!(
            "LLM response: {}",
            answer["content"]["text"].as_str().unwrap_or("?")
        ))
    }

    /// Send `n` progress notifications `ms` apart, then answer "done".
    #[tool]
    async fn ticks(&self, n: u32, ms: u64, ctx: Context) -> String {
        for i in 0..n {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            ctx.notify(
                "notifications/message",
                serde_json::json!({"level": "info", "data": format!("tick {i}")}),
            )
            .await;
        }
        self.finished
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        "done".into()
    }

    /// Log, end the client's stream (SSE polling), work on, log again, answer "polled".
    #[tool]
    async fn poll_me(&self, ctx: Context) -> String {
        ctx.info("before").await;
        let closed = ctx.close_sse_stream();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        ctx.info("after").await;
        format!("polled (closed: {closed})")
    }

    /// Wait until cancelled (or 30 s), then say which.
    #[tool]
    async fn wait(&self, ctx: Context) -> String {
        let _stopped = CountOnDrop(self.stopped.clone());
        self.started
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::select! {
            () = ctx.cancelled() => "cancelled".into(),
            () = tokio::time::sleep(std::time::Duration::from_secs(30)) => "timeout".into(),
        }
    }
}

/// Servers as a library crate defines them for another crate (the test binaries) to serve: in
/// nested modules, with the defaults of `#[mcp_server]` (the name and version of this crate).
pub mod library {
    /// A server with a `#[tool(local)]` tool.
    pub mod notebook {
        use std::cell::RefCell;
        use std::rc::Rc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};

        use mcp_runtime::{Context, mcp_server, tool};

        /// Pages written by its tools, shared by its clones.
        #[derive(Clone, Default)]
        pub struct Notebook {
            /// The pages written so far.
            pub pages: Arc<Mutex<Vec<String>>>,
            /// How many `local` tool futures have been dropped (finished or stopped).
            pub dropped: Arc<AtomicUsize>,
            /// How many `ponder` calls have started.
            pub started: Arc<AtomicUsize>,
        }

        struct CountOnDrop(Arc<AtomicUsize>);

        impl Drop for CountOnDrop {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }

        #[mcp_server]
        impl Notebook {
            /// Write a page of `lines` lines, reporting progress after each. The draft is an
            /// `Rc<RefCell<_>>` held across `.await`s: the tool is `local`.
            #[tool(local)]
            async fn write(&self, lines: u32, ctx: Context) -> String {
                let _dropped = CountOnDrop(self.dropped.clone());
                let draft = Rc::new(RefCell::new(String::new()));
                for line in 1..=lines {
                    draft.borrow_mut().push_str(&format!("line {line}\n"));
                    ctx.progress(f64::from(line), Some(f64::from(lines)), None)
                        .await;
                }
                let page = draft.borrow().clone();
                let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
                pages.push(page);
                format!("page {} written", pages.len())
            }

            /// Wait, with a draft in an `Rc`, until the request is cancelled.
            #[tool(local)]
            async fn ponder(&self, ctx: Context) -> String {
                let _dropped = CountOnDrop(self.dropped.clone());
                self.started.fetch_add(1, Ordering::SeqCst);
                let thought = Rc::new("hmm");
                ctx.cancelled().await;
                thought.to_string()
            }

            /// Ask the client for a name (with an `Rc` held across the question), then sign.
            #[tool(local)]
            async fn sign(&self, ctx: Context) -> Result<String, mcp_runtime::PeerError> {
                let _dropped = CountOnDrop(self.dropped.clone());
                let signature = Rc::new(RefCell::new(String::from("signed: ")));
                let answer = ctx
                    .request_with_capability(
                        "elicitation",
                        "elicitation/create",
                        serde_json::json!({
                            "message": "Your name?",
                            "requestedSchema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                                "required": ["name"]
                            }
                        }),
                    )
                    .await?;
                signature
                    .borrow_mut()
                    .push_str(answer["content"]["name"].as_str().unwrap_or("?"));
                let signed = signature.borrow().clone();
                Ok(signed)
            }

            /// How many pages there are.
            #[tool(read_only)]
            fn count(&self) -> usize {
                self.pages.lock().unwrap_or_else(|p| p.into_inner()).len()
            }
        }
    }
}
