//! Integration tests over real HTTP: each test starts its own okx-mock on
//! 127.0.0.1 and a free port, and speaks to it as an OKX client would.

mod account;
mod admin;
mod algo;
mod auth;
mod binary;
mod funding;
mod helpers;
mod limits;
mod market;
mod public;
mod robustness;
mod scenarios;
mod trade;
mod ws;
