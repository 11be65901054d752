//! The case board's rules as plain functions: the order of cards in a column, who is acting,
//! which move a drop means, which column lies under the pointer, and how a card changes when
//! the server answers a transition.

use std::sync::Arc;

use chrono::NaiveDate;
use shared::model::{CaseCard, CaseDetail, Stage, UserInfo};
use shared::workflow::{Actor, CaseFacts, CommandKind, allowed_commands, command_for_move};

/// The acting person, as the state machine sees them.
pub fn actor_of(user: &UserInfo) -> Actor {
    Actor {
        user_id: user.id,
        role: user.role,
        town_id: user.town_id,
        department_id: user.department_id,
        line: user.line.iter().copied().collect(),
    }
}

/// What the state machine needs of a card. Cards do not carry their town: the board only
/// holds the reader's own town's cards.
pub fn facts_of_card(card: &CaseCard, town_id: i64) -> CaseFacts {
    CaseFacts {
        town_id,
        category: card.category,
        stage: card.stage,
        handler: card.handler,
        cooperating: Vec::new(),
    }
}

/// What the state machine needs of a case.
pub fn facts_of_detail(case: &CaseDetail) -> CaseFacts {
    CaseFacts {
        town_id: case.town_id,
        category: case.category,
        stage: case.stage,
        handler: case.handler,
        cooperating: case.cooperating.clone(),
    }
}

/// The board's order: overdue first, then due soon, on time, stopped; within each, the nearest
/// deadline first, then by code so the order is stable.
pub fn sort_cards(cards: &mut [Arc<CaseCard>], today: NaiveDate) {
    cards.sort_by(|a, b| {
        (a.badge(today), a.due_on, &a.code).cmp(&(b.badge(today), b.due_on, &b.code))
    });
}

/// The cards of one column, in board order.
pub fn column_cards(cards: &[Arc<CaseCard>], stage: Stage, today: NaiveDate) -> Vec<Arc<CaseCard>> {
    let mut column: Vec<Arc<CaseCard>> =
        cards.iter().filter(|c| c.stage == stage).cloned().collect();
    sort_cards(&mut column, today);
    column
}

/// The command a drop of a card on column `to` means for this actor, if they may make it.
/// `None` for the card's own column, a skipped stage, or a move the actor may not make.
pub fn move_command(actor: &Actor, case: &CaseFacts, to: Stage) -> Option<CommandKind> {
    let kind = command_for_move(actor, case, to)?;
    allowed_commands(actor, case)
        .contains(&kind)
        .then_some(kind)
}

/// A column's box on screen, as read from `getBoundingClientRect`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    /// Whether the point lies inside the box (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }
}

/// The column under the pointer, if any.
pub fn column_at(x: f64, y: f64, columns: &[(Stage, Rect)]) -> Option<Stage> {
    columns
        .iter()
        .find(|(_, rect)| rect.contains(x, y))
        .map(|(stage, _)| *stage)
}

/// Whether a pointer has travelled far enough from where it was pressed to start a drag
/// (a shorter movement is a click or a shaky tap).
pub fn passes_drag_threshold(start: (f64, f64), now: (f64, f64)) -> bool {
    const THRESHOLD_PX: f64 = 6.0;
    let (dx, dy) = (now.0 - start.0, now.1 - start.1);
    dx * dx + dy * dy >= THRESHOLD_PX * THRESHOLD_PX
}

/// The card after the server answered with the case as it now is. The card keeps its
/// village name (the case gives the full place instead).
pub fn card_with_detail(card: &CaseCard, case: &CaseDetail) -> CaseCard {
    CaseCard {
        id: case.id,
        code: case.code.clone(),
        summary: case.summary.clone(),
        kind: case.kind,
        category: case.category,
        channel: case.channel,
        village_id: case.village_id,
        town_id: case.town_id,
        county_pending: case.county.iter().any(|e| e.is_pending()),
        category_name: case.category_name.clone(),
        village: if card.village_id == case.village_id {
            card.village.clone()
        } else {
            village_of_place(&case.place)
        },
        risk: case.risk,
        stage: case.stage,
        handler: case.handler,
        handler_name: case.handler_name.clone(),
        due_on: case.due_on,
        registered_at: case.registered_at,
        version: case.version,
        awaiting_until: case.awaiting_until,
        returned: case.returned.clone(),
        open_urgings: u32::try_from(
            case.urgings
                .iter()
                .filter(|u| u.acknowledged_at.is_none())
                .count(),
        )
        .unwrap_or(u32::MAX),
        suspended_on: case
            .suspensions
            .iter()
            .find(|s| s.until.is_none())
            .map(|s| s.from),
        extension_pending: case
            .extensions
            .iter()
            .any(|e| e.status == shared::model::ExtensionStatus::Pending),
        police_pending: case
            .police_notice
            .as_ref()
            .is_some_and(|n| n.acknowledged_at.is_none()),
        // The case does not carry these; the live card that follows every change does.
        escalation: card.escalation.filter(|_| case.stage.is_open()),
        cooperating_names: if case.cooperating.is_empty() {
            Vec::new()
        } else {
            card.cooperating_names.clone()
        },
        repeat_of: case.repeat_of.as_ref().map(|r| r.code.clone()),
    }
}

/// The village part of a case's place ("village / area / group").
pub fn village_of_place(place: &str) -> String {
    place.split('/').next().unwrap_or("").trim().to_owned()
}

/// Replaces (or drops, when archived) the card of `case` in the board's list, returning
/// whether a card was changed.
pub fn apply_case(cards: &mut Vec<Arc<CaseCard>>, case: &CaseDetail) -> bool {
    let Some(i) = cards.iter().position(|c| c.id == case.id) else {
        return false;
    };
    if Stage::BOARD.contains(&case.stage) {
        let updated = card_with_detail(&cards[i], case);
        cards[i] = Arc::new(updated);
    } else {
        cards.remove(i);
    }
    true
}

/// What a card from the live stream did to the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveApplied {
    /// Older than (or the same as) what the board shows, or not for this filtered board.
    Ignored,
    /// Changed in place; `moved`: to another column.
    Updated { moved: bool },
    /// New on the board.
    Added,
}

/// Applies a card from the live stream: a newer version replaces the card; a card the board
/// does not hold is added unless the board is filtered (the server filters; a change it
/// cannot judge here waits for the next load).
pub fn apply_live_card(
    cards: &mut Vec<Arc<CaseCard>>,
    card: CaseCard,
    filtered: bool,
) -> LiveApplied {
    match cards.iter().position(|c| c.id == card.id) {
        // An older card, or the one already shown. The same version with other content is
        // the server's fuller card (names and marks the case page's answer does not carry).
        Some(i)
            if card.version < cards[i].version
                || (card.version == cards[i].version && *cards[i] == card) =>
        {
            LiveApplied::Ignored
        }
        Some(i) => {
            let moved = cards[i].stage != card.stage;
            cards[i] = Arc::new(card);
            LiveApplied::Updated { moved }
        }
        None if filtered || !Stage::BOARD.contains(&card.stage) => LiveApplied::Ignored,
        None => {
            cards.push(Arc::new(card));
            LiveApplied::Added
        }
    }
}

/// Whether a live change puts the case newly on `actor`'s plate, to be marked "new" until
/// they open it — the same rule as the server's `GET /api/board/new`: routed to them (it was
/// not theirs before), or, for the center lead, back from a handler (declined, or not
/// accepted in time).
pub fn newly_on_plate(before: Option<&CaseCard>, after: &CaseCard, actor: &Actor) -> bool {
    let routed_to_me = after.stage == Stage::Routed
        && after.handler.is_some_and(|h| actor.is_unit(h))
        && before.is_none_or(|b| b.handler != after.handler || b.stage != Stage::Routed);
    let returned_to_center = actor.role == shared::model::Role::Lead
        && after.stage == Stage::Registered
        && after.returned.is_some()
        && before.is_none_or(|b| b.stage != Stage::Registered || b.returned.is_none());
    routed_to_me || returned_to_center
}

/// Whether the case is on `actor`'s plate at all — theirs in Routed or In handling, or (for
/// the lead) back at the center with a return on it: a "new" mark on anything else lapses.
pub fn on_plate(card: &CaseCard, actor: &Actor) -> bool {
    let mine = matches!(card.stage, Stage::Routed | Stage::InHandling)
        && card.handler.is_some_and(|h| actor.is_unit(h));
    let returned = actor.role == shared::model::Role::Lead
        && card.stage == Stage::Registered
        && card.returned.is_some();
    mine || returned
}

/// The wire name of a command (its JSON `type`), used in test hooks such as `move-route`.
pub fn command_name(kind: CommandKind) -> &'static str {
    match kind {
        CommandKind::Route => "route",
        CommandKind::NotAccept => "not_accept",
        CommandKind::Accept => "accept",
        CommandKind::Decline => "decline",
        CommandKind::ExpireResponse => "expire_response",
        CommandKind::Return => "return",
        CommandKind::Close => "close",
        CommandKind::Reopen => "reopen",
        CommandKind::Archive => "archive",
    }
}

/// Counts of cards per board column, in column order.
pub fn column_counts(cards: &[Arc<CaseCard>]) -> [usize; 4] {
    let mut counts = [0; 4];
    for card in cards {
        if let Some(i) = Stage::BOARD.iter().position(|s| *s == card.stage) {
            counts[i] += 1;
        }
    }
    counts
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use shared::deadline::{ClockRule, DueBadge};
    use shared::model::{CaseKind, Category, Channel, HandlerRef, RiskLevel, Role};

    pub(crate) fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    pub(crate) fn card(id: i64, stage: Stage, due: NaiveDate) -> CaseCard {
        CaseCard {
            id,
            code: format!("2611-{id:06}"),
            summary: format!("case {id}"),
            kind: CaseKind::Dispute,
            category: Category::Neighbour,
            channel: Channel::Window,
            village_id: 5,
            village: "东村".into(),
            risk: RiskLevel::Low,
            stage,
            handler: None,
            handler_name: None,
            due_on: due,
            registered_at: DateTime::<Utc>::default(),
            version: 1,
            awaiting_until: None,
            returned: None,
            open_urgings: 0,
            suspended_on: None,
            extension_pending: false,
            police_pending: false,
            escalation: None,
            cooperating_names: Vec::new(),
            repeat_of: None,
            town_id: 1,
            county_pending: false,
            category_name: None,
        }
    }

    pub(crate) fn detail(card: &CaseCard) -> CaseDetail {
        CaseDetail {
            id: card.id,
            code: card.code.clone(),
            town_id: 1,
            kind: card.kind,
            category: card.category,
            channel: card.channel,
            risk: card.risk,
            risk_flags: vec![],
            summary: card.summary.clone(),
            facts: String::new(),
            request: String::new(),
            village_id: card.village_id,
            area_id: None,
            group_id: None,
            place: "东村 / 一片 / 三组".into(),
            stage: card.stage,
            handler: card.handler,
            handler_name: card.handler_name.clone(),
            cooperating: vec![],
            outcome: None,
            outcome_summary: None,
            route_told: None,
            archive_no: None,
            clock: ClockRule::default_for(card.kind, card.category, card.channel),
            due_on: card.due_on,
            due_explained: shared::deadline::Clock::new(
                ClockRule::default_for(card.kind, card.category, card.channel),
                card.due_on,
            )
            .explain(&shared::calendar::Calendar::default(), card.due_on),
            registered_at: card.registered_at,
            registered_by: "clerk".into(),
            routed_at: None,
            handling_at: None,
            closed_at: None,
            archived_at: None,
            rating: None,
            parties: vec![],
            parties_masked: false,
            repeat_of: None,
            repeated_by: vec![],
            grid: vec![],
            town: String::new(),
            county: vec![],
            category_name: None,
            version: card.version,
            awaiting_until: None,
            returned: None,
            urgings: vec![],
            suspensions: vec![],
            extensions: vec![],
            extension_rule: ClockRule::default_for(card.kind, card.category, card.channel)
                .track
                .extension(),
            police_notice: None,
        }
    }

    fn user(role: Role) -> UserInfo {
        UserInfo {
            id: 7,
            username: "u".into(),
            display_name: "U".into(),
            role,
            town_id: 1,
            department_id: None,
            org_unit_id: None,
            police: false,
            must_change_password: false,
            line: Vec::new(),
        }
    }

    #[test]
    fn a_case_is_new_to_whoever_it_is_newly_routed_or_returned_to() {
        let me = Actor {
            user_id: 7,
            role: Role::Mediator,
            town_id: 1,
            department_id: None,
            line: Default::default(),
        };
        let lead = Actor {
            user_id: 2,
            role: Role::Lead,
            ..me
        };
        let registered = card(1, Stage::Registered, day(9));
        let mut routed = card(1, Stage::Routed, day(9));
        routed.handler = Some(HandlerRef::Mediator(7));
        assert!(newly_on_plate(Some(&registered), &routed, &me));
        assert!(
            newly_on_plate(None, &routed, &me),
            "joined the board routed to me"
        );
        assert!(!newly_on_plate(Some(&routed), &routed, &me), "already mine");
        assert!(!newly_on_plate(Some(&registered), &routed, &lead));
        let mut to_other = routed.clone();
        to_other.handler = Some(HandlerRef::Mediator(8));
        assert!(!newly_on_plate(Some(&registered), &to_other, &me));
        let mut accepted = routed.clone();
        accepted.stage = Stage::InHandling;
        assert!(!newly_on_plate(Some(&routed), &accepted, &me));
        let mut declined = registered.clone();
        declined.returned = Some(shared::model::ReturnNote {
            by: "派出所".into(),
            reason: Some("不属本所职责".into()),
        });
        assert!(newly_on_plate(Some(&to_other), &declined, &lead));
        assert!(!newly_on_plate(Some(&declined), &declined, &lead));
        assert!(!newly_on_plate(Some(&to_other), &declined, &me));
        // Still on the plate: mine routed or in handling; the lead's returned case.
        assert!(on_plate(&routed, &me) && on_plate(&accepted, &me));
        assert!(!on_plate(&to_other, &me) && !on_plate(&declined, &me));
        assert!(on_plate(&declined, &lead) && !on_plate(&registered, &lead));
    }

    #[test]
    fn live_cards_replace_only_older_versions_and_join_an_unfiltered_board() {
        let mut cards = vec![Arc::new(card(1, Stage::Registered, day(1)))];
        let mut newer = card(1, Stage::Routed, day(1));
        newer.version = 2;
        assert_eq!(
            apply_live_card(&mut cards, newer.clone(), false),
            LiveApplied::Updated { moved: true }
        );
        // The same version again, or an older one: nothing.
        assert_eq!(
            apply_live_card(&mut cards, newer, false),
            LiveApplied::Ignored
        );
        assert_eq!(
            apply_live_card(&mut cards, card(1, Stage::Registered, day(1)), false),
            LiveApplied::Ignored
        );
        assert_eq!(cards[0].stage, Stage::Routed);
        // The same version with what only the server's card carries: taken, not a move.
        let mut fuller = card(1, Stage::Routed, day(1));
        fuller.version = 2;
        fuller.cooperating_names = vec!["司法所".into()];
        assert_eq!(
            apply_live_card(&mut cards, fuller, false),
            LiveApplied::Updated { moved: false }
        );
        assert_eq!(cards[0].cooperating_names, ["司法所"]);
        // A new card joins the board, unless the board is filtered.
        assert_eq!(
            apply_live_card(&mut cards, card(2, Stage::Registered, day(2)), true),
            LiveApplied::Ignored
        );
        assert_eq!(
            apply_live_card(&mut cards, card(2, Stage::Registered, day(2)), false),
            LiveApplied::Added
        );
        assert_eq!(cards.len(), 2);
    }

    #[test]
    fn columns_show_overdue_first_then_the_nearest_deadline() {
        let today = day(15);
        let cards: Vec<Arc<CaseCard>> = [
            card(1, Stage::Routed, day(30)),
            card(2, Stage::Routed, day(14)),
            card(3, Stage::Routed, day(16)),
            card(4, Stage::Routed, day(10)),
            card(5, Stage::Registered, day(1)),
            card(6, Stage::Routed, day(16)),
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        let column = column_cards(&cards, Stage::Routed, today);
        let ids: Vec<i64> = column.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![4, 2, 3, 6, 1]);
        assert_eq!(column[0].badge(today), DueBadge::Overdue);
        assert_eq!(column_counts(&cards), [1, 5, 0, 0]);
    }

    #[test]
    fn drops_mean_a_command_only_when_the_person_may_make_it() {
        let lead = actor_of(&user(Role::Lead));
        let registered = facts_of_card(&card(1, Stage::Registered, day(1)), 1);
        assert_eq!(
            move_command(&lead, &registered, Stage::Routed),
            Some(CommandKind::Route)
        );
        assert_eq!(
            move_command(&lead, &registered, Stage::Closed),
            Some(CommandKind::NotAccept)
        );
        assert_eq!(move_command(&lead, &registered, Stage::InHandling), None);
        assert_eq!(move_command(&lead, &registered, Stage::Registered), None);
        let clerk = actor_of(&user(Role::Clerk));
        assert_eq!(move_command(&clerk, &registered, Stage::Routed), None);
        let mediator = actor_of(&user(Role::Mediator));
        let mut mine = card(2, Stage::Routed, day(1));
        mine.handler = Some(HandlerRef::Mediator(7));
        assert_eq!(
            move_command(&mediator, &facts_of_card(&mine, 1), Stage::InHandling),
            Some(CommandKind::Accept)
        );
    }

    #[test]
    fn command_names_match_the_wire_tags() {
        for kind in CommandKind::all() {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", command_name(kind)));
        }
    }

    #[test]
    fn the_column_under_the_pointer_is_found_by_its_box() {
        let rect = |left: f64| Rect {
            left,
            top: 100.0,
            right: left + 200.0,
            bottom: 700.0,
        };
        let columns = [(Stage::Registered, rect(0.0)), (Stage::Routed, rect(210.0))];
        assert_eq!(column_at(300.0, 400.0, &columns), Some(Stage::Routed));
        assert_eq!(column_at(205.0, 400.0, &columns), None);
        assert_eq!(column_at(50.0, 50.0, &columns), None);
        assert!(!passes_drag_threshold((0.0, 0.0), (3.0, 4.0)));
        assert!(passes_drag_threshold((0.0, 0.0), (6.0, 0.0)));
    }

    #[test]
    fn an_answered_transition_updates_the_card_in_place_and_archiving_drops_it() {
        let mut cards: Vec<Arc<CaseCard>> = vec![
            Arc::new(card(1, Stage::Registered, day(20))),
            Arc::new(card(2, Stage::Closed, day(20))),
        ];
        let mut routed = detail(&cards[0]);
        routed.stage = Stage::Routed;
        routed.handler = Some(HandlerRef::Department(3));
        routed.handler_name = Some("司法所".into());
        routed.version = 2;
        assert!(apply_case(&mut cards, &routed));
        assert_eq!(cards[0].stage, Stage::Routed);
        assert_eq!(cards[0].handler_name.as_deref(), Some("司法所"));
        assert_eq!(cards[0].version, 2);
        assert_eq!(cards[0].village, "东村");

        let mut archived = detail(&cards[1]);
        archived.stage = Stage::Archived;
        assert!(apply_case(&mut cards, &archived));
        assert_eq!(cards.len(), 1);

        let stranger = detail(&card(99, Stage::Routed, day(1)));
        assert!(!apply_case(&mut cards, &stranger));
        assert_eq!(village_of_place("西村 / 二片"), "西村");
    }
}
