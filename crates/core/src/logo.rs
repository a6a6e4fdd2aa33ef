//! A co-op's logo as stored and served: the re-encoded image and its validator.
use chrono::{DateTime, Utc};

/// A stored logo.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    /// Its co-op.
    pub coop_id: i64,
    /// `image/png`.
    pub content_type: String,
    /// The image.
    pub bytes: Vec<u8>,
    /// Strong validator (a hash of the bytes).
    pub etag: String,
    /// Upload time.
    pub updated_at: DateTime<Utc>,
}
