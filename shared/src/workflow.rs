//! The closed loop (三帮闭环) as one state machine. [`TRANSITIONS`] is the table: every legal
//! move, the stage it leaves and the stage it reaches, who may make it and what it needs.
//! Everything else is derived from it: the edge of a command, the permission check and its
//! "who may" text, the moves the board offers. [`apply`] is the whole of a move as a pure
//! function: a case's state and a command in, the new state and the event to record out, so
//! the server only loads, applies and writes. Acts that are not moves (registering, adding a
//! note) are ruled by [`ACTS`] from the same [`Who`] rules.
//!
//! The snapshot `snapshots/shared__workflow__tests__matrix.snap` prints the whole
//! stage × role × command matrix; a change to the rules shows there in review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorKind, FieldError, Reason};
use crate::lang::Lang;
use crate::model::{
    AgreementForm, Category, CategorySet, EventKind, HandlerRef, LegalRoute, Outcome, Role, Stage,
};
use crate::validate::{Checker, NOTE_MAX};

/// Who is acting, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub town_id: i64,
    /// For department liaisons: their department.
    pub department_id: Option<i64>,
    /// For a county department: the categories of its line.
    pub line: CategorySet,
}

impl Actor {
    /// Whether the actor acts for `unit`: the mediator themself, or a liaison of the department.
    pub fn is_unit(&self, unit: HandlerRef) -> bool {
        match (unit, self.role) {
            (HandlerRef::Mediator(id), Role::Mediator) => id == self.user_id,
            (HandlerRef::Department(id), Role::Liaison) => self.department_id == Some(id),
            _ => false,
        }
    }
}

/// What the rules need to know of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub town_id: i64,
    pub category: Category,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
    /// Cooperating units beside the lead handler (联合调处).
    pub cooperating: Vec<HandlerRef>,
}

impl CaseFacts {
    /// Whether `actor` is this case's lead handler: the mediator it is assigned to, or a
    /// liaison of the department it is routed to.
    pub fn is_handled_by(&self, actor: &Actor) -> bool {
        self.handler.is_some_and(|h| actor.is_unit(h))
    }

    /// Whether `actor` works on this case: its lead handler or one of its cooperating units.
    pub fn is_worked_on_by(&self, actor: &Actor) -> bool {
        self.is_handled_by(actor) || self.cooperating.iter().any(|&u| actor.is_unit(u))
    }
}

/// Whether `actor` may read `case` at all: only cases of the actor's own town, and a
/// department liaison only the cases their department leads or cooperates on; a county
/// officer reads every town's cases and a county department every town's cases of its line
/// (parties masked). The server answers 404 for any other, so that a case's existence does
/// not leak either.
pub fn may_read(actor: &Actor, case: &CaseFacts) -> bool {
    match actor.role {
        Role::CountyOfficer => true,
        Role::CountyDepartment => actor.line.contains(case.category),
        Role::Liaison => actor.town_id == case.town_id && case.is_worked_on_by(actor),
        _ => actor.town_id == case.town_id,
    }
}

/// A rule of who may do something. The table names one per row; the server checks it, the
/// browser asks it what to offer, and its `label` is the "only … may" text of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The center lead (中心负责人).
    Lead,
    /// The center lead or an intake clerk.
    LeadOrClerk,
    /// The case's lead handler only (a department declining its own routing).
    Handler,
    /// The case's lead handler or the center lead.
    HandlerOrLead,
    /// The lead, the lead handler and the cooperating units.
    Participants,
    /// Those who take matters in: the lead, intake clerks, grid workers.
    Registrars,
    /// Nobody: the server itself, on a clock (a routing nobody answered in time).
    System,
    /// A county officer (县级政法干部), on any town's case; a county department (县级部门), on
    /// any town's case of its line.
    County,
}

impl Who {
    /// Whether the rule lets `actor` act on `case` (of the actor's own town: the town check
    /// is the caller's, see [`CommandKind::is_permitted`]).
    pub fn permits(self, actor: &Actor, case: &CaseFacts) -> bool {
        let lead = actor.role == Role::Lead;
        match self {
            Who::Lead => lead,
            Who::LeadOrClerk => lead || actor.role == Role::Clerk,
            Who::Handler => case.is_handled_by(actor),
            Who::HandlerOrLead => lead || case.is_handled_by(actor),
            Who::Participants => lead || case.is_worked_on_by(actor),
            Who::Registrars => self.permits_role(actor.role),
            Who::System => false,
            Who::County => actor.role.is_county() && may_read(actor, case),
        }
    }

    /// Whether a role may act under this rule whatever the case (for acts with no case yet).
    pub fn permits_role(self, role: Role) -> bool {
        match self {
            Who::Lead => role == Role::Lead,
            Who::LeadOrClerk => matches!(role, Role::Lead | Role::Clerk),
            Who::Registrars => matches!(role, Role::Lead | Role::Clerk | Role::GridWorker),
            Who::County => role.is_county(),
            Who::Handler | Who::HandlerOrLead | Who::Participants | Who::System => false,
        }
    }

    /// Who the rule names, as a refusal says it ("… may only be done by {label}").
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Who::Lead => lang.pick("中心负责人", "the center lead"),
            Who::LeadOrClerk => lang.pick(
                "中心负责人或窗口受理员",
                "the center lead or an intake clerk",
            ),
            Who::Handler => lang.pick("承办单位", "the assigned handler"),
            Who::HandlerOrLead => lang.pick(
                "承办人或中心负责人",
                "the assigned handler or the center lead",
            ),
            Who::Participants => lang.pick(
                "承办人、协办单位或中心负责人",
                "the assigned handler, a cooperating unit or the center lead",
            ),
            Who::Registrars => lang.pick(
                "中心负责人、窗口受理员或网格员",
                "the center lead, an intake clerk or a grid worker",
            ),
            Who::System => lang.pick(
                "系统(答复期限届满时)",
                "the system (when the response time ends)",
            ),
            Who::County => lang.pick(
                "县级政法干部或分管该类事项的县级部门",
                "a county officer or the county department of the matter's line",
            ),
        }
    }
}

/// What a move needs besides permission, as the table documents it (each is checked by
/// [`Command::check_fields`] or by [`apply`] against the lookups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    Nothing,
    /// A handler of the town, and optional cooperating units (none twice).
    Handler,
    /// A reason.
    Reason,
    /// A reason and the competent route told to the person.
    ReasonAndRoute,
    /// A closing result and its summary; a terminated mediation also the route told.
    Result,
    /// A retention period.
    Retention,
    /// The handler's response time has passed without an answer.
    ResponseTimePassed,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub command: CommandKind,
    pub from: Stage,
    pub to: Stage,
    pub who: Who,
    pub needs: Needs,
}

const fn row(command: CommandKind, from: Stage, to: Stage, who: Who, needs: Needs) -> Transition {
    Transition {
        command,
        from,
        to,
        who,
        needs,
    }
}

/// The closed loop. One row per command; the order is the order menus list them.
#[rustfmt::skip]
pub const TRANSITIONS: &[Transition] = &[
    row(CommandKind::Route,     Stage::Registered, Stage::Routed,     Who::Lead,          Needs::Handler),
    row(CommandKind::Accept,    Stage::Routed,     Stage::InHandling, Who::HandlerOrLead, Needs::Nothing),
    row(CommandKind::Close,     Stage::InHandling, Stage::Closed,     Who::HandlerOrLead, Needs::Result),
    row(CommandKind::Archive,   Stage::Closed,     Stage::Archived,   Who::Lead,          Needs::Retention),
    row(CommandKind::Decline,   Stage::Routed,     Stage::Registered, Who::Handler,       Needs::Reason),
    row(CommandKind::Return,    Stage::Routed,     Stage::Registered, Who::Lead,          Needs::Reason),
    row(CommandKind::NotAccept, Stage::Registered, Stage::Closed,     Who::LeadOrClerk,   Needs::ReasonAndRoute),
    row(CommandKind::Reopen,    Stage::Closed,     Stage::InHandling, Who::Lead,          Needs::Reason),
    row(CommandKind::ExpireResponse, Stage::Routed, Stage::Registered, Who::System,       Needs::ResponseTimePassed),
];

/// Acts on a case (or before one exists) that do not move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// Register a new matter (and, on the spot, resolve it: 就地化解).
    Register,
    /// Add a progress note to a case's timeline (public or internal).
    Note,
    /// Urge the handler (督办单: what, by when).
    Urge,
    /// Acknowledge an urging.
    Acknowledge,
    /// Suspend the case's clock (中止), with a reason.
    Suspend,
    /// Resume a suspended case's clock.
    Resume,
    /// Ask for an extension of the clock (延期申请).
    AskExtension,
    /// Approve or refuse an extension.
    DecideExtension,
    /// Write in the case's message thread (between the center and the handlers).
    Message,
    /// Schedule or cancel a mediation session, record or lift a 回避.
    Mediate,
    /// Search the town's cases by a party's phone or ID number (repeat matters, 重复信访).
    SearchRepeats,
    /// Link a case to the earlier case it repeats, or unlink it.
    LinkRepeat,
    /// Transfer an open case not yet in handling to another town's center (wrong
    /// jurisdiction): it arrives there registered, its timeline whole.
    Transfer,
    /// Escalate a case to the county (上报县级) for its instruction.
    EscalateToCounty,
    /// Answer a town's escalation with the county's instruction (县级批示).
    Instruct,
}

/// Who may do each act.
pub const ACTS: &[(Act, Who)] = &[
    (Act::Register, Who::Registrars),
    (Act::Note, Who::Participants),
    (Act::Urge, Who::Lead),
    (Act::Acknowledge, Who::Handler),
    (Act::Suspend, Who::HandlerOrLead),
    (Act::Resume, Who::HandlerOrLead),
    (Act::AskExtension, Who::Handler),
    (Act::DecideExtension, Who::Lead),
    (Act::Message, Who::Participants),
    (Act::Mediate, Who::HandlerOrLead),
    (Act::SearchRepeats, Who::Registrars),
    (Act::LinkRepeat, Who::LeadOrClerk),
    (Act::Transfer, Who::Lead),
    (Act::EscalateToCounty, Who::Lead),
    (Act::Instruct, Who::County),
];

impl Act {
    /// The rule of this act.
    pub fn who(self) -> Who {
        ACTS.iter()
            .find(|(a, _)| *a == self)
            .map_or(Who::Lead, |&(_, who)| who)
    }

    /// Whether `actor` may do this act on `case` (a case of another town: never, but for the
    /// county's own acts, which are on every town's cases).
    pub fn is_permitted(self, actor: &Actor, case: &CaseFacts) -> bool {
        let who = self.who();
        (actor.town_id == case.town_id || who == Who::County) && who.permits(actor, case)
    }

    /// The refusal for someone who may not.
    pub fn refusal(self, lang: Lang) -> ApiError {
        let what = match self {
            Act::Register => lang.pick("登记受理", "Registering a matter"),
            Act::Note => lang.pick("记录办理情况", "Adding a note"),
            Act::Urge => lang.pick("督办", "Urging"),
            Act::Acknowledge => lang.pick("确认督办", "Acknowledging an urging"),
            Act::Suspend => lang.pick("中止办理", "Suspending a case"),
            Act::Resume => lang.pick("恢复办理", "Resuming a case"),
            Act::AskExtension => lang.pick("申请延期", "Asking for an extension"),
            Act::DecideExtension => lang.pick("审批延期", "Deciding on an extension"),
            Act::Message => lang.pick("发送消息", "Writing a message"),
            Act::Mediate => lang.pick("安排调解", "Scheduling mediation"),
            Act::SearchRepeats => lang.pick("查询重复事项", "Searching for repeat matters"),
            Act::LinkRepeat => lang.pick("关联重复事项", "Linking a repeat matter"),
            Act::Transfer => lang.pick("移交他镇中心", "Transferring a case to another town"),
            Act::EscalateToCounty => lang.pick("上报县级", "Escalating a case to the county"),
            Act::Instruct => lang.pick("县级批示", "Giving the county's instruction"),
        };
        forbidden(what, self.who(), lang)
    }
}

fn forbidden(what: &str, who: Who, lang: Lang) -> ApiError {
    let message = match lang {
        Lang::Zh => format!("“{what}”只能由{}进行。", who.label(lang)),
        Lang::En => format!("“{what}” may only be done by {}.", who.label(lang)),
    };
    ApiError::new(ErrorKind::Forbidden, lang).with_message(message)
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
    /// The routed handler declines the matter (not within its remit): back to the center lead
    /// to route again.
    Decline { reason: String },
    /// The lead recalls a routing, to route it again.
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
    /// The server returns a routing nobody accepted within the response time. Never
    /// accepted from a client (`command_wire` does not decode it).
    ExpireResponse,
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

    const TYPES: &str =
        "`route`, `not_accept`, `accept`, `decline`, `return`, `close`, `reopen`, `archive`";

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
            "decline" => Command::Decline {
                reason: fields::<Reason>(value)?.reason,
            },
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
    Decline,
    Return,
    Close,
    Reopen,
    Archive,
    ExpireResponse,
}

impl CommandKind {
    /// Every command, in the order menus list them (the table's order).
    pub fn all() -> impl Iterator<Item = CommandKind> {
        TRANSITIONS.iter().map(|t| t.command)
    }

    /// The command's row of the table.
    pub fn transition(self) -> Transition {
        // Every command has a row: `every_command_has_one_row` checks it.
        TRANSITIONS
            .iter()
            .copied()
            .find(|t| t.command == self)
            .unwrap_or(TRANSITIONS[0])
    }

    /// The stage a case must be in for this command, and the stage it moves to.
    pub fn edge(self) -> (Stage, Stage) {
        let t = self.transition();
        (t.from, t.to)
    }

    /// Who may make the move.
    pub fn who(self) -> Who {
        self.transition().who
    }

    /// Whether the command needs a dialog for its data (everything that needs something).
    pub fn needs_data(self) -> bool {
        self.transition().needs != Needs::Nothing
    }

    /// Who may make this move on `case`. The town check comes first: nobody acts on another
    /// town's case.
    pub fn is_permitted(self, actor: &Actor, case: &CaseFacts) -> bool {
        actor.town_id == case.town_id && self.who().permits(actor, case)
    }

    /// The label of the action, as on a button or in the "move to…" menu.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CommandKind::Route => lang.pick("分流批转", "Route"),
            CommandKind::NotAccept => lang.pick("不予受理", "Do not accept"),
            CommandKind::Accept => lang.pick("接收办理", "Accept and handle"),
            CommandKind::Decline => lang.pick("拒收退回", "Decline"),
            CommandKind::Return => lang.pick("撤回重新分流", "Recall for re-routing"),
            CommandKind::Close => lang.pick("办结", "Close with a result"),
            CommandKind::Reopen => lang.pick("退回重办", "Reopen"),
            CommandKind::Archive => lang.pick("归档销号", "Archive"),
            CommandKind::ExpireResponse => {
                lang.pick("逾期未接收退回", "Return: not accepted in time")
            }
        }
    }

    /// The event a move records.
    pub fn event(self) -> EventKind {
        match self {
            CommandKind::Route => EventKind::Routed,
            CommandKind::NotAccept => EventKind::NotAccepted,
            CommandKind::Accept => EventKind::Accepted,
            CommandKind::Decline => EventKind::Declined,
            CommandKind::Return => EventKind::Returned,
            CommandKind::Close => EventKind::Closed,
            CommandKind::Reopen => EventKind::Reopened,
            CommandKind::Archive => EventKind::Archived,
            CommandKind::ExpireResponse => EventKind::ResponseExpired,
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
            Command::Decline { .. } => CommandKind::Decline,
            Command::Return { .. } => CommandKind::Return,
            Command::Close { .. } => CommandKind::Close,
            Command::Reopen { .. } => CommandKind::Reopen,
            Command::Archive { .. } => CommandKind::Archive,
            Command::ExpireResponse => CommandKind::ExpireResponse,
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
            | Command::Decline { reason }
            | Command::Return { reason }
            | Command::Reopen { reason } => {
                c.required("command.reason", reason, NOTE_MAX);
            }
            Command::Accept | Command::ExpireResponse => {}
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
        // A county role that reads the case is told why not; anyone else of another town
        // learns nothing of the case.
        return Err(if actor.role.is_county() && may_read(actor, case) {
            forbidden(kind.label(lang), kind.who(), lang)
        } else {
            ApiError::new(ErrorKind::NotFound, lang)
        });
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
        return Err(forbidden(kind.label(lang), kind.who(), lang));
    }
    command
        .check_fields(lang)
        .map_err(|fields| ApiError::validation(fields, lang))?;
    Ok(to)
}

/// The stored state of a case that moves change. Instants are unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub town_id: i64,
    pub category: Category,
    pub stage: Stage,
    pub handler: Option<HandlerRef>,
    pub cooperating: Vec<HandlerRef>,
    pub outcome: Option<Outcome>,
    pub outcome_summary: Option<String>,
    pub route_told: Option<LegalRoute>,
    pub archive_no: Option<String>,
    pub retention_years: Option<u8>,
    pub routed_at: Option<i64>,
    pub handling_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub archived_at: Option<i64>,
    /// While routed and not yet accepted: the handler's last day to answer.
    pub response_due_on: Option<NaiveDate>,
    /// After a decline or an unanswered routing: who it was (until routed again).
    pub returned_by: Option<String>,
    /// The decline's reason (`None` when nobody answered in time).
    pub return_reason: Option<String>,
}

impl CaseState {
    /// What the permission rules need of it.
    pub fn facts(&self) -> CaseFacts {
        CaseFacts {
            town_id: self.town_id,
            category: self.category,
            stage: self.stage,
            handler: self.handler,
            cooperating: self.cooperating.clone(),
        }
    }
}

/// What a move needs from storage, looked up by the server before [`apply`]: names of the
/// units a routing names (`None` for a unit that is not one of the town's), the name of the
/// handler a case leaves, the archive number an archiving takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lookups {
    pub now_ms: i64,
    /// For `Route`: the lead handler's name.
    pub handler_name: Option<String>,
    /// For `Route`: each cooperating unit's name, in the command's order.
    pub cooperating_names: Vec<Option<String>>,
    /// The name of the case's current lead handler.
    pub current_handler_name: Option<String>,
    /// For `Archive`: the number the file gets (GZ-2026-0042).
    pub archive_no: Option<String>,
    /// For `Route`: the handler's last day to answer (its response time on the calendar).
    pub response_due_on: Option<NaiveDate>,
    /// Today, in the center's time zone.
    pub today: Option<NaiveDate>,
    /// For `Close`: the form of the case's agreement if one is in effect (a closing by written
    /// or oral agreement needs it), and the case's category (labour: never oral).
    pub agreement_in_effect: Option<AgreementForm>,
    pub category: Option<Category>,
}

/// The event a move records on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub kind: EventKind,
    pub from: Stage,
    pub to: Stage,
    pub text: Option<String>,
    /// Labelled facts of the event (`handler`, `outcome`, …).
    pub details: Vec<(String, String)>,
}

/// A move made: the case's new state and the event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub state: CaseState,
    pub event: EventDraft,
}

/// Applies `command` by `actor` to a case in `state`: checks it ([`check`]) and the lookups
/// it needs, and returns the new state and the event. No I/O.
pub fn apply(
    command: &Command,
    actor: &Actor,
    state: &CaseState,
    lookups: &Lookups,
    lang: Lang,
) -> Result<Applied, ApiError> {
    let to = check(command, actor, &state.facts(), lang)?;
    make(command, to, state, lookups, lang)
}

/// Applies a move the server makes on its own clock (the rows `Who::System` may make); a
/// person's command is refused here.
pub fn apply_system(
    command: &Command,
    state: &CaseState,
    lookups: &Lookups,
    lang: Lang,
) -> Result<Applied, ApiError> {
    let t = command.kind().transition();
    if t.who != Who::System {
        return Err(ApiError::new(ErrorKind::Forbidden, lang));
    }
    if state.stage != t.from {
        let reason = Reason::IllegalTransition {
            from: state.stage.as_str().to_owned(),
            to: t.to.as_str().to_owned(),
        };
        return Err(ApiError::validation(
            vec![FieldError::new("command.type", reason, lang)],
            lang,
        ));
    }
    make(command, t.to, state, lookups, lang)
}

/// A closing by agreement needs the agreement: a written one in effect (signed and sealed),
/// or an oral one recorded; a labour dispute is never closed by an oral agreement.
fn check_agreement(outcome: Outcome, lookups: &Lookups, lang: Lang) -> Result<(), ApiError> {
    let need = match outcome {
        Outcome::AgreementWritten => AgreementForm::Written,
        Outcome::AgreementOral => AgreementForm::Oral,
        _ => return Ok(()),
    };
    let reason = if need == AgreementForm::Oral
        && lookups
            .category
            .is_some_and(|c| !crate::agreement::oral_allowed(c))
    {
        crate::agreement::labour_needs_written()
    } else if lookups.agreement_in_effect != Some(need) {
        match need {
            AgreementForm::Written => Reason::Other {
                zh: "以书面协议结案,须先有已生效的调解协议书(各方签名并加盖调委会印章)。".into(),
                en: "Closing by written agreement needs an agreement in effect: signed by \
                     everyone and sealed."
                    .into(),
            },
            AgreementForm::Oral => Reason::Other {
                zh: "以口头协议结案,须先记录口头协议的内容。".into(),
                en: "Closing by oral agreement needs the oral agreement recorded first.".into(),
            },
        }
    } else {
        return Ok(());
    };
    let message = reason.message(lang);
    Err(
        ApiError::validation(vec![FieldError::new("command.outcome", reason, lang)], lang)
            .with_message(message),
    )
}

fn make(
    command: &Command,
    to: Stage,
    state: &CaseState,
    lookups: &Lookups,
    lang: Lang,
) -> Result<Applied, ApiError> {
    let now = lookups.now_ms;
    let mut next = state.clone();
    next.stage = to;
    let mut text = None;
    let mut details: Vec<(String, String)> = Vec::new();
    match command {
        Command::Route {
            handler,
            cooperating,
            note,
        } => {
            let mut c = Checker::new(lang);
            if lookups.handler_name.is_none() {
                c.fail("command.handler", Reason::NoSuchItem);
            }
            let mut names = Vec::new();
            for i in 0..cooperating.len() {
                match lookups.cooperating_names.get(i).cloned().flatten() {
                    Some(name) => names.push(name),
                    None => c.fail(format!("command.cooperating[{i}]"), Reason::NoSuchItem),
                }
            }
            c.finish()
                .map_err(|fields| ApiError::validation(fields, lang))?;
            next.handler = Some(*handler);
            next.cooperating = cooperating.clone();
            next.routed_at = Some(now);
            next.response_due_on = lookups.response_due_on;
            next.returned_by = None;
            next.return_reason = None;
            if let Some(day) = lookups.response_due_on {
                details.push(("respond_by".into(), day.format("%Y-%m-%d").to_string()));
            }
            details.push((
                "handler".into(),
                lookups.handler_name.clone().unwrap_or_default(),
            ));
            if !names.is_empty() {
                details.push(("cooperating".into(), names.join("、")));
            }
            text = Some(note.clone());
        }
        Command::NotAccept { reason, route_told } => {
            next.outcome = Some(Outcome::NotAccepted);
            next.outcome_summary = Some(reason.trim().to_owned());
            next.route_told = Some(*route_told);
            next.closed_at = Some(now);
            details.push(("route_told".into(), route_told.as_str().to_owned()));
            text = Some(reason.clone());
        }
        Command::Accept => {
            next.handling_at = Some(now);
            next.response_due_on = None;
        }
        Command::Decline { reason } | Command::Return { reason } => {
            if let Some(name) = &lookups.current_handler_name {
                details.push(("previous_handler".into(), name.clone()));
            }
            next.handler = None;
            next.cooperating = Vec::new();
            next.routed_at = None;
            next.response_due_on = None;
            if matches!(command, Command::Decline { .. }) {
                next.returned_by = lookups.current_handler_name.clone();
                next.return_reason = Some(reason.trim().to_owned());
            }
            text = Some(reason.clone());
        }
        Command::ExpireResponse => {
            let passed = match (state.response_due_on, lookups.today) {
                (Some(due), Some(today)) => today > due,
                _ => false,
            };
            if !passed {
                let reason = Reason::NotAllowedHere;
                return Err(ApiError::validation(
                    vec![FieldError::new("command.type", reason, lang)],
                    lang,
                ));
            }
            if let Some(name) = &lookups.current_handler_name {
                details.push(("previous_handler".into(), name.clone()));
            }
            if let Some(due) = state.response_due_on {
                details.push(("respond_by".into(), due.format("%Y-%m-%d").to_string()));
            }
            next.handler = None;
            next.cooperating = Vec::new();
            next.routed_at = None;
            next.response_due_on = None;
            next.returned_by = lookups.current_handler_name.clone();
            next.return_reason = None;
        }
        Command::Close {
            outcome,
            summary,
            route_told,
        } => {
            check_agreement(*outcome, lookups, lang)?;
            next.outcome = Some(*outcome);
            next.outcome_summary = Some(summary.trim().to_owned());
            next.route_told = *route_told;
            next.closed_at = Some(now);
            details.push(("outcome".into(), outcome.as_str().to_owned()));
            if let Some(route) = route_told {
                details.push(("route_told".into(), route.as_str().to_owned()));
            }
            text = Some(summary.clone());
        }
        Command::Reopen { reason } => {
            next.outcome = None;
            next.outcome_summary = None;
            next.route_told = None;
            next.closed_at = None;
            text = Some(reason.clone());
        }
        Command::Archive { retention_years } => {
            let Some(no) = lookups.archive_no.clone() else {
                return Err(ApiError::new(ErrorKind::Internal, lang));
            };
            next.archive_no = Some(no.clone());
            next.retention_years = Some(*retention_years);
            next.archived_at = Some(now);
            details.push(("archive_no".into(), no));
            details.push(("retention_years".into(), retention_years.to_string()));
        }
    }
    Ok(Applied {
        state: next,
        event: EventDraft {
            kind: command.kind().event(),
            from: state.stage,
            to,
            text,
            details,
        },
    })
}

/// The commands `actor` may make on `case` now, in menu order.
pub fn allowed_commands(actor: &Actor, case: &CaseFacts) -> Vec<CommandKind> {
    TRANSITIONS
        .iter()
        .filter(|t| t.from == case.stage && t.command.is_permitted(actor, case))
        .map(|t| t.command)
        .collect()
}

/// The command a board drag from one column to another means for `actor`, if any: of the
/// rows with that edge, the first the actor may make, else the first.
pub fn command_for_move(actor: &Actor, case: &CaseFacts, to: Stage) -> Option<CommandKind> {
    let mut rows = TRANSITIONS
        .iter()
        .filter(|t| t.from == case.stage && t.to == to);
    let first = rows.clone().next().map(|t| t.command);
    rows.find(|t| t.command.is_permitted(actor, case))
        .map(|t| t.command)
        .or(first)
}

/// The board columns `actor` may drop this case on.
pub fn allowed_targets(actor: &Actor, case: &CaseFacts) -> Vec<Stage> {
    let mut targets = Vec::new();
    for kind in allowed_commands(actor, case) {
        let to = kind.edge().1;
        if Stage::BOARD.contains(&to) && !targets.contains(&to) {
            targets.push(to);
        }
    }
    targets
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
            Command::Decline {
                reason: "非本所职责".into(),
            },
            Command::Return {
                reason: "改派他人".into(),
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
            line: CategorySet::default(),
            user_id: 7,
            role,
            town_id: TOWN,
            department_id,
        }
    }

    fn case(stage: Stage, handler: Option<HandlerRef>) -> CaseFacts {
        CaseFacts {
            category: Category::Neighbour,
            town_id: TOWN,
            stage,
            handler,
            cooperating: vec![HandlerRef::Department(4)],
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
            CommandKind::Decline => Command::Decline {
                reason: "不属本所职责".into(),
            },
            CommandKind::Return => Command::Return {
                reason: "改派".into(),
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
            CommandKind::ExpireResponse => Command::ExpireResponse,
        }
    }

    /// The rules written out a second time, by hand: (command, roles that may, whether the
    /// assigned handler may).
    fn permitted_roles(kind: CommandKind) -> (&'static [Role], bool) {
        match kind {
            CommandKind::Route
            | CommandKind::Return
            | CommandKind::Reopen
            | CommandKind::Archive => (&[Role::Lead], false),
            CommandKind::NotAccept => (&[Role::Lead, Role::Clerk], false),
            CommandKind::Decline => (&[], true),
            CommandKind::ExpireResponse => (&[], false),
            CommandKind::Accept | CommandKind::Close => (&[Role::Lead], true),
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
        for kind in CommandKind::all() {
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
        assert_eq!(
            allowed_commands(&mediator, &mine),
            vec![CommandKind::Accept, CommandKind::Decline]
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
        let lead = actor(Role::Lead);
        let mediator = actor(Role::Mediator);
        let at = |stage| case(stage, Some(HandlerRef::Mediator(7)));
        assert_eq!(
            command_for_move(&lead, &at(Stage::Registered), Stage::Routed),
            Some(CommandKind::Route)
        );
        // Back to Registered: the handler declines, the lead recalls.
        assert_eq!(
            command_for_move(&mediator, &at(Stage::Routed), Stage::Registered),
            Some(CommandKind::Decline)
        );
        assert_eq!(
            command_for_move(&lead, &at(Stage::Routed), Stage::Registered),
            Some(CommandKind::Return)
        );
        assert_eq!(
            command_for_move(&lead, &at(Stage::InHandling), Stage::Closed),
            Some(CommandKind::Close)
        );
        assert_eq!(
            command_for_move(&lead, &at(Stage::Registered), Stage::InHandling),
            None
        );
        assert_eq!(
            command_for_move(&lead, &at(Stage::Closed), Stage::Registered),
            None
        );
    }

    #[test]
    fn every_command_has_one_row() {
        let kinds: Vec<CommandKind> = CommandKind::all().collect();
        assert_eq!(kinds.len(), TRANSITIONS.len());
        for (i, kind) in kinds.iter().enumerate() {
            assert!(!kinds[..i].contains(kind), "{kind:?} twice");
            assert_eq!(sample(*kind).kind(), *kind);
            assert_eq!(kind.transition().command, *kind);
        }
    }

    /// The stage × role × command matrix, one line per (stage, who): a change to any rule
    /// changes this snapshot.
    #[test]
    fn matrix() {
        let people: [(&str, Actor); 13] = [
            ("lead", actor(Role::Lead)),
            ("clerk", actor(Role::Clerk)),
            ("mediator (the handler)", actor(Role::Mediator)),
            (
                "mediator (another)",
                Actor {
                    user_id: 8,
                    ..actor(Role::Mediator)
                },
            ),
            (
                "liaison (the handler)",
                Actor {
                    department_id: Some(3),
                    ..actor(Role::Liaison)
                },
            ),
            (
                "liaison (cooperating)",
                Actor {
                    department_id: Some(4),
                    ..actor(Role::Liaison)
                },
            ),
            (
                "liaison (another)",
                Actor {
                    department_id: Some(5),
                    ..actor(Role::Liaison)
                },
            ),
            ("grid_worker", actor(Role::GridWorker)),
            ("town_leader", actor(Role::TownLeader)),
            ("admin", actor(Role::Admin)),
            (
                "county_officer",
                Actor {
                    town_id: 0,
                    ..actor(Role::CountyOfficer)
                },
            ),
            (
                "county_department (its line)",
                Actor {
                    town_id: 0,
                    line: [Category::Neighbour].into_iter().collect(),
                    ..actor(Role::CountyDepartment)
                },
            ),
            (
                "county_department (another line)",
                Actor {
                    town_id: 0,
                    line: [Category::Labour].into_iter().collect(),
                    ..actor(Role::CountyDepartment)
                },
            ),
        ];
        let mut out = String::new();
        for row in TRANSITIONS {
            out.push_str(&format!(
                "{:?}: {:?} -> {:?}, who {:?}, needs {:?}\n",
                row.command, row.from, row.to, row.who, row.needs
            ));
        }
        for &(act, who) in ACTS {
            out.push_str(&format!("{act:?}: who {who:?}\n"));
        }
        out.push('\n');
        for &stage in Stage::ALL {
            for (name, person) in &people {
                // The mediator 7 leads a case in most rows; department cases for liaisons.
                let handler = if person.role == Role::Liaison {
                    HandlerRef::Department(3)
                } else {
                    HandlerRef::Mediator(7)
                };
                let facts = case(stage, Some(handler));
                let moves: Vec<String> = allowed_commands(person, &facts)
                    .iter()
                    .map(|k| format!("{k:?}"))
                    .collect();
                let note = if Act::Note.is_permitted(person, &facts) {
                    " +note"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{:<11} {:<24} {}{note}\n",
                    stage.as_str(),
                    name,
                    if moves.is_empty() {
                        "-".to_owned()
                    } else {
                        moves.join(", ")
                    }
                ));
            }
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn closing_by_agreement_needs_the_agreement_in_effect_and_labour_is_never_oral() {
        let lead = actor(Role::Lead);
        let state = CaseState {
            category: Category::Neighbour,
            town_id: TOWN,
            stage: Stage::InHandling,
            handler: None,
            cooperating: vec![],
            outcome: None,
            outcome_summary: None,
            route_told: None,
            archive_no: None,
            retention_years: None,
            routed_at: None,
            handling_at: Some(1),
            closed_at: None,
            archived_at: None,
            response_due_on: None,
            returned_by: None,
            return_reason: None,
        };
        let close = |outcome| Command::Close {
            outcome,
            summary: "双方达成协议".into(),
            route_told: None,
        };
        let with = |agreement, category| Lookups {
            now_ms: 5,
            agreement_in_effect: agreement,
            category: Some(category),
            ..Lookups::default()
        };
        let refused = |outcome, lookups: Lookups| {
            apply(&close(outcome), &lead, &state, &lookups, Lang::Zh)
                .err()
                .map(|e| (e.fields[0].field.clone(), e.message))
        };
        let none = with(None, Category::Neighbour);
        let (field, message) = refused(Outcome::AgreementWritten, none.clone()).unwrap_or_default();
        assert_eq!(field, "command.outcome");
        assert!(message.contains("已生效的调解协议书"), "{message}");
        assert!(refused(Outcome::AgreementOral, none.clone()).is_some());
        // The other form's agreement does not do either.
        assert!(
            refused(
                Outcome::AgreementWritten,
                with(Some(AgreementForm::Oral), Category::Neighbour)
            )
            .is_some()
        );
        assert!(
            refused(
                Outcome::AgreementWritten,
                with(Some(AgreementForm::Written), Category::Neighbour)
            )
            .is_none()
        );
        assert!(
            refused(
                Outcome::AgreementOral,
                with(Some(AgreementForm::Oral), Category::Neighbour)
            )
            .is_none()
        );
        let (_, message) = refused(
            Outcome::AgreementOral,
            with(Some(AgreementForm::Oral), Category::Labour),
        )
        .unwrap_or_default();
        assert!(message.contains("第十四条"), "{message}");
        // Other results need no agreement.
        assert!(refused(Outcome::Explained, none).is_none());
    }

    #[test]
    fn apply_moves_the_case_and_records_the_event() {
        let lead = actor(Role::Lead);
        let state = CaseState {
            category: Category::Neighbour,
            town_id: TOWN,
            stage: Stage::Registered,
            handler: None,
            cooperating: vec![],
            outcome: None,
            outcome_summary: None,
            route_told: None,
            archive_no: None,
            retention_years: None,
            routed_at: None,
            handling_at: None,
            closed_at: None,
            archived_at: None,
            response_due_on: None,
            returned_by: None,
            return_reason: None,
        };
        let route = Command::Route {
            handler: HandlerRef::Department(3),
            cooperating: vec![HandlerRef::Department(4)],
            note: "请三日内接收".into(),
        };
        let lookups = Lookups {
            now_ms: 1_000,
            handler_name: Some("司法所".into()),
            cooperating_names: vec![Some("派出所".into())],
            ..Lookups::default()
        };
        let applied = apply(&route, &lead, &state, &lookups, Lang::Zh);
        let Ok(applied) = applied else {
            panic!("{applied:?}");
        };
        assert_eq!(applied.state.stage, Stage::Routed);
        assert_eq!(applied.state.handler, Some(HandlerRef::Department(3)));
        assert_eq!(applied.state.routed_at, Some(1_000));
        assert_eq!(applied.event.kind, EventKind::Routed);
        assert_eq!(
            applied.event.details,
            vec![
                ("handler".to_owned(), "司法所".to_owned()),
                ("cooperating".to_owned(), "派出所".to_owned())
            ]
        );
        // The department's liaison declines: back to Registered, the handler cleared.
        let liaison = actor(Role::Liaison);
        let decline = Command::Decline {
            reason: "不属本所职责".into(),
        };
        let back = apply(
            &decline,
            &liaison,
            &applied.state,
            &Lookups {
                now_ms: 2_000,
                current_handler_name: Some("司法所".into()),
                ..Lookups::default()
            },
            Lang::Zh,
        );
        let Ok(back) = back else {
            panic!("{back:?}");
        };
        assert_eq!(back.state.stage, Stage::Registered);
        assert_eq!(back.state.handler, None);
        assert!(back.state.cooperating.is_empty());
        assert_eq!(back.event.kind, EventKind::Declined);
        assert_eq!(back.event.text.as_deref(), Some("不属本所职责"));
        // A unit that is not the town's is named in the refusal.
        let unknown = apply(
            &route,
            &lead,
            &state,
            &Lookups {
                handler_name: Some("司法所".into()),
                cooperating_names: vec![None],
                ..Lookups::default()
            },
            Lang::En,
        );
        assert_eq!(
            unknown.err().map(|e| e.fields[0].field.clone()),
            Some("command.cooperating[0]".to_owned())
        );
    }

    #[test]
    fn a_county_department_reads_and_instructs_only_its_line_in_every_town() {
        let labour = Actor {
            town_id: 0,
            line: [Category::Labour, Category::Consumer].into_iter().collect(),
            ..actor(Role::CountyDepartment)
        };
        let mut wage = case(Stage::Routed, None);
        wage.category = Category::Labour;
        wage.town_id = 42;
        let neighbours = case(Stage::Routed, None);
        assert!(may_read(&labour, &wage));
        assert!(!may_read(&labour, &neighbours));
        assert!(Who::County.permits(&labour, &wage));
        assert!(!Who::County.permits(&labour, &neighbours));
        // Another case of its line is refused as a 403 (it reads it), one outside as a 404.
        let command = Command::Accept;
        let forbidden = check(&command, &labour, &wage, Lang::En).err();
        assert_eq!(forbidden.map(|e| e.kind), Some(ErrorKind::Forbidden));
        let hidden = check(&command, &labour, &neighbours, Lang::En).err();
        assert_eq!(hidden.map(|e| e.kind), Some(ErrorKind::NotFound));
        let set: CategorySet = [Category::Consumer, Category::Labour].into_iter().collect();
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Category::Labour, Category::Consumer]
        );
        assert!(CategorySet::default().is_empty());
    }

    #[test]
    fn a_liaison_reads_only_the_cases_of_their_department() {
        let liaison = actor(Role::Liaison); // department 3
        assert!(may_read(
            &liaison,
            &case(Stage::Routed, Some(HandlerRef::Department(3)))
        ));
        // Department 4 cooperates on every sample case.
        assert!(may_read(
            &liaison_of(4),
            &case(Stage::Routed, Some(HandlerRef::Department(5)))
        ));
        assert!(!may_read(
            &liaison,
            &case(Stage::Routed, Some(HandlerRef::Department(5)))
        ));
        assert!(!may_read(&liaison, &case(Stage::Registered, None)));
        // Mediators and the center read the town's cases (masked where they must be).
        assert!(may_read(
            &actor(Role::Mediator),
            &case(Stage::Registered, None)
        ));
        let elsewhere = Actor {
            town_id: 2,
            ..actor(Role::Lead)
        };
        assert!(!may_read(&elsewhere, &case(Stage::Registered, None)));
    }

    fn liaison_of(department: i64) -> Actor {
        Actor {
            department_id: Some(department),
            ..actor(Role::Liaison)
        }
    }

    #[test]
    fn an_unanswered_routing_returns_only_after_its_response_time() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
        let routed = CaseState {
            category: Category::Neighbour,
            town_id: TOWN,
            stage: Stage::Routed,
            handler: Some(HandlerRef::Department(3)),
            cooperating: vec![],
            outcome: None,
            outcome_summary: None,
            route_told: None,
            archive_no: None,
            retention_years: None,
            routed_at: Some(1),
            handling_at: None,
            closed_at: None,
            archived_at: None,
            response_due_on: Some(d(4)),
            returned_by: None,
            return_reason: None,
        };
        let on = |day| Lookups {
            today: Some(d(day)),
            current_handler_name: Some("司法所".into()),
            ..Lookups::default()
        };
        // On the last day it still waits; the day after it returns, naming the department.
        assert!(apply_system(&Command::ExpireResponse, &routed, &on(4), Lang::En).is_err());
        let back = apply_system(&Command::ExpireResponse, &routed, &on(5), Lang::En);
        let Ok(back) = back else {
            panic!("{back:?}");
        };
        assert_eq!(back.state.stage, Stage::Registered);
        assert_eq!(back.state.returned_by.as_deref(), Some("司法所"));
        assert_eq!(back.state.return_reason, None);
        assert_eq!(back.event.kind, EventKind::ResponseExpired);
        // Nobody may make the move by hand, and the server makes no person's move.
        let lead = actor(Role::Lead);
        assert_eq!(
            apply(&Command::ExpireResponse, &lead, &routed, &on(5), Lang::En)
                .err()
                .map(|e| e.kind),
            Some(ErrorKind::Forbidden)
        );
        assert!(apply_system(&Command::Accept, &routed, &on(5), Lang::En).is_err());
        assert!(serde_json::from_str::<Command>(r#"{"type":"expire_response"}"#).is_err());
    }

    #[test]
    fn cooperating_units_may_add_notes_but_not_move_the_case() {
        let cooperating = Actor {
            department_id: Some(4),
            ..actor(Role::Liaison)
        };
        let facts = case(Stage::InHandling, Some(HandlerRef::Department(3)));
        assert!(facts.is_worked_on_by(&cooperating));
        assert!(!facts.is_handled_by(&cooperating));
        assert!(Act::Note.is_permitted(&cooperating, &facts));
        assert!(allowed_commands(&cooperating, &facts).is_empty());
        assert!(!Act::Note.is_permitted(&actor(Role::GridWorker), &facts));
        assert!(Act::Register.who().permits_role(Role::GridWorker));
        assert!(!Act::Register.who().permits_role(Role::Mediator));
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
