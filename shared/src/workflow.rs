//! The closed loop (三帮闭环) as one state machine: every legal transition, the role that may
//! make it, and the fields it requires. The server enforces `check`; the browser calls
//! `allowed_commands` and `command_for_move` to show only the moves a person may make.
//!
//! | command      | from         | to          | who                                        | needs                          |
//! |--------------|--------------|-------------|--------------------------------------------|--------------------------------|
//! | `Route`      | Registered   | Routed      | lead                                       | a handler                      |
//! | `NotAccept`  | Registered   | Closed      | lead, clerk                                | a reason and the route told    |
//! | `Accept`     | Routed       | InHandling  | the assigned handler, lead                 | —                              |
//! | `Return`     | Routed       | Registered  | the assigned handler (decline), lead       | a reason                       |
//! | `Close`      | InHandling   | Closed      | the assigned handler, lead                 | a result and its summary; a terminated mediation needs the route told |
//! | `Reopen`     | Closed       | InHandling  | lead                                       | a reason                       |
//! | `Archive`    | Closed       | Archived    | lead                                       | a retention period             |
//!
//! Registering and closing in one step (就地化解) is part of registration (`RegisterCase`'s
//! `closed_on_the_spot`), open to the roles that may register.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorKind, FieldError, Reason};
use crate::lang::Lang;
use crate::model::{HandlerRef, LegalRoute, Outcome, Role, Stage};
use crate::validate::{Checker, NOTE_MAX};

/// Who is acting, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub town_id: i64,
    /// For department liaisons: their department.
    pub department_id: Option<i64>,
}

/// What the rules need to know of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub town_id: i64,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
}

impl CaseFacts {
    /// Whether `actor` is this case's lead handler: the mediator it is assigned to, or a
    /// liaison of the department it is routed to.
    pub fn is_handled_by(&self, actor: &Actor) -> bool {
        match (self.handler, actor.role) {
            (Some(HandlerRef::Mediator(id)), Role::Mediator) => id == actor.user_id,
            (Some(HandlerRef::Department(id)), Role::Liaison) => actor.department_id == Some(id),
            _ => false,
        }
    }
}

/// Most cooperating units beside the lead handler.
pub const COOPERATING_MAX: usize = 10;

/// How long an archived file is kept.
pub const RETENTION_YEARS: [u8; 3] = [10, 30, 100];

/// A stage transition, as the browser sends it: `{"type": "route", "handler": …}`.
/// Decoding goes through `command_wire` so that a refused field is named exactly
/// (`command.reason`), which serde's internally tagged enums cannot do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Assign the lead handler (and optional cooperating units).
    Route {
        handler: HandlerRef,
        #[serde(default)]
        cooperating: Vec<HandlerRef>,
        #[serde(default)]
        note: String,
    },
    /// Decide not to accept, telling the person the competent route (不予受理).
    NotAccept {
        reason: String,
        route_told: LegalRoute,
    },
    /// The assigned handler accepts the matter and starts handling it.
    Accept,
    /// Send the matter back to the center for re-routing: a department declines, or the lead
    /// recalls the routing.
    Return { reason: String },
    /// Submit the result.
    Close {
        outcome: Outcome,
        summary: String,
        #[serde(default)]
        route_told: Option<LegalRoute>,
    },
    /// The lead's review sends the result back: handling resumes.
    Reopen { reason: String },
    /// The lead archives the case and cancels it from the active ledger (归档销号).
    Archive { retention_years: u8 },
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Command, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        command_wire::decode(value).map_err(serde::de::Error::custom)
    }
}

/// Separates a field's path inside a value from the message in a decoding error's text
/// (`reason\u{1f}invalid type: …`), so that the server can name the exact field.
pub const FIELD_PATH_SEPARATOR: char = '\u{1f}';

/// The wire form of each command's data, decoded with the path of a refused field kept.
mod command_wire {
    use serde::Deserialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::{Command, FIELD_PATH_SEPARATOR};
    use crate::model::{HandlerRef, LegalRoute, Outcome};

    #[derive(Deserialize)]
    struct Route {
        handler: HandlerRef,
        #[serde(default)]
        cooperating: Vec<HandlerRef>,
        #[serde(default)]
        note: String,
    }

    #[derive(Deserialize)]
    struct NotAccept {
        reason: String,
        route_told: LegalRoute,
    }

    #[derive(Deserialize)]
    struct Reason {
        reason: String,
    }

    #[derive(Deserialize)]
    struct Close {
        outcome: Outcome,
        summary: String,
        #[serde(default)]
        route_told: Option<LegalRoute>,
    }

    #[derive(Deserialize)]
    struct Archive {
        retention_years: u8,
    }

    const TYPES: &str = "`route`, `not_accept`, `accept`, `return`, `close`, `reopen`, `archive`";

    fn fields<T: DeserializeOwned>(value: Value) -> Result<T, String> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                inner.to_string()
            } else {
                format!("{path}{FIELD_PATH_SEPARATOR}{inner}")
            }
        })
    }

    fn what(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "integer",
            Value::String(_) => "string",
            Value::Array(_) => "sequence",
            Value::Object(_) => "map",
        }
    }

    pub(super) fn decode(value: Value) -> Result<Command, String> {
        let kind = match &value {
            Value::Object(map) => match map.get("type") {
                None => return Err("missing field `type`".to_owned()),
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(format!(
                        "type{FIELD_PATH_SEPARATOR}invalid type: {}, expected a string",
                        what(other)
                    ));
                }
            },
            other => {
                return Err(format!(
                    "invalid type: {}, expected struct Command",
                    what(other)
                ));
            }
        };
        Ok(match kind.as_str() {
            "route" => {
                let f: Route = fields(value)?;
                Command::Route {
                    handler: f.handler,
                    cooperating: f.cooperating,
                    note: f.note,
                }
            }
            "not_accept" => {
                let f: NotAccept = fields(value)?;
                Command::NotAccept {
                    reason: f.reason,
                    route_told: f.route_told,
                }
            }
            "accept" => Command::Accept,
            "return" => Command::Return {
                reason: fields::<Reason>(value)?.reason,
            },
            "close" => {
                let f: Close = fields(value)?;
                Command::Close {
                    outcome: f.outcome,
                    summary: f.summary,
                    route_told: f.route_told,
                }
            }
            "reopen" => Command::Reopen {
                reason: fields::<Reason>(value)?.reason,
            },
            "archive" => Command::Archive {
                retention_years: fields::<Archive>(value)?.retention_years,
            },
            other => {
                return Err(format!(
                    "type{FIELD_PATH_SEPARATOR}unknown variant `{other}`, expected one of {TYPES}"
                ));
            }
        })
    }
}

/// The name of a command, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Route,
    NotAccept,
    Accept,
    Return,
    Close,
    Reopen,
    Archive,
}

impl CommandKind {
    /// Every command, in the order menus list them.
    pub const ALL: [CommandKind; 7] = [
        CommandKind::Route,
        CommandKind::Accept,
        CommandKind::Close,
        CommandKind::Archive,
        CommandKind::Return,
        CommandKind::NotAccept,
        CommandKind::Reopen,
    ];

    /// The stage a case must be in for this command, and the stage it moves to.
    pub fn edge(self) -> (Stage, Stage) {
        match self {
            CommandKind::Route => (Stage::Registered, Stage::Routed),
            CommandKind::NotAccept => (Stage::Registered, Stage::Closed),
            CommandKind::Accept => (Stage::Routed, Stage::InHandling),
            CommandKind::Return => (Stage::Routed, Stage::Registered),
            CommandKind::Close => (Stage::InHandling, Stage::Closed),
            CommandKind::Reopen => (Stage::Closed, Stage::InHandling),
            CommandKind::Archive => (Stage::Closed, Stage::Archived),
        }
    }

    /// Whether the command needs a dialog for its data (everything but `Accept`).
    pub fn needs_data(self) -> bool {
        self != CommandKind::Accept
    }

    /// Who may make this move on `case`. The town check comes first: nobody acts on another
    /// town's case.
    pub fn is_permitted(self, actor: &Actor, case: &CaseFacts) -> bool {
        if actor.town_id != case.town_id {
            return false;
        }
        let lead = actor.role == Role::Lead;
        match self {
            CommandKind::Route | CommandKind::Reopen | CommandKind::Archive => lead,
            CommandKind::NotAccept => lead || actor.role == Role::Clerk,
            CommandKind::Accept | CommandKind::Return | CommandKind::Close => {
                lead || case.is_handled_by(actor)
            }
        }
    }

    /// The label of the action, as on a button or in the "move to…" menu.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CommandKind::Route => lang.pick("分流批转", "Route"),
            CommandKind::NotAccept => lang.pick("不予受理", "Do not accept"),
            CommandKind::Accept => lang.pick("接收办理", "Accept and handle"),
            CommandKind::Return => lang.pick("退回重新分流", "Return for re-routing"),
            CommandKind::Close => lang.pick("办结", "Close with a result"),
            CommandKind::Reopen => lang.pick("退回重办", "Reopen"),
            CommandKind::Archive => lang.pick("归档销号", "Archive"),
        }
    }
}

impl Command {
    /// The command's name.
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Route { .. } => CommandKind::Route,
            Command::NotAccept { .. } => CommandKind::NotAccept,
            Command::Accept => CommandKind::Accept,
            Command::Return { .. } => CommandKind::Return,
            Command::Close { .. } => CommandKind::Close,
            Command::Reopen { .. } => CommandKind::Reopen,
            Command::Archive { .. } => CommandKind::Archive,
        }
    }

    /// Checks the command's own fields (what it requires), without looking at the case.
    pub fn check_fields(&self, lang: Lang) -> Result<(), Vec<FieldError>> {
        let mut c = Checker::new(lang);
        match self {
            Command::Route {
                handler,
                cooperating,
                note,
            } => {
                c.max_len("command.note", note, NOTE_MAX);
                if cooperating.len() > COOPERATING_MAX {
                    c.fail(
                        "command.cooperating",
                        Reason::OutOfRange {
                            min: 0,
                            max: COOPERATING_MAX as i64,
                        },
                    );
                }
                for (i, unit) in cooperating.iter().enumerate() {
                    if unit == handler || cooperating[..i].contains(unit) {
                        c.fail(format!("command.cooperating[{i}]"), Reason::Duplicate);
                    }
                }
            }
            Command::NotAccept { reason, .. }
            | Command::Return { reason }
            | Command::Reopen { reason } => {
                c.required("command.reason", reason, NOTE_MAX);
            }
            Command::Accept => {}
            Command::Close {
                outcome,
                summary,
                route_told,
            } => {
                if !Outcome::CLOSING.contains(outcome) {
                    c.fail("command.outcome", Reason::NotAllowedHere);
                }
                c.required("command.summary", summary, NOTE_MAX);
                if *outcome == Outcome::Terminated && route_told.is_none() {
                    c.fail("command.route_told", Reason::Required);
                }
            }
            Command::Archive { retention_years } => {
                if !RETENTION_YEARS.contains(retention_years) {
                    c.fail(
                        "command.retention_years",
                        Reason::UnknownValue {
                            allowed: RETENTION_YEARS.iter().map(u8::to_string).collect(),
                        },
                    );
                }
            }
        }
        c.finish()
    }
}

/// Checks a command against the case and the actor: the stage, the role, the fields.
/// Returns the stage the case moves to, or the error the server answers with.
pub fn check(
    command: &Command,
    actor: &Actor,
    case: &CaseFacts,
    lang: Lang,
) -> Result<Stage, ApiError> {
    let kind = command.kind();
    let (from, to) = kind.edge();
    if actor.town_id != case.town_id {
        return Err(ApiError::new(ErrorKind::NotFound, lang));
    }
    if case.stage != from {
        let reason = Reason::IllegalTransition {
            from: case.stage.as_str().to_owned(),
            to: to.as_str().to_owned(),
        };
        let message = reason.message(lang);
        return Err(ApiError::validation(
            vec![FieldError::new("command.type", reason, lang)],
            lang,
        )
        .with_message(message));
    }
    if !kind.is_permitted(actor, case) {
        let message = match lang {
            Lang::Zh => format!("“{}”只能由{}进行。", kind.label(lang), who_may(kind, lang)),
            Lang::En => format!(
                "“{}” may only be done by {}.",
                kind.label(lang),
                who_may(kind, lang)
            ),
        };
        return Err(ApiError::new(ErrorKind::Forbidden, lang).with_message(message));
    }
    command
        .check_fields(lang)
        .map_err(|fields| ApiError::validation(fields, lang))?;
    Ok(to)
}

fn who_may(kind: CommandKind, lang: Lang) -> &'static str {
    match kind {
        CommandKind::Route | CommandKind::Reopen | CommandKind::Archive => {
            lang.pick("中心负责人", "the center lead")
        }
        CommandKind::NotAccept => lang.pick(
            "中心负责人或窗口受理员",
            "the center lead or an intake clerk",
        ),
        CommandKind::Accept | CommandKind::Return | CommandKind::Close => lang.pick(
            "承办人或中心负责人",
            "the assigned handler or the center lead",
        ),
    }
}

/// The commands `actor` may make on `case` now, in menu order.
pub fn allowed_commands(actor: &Actor, case: &CaseFacts) -> Vec<CommandKind> {
    CommandKind::ALL
        .into_iter()
        .filter(|k| k.edge().0 == case.stage && k.is_permitted(actor, case))
        .collect()
}

/// The command a board drag from one column to another means, if any.
pub fn command_for_move(from: Stage, to: Stage) -> Option<CommandKind> {
    CommandKind::ALL
        .into_iter()
        .find(|k| k.edge() == (from, to))
}

/// The board columns `actor` may drop this case on.
pub fn allowed_targets(actor: &Actor, case: &CaseFacts) -> Vec<Stage> {
    allowed_commands(actor, case)
        .into_iter()
        .map(|k| k.edge().1)
        .filter(|s| Stage::BOARD.contains(s))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_reads_back_as_written() {
        let commands = [
            Command::Route {
                handler: HandlerRef::Mediator(3),
                cooperating: vec![HandlerRef::Department(5)],
                note: "请尽快".into(),
            },
            Command::NotAccept {
                reason: "不属于受理范围".into(),
                route_told: LegalRoute::Litigation,
            },
            Command::Accept,
            Command::Return {
                reason: "非本所职责".into(),
            },
            Command::Close {
                outcome: Outcome::AgreementWritten,
                summary: "达成协议".into(),
                route_told: None,
            },
            Command::Reopen {
                reason: "回访不满意".into(),
            },
            Command::Archive {
                retention_years: 10,
            },
        ];
        for command in commands {
            let json = serde_json::to_string(&command).unwrap_or_default();
            let back: Result<Command, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(command), "{json}");
        }
    }

    use super::*;

    const TOWN: i64 = 1;

    fn actor(role: Role) -> Actor {
        let department_id = (role == Role::Liaison).then_some(3);
        Actor {
            user_id: 7,
            role,
            town_id: TOWN,
            department_id,
        }
    }

    fn case(stage: Stage, handler: Option<HandlerRef>) -> CaseFacts {
        CaseFacts {
            town_id: TOWN,
            stage,
            handler,
        }
    }

    fn sample(kind: CommandKind) -> Command {
        match kind {
            CommandKind::Route => Command::Route {
                handler: HandlerRef::Mediator(7),
                cooperating: vec![],
                note: String::new(),
            },
            CommandKind::NotAccept => Command::NotAccept {
                reason: "不属于受理范围".into(),
                route_told: LegalRoute::Litigation,
            },
            CommandKind::Accept => Command::Accept,
            CommandKind::Return => Command::Return {
                reason: "不属本所职责".into(),
            },
            CommandKind::Close => Command::Close {
                outcome: Outcome::AgreementWritten,
                summary: "双方达成协议".into(),
                route_told: None,
            },
            CommandKind::Reopen => Command::Reopen {
                reason: "结果不实".into(),
            },
            CommandKind::Archive => Command::Archive {
                retention_years: 10,
            },
        }
    }

    /// The table in the module docs, as data: (command, roles that may, whether the assigned
    /// handler may).
    fn permitted_roles(kind: CommandKind) -> (&'static [Role], bool) {
        match kind {
            CommandKind::Route | CommandKind::Reopen | CommandKind::Archive => {
                (&[Role::Lead], false)
            }
            CommandKind::NotAccept => (&[Role::Lead, Role::Clerk], false),
            CommandKind::Accept | CommandKind::Return | CommandKind::Close => (&[Role::Lead], true),
        }
    }

    #[test]
    fn every_command_from_every_stage_by_every_role_follows_the_table() {
        let stages = Stage::ALL;
        let handlers = [
            None,
            Some(HandlerRef::Mediator(7)),
            Some(HandlerRef::Department(3)),
            Some(HandlerRef::Mediator(99)),
        ];
        for kind in CommandKind::ALL {
            let (from, to) = kind.edge();
            let (roles, handler_may) = permitted_roles(kind);
            for &stage in stages {
                for &role in Role::ALL {
                    for handler in handlers {
                        let a = actor(role);
                        let c = case(stage, handler);
                        let result = check(&sample(kind), &a, &c, Lang::En);
                        let is_handler = c.is_handled_by(&a);
                        let may = roles.contains(&role) || (handler_may && is_handler);
                        match result {
                            Ok(target) => {
                                assert_eq!(stage, from, "{kind:?} allowed from {stage:?}");
                                assert!(may, "{kind:?} allowed for {role:?} (handler {handler:?})");
                                assert_eq!(target, to);
                            }
                            Err(e) if stage != from => {
                                assert_eq!(
                                    e.kind,
                                    ErrorKind::Validation,
                                    "{kind:?} from {stage:?}"
                                );
                                assert_eq!(e.fields[0].field, "command.type");
                            }
                            Err(e) => {
                                assert!(
                                    !may,
                                    "{kind:?} refused for {role:?} (handler {handler:?}): {e}"
                                );
                                assert_eq!(e.kind, ErrorKind::Forbidden);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_assigned_mediator_and_the_departments_liaison_are_handlers() {
        let mediator = actor(Role::Mediator);
        let liaison = actor(Role::Liaison);
        assert!(case(Stage::Routed, Some(HandlerRef::Mediator(7))).is_handled_by(&mediator));
        assert!(!case(Stage::Routed, Some(HandlerRef::Mediator(8))).is_handled_by(&mediator));
        assert!(case(Stage::Routed, Some(HandlerRef::Department(3))).is_handled_by(&liaison));
        assert!(!case(Stage::Routed, Some(HandlerRef::Department(4))).is_handled_by(&liaison));
        assert!(!case(Stage::Routed, Some(HandlerRef::Department(7))).is_handled_by(&mediator));
    }

    #[test]
    fn nobody_acts_on_another_towns_case() {
        let lead = Actor {
            town_id: 2,
            ..actor(Role::Lead)
        };
        let err = check(
            &sample(CommandKind::Route),
            &lead,
            &case(Stage::Registered, None),
            Lang::En,
        )
        .err();
        assert_eq!(err.map(|e| e.kind), Some(ErrorKind::NotFound));
        assert!(allowed_commands(&lead, &case(Stage::Registered, None)).is_empty());
    }

    #[test]
    fn closing_without_a_result_summary_is_refused() {
        let cmd = Command::Close {
            outcome: Outcome::AgreementOral,
            summary: "  ".into(),
            route_told: None,
        };
        let err = check(
            &cmd,
            &actor(Role::Lead),
            &case(Stage::InHandling, None),
            Lang::En,
        )
        .err();
        assert_eq!(
            err.as_ref().map(|e| e.fields[0].field.as_str()),
            Some("command.summary")
        );
    }

    #[test]
    fn a_terminated_mediation_needs_the_route_told_to_the_parties() {
        let lead = actor(Role::Lead);
        let open = case(Stage::InHandling, None);
        let without = Command::Close {
            outcome: Outcome::Terminated,
            summary: "双方分歧较大".into(),
            route_told: None,
        };
        let err = check(&without, &lead, &open, Lang::Zh).err();
        assert_eq!(
            err.as_ref().map(|e| e.fields[0].field.as_str()),
            Some("command.route_told")
        );
        let with = Command::Close {
            outcome: Outcome::Terminated,
            summary: "双方分歧较大".into(),
            route_told: Some(LegalRoute::Arbitration),
        };
        assert_eq!(check(&with, &lead, &open, Lang::Zh), Ok(Stage::Closed));
    }

    #[test]
    fn not_accepted_is_an_intake_decision_not_a_closing_result() {
        let cmd = Command::Close {
            outcome: Outcome::NotAccepted,
            summary: "x".into(),
            route_told: None,
        };
        let err = check(
            &cmd,
            &actor(Role::Lead),
            &case(Stage::InHandling, None),
            Lang::En,
        )
        .err();
        assert_eq!(
            err.as_ref().map(|e| e.fields[0].field.as_str()),
            Some("command.outcome")
        );
    }

    #[test]
    fn reasons_are_required_to_return_reopen_or_not_accept() {
        for (cmd, stage) in [
            (
                Command::Return {
                    reason: String::new(),
                },
                Stage::Routed,
            ),
            (Command::Reopen { reason: " ".into() }, Stage::Closed),
            (
                Command::NotAccept {
                    reason: String::new(),
                    route_told: LegalRoute::Litigation,
                },
                Stage::Registered,
            ),
        ] {
            let err = check(&cmd, &actor(Role::Lead), &case(stage, None), Lang::En).err();
            assert_eq!(
                err.as_ref().map(|e| e.fields[0].field.as_str()),
                Some("command.reason"),
                "{cmd:?}"
            );
        }
    }

    #[test]
    fn routing_to_the_same_unit_twice_is_refused() {
        let cmd = Command::Route {
            handler: HandlerRef::Department(3),
            cooperating: vec![HandlerRef::Department(4), HandlerRef::Department(3)],
            note: String::new(),
        };
        let err = check(
            &cmd,
            &actor(Role::Lead),
            &case(Stage::Registered, None),
            Lang::En,
        )
        .err();
        assert_eq!(
            err.as_ref().map(|e| e.fields[0].field.as_str()),
            Some("command.cooperating[1]")
        );
    }

    #[test]
    fn archives_keep_files_for_a_known_retention_period() {
        let err = check(
            &Command::Archive { retention_years: 5 },
            &actor(Role::Lead),
            &case(Stage::Closed, None),
            Lang::En,
        )
        .err();
        assert_eq!(
            err.as_ref().map(|e| e.fields[0].field.as_str()),
            Some("command.retention_years")
        );
    }

    #[test]
    fn the_board_offers_only_the_moves_the_person_may_make() {
        let lead = actor(Role::Lead);
        assert_eq!(
            allowed_targets(&lead, &case(Stage::Registered, None)),
            vec![Stage::Routed, Stage::Closed]
        );
        let mediator = actor(Role::Mediator);
        let mine = case(Stage::Routed, Some(HandlerRef::Mediator(7)));
        assert_eq!(
            allowed_targets(&mediator, &mine),
            vec![Stage::InHandling, Stage::Registered]
        );
        let theirs = case(Stage::Routed, Some(HandlerRef::Mediator(8)));
        assert!(allowed_targets(&mediator, &theirs).is_empty());
        assert!(allowed_targets(&actor(Role::GridWorker), &mine).is_empty());
        // Archiving is a move off the board: offered as a command, not a column.
        assert_eq!(
            allowed_commands(&lead, &case(Stage::Closed, None)),
            vec![CommandKind::Archive, CommandKind::Reopen]
        );
        assert_eq!(
            allowed_targets(&lead, &case(Stage::Closed, None)),
            vec![Stage::InHandling]
        );
    }

    #[test]
    fn drags_map_to_commands_and_skipping_a_stage_maps_to_none() {
        assert_eq!(
            command_for_move(Stage::Registered, Stage::Routed),
            Some(CommandKind::Route)
        );
        assert_eq!(
            command_for_move(Stage::Routed, Stage::Registered),
            Some(CommandKind::Return)
        );
        assert_eq!(
            command_for_move(Stage::InHandling, Stage::Closed),
            Some(CommandKind::Close)
        );
        assert_eq!(command_for_move(Stage::Registered, Stage::InHandling), None);
        assert_eq!(command_for_move(Stage::Closed, Stage::Registered), None);
    }

    #[test]
    fn commands_travel_as_tagged_json() {
        let json = serde_json::to_string(&sample(CommandKind::Route)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"route","handler":"mediator:7","cooperating":[],"note":""}"#
        );
        let parsed: Result<Command, _> = serde_json::from_str(r#"{"type":"accept"}"#);
        assert_eq!(parsed.ok(), Some(Command::Accept));
        assert!(serde_json::from_str::<Command>(r#"{"type":"teleport"}"#).is_err());
    }
}
