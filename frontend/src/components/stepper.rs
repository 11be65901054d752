//! The closed loop as a row of steps: Registered → Routed → In handling → Closed → Archived,
//! each with its date once reached. A stage passed over (a matter not accepted goes from
//! registered straight to closed) shows as skipped.

use leptos::prelude::*;
use shared::model::Stage;

use crate::i18n::use_lang;

/// Where a step stands relative to the case's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    Skipped,
    Current,
    Ahead,
}

/// The state of step `step` for a case in `current`; `reached` says whether the step has a date.
pub fn step_state(step: Stage, current: Stage, reached: bool) -> StepState {
    let pos = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
    match pos(step).cmp(&pos(current)) {
        std::cmp::Ordering::Less if reached => StepState::Done,
        std::cmp::Ordering::Less => StepState::Skipped,
        std::cmp::Ordering::Equal => StepState::Current,
        std::cmp::Ordering::Greater => StepState::Ahead,
    }
}

/// The stepper. `dates` gives each stage's date, when reached.
#[component]
pub fn Stepper(current: Stage, dates: Vec<(Stage, Option<String>)>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ol class="stepper" data-testid="stepper" data-stage=current.as_str()>
            {dates
                .into_iter()
                .map(|(stage, date)| {
                    let state = step_state(stage, current, date.is_some());
                    let (class, name) = match state {
                        StepState::Done => ("step step-done", "done"),
                        StepState::Skipped => ("step step-skipped", "skipped"),
                        StepState::Current => ("step step-current", "current"),
                        StepState::Ahead => ("step step-ahead", "ahead"),
                    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_before_the_stage_are_done_or_skipped_and_after_it_ahead() {
        assert_eq!(
            step_state(Stage::Registered, Stage::InHandling, true),
            StepState::Done
        );
        assert_eq!(
            step_state(Stage::Routed, Stage::Closed, false),
            StepState::Skipped
        );
        assert_eq!(
            step_state(Stage::InHandling, Stage::InHandling, true),
            StepState::Current
        );
        assert_eq!(
            step_state(Stage::Archived, Stage::Closed, false),
            StepState::Ahead
        );
    }
}
