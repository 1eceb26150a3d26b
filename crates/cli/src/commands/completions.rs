//! `tidemark completions SHELL`: a shell completion script on stdout, generated from the same
//! clap definition the binary parses with, so it knows every command and flag.
//!
//! ```sh
//! tidemark completions bash > ~/.local/share/bash-completion/completions/tidemark
//! tidemark completions zsh  > ~/.zfunc/_tidemark
//! tidemark completions fish > ~/.config/fish/completions/tidemark.fish
//! ```

use crate::args::CompletionsArgs;
use crate::failure::Failure;

/// Runs the command.
pub fn run(args: &CompletionsArgs) -> Result<(), Failure> {
    use std::io::Write;
    let mut command = crate::args::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "tidemark", &mut script);
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(&script);
    Ok(())
}
