//! The closed loop as a row of steps: Registered → Routed → In handling → Closed → Archived,
//! each with its date once reached. A stage passed over (a matter not accepted goes from
//! registered straight to closed) shows as skipped; an archived case's last step is done
//! (`shared::model::StepState`).

use leptos::prelude::*;
use shared::model::{Stage, StepState};

use crate::i18n::use_lang;

/// The stepper. `dates` gives each stage's date, when reached.
#[component]
pub fn Stepper(current: Stage, dates: Vec<(Stage, Option<String>)>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ol class="stepper" data-testid="stepper" data-stage=current.as_str()>
            {dates
                .into_iter()
                .map(|(stage, date)| {
                    let state = StepState::of(stage, current, date.is_some());
                    let name = state.as_str();
                    let class = format!("step step-{name}");
                    let aria_current = (state == StepState::Current).then_some("step");
                    view! {
                        <li class=class data-step=stage.as_str() data-state=name aria-current=aria_current>
                            <span class="step-dot" aria-hidden="true"></span>
                            <span class="step-label">{move || stage.label(lang.get())}</span>
                            <span class="step-date">{date.unwrap_or_default()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
