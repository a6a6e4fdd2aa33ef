//! The words every layer uses about actors and follows: which local actor something is
//! about ([`Target`]), what kind of actor a remote one is ([`ActorKind`]), and where a follow
//! stands in either direction ([`FollowState`] for ours, [`FollowerState`] for theirs).
//!
//! They live here, not in storage, because the database, the federation code, the use cases
//! and the web pages all speak them; each layer converts its own representation (a stored
//! string, an ActivityStreams `type`) to these once, at its edge, and compares enums after.
use std::fmt;

use chrono::{DateTime, Utc};

/// A local actor that can be followed, post and be the author of activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A member co-op, by storage id.
    Coop(i64),
    /// The local network's `Group` actor, by storage id.
    Network(i64),
}

impl Target {
    /// The stored kind: `coop` or `network`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Coop(_) => "coop",
            Self::Network(_) => "network",
        }
    }

    /// The storage id.
    pub fn id(self) -> i64 {
        match self {
            Self::Coop(id) | Self::Network(id) => id,
        }
    }

    /// From a stored kind and id; `None` for an unknown kind.
    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "coop" => Some(Self::Coop(id)),
            "network" => Some(Self::Network(id)),
            _ => None,
        }
    }
}

/// The ActivityStreams actor types coopnet deals with. Anything else is not an actor we
/// store, follow or accept followers from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A person (Mastodon users).
    Person,
    /// A bot or automated account.
    Service,
    /// A server's own actor (FEP-2677), ours included.
    Application,
    /// A group: a network (coopnet) or a community (Lemmy).
    Group,
    /// An organisation: a member co-op.
    Organization,
}

impl ActorKind {
    /// Every kind, in a fixed order.
    pub const ALL: [Self; 5] = [
        Self::Person,
        Self::Service,
        Self::Application,
        Self::Group,
        Self::Organization,
    ];

    /// The ActivityStreams `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "Person",
            Self::Service => "Service",
            Self::Application => "Application",
            Self::Group => "Group",
            Self::Organization => "Organization",
        }
    }

    /// From an ActivityStreams `type` (exact, as the vocabulary spells it).
    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Whether actors of this kind are networks (their follows exchange directories).
    pub fn is_network(self) -> bool {
        self == Self::Group
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a follow sent by our network stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    /// Sent, not answered yet.
    Pending,
    /// The remote actor accepted.
    Accepted,
    /// The remote actor refused.
    Rejected,
}

impl FollowState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Rejected]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// Whether a remote follower of a local actor is in or waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowerState {
    /// Accepted: receives what the actor sends.
    Accepted,
    /// Waiting for an admin (manual policy).
    Pending,
}

impl FollowerState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Pending => "pending",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Accepted, Self::Pending]
            .into_iter()
            .find(|state| state.as_str() == s)
    }
}

/// A blocked domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// `host[:port]`.
    pub domain: String,
    /// Why.
    pub reason: String,
    /// Since when.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in ActorKind::ALL {
            assert_eq!(ActorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(
            ActorKind::parse("group"),
            None,
            "ActivityStreams types are exact"
        );
        assert_eq!(ActorKind::parse("Note"), None);
        assert!(ActorKind::Group.is_network() && !ActorKind::Person.is_network());
        for state in [
            FollowState::Pending,
            FollowState::Accepted,
            FollowState::Rejected,
        ] {
            assert_eq!(FollowState::parse(state.as_str()), Some(state));
        }
        for state in [FollowerState::Accepted, FollowerState::Pending] {
            assert_eq!(FollowerState::parse(state.as_str()), Some(state));
        }
        assert_eq!(FollowState::parse("maybe"), None);
        for target in [Target::Coop(3), Target::Network(1)] {
            assert_eq!(Target::from_parts(target.kind(), target.id()), Some(target));
        }
        assert_eq!(Target::from_parts("person", 1), None);
    }
}
