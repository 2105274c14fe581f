//! Authentication of private routes: API keys, OKX's signature scheme, and the
//! gate every private request passes before its handler runs.

mod check;
mod keys;
mod middleware;
mod sign;

pub use self::keys::{ApiKey, Env, IDLE_KEY_LIFETIME_MS, Permission};
pub(crate) use self::keys::{normalize_region, region_of};
pub use self::sign::{prehash, sign};

pub(crate) use self::check::{Authenticated, looks_like_a_key};
pub(crate) use self::keys::KeyStore;
pub(crate) use self::middleware::{Caller, require_read, require_trade, require_withdraw};
