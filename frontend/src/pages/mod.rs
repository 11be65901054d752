//! The app's pages, one module per route.

pub mod accounts;
pub mod agreement;
pub mod agreement_print;
pub mod board;
pub mod calendar;
pub mod case;
pub mod case_clock;
pub mod case_county;
pub mod cases;
pub mod county;
pub mod dashboard;
pub mod grid;
pub mod households;
pub mod intake;
pub mod login;
pub mod logs;
pub mod meetings;
pub mod not_found;
pub mod open311;
pub mod police;
pub mod repeats;
pub mod roster;
pub mod session_room;
pub mod sessions;
pub mod setup;
