//! Small labels: the deadline badge and the risk tag.

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::deadline::DueBadge;
use shared::model::{RiskLevel, Stage};

use crate::i18n::use_lang;

/// The CSS class of a deadline badge.
pub fn badge_class(badge: DueBadge) -> &'static str {
    match badge {
        DueBadge::Overdue => "badge badge-overdue",
        DueBadge::DueSoon => "badge badge-soon",
        DueBadge::OnTime => "badge badge-ontime",
        DueBadge::Stopped => "badge badge-stopped",
    }
}

/// The wire-style name of a badge, for tests and styling hooks.
pub fn badge_name(badge: DueBadge) -> &'static str {
    match badge {
        DueBadge::Overdue => "overdue",
        DueBadge::DueSoon => "due_soon",
        DueBadge::OnTime => "on_time",
        DueBadge::Stopped => "stopped",
    }
}

/// Green on time, amber due within 3 days, red overdue; a plain date once the clock stopped.
#[component]
pub fn DeadlineBadge(stage: Stage, due_on: NaiveDate, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let badge = DueBadge::for_case(stage, due_on, today);
    view! {
        <span class=badge_class(badge) data-testid="due-badge" data-badge=badge_name(badge)>
            {move || badge.text(due_on, today, lang.get())}
        </span>
    }
}

/// The risk level, coloured.
#[component]
pub fn RiskTag(risk: RiskLevel) -> impl IntoView {
    let lang = use_lang();
    let class = match risk {
        RiskLevel::Low => "tag tag-risk-low",
        RiskLevel::Medium => "tag tag-risk-medium",
        RiskLevel::High => "tag tag-risk-high",
    };
    view! {
        <span class=class data-testid="risk" data-risk=risk.as_str()>
            {move || match lang.get() {
                shared::Lang::Zh => format!("{}风险", risk.label(lang.get())),
                shared::Lang::En => format!("{} risk", risk.label(lang.get())),
            }}
        </span>
    }
}
