//! The mediation agreement on the case page (`shared::agreement`): drafted from the case's
//! template, the terms edited with their amounts (shown in capitals as typed), signed by each
//! party and the mediator on a pad drawn with a finger or a stylus (pointer events, pressure
//! where the device gives it) or marked as a fingerprint on paper, sealed, and then in effect;
//! or an oral agreement recorded instead. A change to a signed text warns that it voids every
//! signature; a signature whose hash no longer matches the text is shown as an error. Once in
//! effect: the judicial-confirmation window and the performance.
//!
//! The server checks everything again; every refusal is named beside its field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Lang;
use shared::agreement::{
    Agreement, AgreementText, CaseAgreement, NewSignature, RecordConfirmation, RecordOral,
    RecordPerformance, SaveAgreement, Signature, Signer, Stroke, Term, amount_in_capitals,
};
use shared::error::FieldError;
use shared::model::{AgreementForm, AgreementStatus, ConfirmationRuling, Performance, SignMethod};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading, show_failure};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;
use crate::logic::time;

type Data = RwSignal<Option<Result<CaseAgreement, api::Error>>>;

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

/// An amount that is not a number of yuan with at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadAmount;

/// Yuan as typed ("1234.5") into fen; `None` for blank, `Err` for anything else.
pub fn parse_yuan(s: &str) -> Result<Option<i64>, BadAmount> {
    let s = s.trim().replace([',', '，'], "");
    if s.is_empty() {
        return Ok(None);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(BadAmount);
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| BadAmount)?
    };
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| BadAmount)?;
    yuan.checked_mul(100)
        .and_then(|f| f.checked_add(cents))
        .map(Some)
        .ok_or(BadAmount)
}

/// Fen as the form shows it ("1234.50").
pub fn yuan_text(fen: Option<i64>) -> String {
    fen.map_or_else(String::new, |f| format!("{}.{:02}", f / 100, f % 100))
}

/// What the case page keeps of its agreement panel across its own re-renders (a live change
/// of the case re-renders the page; the panel then refreshes in place, and a signature being
/// drawn stays on the pad).
#[derive(Clone, Copy)]
pub struct AgreementState {
    data: Data,
    mode: RwSignal<Option<AgreementForm>>,
    editing: RwSignal<bool>,
    signing: RwSignal<Option<Signer>>,
    strokes: RwSignal<Vec<Stroke>>,
    /// What is typed in the agreement's form, kept while the page draws itself anew.
    typed: RwSignal<Option<Typed>>,
}

/// The agreement form's fields as typed (the amounts as text).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Typed {
    facts: String,
    disputes: String,
    responsibility: String,
    terms: Vec<(String, String)>,
    manner: String,
    place: String,
    due: String,
    court: String,
}

impl AgreementState {
    pub fn new() -> AgreementState {
        AgreementState {
            data: RwSignal::new(None),
            mode: RwSignal::new(None),
            editing: RwSignal::new(false),
            signing: RwSignal::new(None),
            strokes: RwSignal::new(Vec::new()),
            typed: RwSignal::new(None),
        }
    }
}

impl Default for AgreementState {
    fn default() -> Self {
        AgreementState::new()
    }
}

/// The panel on the case page.
#[component]
pub fn AgreementPanel(case_id: i64, state: AgreementState) -> impl IntoView {
    let lang = use_lang();
    let data = state.data;
    let load = move || {
        spawn_local(async move {
            data.set(Some(api::agreement(case_id).await));
        });
    };
    load();
    let set = Callback::new(move |a: Agreement| {
        data.update(|d| {
            if let Some(Ok(c)) = d {
                c.agreement = Some(a);
                c.template = None;
            }
        });
    });
    view! {
        <section class="panel agreement-panel" aria-labelledby="agreement-title" data-testid="agreement">
            <h2 id="agreement-title" class="panel-title">{move || pick(lang.get(), "调解协议", "Mediation agreement")}</h2>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! {
                    <ErrorBox error=err retry=Callback::new(move |_| load()) />
                }.into_any(),
                Some(Ok(c)) => match (c.agreement.clone(), c.template.clone()) {
                    (Some(a), _) => view! { <AgreementView case_id a state set reload=Callback::new(move |()| load()) /> }.into_any(),
                    (None, Some(t)) if c.may_edit => view! {
                        <NewAgreement case_id template=t oral_allowed=c.oral_allowed mode=state.mode typed=state.typed set />
                    }.into_any(),
                    _ => view! {
                        <p class="muted" data-testid="agreement-none">{move || pick(lang.get(), "尚无调解协议。", "No agreement yet.")}</p>
                    }.into_any(),
                },
            }}
        </section>
    }
}

/// No agreement yet: draft a written one, or record an oral one.
#[component]
fn NewAgreement(
    case_id: i64,
    template: AgreementText,
    oral_allowed: bool,
    mode: RwSignal<Option<AgreementForm>>,
    typed: RwSignal<Option<Typed>>,
    set: Callback<Agreement>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        {move || match mode.get() {
            None => view! {
                <p class="muted">{move || pick(lang.get(), "达成协议后,在此起草书面调解协议书,由各方当事人和调解员在平板上签名。", "Once agreed, draft the written agreement here; each party and the mediator sign on the tablet.")}</p>
                <div class="form-actions">
                    <button type="button" class="btn btn-primary" data-testid="agreement-draft"
                        on:click=move |_| mode.set(Some(AgreementForm::Written))>
                        {move || pick(lang.get(), "起草调解协议书", "Draft the agreement")}
                    </button>
                    {oral_allowed.then(|| view! {
                        <button type="button" class="btn btn-secondary" data-testid="agreement-oral"
                            on:click=move |_| mode.set(Some(AgreementForm::Oral))>
                            {move || pick(lang.get(), "记录口头协议", "Record an oral agreement")}
                        </button>
                    })}
                </div>
                {(!oral_allowed).then(|| view! {
                    <p class="hint" data-testid="labour-written">{move || pick(lang.get(), "劳动争议须订立书面调解协议(《劳动争议调解仲裁法》第十四条)。", "A labour dispute needs a written agreement (Art. 14).")}</p>
                })}
            }.into_any(),
            Some(AgreementForm::Written) => view! {
                <TextForm case_id text=template.clone() version=0 signed=false typed set
                    cancel=Callback::new(move |()| mode.set(None)) />
            }.into_any(),
            Some(AgreementForm::Oral) => view! {
                <OralForm case_id set cancel=Callback::new(move |()| mode.set(None)) />
            }.into_any(),
        }}
    }
}

/// One term's row in the form: its text and amount as typed.
#[derive(Clone)]
struct TermRow {
    text: RwSignal<String>,
    amount: RwSignal<String>,
}

impl TermRow {
    fn of(t: &Term) -> TermRow {
        TermRow {
            text: RwSignal::new(t.text.clone()),
            amount: RwSignal::new(yuan_text(t.amount_fen)),
        }
    }
}

/// The terms typed, or the refused amounts by field.
fn terms_of(rows: &[TermRow], lang: Lang, at: &str) -> Result<Vec<Term>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut terms = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match parse_yuan(&r.amount.get_untracked()) {
            Ok(amount_fen) => terms.push(Term {
                text: r.text.get_untracked(),
                amount_fen,
            }),
            Err(BadAmount) => errors.push(FieldError::new(
                format!("{at}terms[{i}].amount_fen"),
                shared::Reason::Other {
                    zh: "请填写金额,如 1200 或 1200.50(元)。".into(),
                    en: "Write an amount such as 1200 or 1200.50 (yuan).".into(),
                },
                lang,
            )),
        }
    }
    if errors.is_empty() {
        Ok(terms)
    } else {
        Err(errors)
    }
}

#[component]
fn TermsEditor(
    rows: RwSignal<Vec<TermRow>>,
    errors: RwSignal<Vec<FieldError>>,
    at: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <fieldset class="terms" data-testid="terms">
            <legend>{move || pick(lang.get(), "协议内容(逐项)", "Agreed terms, one by one")}</legend>
            <FieldMessage name=format!("{at}terms") errors=errors.into() />
            {move || rows.get().into_iter().enumerate().map(|(i, r)| {
                let text_name = format!("{at}terms[{i}].text");
                let amount_name = format!("{at}terms[{i}].amount_fen");
                let amount = r.amount;
                let capitals = move || match parse_yuan(&amount.get()) {
                    Ok(Some(fen)) if fen > 0 => amount_in_capitals(fen),
                    _ => String::new(),
                };
                view! {
                    <div class="term-row" data-testid="term-row">
                        <span class="term-no">{(i + 1).to_string()}"."</span>
                        <label class="field term-text">
                            <span class="sr-only">{move || pick(lang.get(), "条款", "Term")}</span>
                            <textarea name=text_name.clone() rows="2" data-testid="term-text"
                                aria-label=move || format!("{} {}", pick(lang.get(), "条款", "Term"), i + 1)
                                prop:value=move || r.text.get()
                                on:input=move |ev| r.text.set(event_target_value(&ev))></textarea>
                            <FieldMessage name=text_name errors=errors.into() />
                        </label>
                        <label class="field term-amount">
                            <span>{move || pick(lang.get(), "金额(元,可空)", "Amount (yuan, optional)")}</span>
                            <input type="text" inputmode="decimal" name=amount_name.clone() data-testid="term-amount"
                                prop:value=move || amount.get()
                                on:input=move |ev| amount.set(event_target_value(&ev)) />
                            <span class="capitals" data-testid="term-capitals">{capitals}</span>
                            <FieldMessage name=amount_name errors=errors.into() />
                        </label>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="term-remove"
                            aria-label=move || format!("{} {}", pick(lang.get(), "删除条款", "Remove term"), i + 1)
                            on:click=move |_| rows.update(|v| { if i < v.len() { v.remove(i); } })>"×"</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="btn btn-secondary btn-small" data-testid="term-add"
                on:click=move |_| rows.update(|v| v.push(TermRow::of(&Term::default())))>
                {move || pick(lang.get(), "+ 增加一项", "+ Add a term")}
            </button>
        </fieldset>
    }
}

/// A labelled one-line or multi-line input bound to a signal.
#[component]
fn Text(
    label: (&'static str, &'static str),
    name: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    let lang = use_lang();
    let input = if multiline {
        view! {
            <textarea name=name rows="3" prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input type=kind.unwrap_or("text") name=name prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <label class="field">
            <span>{move || pick(lang.get(), label.0, label.1)}</span>
            {input}
            <FieldMessage name=name.to_owned() errors=errors.into() />
        </label>
    }
}

/// A labelled select of one of `shared`'s vocabularies, bound to its wire name (empty: none
/// chosen, shown as `blank`).
#[expect(clippy::too_many_arguments, reason = "a field's parts")]
fn choice<V: Copy + Send + Sync + 'static>(
    label: (&'static str, &'static str),
    name: &'static str,
    blank: (&'static str, &'static str),
    all: &'static [V],
    wire: fn(V) -> &'static str,
    text: fn(V, Lang) -> &'static str,
    value: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label class="field">
            <span>{move || pick(lang.get(), label.0, label.1)}</span>
            <select name=name prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">{move || pick(lang.get(), blank.0, blank.1)}</option>
                {all.iter().map(|v| {
                    let v = *v;
                    view! { <option value=wire(v)>{move || text(v, lang.get())}</option> }
                }).collect_view()}
            </select>
            <FieldMessage name=name.to_owned() errors=errors.into() />
        </label>
    }
}

/// The written agreement's text: drafting it (`version` 0) or changing it.
#[component]
fn TextForm(
    case_id: i64,
    text: AgreementText,
    version: i64,
    /// Whether signatures or the seal are on it (a change voids them: say so).
    signed: bool,
    /// Where what is typed is kept across redraws (cleared when saved or cancelled).
    typed: RwSignal<Option<Typed>>,
    set: Callback<Agreement>,
    cancel: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // What was typed before the page drew itself anew (a live change of the case), or the text.
    let start = typed.get_untracked().unwrap_or_else(|| Typed {
        facts: text.facts.clone(),
        disputes: text.disputes.clone(),
        responsibility: text.responsibility.clone(),
        terms: text
            .terms
            .iter()
            .map(|t| (t.text.clone(), yuan_text(t.amount_fen)))
            .collect(),
        manner: text.performance_manner.clone(),
        place: text.performance_place.clone(),
        due: text
            .performance_due
            .map(|d| d.to_string())
            .unwrap_or_default(),
        court: text.court.clone(),
    });
    let facts = RwSignal::new(start.facts);
    let disputes = RwSignal::new(start.disputes);
    let responsibility = RwSignal::new(start.responsibility);
    let manner = RwSignal::new(start.manner);
    let place = RwSignal::new(start.place);
    let due = RwSignal::new(start.due);
    let court = RwSignal::new(start.court);
    let mut initial: Vec<TermRow> = start
        .terms
        .into_iter()
        .map(|(t, amount)| TermRow {
            text: RwSignal::new(t),
            amount: RwSignal::new(amount),
        })
        .collect();
    if initial.is_empty() {
        initial.push(TermRow::of(&Term::default()));
    }
    let rows = RwSignal::new(initial);
    // Every keystroke is kept in the page's state, so that a redraw does not lose it.
    Effect::new(move |_| {
        typed.set(Some(Typed {
            facts: facts.get(),
            disputes: disputes.get(),
            responsibility: responsibility.get(),
            terms: rows
                .get()
                .iter()
                .map(|r| (r.text.get(), r.amount.get()))
                .collect(),
            manner: manner.get(),
            place: place.get(),
            due: due.get(),
            court: court.get(),
        }));
    });
    let representatives = text.representatives;
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let terms = match terms_of(&rows.get_untracked(), l, "text.") {
            Ok(t) => t,
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        let due_text = due.get_untracked();
        let performance_due = match due_text.trim() {
            "" => None,
            d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.set(vec![FieldError::new(
                        "text.performance_due",
                        shared::Reason::Required,
                        l,
                    )]);
                    return;
                }
            },
        };
        let request = SaveAgreement {
            text: AgreementText {
                facts: facts.get_untracked(),
                disputes: disputes.get_untracked(),
                responsibility: responsibility.get_untracked(),
                terms,
                performance_manner: manner.get_untracked(),
                performance_place: place.get_untracked(),
                performance_due,
                court: court.get_untracked(),
                representatives: representatives.clone(),
            },
            version,
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::save_agreement(case_id, &request).await;
            pending.set(false);
            match result {
                Ok(a) => {
                    errors.set(Vec::new());
                    typed.set(None);
                    notices.success(
                        pick(lang.get_untracked(), "调解协议已保存。", "Agreement saved.")
                            .to_owned(),
                    );
                    set.run(a);
                }
                Err(err) => show_failure(&err, errors, lang.get_untracked()),
            }
        });
    };
    view! {
        <form class="agreement-form" data-testid="agreement-form" novalidate on:submit=submit>
            {signed.then(|| view! {
                <p class="notice notice-warn" role="note" data-testid="void-warning">
                    {move || pick(lang.get(), "协议已有签名或印章:修改任何内容都将使全部签名作废,各方须重新签名。", "Signatures or the seal are on it: any change voids them all, and everyone signs again.")}
                </p>
            })}
            <Text label=("纠纷主要事实", "Main facts") name="text.facts" value=facts errors multiline=true />
            <Text label=("争议事项", "Matters in dispute") name="text.disputes" value=disputes errors multiline=true />
            <Text label=("各方当事人的责任", "Each side's responsibility") name="text.responsibility" value=responsibility errors multiline=true />
            <TermsEditor rows errors at="text." />
            <div class="form-row">
                <Text label=("履行方式", "Manner of performance") name="text.performance_manner" value=manner errors />
                <Text label=("履行地点", "Place of performance") name="text.performance_place" value=place errors />
                <Text label=("履行期限", "Perform by") name="text.performance_due" value=due errors kind="date" />
            </div>
            <Text label=("司法确认管辖法院", "Court for judicial confirmation") name="text.court" value=court errors />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="agreement-save" disabled=move || pending.get()>
                    {move || pick(lang.get(), "保存协议", "Save the agreement")}
                </button>
                <button type="button" class="btn btn-ghost" on:click=move |_| { typed.set(None); cancel.run(()) }>
                    {move || pick(lang.get(), "取消", "Cancel")}
                </button>
            </div>
        </form>
    }
}

/// Recording an oral agreement: its terms and the day agreed.
#[component]
fn OralForm(case_id: i64, set: Callback<Agreement>, cancel: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let rows = RwSignal::new(vec![TermRow::of(&Term::default())]);
    let agreed = RwSignal::new(time::today().to_string());
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let terms = match terms_of(&rows.get_untracked(), l, "") {
            Ok(t) => t,
            Err(e) => {
                errors.set(e);
                return;
            }
        };
        let Ok(agreed_on) =
            chrono::NaiveDate::parse_from_str(agreed.get_untracked().trim(), "%Y-%m-%d")
        else {
            errors.set(vec![FieldError::new(
                "agreed_on",
                shared::Reason::Required,
                l,
            )]);
            return;
        };
        let request = RecordOral { terms, agreed_on };
        pending.set(true);
        spawn_local(async move {
            let result = api::record_oral(case_id, &request).await;
            pending.set(false);
            match result {
                Ok(a) => set.run(a),
                Err(err) => show_failure(&err, errors, lang.get_untracked()),
            }
        });
    };
    view! {
        <form class="agreement-form" data-testid="oral-form" novalidate on:submit=submit>
            <FieldMessage name="form".to_owned() errors=errors.into() />
            <TermsEditor rows errors at="" />
            <Text label=("达成日期", "Agreed on") name="agreed_on" value=agreed errors kind="date" />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="oral-save" disabled=move || pending.get()>
                    {move || pick(lang.get(), "记录口头协议", "Record the oral agreement")}
                </button>
                <button type="button" class="btn btn-ghost" on:click=move |_| cancel.run(())>
                    {move || pick(lang.get(), "取消", "Cancel")}
                </button>
            </div>
        </form>
    }
}

/// Who a signer is, as the agreement names them.
fn signer_label(a: &Agreement, s: Signer, lang: Lang) -> String {
    match s {
        Signer::Party { position } => a
            .parties
            .iter()
            .find(|p| p.position == position)
            .map(|p| format!("{}:{}", p.party.side.label(lang), p.party.name))
            .unwrap_or_default(),
        Signer::Mediator => pick(lang, "人民调解员", "Mediator").to_owned(),
    }
}

/// A stroke as an SVG path in a box `w` × `h`, smoothed through the midpoints.
pub fn stroke_path(points: &[[f32; 3]], w: f32, h: f32) -> String {
    let p = |i: usize| (points[i][0] * w, points[i][1] * h);
    match points.len() {
        0 => String::new(),
        1 => {
            let (x, y) = p(0);
            format!("M{x:.1} {y:.1}l0.1 0")
        }
        n => {
            let (x0, y0) = p(0);
            let mut d = format!("M{x0:.1} {y0:.1}");
            for i in 1..n - 1 {
                let (x, y) = p(i);
                let (nx, ny) = p(i + 1);
                d.push_str(&format!(
                    " Q{x:.1} {y:.1} {:.1} {:.1}",
                    (x + nx) / 2.0,
                    (y + ny) / 2.0
                ));
            }
            let (xl, yl) = p(n - 1);
            d.push_str(&format!(" L{xl:.1} {yl:.1}"));
            d
        }
    }
}

/// The width of a stroke from its mean pressure.
fn stroke_width(points: &[[f32; 3]]) -> f32 {
    let mean = points.iter().map(|p| p[2]).sum::<f32>() / points.len().max(1) as f32;
    1.5 + 3.0 * mean
}

/// A drawn signature, read-only.
#[component]
pub fn SignatureImage(strokes: Vec<Stroke>) -> impl IntoView {
    view! {
        <svg class="signature-image" viewBox="0 0 300 100" role="img" aria-hidden="true">
            {strokes.into_iter().map(|s| view! {
                <path d=stroke_path(&s.points, 300.0, 100.0) stroke-width=stroke_width(&s.points).to_string() />
            }).collect_view()}
        </svg>
    }
}

/// The pad: a finger or a stylus draws; each stroke keeps its points and pressure.
#[component]
fn SignaturePad(strokes: RwSignal<Vec<Stroke>>) -> impl IntoView {
    let lang = use_lang();
    let drawing = RwSignal::new(false);
    let pad = NodeRef::<leptos::svg::Svg>::new();
    let point = move |ev: &web_sys::PointerEvent| -> Option<[f32; 3]> {
        let el = pad.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = ((f64::from(ev.client_x()) - rect.left()) / rect.width()).clamp(0.0, 1.0) as f32;
        let y = ((f64::from(ev.client_y()) - rect.top()) / rect.height()).clamp(0.0, 1.0) as f32;
        // A mouse reports 0 or 0.5; a pen or a finger its own pressure.
        let pressure = match ev.pressure() {
            p if p > 0.0 && p <= 1.0 => p,
            _ => 0.5,
        };
        Some([x, y, pressure])
    };
    view! {
        <div class="signature-pad-wrap">
            <svg class="signature-pad" node_ref=pad viewBox="0 0 300 100" data-testid="signature-pad"
                role="img" aria-label=move || pick(lang.get(), "签名框:用手指或触控笔在此签名", "Signature box: sign here with a finger or a stylus")
                on:pointerdown=move |ev| {
                    ev.prevent_default();
                    if let Some(el) = pad.get_untracked() {
                        let _ = el.set_pointer_capture(ev.pointer_id());
                    }
                    if let Some(p) = point(&ev) {
                        drawing.set(true);
                        strokes.update(|s| s.push(Stroke { points: vec![p] }));
                    }
                }
                on:pointermove=move |ev| {
                    if !drawing.get_untracked() {
                        return;
                    }
                    if let Some(p) = point(&ev) {
                        strokes.update(|s| {
                            if let Some(last) = s.last_mut() {
                                last.points.push(p);
                            }
                        });
                    }
                }
                on:pointerup=move |_| drawing.set(false)
                on:pointercancel=move |_| drawing.set(false)>
                <line class="sign-line" x1="20" y1="80" x2="280" y2="80" />
                {move || strokes.get().into_iter().map(|s| view! {
                    <path d=stroke_path(&s.points, 300.0, 100.0) stroke-width=stroke_width(&s.points).to_string() />
                }).collect_view()}
            </svg>
            <button type="button" class="btn btn-ghost btn-small" data-testid="signature-clear"
                on:click=move |_| strokes.set(Vec::new())>
                {move || pick(lang.get(), "清除重签", "Clear")}
            </button>
        </div>
    }
}

/// The agreement as it stands: the document, the signatures and who is still to sign, the
/// seal; once in effect, the confirmation and the performance.
#[component]
fn AgreementView(
    case_id: i64,
    a: Agreement,
    state: AgreementState,
    set: Callback<Agreement>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let AgreementState {
        editing,
        signing,
        strokes,
        ..
    } = state;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let a = StoredValue::new(a);
    let send = move |signer: Signer, method: SignMethod| {
        let request = NewSignature {
            signer,
            method,
            strokes: if method == SignMethod::Drawn {
                strokes.get_untracked()
            } else {
                Vec::new()
            },
            text_hash: a.with_value(|a| a.text_hash.clone()),
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::sign_agreement(case_id, &request).await;
            pending.set(false);
            match result {
                Ok(next) => {
                    signing.set(None);
                    strokes.set(Vec::new());
                    errors.set(Vec::new());
                    set.run(next);
                }
                Err(err) => {
                    show_failure(&err, errors, lang.get_untracked());
                    if err.kind() == Some(shared::ErrorKind::Conflict) {
                        // The text changed (or they signed meanwhile): the strokes were given
                        // on the old text, so they go; the signatory reads the new one first.
                        strokes.set(Vec::new());
                        signing.set(None);
                        notices.error(err.message(lang.get_untracked()), None);
                        reload.run(());
                    }
                }
            }
        });
    };
    let seal = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::seal_agreement(case_id).await;
            pending.set(false);
            match result {
                Ok(next) => set.run(next),
                Err(err) => notices.error(err.message(lang.get_untracked()), None),
            }
        });
    };
    let (status, form, may_edit, may_sign) =
        a.with_value(|a| (a.status, a.form, a.may_edit, a.may_sign));
    // Only a mediator signs as the mediator (the server says the same).
    let mediator = crate::session::use_session().user.with_untracked(|u| {
        u.as_ref()
            .is_some_and(|u| u.role == shared::model::Role::Mediator)
    });
    let in_effect = status == AgreementStatus::InEffect;
    let written = form == AgreementForm::Written;
    let mismatch = a.with_value(Agreement::has_mismatch);
    view! {
        <div class="agreement-head">
            <span class=format!("chip agreement-{}", status.as_str()) data-testid="agreement-status" data-status=status.as_str()>
                {move || status.label(lang.get())}
            </span>
            <span class="agreement-no" data-testid="agreement-number">{a.with_value(|a| a.number.clone())}</span>
            <span class="muted">{move || form.label(lang.get())}</span>
            <a class="btn btn-secondary btn-small" href=format!("/cases/{case_id}/agreement/print") data-testid="agreement-print">
                {move || pick(lang.get(), "打印 / PDF", "Print / PDF")}
            </a>
            {a.with_value(|a| a.effective_on).map(|d| view! {
                <span class="muted" data-testid="agreement-effective">{move || format!("{} {d}", pick(lang.get(), "生效日期", "In effect from"))}</span>
            })}
        </div>
        {mismatch.then(|| view! {
            <p class="notice notice-error" role="alert" data-testid="agreement-mismatch">
                {move || pick(lang.get(), "有签名与现在的协议文本不一致:该签名无效,须重新签名。请核查协议是否被改动。", "A signature does not match the agreement's current text: it is not valid and must be given again. Check whether the text was altered.")}
            </p>
        })}
        {move || if editing.get() {
            let (text, version, signed) = a.with_value(|a| (a.text.clone(), a.version, !a.signatures.is_empty() || a.sealed_at.is_some()));
            view! {
                <TextForm case_id text version signed typed=state.typed set=Callback::new(move |next| { editing.set(false); set.run(next); })
                    cancel=Callback::new(move |()| editing.set(false)) />
            }.into_any()
        } else {
            view! {
                <pre class="agreement-text" data-testid="agreement-text" tabindex="0"
                    aria-label=move || pick(lang.get(), "协议全文", "The agreement's full text")>{a.with_value(|a| a.signed_text.clone())}</pre>
            }.into_any()
        }}
        {written.then(|| view! {
            <h3 class="sub-title">{move || pick(lang.get(), "签名", "Signatures")}</h3>
            <ul class="signature-list" data-testid="signatures">
                {a.with_value(|a| a.signatures.clone()).into_iter().map(|s: Signature| {
                    let who = a.with_value(|a| signer_label(a, s.signer, lang.get_untracked()));
                    let image = (s.method == SignMethod::Drawn && !s.strokes.is_empty()).then(|| view! { <SignatureImage strokes=s.strokes.clone() /> });
                    let method = s.method;
                    let at = time::date_time(chrono::DateTime::from_timestamp_millis(s.signed_at).unwrap_or_default());
                    view! {
                        <li class="signature" class:signature-bad=!s.matches data-testid="signature" data-matches=s.matches.to_string()>
                            <span class="signature-who">{who}</span>
                            {image}
                            <span class="muted">{move || method.label(lang.get())}" · "{at}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {a.with_value(|a| a.sealed_at).map(|_| view! {
                <p class="seal-line" data-testid="agreement-sealed">{move || pick(lang.get(), "已加盖人民调解委员会印章。", "The committee's seal is recorded.")}</p>
            })}
        })}
        {(written && !in_effect && may_sign).then(|| {
            let unsigned: Vec<Signer> = a
                .with_value(|a| a.unsigned.clone())
                .into_iter()
                .filter(|s| mediator || *s != Signer::Mediator)
                .collect();
            let sealed = a.with_value(|a| a.sealed_at.is_some());
            view! {
                <div class="sign-actions" data-testid="sign-actions">
                    {unsigned.into_iter().map(|s| {
                        let who = a.with_value(|a| signer_label(a, s, lang.get_untracked()));
                        let testid = match s { Signer::Party { position } => format!("sign-party-{position}"), Signer::Mediator => "sign-mediator".into() };
                        view! {
                            <button type="button" class="btn btn-secondary" data-testid=testid
                                on:click=move |_| { strokes.set(Vec::new()); errors.set(Vec::new()); signing.set(Some(s)); }>
                                {move || format!("{} {who}", pick(lang.get(), "签名:", "Sign:"))}
                            </button>
                        }
                    }).collect_view()}
                    {(!sealed).then(|| view! {
                        <button type="button" class="btn btn-secondary" data-testid="agreement-seal" disabled=move || pending.get() on:click=seal>
                            {move || pick(lang.get(), "记录加盖调委会印章", "Record the committee's seal")}
                        </button>
                    })}
                    <button type="button" class="btn btn-ghost" data-testid="agreement-edit" on:click=move |_| editing.set(true)>
                        {move || pick(lang.get(), "修改协议", "Change the agreement")}
                    </button>
                </div>
            }
        })}
        {move || signing.get().map(|s| {
            let who = a.with_value(|a| signer_label(a, s, lang.get()));
            let label = who.clone();
            let party = matches!(s, Signer::Party { .. });
            view! {
                <div class="sign-box" role="group" aria-label=label data-testid="sign-box">
                    <p class="sign-who">{who}</p>
                    <p class="hint">{move || pick(lang.get(), "请签名人阅读上面的协议全文后,在框内签名。", "Let the signatory read the whole agreement above, then sign in the box.")}</p>
                    <SignaturePad strokes />
                    <FieldMessage name="strokes".to_owned() errors=errors.into() />
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" data-testid="signature-save" disabled=move || pending.get()
                            on:click=move |_| send(s, SignMethod::Drawn)>
                            {move || pick(lang.get(), "确认签名", "Confirm the signature")}
                        </button>
                        {party.then(|| view! {
                            <button type="button" class="btn btn-secondary" data-testid="signature-fingerprint" disabled=move || pending.get()
                                on:click=move |_| send(s, SignMethod::Fingerprint)>
                                {move || pick(lang.get(), "已在纸面按指印", "Fingerprint taken on paper")}
                            </button>
                        })}
                        <button type="button" class="btn btn-ghost" on:click=move |_| signing.set(None)>
                            {move || pick(lang.get(), "取消", "Cancel")}
                        </button>
                    </div>
                </div>
            }
        })}
        {(in_effect && may_edit).then(|| view! { <AfterAgreement case_id a=a.get_value() set /> })}
    }
}

/// Once in effect: the judicial confirmation (written only) and the performance.
#[component]
fn AfterAgreement(case_id: i64, a: Agreement, set: Callback<Agreement>) -> impl IntoView {
    let lang = use_lang();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let c = a.confirmation.clone();
    let applied = RwSignal::new(
        c.applied_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| time::today().to_string()),
    );
    let court = RwSignal::new(c.court.clone().unwrap_or_else(|| a.text.court.clone()));
    let ruling = RwSignal::new(c.ruling.map(|r| r.as_str().to_owned()).unwrap_or_default());
    let ruled = RwSignal::new(c.ruled_on.map(|d| d.to_string()).unwrap_or_default());
    let perf = RwSignal::new(
        a.performance
            .state
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(a.performance.note.clone());
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let Some(applied_on) = day(&applied.get_untracked()) else {
            errors.set(vec![FieldError::new(
                "applied_on",
                shared::Reason::Required,
                l,
            )]);
            return;
        };
        let request = RecordConfirmation {
            applied_on,
            court: court.get_untracked(),
            ruling: ConfirmationRuling::parse(&ruling.get_untracked()),
            ruled_on: day(&ruled.get_untracked()),
        };
        spawn_local(async move {
            match api::record_confirmation(case_id, &request).await {
                Ok(next) => set.run(next),
                Err(err) => show_failure(&err, errors, lang.get_untracked()),
            }
        });
    };
    let perform = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(state) = Performance::parse(&perf.get_untracked()) else {
            errors.set(vec![FieldError::new(
                "state",
                shared::Reason::Required,
                lang.get_untracked(),
            )]);
            return;
        };
        let request = RecordPerformance {
            state,
            note: note.get_untracked(),
        };
        spawn_local(async move {
            match api::record_performance(case_id, &request).await {
                Ok(next) => set.run(next),
                Err(err) => show_failure(&err, errors, lang.get_untracked()),
            }
        });
    };
    let written = a.form == AgreementForm::Written;
    let apply_by = a.confirmation.apply_by;
    let due = a.performance.due;
    view! {
        {written.then(|| view! {
            <form class="agreement-form after-form" data-testid="confirmation-form" novalidate on:submit=confirm>
                <h3 class="sub-title">{move || pick(lang.get(), "司法确认", "Judicial confirmation")}</h3>
                {apply_by.map(|d| view! {
                    <p class="hint" data-testid="confirmation-window">{move || format!("{} {d}", pick(lang.get(), "当事人可共同申请司法确认,截止", "The parties may apply jointly until"))}</p>
                })}
                <div class="form-row">
                    <Text label=("申请日期", "Applied on") name="applied_on" value=applied errors kind="date" />
                    <Text label=("法院", "Court") name="court" value=court errors />
                </div>
                <div class="form-row">
                    {choice(("裁定结果", "Ruling"), "ruling", ("尚未裁定", "Not yet ruled"), ConfirmationRuling::ALL, ConfirmationRuling::as_str, ConfirmationRuling::label, ruling, errors)}
                    <Text label=("裁定日期", "Ruled on") name="ruled_on" value=ruled errors kind="date" />
                </div>
                <button type="submit" class="btn btn-secondary" data-testid="confirmation-save">{move || pick(lang.get(), "保存司法确认", "Save")}</button>
            </form>
        })}
        <form class="agreement-form after-form" data-testid="performance-form" novalidate on:submit=perform>
            <h3 class="sub-title">{move || pick(lang.get(), "履行情况", "Performance")}</h3>
            {due.map(|d| view! { <p class="hint">{move || format!("{} {d}", pick(lang.get(), "履行期限", "Perform by"))}</p> })}
            {choice(("履行情况", "Performance"), "state", ("请选择", "Choose"), Performance::ALL, Performance::as_str, Performance::label, perf, errors)}
            <Text label=("说明", "Note") name="note" value=note errors multiline=true />
            <button type="submit" class="btn btn-secondary" data-testid="performance-save">{move || pick(lang.get(), "保存履行情况", "Save")}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_in_yuan_become_fen_and_anything_else_is_refused() {
        assert_eq!(parse_yuan(""), Ok(None));
        assert_eq!(parse_yuan("1234"), Ok(Some(123_400)));
        assert_eq!(parse_yuan("1,234.5"), Ok(Some(123_450)));
        assert_eq!(parse_yuan(".05"), Ok(Some(5)));
        assert_eq!(parse_yuan("12.345"), Err(BadAmount));
        assert_eq!(parse_yuan("12元"), Err(BadAmount));
        assert_eq!(parse_yuan("-3"), Err(BadAmount));
        assert_eq!(yuan_text(Some(123_450)), "1234.50");
    }

    #[test]
    fn a_stroke_is_a_smooth_path_in_the_box() {
        assert_eq!(stroke_path(&[], 300.0, 100.0), "");
        let d = stroke_path(
            &[[0.0, 0.0, 0.5], [0.5, 0.5, 0.5], [1.0, 1.0, 0.5]],
            300.0,
            100.0,
        );
        assert_eq!(d, "M0.0 0.0 Q150.0 50.0 225.0 75.0 L300.0 100.0");
    }
}

/// The follow-up visits (回访) of a closed case: when each falls due, and for the lead, the
/// clerks and the handler the form to record one (a dissatisfied visit names its risks; the
/// lead may then reopen the case with the 重新办理 action).
#[component]
pub fn FollowUpsPanel(case_id: i64) -> impl IntoView {
    use shared::agreement::{CaseFollowUps, RecordFollowUp};
    use shared::model::{FollowUpWay, Satisfaction};
    let lang = use_lang();
    let data = RwSignal::new(None::<Result<CaseFollowUps, api::Error>>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let done = RwSignal::new(time::today().to_string());
    let way = RwSignal::new(String::new());
    let satisfaction = RwSignal::new(String::new());
    let risks = RwSignal::new(String::new());
    // A visit recorded already fills the form, to be corrected.
    let show = move |answer: Result<CaseFollowUps, api::Error>| {
        if let Ok(c) = &answer
            && let Some(f) = c.follow_ups.last()
            && let (Some(d), Some(w), Some(sat)) = (f.done_on, f.way, f.satisfaction)
        {
            done.set(d.to_string());
            way.set(w.as_str().to_owned());
            satisfaction.set(sat.as_str().to_owned());
            risks.set(f.risks.clone());
        }
        data.set(Some(answer));
    };
    let load = move || {
        spawn_local(async move {
            show(api::follow_ups(case_id).await);
        });
    };
    load();
    let pending = RwSignal::new(false);
    let submit = move |id: i64| {
        let l = lang.get_untracked();
        let mut missing = Vec::new();
        let done_on =
            chrono::NaiveDate::parse_from_str(done.get_untracked().trim(), "%Y-%m-%d").ok();
        let w = FollowUpWay::parse(&way.get_untracked());
        let s = Satisfaction::parse(&satisfaction.get_untracked());
        if done_on.is_none() {
            missing.push(FieldError::new("done_on", shared::Reason::Required, l));
        }
        if w.is_none() {
            missing.push(FieldError::new("way", shared::Reason::Required, l));
        }
        if s.is_none() {
            missing.push(FieldError::new("satisfaction", shared::Reason::Required, l));
        }
        let (Some(done_on), Some(way), Some(satisfaction)) = (done_on, w, s) else {
            errors.set(missing);
            return;
        };
        let request = RecordFollowUp {
            done_on,
            way,
            satisfaction,
            risks: risks.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::record_follow_up(case_id, id, &request).await;
            pending.set(false);
            match result {
                Ok(next) => {
                    errors.set(Vec::new());
                    show(Ok(next));
                }
                Err(err) => show_failure(&err, errors, lang.get_untracked()),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="follow-ups-title" data-testid="follow-ups">
            <h2 id="follow-ups-title" class="panel-title">{move || pick(lang.get(), "回访", "Follow-up visits")}</h2>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(c)) if c.follow_ups.is_empty() => view! {
                    <p class="muted">{move || pick(lang.get(), "结案时将安排回访。", "A follow-up is scheduled when the case closes.")}</p>
                }.into_any(),
                Some(Ok(c)) => {
                    // The latest visit: recorded, or a record corrected.
                    let open = c.follow_ups.last().map(|f| f.id);
                    let recorded = c.follow_ups.last().is_some_and(|f| f.done_on.is_some());
                    let may_record = c.may_record;
                    view! {
                        {c.may_reopen.then(|| view! {
                            <p class="notice notice-warn" role="note" data-testid="follow-up-reopen">
                                {move || pick(lang.get(), "回访不满意:可用“重新办理”退回办理。", "The follow-up found them dissatisfied: the case can be reopened (重新办理).")}
                            </p>
                        })}
                        <ul class="follow-up-list">
                            {c.follow_ups.into_iter().map(|f| {
                                let state = match (f.done_on, f.satisfaction, f.way) {
                                    (Some(d), Some(s), Some(w)) => format!("{d} · {} · {}", w.label(lang.get_untracked()), s.label(lang.get_untracked())),
                                    _ => format!("{} {}", pick(lang.get_untracked(), "应于", "Due"), f.due_on),
                                };
                                view! {
                                    <li data-testid="follow-up" data-done=f.done_on.is_some().to_string()>
                                        <span>{state}</span>
                                        {(!f.risks.is_empty()).then(|| view! { <span class="muted">{f.risks.clone()}</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(may_record && open.is_some()).then(|| {
                            let id = open.unwrap_or_default();
                            view! {
                                <form class="agreement-form" data-testid="follow-up-form" novalidate
                                    on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); submit(id); }>
                                    <div class="form-row">
                                        <Text label=("回访日期", "Visited on") name="done_on" value=done errors kind="date" />
                                        {choice(("回访方式", "How"), "way", ("请选择", "Choose"), FollowUpWay::ALL, FollowUpWay::as_str, FollowUpWay::label, way, errors)}
                                        {choice(("满意度", "Satisfaction"), "satisfaction", ("请选择", "Choose"), Satisfaction::ALL, Satisfaction::as_str, Satisfaction::label, satisfaction, errors)}
                                    </div>
                                    <Text label=("遗留风险", "Remaining risks") name="risks" value=risks errors multiline=true />
                                    <button type="submit" class="btn btn-secondary" data-testid="follow-up-save" disabled=move || pending.get()>
                                        {move || if recorded {
                                            pick(lang.get(), "更正回访记录", "Correct the record")
                                        } else {
                                            pick(lang.get(), "记录回访", "Record the visit")
                                        }}
                                    </button>
                                </form>
                            }
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}
