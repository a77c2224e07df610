//! `#[tool(local)]`: tools whose future is not `Send`.
//!
//! Such a future cannot run on the server's worker threads, which move tasks between them. It
//! runs on a blocking-pool thread of its own instead, inside a [`LocalSet`], driven by the
//! server's runtime (its timers and I/O, and `tokio::spawn`, work as usual). The future is
//! created on that thread from what can be sent there: a clone of the server, the parsed
//! arguments and the context. The call's own future stays `Send`, so the transport serves
//! other messages of the request (progress, cancellation) while the tool runs.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use tokio::runtime::Handle;
use tokio::task::LocalSet;
use tokio_util::sync::CancellationToken;

use crate::engine::MCPServer;
use crate::engine::context::Context;
use crate::protocol::CallToolResult;

/// A server whose `#[tool(local)]` tools run on a clone of it (implemented for every `Clone`
/// server).
#[diagnostic::on_unimplemented(
    message = "`#[tool(local)]` runs the tool on a clone of the server, and `{Self}` is not `Clone`",
    label = "the server is cloned here",
    note = "derive or implement `Clone` for `{Self}`, and keep the state its tools change behind \
            an `Arc`, so that clones share it"
)]
pub trait LocalToolServer: MCPServer + Clone {}
// Not recommended through: the error names `LocalToolServer` and its note.
#[diagnostic::do_not_recommend]
impl<S: MCPServer + Clone> LocalToolServer for S {}

/// The clone of the server a `#[tool(local)]` tool runs on.
pub fn clone_server<S: LocalToolServer>(server: &S) -> S {
    server.clone()
}

/// How the tool's thread ended.
enum Outcome {
    Done(CallToolResult),
    /// The request was cancelled, or this call dropped.
    Ended,
    /// The tool asked the client for input (2026-07-28): the dispatcher answers for it.
    StoppedForInput,
}

/// A `#[tool(local)]` call about to run, for the request of `ctx`.
pub struct LocalTool {
    ctx: Context,
}

impl LocalTool {
    /// A call for the request of `ctx` (a clone of it goes to the tool's thread).
    pub fn new(ctx: &Context) -> Self {
        LocalTool { ctx: ctx.clone() }
    }

    /// Runs the tool: `make` creates its future, which need not be `Send`, on a thread of
    /// its own, driven by the server's runtime. Cancelling the request, or dropping the
    /// returned future, ends the tool at its next `.await`; a panic in it is resumed here.
    pub async fn run<F, Fut>(self, make: F) -> CallToolResult
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = CallToolResult>,
    {
        run(self.ctx, make).await
    }
}

async fn run<F, Fut>(ctx: Context, make: F) -> CallToolResult
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = CallToolResult>,
{
    let Ok(runtime) = Handle::try_current() else {
        return CallToolResult::error(
            "this tool is `#[tool(local)]`: it must be called from within a Tokio runtime",
        );
    };
    let dropped = CancellationToken::new();
    let _cancel_on_drop = dropped.clone().drop_guard();
    let thread = tokio::task::spawn_blocking(move || {
        let local = LocalSet::new();
        runtime.block_on(local.run_until(async move {
            let mut tool = pin!(make());
            let tool = poll_fn(|cx| match tool.as_mut().poll(cx) {
                Poll::Ready(result) => Poll::Ready(Outcome::Done(result)),
                Poll::Pending if ctx.is_stopped_for_input() => {
                    Poll::Ready(Outcome::StoppedForInput)
                }
                Poll::Pending => Poll::Pending,
            });
            tokio::select! {
                biased;
                () = dropped.cancelled() => Outcome::Ended,
                () = ctx.cancelled() => Outcome::Ended,
                outcome = tool => outcome,
            }
        }))
    });
    match thread.await {
        Ok(Outcome::Done(result)) => result,
        Ok(Outcome::Ended) => CallToolResult::error("the request was cancelled"),
        // The dispatcher sees the question and ends the call; this future is then dropped.
        Ok(Outcome::StoppedForInput) => std::future::pending().await,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => CallToolResult::error("the runtime is shutting down"),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;

    async fn rc_across_await(n: u32) -> CallToolResult {
        let held = Rc::new(n);
        tokio::task::yield_now().await;
        // `spawn_local` works on the tool's thread, `tokio::spawn` on the server's runtime.
        let doubled = tokio::task::spawn_local(async move { *held * 2 }).await;
        let tripled = tokio::spawn(async move { n * 3 }).await;
        CallToolResult::text(format!("{doubled:?} {tripled:?}"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_a_future_that_is_not_send() {
        let result = LocalTool::new(&Context::detached())
            .run(|| rc_across_await(21))
            .await;
        assert_eq!(result.content[0].as_text(), Some("Ok(42) Ok(63)"));
    }

    #[tokio::test]
    async fn runs_on_a_current_thread_runtime_too() {
        let result = LocalTool::new(&Context::detached())
            .run(|| async {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                rc_across_await(1).await
            })
            .await;
        assert_eq!(result.content[0].as_text(), Some("Ok(2) Ok(3)"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_call_ends_the_tool() {
        struct SignalOnDrop(Option<tokio::sync::oneshot::Sender<()>>);
        impl Drop for SignalOnDrop {
            fn drop(&mut self) {
                self.0.take().map(|tx| tx.send(()));
            }
        }
        let (tx, ended) = tokio::sync::oneshot::channel();
        let call = LocalTool::new(&Context::detached()).run(move || async move {
            let _signal = SignalOnDrop(Some(tx));
            let _not_send = Rc::new(());
            std::future::pending::<CallToolResult>().await
        });
        let timeout = std::time::Duration::from_millis(50);
        assert!(tokio::time::timeout(timeout, call).await.is_err());
        // Sent by the guard, or the sender dropped unsent if the tool never started.
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), ended).await;
        assert!(ended.is_ok(), "the tool is still running");
    }

    #[test]
    fn outside_a_runtime_is_an_error_result() {
        let future =
            LocalTool::new(&Context::detached()).run(|| async { CallToolResult::text("x") });
        let result = futures_util::FutureExt::now_or_never(future).expect("ready at once");
        assert_eq!(result.is_error, Some(true));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn panics_are_resumed_in_the_caller() {
        let call = LocalTool::new(&Context::detached()).run(|| async {
            tokio::task::yield_now().await;
            panic!("boom")
        });
        let panic = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(call))
            .await
            .expect_err("the panic comes back");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"boom"));
    }
}
