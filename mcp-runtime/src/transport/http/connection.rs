//! One accepted TCP connection as [`serve`](super::serve::serve) drives it: bytes moved,
//! request heads and responses are counted, so that a connection that does nothing, or sends
//! a head too slowly, can be closed.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the watchdog of one connection reads. Kept cheap for the request path: moving bytes
/// bumps a counter (no clock read), a request bumps two more, and the watchdog compares them
/// across its ticks.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    /// Bumped whenever bytes move either way, and when a request ends.
    moves: AtomicU64,
    /// Requests whose response head is not written yet.
    in_flight: AtomicUsize,
    /// Requests whose response is not written whole yet (its body included).
    responding: AtomicUsize,
    /// Request heads read, ever.
    heads: AtomicU64,
}

/// Why the watchdog closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// No request head arrived whole within the header-read timeout.
    HeadTimeout,
    /// No byte moved and no request was in flight for the idle timeout.
    Idle,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Activity::default())
    }

    fn touch(&self) {
        self.moves.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request whose head was read: in flight until the first guard drops (its
    /// response head is written), responding until the second does (its body is).
    pub(crate) fn request(self: &Arc<Self>) -> (InFlight, Responding) {
        self.heads.fetch_add(1, Ordering::Relaxed);
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.responding.fetch_add(1, Ordering::AcqRel);
        (InFlight(self.clone()), Responding(self.clone()))
    }

    /// Completes when the connection should be closed:
    /// - no request head arrived whole within `head` of the connection being ready for one
    ///   (once accepted, and whenever a response was written whole): slow heads (slowloris)
    ///   and kept-alive connections left unused are disconnected;
    /// - with `idle`, no byte moved and no request was in flight for that long.
    ///
    /// Checked every quarter of the shorter, so either is found up to a quarter late, never
    /// early. One timer per connection does the work of hyper's header-read timer, which is
    /// made, registered in the timer wheel and cancelled for every request (1.2k instructions
    /// per request, callgrind).
    pub(crate) async fn watch(&self, head: Duration, idle: Option<Duration>) -> Closed {
        let tick = (idle.map_or(head, |idle| idle.min(head)) / 4).max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut moves = self.moves.load(Ordering::Relaxed);
        let mut heads = self.heads.load(Ordering::Relaxed);
        let (mut awaiting, mut quiet) = (Duration::ZERO, Duration::ZERO);
        // Waiting for a head at the last tick (a new connection is).
        let mut was_ready = true;
        loop {
            ticks.tick().await;
            let (now_moves, now_heads) = (
                self.moves.load(Ordering::Relaxed),
                self.heads.load(Ordering::Relaxed),
            );
            // Only a tick waited for a head from end to end counts: one during which a
            // response ended is not, so a head is never cut short.
            let ready = self.responding.load(Ordering::Acquire) == 0;
            awaiting = if ready && was_ready && now_heads == heads {
                awaiting + tick
            } else {
                Duration::ZERO
            };
            was_ready = ready;
            quiet = if now_moves != moves || self.in_flight.load(Ordering::Acquire) > 0 {
                Duration::ZERO
            } else {
                quiet + tick
            };
            // A whole tick at least, even with a zero timeout: a tick with a head in it is no
            // wait for one.
            if !awaiting.is_zero() && awaiting >= head {
                return Closed::HeadTimeout;
            }
            if !quiet.is_zero() && idle.is_some_and(|idle| quiet >= idle) {
                return Closed::Idle;
            }
            (moves, heads) = (now_moves, now_heads);
        }
    }
}

/// A request in flight on a connection; see [`Activity::request`].
#[derive(Debug)]
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request whose response is being written; see [`Activity::request`].
#[derive(Debug)]
pub(crate) struct Responding(Arc<Activity>);

impl Drop for Responding {
    fn drop(&mut self) {
        self.0.touch();
        self.0.responding.fetch_sub(1, Ordering::AcqRel);
    }
}

pin_project_lite::pin_project! {
    /// A response body that counts its request as responding until hyper drops it, once it
    /// is written whole (or the connection ends).
    pub(crate) struct Tracked<B> {
        #[pin]
        body: B,
        _responding: Responding,
    }
}

impl<B> Tracked<B> {
    pub(crate) fn new(body: B, responding: Responding) -> Self {
        Tracked {
            body,
            _responding: responding,
        }
    }
}

impl<B: http_body::Body> http_body::Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

pin_project_lite::pin_project! {
    /// A stream that records in [`Activity`] every time bytes move.
    #[derive(Debug)]
    pub(crate) struct Counted<S> {
        #[pin]
        inner: S,
        activity: Arc<Activity>,
    }
}

impl<S> Counted<S> {
    pub(crate) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Counted { inner, activity }
    }
}

impl<S: AsyncRead> AsyncRead for Counted<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let polled = this.inner.poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.touch();
        }
        polled
    }
}

impl<S: AsyncWrite> AsyncWrite for Counted<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let polled = this.inner.poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.project();
        let polled = this.inner.poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{Activity, Closed};

    const HEAD: Duration = Duration::from_secs(10);

    /// A connection that never sends a whole head is closed once the head timeout has gone
    /// by, at most a quarter of it late.
    #[tokio::test(start_paused = true)]
    async fn no_head_in_time_closes() {
        let activity = Activity::new();
        let start = Instant::now();
        assert_eq!(activity.watch(HEAD, None).await, Closed::HeadTimeout);
        let took = start.elapsed();
        assert!(took >= HEAD && took <= HEAD + HEAD / 4, "{took:?}");
    }

    /// A response being written (an SSE stream, say) is not a wait for the next head, however
    /// long it lasts; once it ends, the next head has the timeout again.
    #[tokio::test(start_paused = true)]
    async fn a_response_being_written_holds_off_the_head_timeout() {
        let activity = Activity::new();
        let (in_flight, responding) = activity.request();
        drop(in_flight);
        let watched = activity.clone();
        let watch = tokio::spawn(async move { watched.watch(HEAD, None).await });
        tokio::time::sleep(HEAD * 10).await;
        assert!(!watch.is_finished(), "closed while responding");
        let ended = Instant::now();
        drop(responding);
        assert_eq!(watch.await.unwrap(), Closed::HeadTimeout);
        let took = ended.elapsed();
        assert!(took >= HEAD && took <= HEAD + HEAD / 4, "{took:?}");
    }

    /// Heads that keep arriving, each answered at once, keep the connection open.
    #[tokio::test(start_paused = true)]
    async fn heads_in_time_keep_the_connection() {
        let activity = Activity::new();
        let watched = activity.clone();
        let watch = tokio::spawn(async move { watched.watch(HEAD, None).await });
        for _ in 0..40 {
            tokio::time::sleep(HEAD / 2).await;
            drop(activity.request());
        }
        assert!(!watch.is_finished(), "closed although heads came in time");
        watch.abort();
    }

    /// With an idle timeout shorter than the head timeout, a connection that moves nothing is
    /// closed as idle; a request in flight that long is not idle.
    #[tokio::test(start_paused = true)]
    async fn idle_connections_close_unless_a_request_is_in_flight() {
        let idle = Duration::from_secs(2);
        let activity = Activity::new();
        let start = Instant::now();
        assert_eq!(activity.watch(HEAD, Some(idle)).await, Closed::Idle);
        assert!(start.elapsed() <= idle + idle / 4, "{:?}", start.elapsed());
        let busy = Activity::new();
        let guards = busy.request();
        let watched = busy.clone();
        let watch = tokio::spawn(async move { watched.watch(HEAD, Some(idle)).await });
        tokio::time::sleep(HEAD * 3).await;
        assert!(!watch.is_finished(), "closed with a request in flight");
        drop(guards);
        assert_eq!(watch.await.unwrap(), Closed::Idle);
    }
}
