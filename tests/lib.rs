//! The one integration-test binary (`autotests = false`); one module per topic.

mod audit;
mod cli_add;
mod cli_finish;
mod cli_misc;
mod cli_new;
mod cli_regen;
mod common;
mod determinism;
mod disk_full;
mod edits;
mod fuzz;
mod hostile;
mod interactive;
mod manifest;
mod names;
mod render;
