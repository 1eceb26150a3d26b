//! `tidemark`: the command-line shell around the ledger and the engine.

mod args;
mod settings;
mod url;

fn main() {
    println!("tidemark");
}
