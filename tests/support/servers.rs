//! Servers the tests run.

use mcp_runtime::{Context, mcp_server, tool};

/// A calculator with a few tools that exercise the runtime.
#[derive(Default)]
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
#[derive(Default)]
pub struct Chatty {
    /// Counts finished `ticks` calls, to see work that outlives a disconnect.
    pub finished: std::sync::Arc<std::sync::atomic::AtomicUsize>,
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
        tokio::select! {
            () = ctx.cancelled() => "cancelled".into(),
            () = tokio::time::sleep(std::time::Duration::from_secs(30)) => "timeout".into(),
        }
    }
}
