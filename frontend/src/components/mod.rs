//! Reusable pieces of the interface.

pub mod badge;
pub mod feedback;
pub mod field;
pub mod header;
pub mod notice;
pub mod notifications;
pub mod stepper;
pub mod transition;
