//! The recorder without the `otel` and `prometheus` features: nothing, inlined away.

use std::sync::Weak;
use std::time::Duration;

use super::{GaugeSource, Outcome};
use crate::engine::trace::NetworkTransport;
use crate::protocol::{Request, Version};

/// An operation being measured: never, without a metrics feature.
#[derive(Debug)]
pub(crate) enum Operation {}

impl Operation {
    #[inline(always)]
    pub(crate) fn start(
        _request: &Request,
        _version: Option<Version>,
        _transport: NetworkTransport,
    ) -> Option<Operation> {
        None
    }

    #[inline(always)]
    pub(crate) fn wants_target(&self) -> bool {
        match *self {}
    }

    #[inline(always)]
    pub(crate) fn set_target(&mut self, _name: &str) {
        match *self {}
    }

    #[inline(always)]
    pub(crate) fn finish(self, _outcome: Outcome) {
        match self {}
    }
}

/// A notification being measured: never, without a metrics feature.
#[derive(Debug)]
pub(crate) enum Notified {}

impl Notified {
    #[inline(always)]
    pub(crate) fn start(
        _method: &str,
        _version: Option<Version>,
        _transport: NetworkTransport,
    ) -> Option<Notified> {
        None
    }

    #[inline(always)]
    pub(crate) fn finish(self) {
        match self {}
    }
}

#[inline(always)]
pub(crate) fn session_ended(_open: Duration, _version: Option<Version>) {}

#[inline(always)]
pub(crate) fn register(_source: Weak<dyn GaugeSource>) {}
