//! Madoguchi counter terminal (窓口端末) — starts the desktop window. All wiring is in the library.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match madoguchi_app::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("madoguchi: the window could not be started: {error}");
            ExitCode::FAILURE
        }
    }
}
