//! Arbitrary bytes through the inbox's parsing: the pre-reads the inbox does before
//! verifying anything (the sender's host, an actor's `Delete` of itself), then
//! `activities::parse`: serde_json under its nesting limit, our `InboxActivity` enum and
//! wire types, and a member co-op's validation. Nothing may panic.
#![no_main]

use coopnet_federation::activities::{self, InboxActivity};
use coopnet_federation::http::inbox::sender_host;
use coopnet_federation::protocol::activities::Delete;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sender_host(data);
    let _ = serde_json::from_slice::<Delete>(data);
    if let Ok(activity) = activities::parse(data) {
        // Every variant names its type; a member passed validation, so it is storable.
        let kind = activity.kind().to_owned();
        if let InboxActivity::Add(add) = &activity {
            assert_eq!(kind, "Add");
            assert_eq!(add.object.kind, "Organization");
        }
    }
});
