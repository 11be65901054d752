//! The agreement as the paper the office files (`/cases/:id/agreement/print`): on A4, in a Song
//! face, the title centred, every element of 人民调解法 第二十九条 in order, amounts in figures and
//! in capitals, the signatures in place, one copy per party and one for the committee (each
//! starting on a new sheet, saying whose it is), the pages numbered by the printer's margin
//! boxes. Also the link to the server's PDF for the case file.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::agreement::{
    Agreement, CaseAgreement, Signature, Signer, amount_in_capitals, amount_in_figures,
    chinese_punctuation as cn,
};
use shared::model::{AgreementForm, PartySide, SignMethod};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::i18n::use_lang;
use crate::logic::time;
use crate::pages::agreement::SignatureImage;

/// "2026年12月5日".
fn cn_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

#[component]
pub fn AgreementPrintPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let data = RwSignal::new(None::<Result<CaseAgreement, api::Error>>);
    let load = move || {
        if let Some(id) = id {
            spawn_local(async move {
                data.set(Some(api::agreement(id).await));
            });
        }
    };
    load();
    let back = id.map_or_else(|| "/board".to_owned(), |id| format!("/cases/{id}"));
    let pdf = id.map(|id| format!("/api/cases/{id}/agreement.pdf"));
    view! {
        <div class="page doc-page" data-testid="agreement-print">
            <div class="doc-toolbar no-print">
                <a class="back-link" href=back>{move || lang.get().pick("← 返回案件", "← Back to the case")}</a>
                <button type="button" class="btn btn-primary" data-testid="doc-print"
                    on:click=move |_| { let _ = window().print(); }>
                    {move || lang.get().pick("打印(每方一份,调委会一份)", "Print (a copy per party and one for the committee)")}
                </button>
                {pdf.map(|href| view! {
                    <a class="btn btn-secondary" href=href data-testid="doc-pdf" target="_blank" rel="noopener">
                        {move || lang.get().pick("下载 PDF(存档)", "PDF for the case file")}
                    </a>
                })}
            </div>
            {move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox error=err retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(c)) => match c.agreement {
                    Some(a) => {
                        let holders = holders(&a);
                        let total = holders.len();
                        holders.into_iter().enumerate().map(|(i, holder)| {
                            view! { <Copy a=a.clone() n=i + 1 total holder /> }
                        }).collect_view().into_any()
                    }
                    None => view! {
                        <p class="muted" data-testid="agreement-none">{move || lang.get().pick("尚无调解协议。", "No agreement yet.")}</p>
                    }.into_any(),
                },
            }}
        </div>
    }
}

/// Who keeps each copy: every party who signs, then the committee.
fn holders(a: &Agreement) -> Vec<String> {
    if a.form == AgreementForm::Oral {
        return vec!["人民调解委员会存档".to_owned()];
    }
    a.parties
        .iter()
        .filter(|p| p.party.side != PartySide::Representative)
        .map(|p| {
            format!(
                "{} {} 执",
                p.party.side.label(shared::Lang::Zh),
                p.party.name
            )
        })
        .chain(std::iter::once("人民调解委员会存档".to_owned()))
        .collect()
}

/// The signature in force of a signer.
fn signature_of(a: &Agreement, signer: Signer) -> Option<Signature> {
    a.signatures
        .iter()
        .find(|s| s.signer == signer && s.matches)
        .cloned()
}

#[component]
fn SignLine(label: String, signature: Option<Signature>) -> impl IntoView {
    let (mark, date) = match &signature {
        Some(s) => (
            match s.method {
                SignMethod::Drawn => {
                    view! { <SignatureImage strokes=s.strokes.clone() /> }.into_any()
                }
                SignMethod::Fingerprint => {
                    view! { <span class="doc-finger">"(按指印,见纸面原件)"</span> }.into_any()
                }
            },
            chrono::DateTime::from_timestamp_millis(s.signed_at)
                .map(|t| cn_date(time::date_of(t)))
                .unwrap_or_default(),
        ),
        None => (
            view! { <span class="doc-blank"></span> }.into_any(),
            String::new(),
        ),
    };
    view! {
        <div class="doc-sign" data-testid="doc-sign">
            <span class="doc-sign-who">{label}</span>
            <span class="doc-sign-mark">{mark}</span>
            <span class="doc-sign-date">{date}</span>
        </div>
    }
}

/// One copy of the agreement.
#[component]
fn Copy(a: Agreement, n: usize, total: usize, holder: String) -> impl IntoView {
    let t = a.text.clone();
    let written = a.form == AgreementForm::Written;
    let due = t.performance_due.map(cn_date).unwrap_or_default();
    let parties: Vec<_> = a.parties.clone();
    let terms = t.terms.clone();
    let total_fen = t.total_fen();
    let several_amounts = terms.iter().filter(|x| x.amount_fen.is_some()).count() > 1;
    let signers: Vec<(String, Option<Signature>)> = parties
        .iter()
        .filter(|p| p.party.side != PartySide::Representative)
        .map(|p| {
            (
                cn(&format!(
                    "{}(签名或按指印):",
                    p.party.side.label(shared::Lang::Zh)
                )),
                signature_of(
                    &a,
                    Signer::Party {
                        position: p.position,
                    },
                ),
            )
        })
        .collect();
    let mediator = signature_of(&a, Signer::Mediator);
    view! {
        <article class="doc" data-testid="doc-copy" data-copy=n.to_string()>
            <p class="doc-copy-note">{format!("第 {n} 份 共 {total} 份 · {holder}")}</p>
            <h1 class="doc-title">{if written { "人民调解协议书" } else { "口头调解协议记录" }}</h1>
            <p class="doc-number" data-testid="doc-number">{cn(&format!("编号:{}", a.number))}</p>
            <p class="doc-line">{cn(&format!("调解委员会:{}", a.committee))}</p>
            <h2 class="doc-h">"当事人"</h2>
            {parties.iter().map(|p| {
                let q = &p.party;
                let mut bits = vec![q.name.clone()];
                if let Some(g) = q.gender { bits.push(g.label(shared::Lang::Zh).to_owned()); }
                if let Some(e) = q.ethnicity.clone().filter(|e| !e.is_empty()) { bits.push(e); }
                if let Some(age) = q.age { bits.push(format!("{age}岁")); }
                if let Some(o) = q.occupation.clone().filter(|o| !o.is_empty()) { bits.push(o); }
                if let Some(i) = q.id_number.clone().filter(|i| !i.is_empty()) { bits.push(format!("身份证号 {i}")); }
                if let Some(ad) = q.address.clone().filter(|ad| !ad.is_empty()) { bits.push(format!("住 {ad}")); }
                let rep = p.representative.clone();
                view! {
                    <p class="doc-party" data-testid="doc-party">
                        {cn(&format!("{}:{}", q.side.label(shared::Lang::Zh), bits.join(",")))}
                        {rep.map(|r| view! { <br />{cn(&format!("委托代理人:{r}"))} })}
                    </p>
                }
            }).collect_view()}
            {written.then(|| view! {
                <h2 class="doc-h">"纠纷主要事实"</h2>
                <p class="doc-para">{cn(&t.facts)}</p>
                <h2 class="doc-h">"争议事项"</h2>
                <p class="doc-para">{cn(&t.disputes)}</p>
                <h2 class="doc-h">"各方当事人的责任"</h2>
                <p class="doc-para">{cn(&t.responsibility)}</p>
            })}
            <h2 class="doc-h">"协议内容"</h2>
            <p class="doc-para">{cn("经调解,各方当事人自愿达成如下协议:")}</p>
            <ol class="doc-terms" data-testid="doc-terms">
                {terms.into_iter().map(|term| view! {
                    <li>
                        {cn(&term.text)}
                        {term.amount_fen.map(|fen| view! {
                            <span class="doc-amount">{cn(&format!("(金额:人民币 {} 元,大写:{})", amount_in_figures(fen), amount_in_capitals(fen)))}</span>
                        })}
                    </li>
                }).collect_view()}
            </ol>
            {(several_amounts && total_fen > 0).then(|| view! {
                <p class="doc-para">{cn(&format!("以上金额合计人民币 {} 元(大写:{})。", amount_in_figures(total_fen), amount_in_capitals(total_fen)))}</p>
            })}
            {written.then(|| view! {
                <h2 class="doc-h">"履行方式、地点和期限"</h2>
                <p class="doc-line">{cn(&format!("履行方式:{}", t.performance_manner))}</p>
                <p class="doc-line">{cn(&format!("履行地点:{}", t.performance_place))}</p>
                <p class="doc-line">{cn(&format!("履行期限:{due}前"))}</p>
                <h2 class="doc-h">"生效与司法确认"</h2>
                <p class="doc-para" data-testid="doc-confirmation">{cn(&format!(
                    "本协议自各方当事人签名(盖章或按指印)、人民调解员签名并加盖人民调解委员会印章之日起生效。当事人可以自本协议生效之日起三十日内共同向{}申请司法确认。",
                    t.court
                ))}</p>
                <p class="doc-para" data-testid="doc-copies">{cn(&format!("本协议一式{}份,当事人各执一份,人民调解委员会留存一份。", a.copies))}</p>
                <div class="doc-signs">
                    {signers.clone().into_iter().map(|(label, s)| view! { <SignLine label signature=s /> }).collect_view()}
                    <SignLine label=cn("人民调解员(签名):") signature=mediator.clone() />
                    <div class="doc-seal" data-testid="doc-seal">
                        <span>{cn(&format!("{}(印章)", a.committee))}</span>
                        <span class="doc-seal-mark">{if a.sealed_at.is_some() { "已盖章" } else { "" }}</span>
                    </div>
                </div>
            })}
            <p class="doc-effective" data-testid="doc-effective">
                {cn(&a.effective_on.map(|d| format!("生效日期:{}", cn_date(d))).unwrap_or_else(|| "生效日期:    年  月  日".to_owned()))}
            </p>
        </article>
    }
}
