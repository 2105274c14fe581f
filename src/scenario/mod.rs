//! Scenario files: the world okx-mock serves (instruments, keys, currencies,
//! market settings), read from TOML. The embedded default world lives in
//! `scenarios/default.toml` and is compiled in, so the server needs no file.

pub(crate) mod faults;
pub(crate) mod layer;
mod rules_file;
mod world;

pub use self::world::WorldError;

pub(crate) use self::world::{World, parse_ip_or_net};

/// The text of the embedded default world.
pub const DEFAULT_WORLD: &str = include_str!("../../scenarios/default.toml");
