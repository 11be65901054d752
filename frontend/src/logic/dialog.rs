//! The transition dialog's form: what a person typed, turned into a `Command` — or into the
//! field errors to show next to the inputs. Errors use the server's paths (`command.reason`);
//! `input_name` maps them to the dialog's inputs (`reason`).

use shared::Lang;
use shared::error::{FieldError, Reason};
use shared::model::{HandlerRef, LegalRoute, Outcome};
use shared::workflow::{Command, CommandKind, RETENTION_YEARS};

/// The dialog's inputs as typed. Select values are wire names; empty means "not chosen".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialogForm {
    /// `mediator:12` or `department:3`.
    pub handler: String,
    /// Cooperating units, as handler strings.
    pub cooperating: Vec<String>,
    pub note: String,
    pub reason: String,
    /// A `LegalRoute` wire name.
    pub route_told: String,
    /// An `Outcome` wire name.
    pub outcome: String,
    pub summary: String,
    /// Years, as typed in the select.
    pub retention_years: String,
}

impl DialogForm {
    /// A fresh form for a command, with its defaults filled in.
    pub fn for_command(kind: CommandKind) -> DialogForm {
        let mut form = DialogForm::default();
        if kind == CommandKind::Archive {
            form.retention_years = RETENTION_YEARS[0].to_string();
        }
        form
    }

    /// Adds or removes a cooperating unit.
    pub fn toggle_cooperating(&mut self, unit: &str, on: bool) {
        self.cooperating.retain(|u| u != unit);
        if on {
            self.cooperating.push(unit.to_owned());
        }
    }
}

/// Whether the dialog asks for the route told to the parties.
pub fn asks_route(kind: CommandKind) -> bool {
    matches!(kind, CommandKind::NotAccept | CommandKind::Close)
}

/// Whether the route told is required (not accepted, or a terminated mediation).
pub fn route_required(kind: CommandKind, form: &DialogForm) -> bool {
    kind == CommandKind::NotAccept
        || (kind == CommandKind::Close && form.outcome == Outcome::Terminated.as_str())
}

/// The command the form describes, checked with the state machine's own field rules.
pub fn build_command(
    kind: CommandKind,
    form: &DialogForm,
    lang: Lang,
) -> Result<Command, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, reason: Reason| errors.push(FieldError::new(field, reason, lang));
    let route = LegalRoute::parse(form.route_told.trim());
    let command = match kind {
        CommandKind::Route => {
            let handler = form.handler.trim().parse::<HandlerRef>().ok();
            if handler.is_none() {
                fail("command.handler", Reason::Required);
            }
            let cooperating: Vec<HandlerRef> = form
                .cooperating
                .iter()
                .filter_map(|u| u.parse().ok())
                .collect();
            handler.map(|handler| Command::Route {
                handler,
                cooperating,
                note: form.note.trim().to_owned(),
            })
        }
        CommandKind::NotAccept => {
            if route.is_none() {
                fail("command.route_told", Reason::Required);
            }
            if form.reason.trim().is_empty() {
                fail("command.reason", Reason::Required);
            }
            route.map(|route_told| Command::NotAccept {
                reason: form.reason.trim().to_owned(),
                route_told,
            })
        }
        CommandKind::Accept => Some(Command::Accept),
        // The server's own move: never offered to a person (`Who::System`).
        CommandKind::ExpireResponse => Some(Command::ExpireResponse),
        CommandKind::Return => Some(Command::Return {
            reason: form.reason.trim().to_owned(),
        }),
        CommandKind::Decline => Some(Command::Decline {
            reason: form.reason.trim().to_owned(),
        }),
        CommandKind::Reopen => Some(Command::Reopen {
            reason: form.reason.trim().to_owned(),
        }),
        CommandKind::Close => {
            let outcome = Outcome::parse(form.outcome.trim());
            if outcome.is_none() {
                fail("command.outcome", Reason::Required);
                if form.summary.trim().is_empty() {
                    fail("command.summary", Reason::Required);
                }
            }
            outcome.map(|outcome| Command::Close {
                outcome,
                summary: form.summary.trim().to_owned(),
                route_told: route,
            })
        }
        CommandKind::Archive => match form.retention_years.trim().parse::<u8>() {
            Ok(retention_years) => Some(Command::Archive { retention_years }),
            Err(_) => {
                fail(
                    "command.retention_years",
                    Reason::UnknownValue {
                        allowed: RETENTION_YEARS.iter().map(u8::to_string).collect(),
                    },
                );
                None
            }
        },
    };
    match command {
        Some(command) => match command.check_fields(lang) {
            Ok(()) if errors.is_empty() => Ok(command),
            Ok(()) => Err(errors),
            Err(more) => {
                for e in more {
                    if !errors.iter().any(|f| f.field == e.field) {
                        errors.push(e);
                    }
                }
                Err(errors)
            }
        },
        None => Err(errors),
    }
}

/// The dialog input a server field path refers to (`command.cooperating[1]` → `cooperating`).
pub fn input_name(field: &str) -> &str {
    let name = field.strip_prefix("command.").unwrap_or(field);
    name.split('[').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<Command, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn routing_needs_a_handler_and_keeps_cooperating_units() {
        let mut form = DialogForm::for_command(CommandKind::Route);
        assert_eq!(
            fields(build_command(CommandKind::Route, &form, Lang::Zh)),
            vec!["command.handler"]
        );
        form.handler = "department:3".into();
        form.toggle_cooperating("mediator:7", true);
        form.toggle_cooperating("department:4", true);
        form.toggle_cooperating("department:4", false);
        form.note = "  请尽快联系  ".into();
        assert_eq!(
            build_command(CommandKind::Route, &form, Lang::Zh),
            Ok(Command::Route {
                handler: HandlerRef::Department(3),
                cooperating: vec![HandlerRef::Mediator(7)],
                note: "请尽快联系".into(),
            })
        );
        form.toggle_cooperating("department:3", true);
        assert_eq!(
            fields(build_command(CommandKind::Route, &form, Lang::Zh)),
            vec!["command.cooperating[1]"]
        );
    }

    #[test]
    fn not_accepting_needs_a_reason_and_the_route_told() {
        let mut form = DialogForm::for_command(CommandKind::NotAccept);
        assert_eq!(
            fields(build_command(CommandKind::NotAccept, &form, Lang::En)),
            vec!["command.route_told", "command.reason"]
        );
        form.reason = "属于法院受理范围".into();
        form.route_told = "litigation".into();
        assert!(build_command(CommandKind::NotAccept, &form, Lang::En).is_ok());
        assert!(route_required(CommandKind::NotAccept, &form));
    }

    #[test]
    fn returning_and_reopening_need_a_reason() {
        for kind in [CommandKind::Return, CommandKind::Reopen] {
            let mut form = DialogForm::for_command(kind);
            assert_eq!(
                fields(build_command(kind, &form, Lang::Zh)),
                vec!["command.reason"]
            );
            form.reason = "不属本所职责".into();
            assert!(build_command(kind, &form, Lang::Zh).is_ok());
        }
    }

    #[test]
    fn closing_needs_a_result_a_summary_and_for_termination_the_route() {
        let mut form = DialogForm::for_command(CommandKind::Close);
        assert_eq!(
            fields(build_command(CommandKind::Close, &form, Lang::Zh)),
            vec!["command.outcome", "command.summary"]
        );
        form.outcome = "terminated".into();
        form.summary = "双方分歧较大".into();
        assert!(route_required(CommandKind::Close, &form));
        assert_eq!(
            fields(build_command(CommandKind::Close, &form, Lang::Zh)),
            vec!["command.route_told"]
        );
        form.route_told = "arbitration".into();
        assert!(build_command(CommandKind::Close, &form, Lang::Zh).is_ok());
        form.outcome = "agreement_oral".into();
        form.route_told.clear();
        assert!(!route_required(CommandKind::Close, &form));
        assert!(build_command(CommandKind::Close, &form, Lang::Zh).is_ok());
    }

    #[test]
    fn archiving_defaults_to_the_shortest_known_retention() {
        let form = DialogForm::for_command(CommandKind::Archive);
        assert_eq!(
            build_command(CommandKind::Archive, &form, Lang::Zh),
            Ok(Command::Archive {
                retention_years: 10
            })
        );
        let odd = DialogForm {
            retention_years: "5".into(),
            ..form
        };
        assert_eq!(
            fields(build_command(CommandKind::Archive, &odd, Lang::Zh)),
            vec!["command.retention_years"]
        );
        assert_eq!(
            build_command(CommandKind::Accept, &odd, Lang::Zh),
            Ok(Command::Accept)
        );
    }

    #[test]
    fn server_paths_map_to_dialog_inputs() {
        assert_eq!(input_name("command.reason"), "reason");
        assert_eq!(input_name("command.cooperating[1]"), "cooperating");
        assert_eq!(input_name("summary"), "summary");
    }
}
