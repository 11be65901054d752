//! The app's logic as plain functions of `shared` types, tested natively without a browser:
//! filters in the URL, virtual scrolling, board moves, dialog and intake forms, the org picker,
//! dates.

pub mod board;
pub mod dialog;
pub mod filter;
pub mod intake;
pub mod org;
pub mod time;
pub mod window;
