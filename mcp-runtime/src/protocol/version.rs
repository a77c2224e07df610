//! Protocol revisions, ordered, and the era each belongs to.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A protocol revision this server speaks. Revisions are dates, so they order as dates do.
///
/// ```
/// use mcp_runtime::protocol::{Era, Version};
///
/// let v = Version::parse("2025-06-18").unwrap();
/// assert_eq!(v.as_str(), "2025-06-18");
/// assert!(v < Version::V2025_11_25);
/// assert_eq!(v.era(), Era::Handshake);
/// assert_eq!(Version::V2026_07_28.era(), Era::Stateless);
/// assert_eq!(Version::parse("1999-01-01"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Version {
    /// `2024-11-05`, the first revision.
    V2024_11_05,
    /// `2025-03-26`: Streamable HTTP; the version assumed when a request has no header.
    V2025_03_26,
    /// `2025-06-18`: structured tool output, elicitation.
    V2025_06_18,
    /// `2025-11-25`: the last revision of the handshake era.
    V2025_11_25,
    /// `2026-07-28`: the stateless revision (no handshake, `server/discover`, per-request
    /// `_meta`).
    V2026_07_28,
}

/// The two ways of speaking MCP: with an `initialize` handshake and sessions, or stateless,
/// with every request self-contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: `initialize`, then a session.
    Handshake,
    /// 2026-07-28 and later: no handshake; each request carries its version and client in
    /// `_meta`.
    Stateless,
}

impl Version {
    /// Every revision this server speaks, newest first: what `server/discover` advertises
    /// and what an unsupported-version error lists.
    pub const ALL: &'static [Version] = &[
        Version::V2026_07_28,
        Version::V2025_11_25,
        Version::V2025_06_18,
        Version::V2025_03_26,
        Version::V2024_11_05,
    ];

    /// The newest handshake-era revision; `initialize` answers it when it cannot echo the
    /// client's.
    pub const LATEST_HANDSHAKE: Version = Version::V2025_11_25;

    /// The revision a Streamable HTTP request without `MCP-Protocol-Version` is taken to speak.
    pub const HTTP_DEFAULT: Version = Version::V2025_03_26;

    /// The revision named `text`, if this server speaks it.
    pub fn parse(text: &str) -> Option<Version> {
        Self::parse_bytes(text.as_bytes())
    }

    /// [`parse`](Self::parse) for bytes, such as a header's value: a name this server knows
    /// is ASCII, so other bytes need not be checked as text first (checking and trimming a
    /// header's value as text cost 140 instructions per request, callgrind).
    pub(crate) fn parse_bytes(text: &[u8]) -> Option<Version> {
        Some(match text {
            b"2024-11-05" => Version::V2024_11_05,
            b"2025-03-26" => Version::V2025_03_26,
            b"2025-06-18" => Version::V2025_06_18,
            b"2025-11-25" => Version::V2025_11_25,
            b"2026-07-28" => Version::V2026_07_28,
            _ => return None,
        })
    }

    /// The revision's date, as it travels.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2024_11_05 => "2024-11-05",
            Version::V2025_03_26 => "2025-03-26",
            Version::V2025_06_18 => "2025-06-18",
            Version::V2025_11_25 => "2025-11-25",
            Version::V2026_07_28 => "2026-07-28",
        }
    }

    /// The era the revision belongs to.
    pub fn era(self) -> Era {
        if self >= Version::V2026_07_28 {
            Era::Stateless
        } else {
            Era::Handshake
        }
    }

    /// The version `initialize` answers: the client's if it is a handshake-era revision this
    /// server speaks, else [`LATEST_HANDSHAKE`](Self::LATEST_HANDSHAKE).
    ///
    /// ```
    /// use mcp_runtime::protocol::Version;
    /// assert_eq!(Version::negotiate("2025-03-26"), Version::V2025_03_26);
    /// assert_eq!(Version::negotiate("2099-01-01"), Version::LATEST_HANDSHAKE);
    /// assert_eq!(Version::negotiate("2026-07-28"), Version::LATEST_HANDSHAKE);
    /// ```
    pub fn negotiate(requested: &str) -> Version {
        Version::parse(requested)
            .filter(|v| v.era() == Era::Handshake)
            .unwrap_or(Version::LATEST_HANDSHAKE)
    }

    /// Whether SSE streams of this revision start with a priming event a client can resume
    /// from (2025-11-25 and later).
    pub fn primes_streams(self) -> bool {
        self >= Version::V2025_11_25
    }

    /// The dates of [`ALL`](Self::ALL), for error data and `server/discover`.
    pub fn all_names() -> impl Iterator<Item = &'static str> {
        Version::ALL.iter().map(|v| v.as_str())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Version::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format_args!("unsupported protocol version {text:?}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_round_trips_and_all_is_newest_first() {
        for v in Version::ALL {
            assert_eq!(Version::parse(v.as_str()), Some(*v));
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(serde_json::from_str::<Version>(&json).unwrap(), *v);
        }
        assert!(Version::ALL.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(
            Version::ALL
                .iter()
                .filter(|v| v.era() == Era::Stateless)
                .count(),
            1
        );
    }
}
