//! Field errors shown next to their inputs, matched by the API's field paths.

use leptos::prelude::*;
use shared::error::FieldError;

use crate::i18n::use_lang;

/// The message of the first error of `name` (exactly that path), re-rendered in `lang`.
pub fn message_for(errors: &[FieldError], name: &str, lang: shared::Lang) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == name)
        .map(|e| e.reason.message(lang))
}

/// The error line under an input; empty when the field is fine. Its id is `err-{name}` (or
/// `err-{scope}-{name}` where several forms on a page name the same field) so the input can
/// point at it with `aria-describedby`.
#[component]
pub fn FieldMessage(
    /// The field's path, as the API names it (it may change, as a party row's index does).
    #[prop(into)]
    name: Signal<String>,
    /// The form's current errors.
    errors: Signal<Vec<FieldError>>,
    /// The form's name, when another form on the page has a field of the same name.
    #[prop(optional)]
    scope: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let key = move || {
        if scope.is_empty() {
            name.get()
        } else {
            format!("{scope}-{}", name.get())
        }
    };
    let id = move || format!("err-{}", key());
    let testid = move || format!("error-{}", key());
    let text = Memo::new(move |_| name.with(|n| errors.with(|e| message_for(e, n, lang.get()))));
    view! {
        <p class="field-error" id=id data-testid=testid role="alert" hidden=move || text.with(Option::is_none)>
            {move || text.get()}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Lang;
    use shared::error::Reason;

    #[test]
    fn messages_follow_the_language_and_the_exact_path() {
        let errors = vec![FieldError::new(
            "parties[1].phone",
            Reason::InvalidPhone,
            Lang::Zh,
        )];
        assert!(
            message_for(&errors, "parties[1].phone", Lang::En).is_some_and(|m| m.contains("phone"))
        );
        assert!(message_for(&errors, "parties[1]", Lang::En).is_none());
        assert!(message_for(&errors, "parties[0].phone", Lang::En).is_none());
    }
}
