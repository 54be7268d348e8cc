//! The one integration-test binary (`autotests = false`); one module per topic.

mod cli_misc;
mod cli_new;
mod common;
mod determinism;
mod fuzz;
mod interactive;
mod render;
