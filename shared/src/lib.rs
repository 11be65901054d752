//! Concord's wire contract and domain rules, shared by the server and the browser.
//!
//! Everything here is plain Rust without I/O: the vocabulary of the product (`model`), the
//! closed loop's state machine (`workflow`), case clocks (`deadline`), input validation
//! (`validate`), masking of personal data (`privacy`), the API's request and response types
//! (`api`) and its one error envelope (`error`). The server enforces these rules; the browser
//! uses the same functions to show only what is allowed.

pub mod admin;
pub mod agreement;
pub mod api;
pub mod calendar;
pub mod categories;
pub mod county;
pub mod deadline;
pub mod error;
pub mod figures;
pub mod grid;
pub mod lang;
pub mod logs;
pub mod mediation;
pub mod meetings;
pub mod model;
pub mod orgsheet;
pub mod privacy;
pub mod repeats;
pub mod roster;
pub mod validate;
pub mod workflow;

pub use error::{ApiError, ErrorKind, FieldError, Reason};
pub use lang::Lang;
