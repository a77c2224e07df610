//! Where a request's messages to the client (progress, logs, requests) go while it runs.
//!
//! Most requests send none: they answer in their first poll. For those the channel would be
//! made and dropped unused (2k instructions per call, callgrind). A [`LazyOutbound`] makes it
//! when the handler sends its first message, or when the transport starts to wait for one.

use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::mpsc;

/// How many messages wait for the transport to take them before the handler's next send
/// waits.
const CAPACITY: usize = 16;

/// The handler's end: where it sends its messages. One pointer, as the sender it replaces
/// (it is kept in every state of a request's future).
#[derive(Debug, Clone)]
pub(crate) struct Outbound(Arc<Lazy>);

/// A channel the transport made itself.
impl From<mpsc::Sender<String>> for Outbound {
    fn from(tx: mpsc::Sender<String>) -> Self {
        Outbound(Arc::new(Lazy {
            tx: OnceLock::from(tx),
            rx: Mutex::new(None),
        }))
    }
}

impl Outbound {
    /// The sender, making the channel if it is not made yet.
    pub(crate) fn sender(&self) -> &mpsc::Sender<String> {
        self.0.sender()
    }
}

/// The channel of a [`LazyOutbound`], shared by both ends until the transport takes its
/// receiver.
#[derive(Debug, Default)]
pub(crate) struct Lazy {
    tx: OnceLock<mpsc::Sender<String>>,
    /// Where the receiver waits when the handler made the channel, until the transport takes
    /// it.
    rx: Mutex<Option<mpsc::Receiver<String>>>,
}

impl Lazy {
    fn sender(&self) -> &mpsc::Sender<String> {
        self.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(CAPACITY);
            *lock(&self.rx) = Some(rx);
            tx
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while the lock is held leaves an `Option` in a valid state.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The transport's end of a channel made when it is first needed: if the handler finished at
/// once, [`drain_into`](Self::drain_into) collects what it sent (usually nothing, and nothing
/// was made); else [`into_receiver`](Self::into_receiver) waits for its messages.
#[derive(Debug)]
pub(crate) struct LazyOutbound(Arc<Lazy>);

impl LazyOutbound {
    /// Both ends; nothing is made yet.
    pub(crate) fn new() -> (Outbound, LazyOutbound) {
        let lazy = Arc::new(Lazy::default());
        (Outbound(lazy.clone()), LazyOutbound(lazy))
    }

    /// Moves the messages sent so far into `frames`.
    pub(crate) fn drain_into(&self, frames: &mut Vec<String>) {
        if self.0.tx.get().is_none() {
            return;
        }
        if let Some(rx) = lock(&self.0.rx).as_mut() {
            while let Ok(frame) = rx.try_recv() {
                frames.push(frame);
            }
        }
    }

    /// The receiver, making the channel if the handler has not: the handler's later sends
    /// reach it.
    pub(crate) fn into_receiver(self) -> mpsc::Receiver<String> {
        self.0.sender();
        match lock(&self.0.rx).take() {
            Some(rx) => rx,
            // Only this end takes the receiver, and it is consumed doing so.
            None => unreachable!("the receiver of a lazy outbound channel is taken once"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn nothing_is_made_until_it_is_needed() {
        let (outbound, lazy) = LazyOutbound::new();
        let mut frames = Vec::new();
        lazy.drain_into(&mut frames);
        assert!(frames.is_empty());
        assert!(outbound.0.tx.get().is_none(), "draining makes no channel");
        outbound.sender().send("a".into()).await.unwrap();
        outbound.clone().sender().send("b".into()).await.unwrap();
        lazy.drain_into(&mut frames);
        assert_eq!(frames, ["a", "b"]);
    }

    #[tokio::test]
    async fn the_receiver_gets_what_was_sent_before_and_after_it_was_taken() {
        let (outbound, lazy) = LazyOutbound::new();
        outbound.sender().send("before".into()).await.unwrap();
        let mut rx = lazy.into_receiver();
        outbound.sender().send("after".into()).await.unwrap();
        assert_eq!(rx.recv().await.as_deref(), Some("before"));
        assert_eq!(rx.recv().await.as_deref(), Some("after"));
        // The handler's end gone, the channel closes.
        drop(outbound);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_receiver_taken_first_makes_the_channel_the_handler_sends_on() {
        let (outbound, lazy) = LazyOutbound::new();
        let mut rx = lazy.into_receiver();
        let sending = tokio::spawn(async move {
            outbound.sender().send("late".into()).await.unwrap();
        });
        assert_eq!(rx.recv().await.as_deref(), Some("late"));
        sending.await.unwrap();
    }

    #[tokio::test]
    async fn a_channel_made_ahead_is_used_as_it_is() {
        let (tx, mut rx) = mpsc::channel(1);
        let outbound = Outbound::from(tx);
        outbound.sender().send("x".into()).await.unwrap();
        assert_eq!(rx.recv().await.as_deref(), Some("x"));
        drop(outbound);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn sends_fail_once_the_receiver_is_gone() {
        let (outbound, lazy) = LazyOutbound::new();
        drop(lazy.into_receiver());
        assert!(outbound.sender().send("lost".into()).await.is_err());
    }
}
