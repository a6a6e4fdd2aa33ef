//! Library `Object`/`Actor` impls and the builders of our own actor documents.
pub mod coop;
pub mod instance;
pub mod network;
pub mod remote_actor;
pub mod remote_post;

pub use remote_actor::ApubRemoteActor;
pub use remote_post::ApubRemotePost;
