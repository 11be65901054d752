//! The administrator's set-up (`/admin/org`): the org tree — the county, its towns (each with
//! its letter code), villages, areas and groups — added one unit at a time or renamed in
//! place; a sheet of the tree (CSV or XLSX) imported after a preview that names every bad row;
//! and each town's departments and service rooms with their response times.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::categories::{CategoryForm, CategorySetting};
use shared::deadline::{ClockSetting, ClockSettingForm, DayUnit};
use shared::error::FieldError;
use shared::model::{DepartmentKind, OrgLevel};
use shared::orgsheet::{
    AdminDepartment, AdminUnit, DepartmentForm, OrgImport, OrgPreview, SheetFormat, UnitForm,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;
use crate::components::feedback::{ErrorBox, Loading, report_failure};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;

/// `/admin/org`.
#[component]
pub fn SetupPage() -> impl IntoView {
    let lang = use_lang();
    let units = RwSignal::new(None::<Result<Vec<AdminUnit>, api::Error>>);
    let load = move || {
        spawn_local(async move {
            units.try_set(Some(api::admin_org().await));
        });
    };
    load();
    let reload = Callback::new(move |()| load());
    view! {
        <section class="page page-setup" data-testid="setup-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("组织架构与部门", "Org tree and departments")}</h1>
                <p class="muted">{move || lang.get().pick(
                    "先建县,再建乡镇(含代码,用于归档编号)、村(社区)、片、组;也可以用表格一次导入。每个乡镇再设部门和服务室及其答复时限,然后在“账号”里为它建第一个账号。",
                    "First the county, then its towns (each with a code for its archive numbers), villages, areas and groups — or import a sheet at once. Then each town's departments and service rooms with their response times, and its first accounts under Accounts.")}</p>
            </div>
            {move || match units.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(list)) => {
                    let list = StoredValue::new(list);
                    view! {
                        <div class="setup-grid">
                            <section class="panel" aria-labelledby="tree-title" data-testid="org-tree">
                                <h2 id="tree-title" class="panel-title">{move || lang.get().pick("组织架构", "The org tree")}</h2>
                                <Tree units=list reload />
                            </section>
                            <div class="setup-side">
                                <ImportPanel reload />
                                <DepartmentsPanel units=list />
                                <ClocksPanel />
                                <CategoriesPanel />
                            </div>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The label of a level, as the tree says it.
fn level_label(level: OrgLevel, lang: shared::Lang) -> &'static str {
    match level {
        OrgLevel::County => lang.pick("县", "County"),
        OrgLevel::Town => lang.pick("乡镇", "Town"),
        OrgLevel::Village => lang.pick("村(社区)", "Village"),
        OrgLevel::Area => lang.pick("片", "Area"),
        OrgLevel::Group => lang.pick("组", "Group"),
    }
}

/// The level below, if any.
fn below(level: OrgLevel) -> Option<OrgLevel> {
    match level {
        OrgLevel::County => Some(OrgLevel::Town),
        OrgLevel::Town => Some(OrgLevel::Village),
        OrgLevel::Village => Some(OrgLevel::Area),
        OrgLevel::Area => Some(OrgLevel::Group),
        OrgLevel::Group => None,
    }
}

/// What form is open in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    /// A new unit under this one (`None`: the county).
    Add(Option<i64>),
    Rename(i64),
}

#[component]
fn Tree(units: StoredValue<Vec<AdminUnit>>, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let editing = RwSignal::new(None::<Editing>);
    let county = units.with_value(|u| u.iter().find(|u| u.level == OrgLevel::County).cloned());
    match county {
        None => view! {
            <p class="hint">{move || lang.get().pick("还没有建立县。", "No county yet.")}</p>
            <UnitEditor parent=None level=OrgLevel::County current=None editing reload />
        }
        .into_any(),
        Some(c) => view! {
            <ul class="org-tree" role="tree" aria-label=move || lang.get().pick("组织架构", "The org tree")>
                <Node unit=c units editing reload />
            </ul>
        }
        .into_any(),
    }
}

#[component]
fn Node(
    unit: AdminUnit,
    units: StoredValue<Vec<AdminUnit>>,
    editing: RwSignal<Option<Editing>>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let children: Vec<AdminUnit> = units.with_value(|u| {
        u.iter()
            .filter(|c| c.parent_id == Some(unit.id))
            .cloned()
            .collect()
    });
    let id = unit.id;
    let level = unit.level;
    let child_level = below(level);
    let name = unit.name.clone();
    let code = unit.code.clone();
    let current = unit;
    let expanded = level != OrgLevel::Village && level != OrgLevel::Area;
    let count = children.len();
    view! {
        <li role="treeitem" aria-expanded=expanded.to_string() data-testid="org-unit" data-level=level.as_str()
            data-name=name>
            <div class="org-row">
                <span class="org-level">{move || level_label(level, lang.get())}</span>
                <span class="org-name">{name.clone()}</span>
                {code.map(|c| view! { <span class="chip chip-code mono">{c}</span> })}
                <span class="org-actions">
                    {child_level.map(|l| view! {
                        <button type="button" class="btn btn-link btn-small" data-testid="org-add"
                            on:click=move |_| editing.set(Some(Editing::Add(Some(id))))>
                            {move || format!("+ {}", level_label(l, lang.get()))}
                        </button>
                    })}
                    <button type="button" class="btn btn-link btn-small" data-testid="org-rename"
                        on:click=move |_| editing.set(Some(Editing::Rename(id)))>
                        {move || lang.get().pick("改名", "Rename")}
                    </button>
                </span>
            </div>
            <Show when=move || editing.get() == Some(Editing::Rename(id))>
                <UnitEditor parent=current.parent_id level current=Some(current.clone()) editing reload />
            </Show>
            {child_level.map(|l| view! {
                <Show when=move || editing.get() == Some(Editing::Add(Some(id)))>
                    <UnitEditor parent=Some(id) level=l current=None editing reload />
                </Show>
            })}
            {(!children.is_empty()).then(|| view! {
                <details open=expanded class="org-children">
                    <summary>{move || match lang.get() {
                        shared::Lang::Zh => format!("下级 {count} 个"),
                        shared::Lang::En => format!("{count} below"),
                    }}</summary>
                    <ul role="group">
                        {children.clone().into_iter().map(|c| view! { <Node unit=c units editing reload /> }).collect_view()}
                    </ul>
                </details>
            })}
        </li>
    }
    .into_any()
}

/// The form of a new unit (under `parent`, at `level`) or of a renamed one (`current`).
#[component]
fn UnitEditor(
    parent: Option<i64>,
    level: OrgLevel,
    current: Option<AdminUnit>,
    editing: RwSignal<Option<Editing>>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let id = current.as_ref().map(|c| c.id);
    let name = RwSignal::new(current.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let code = RwSignal::new(
        current
            .as_ref()
            .and_then(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let scope = "unit";
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let form = UnitForm {
            parent_id: parent,
            name: name.get_untracked().trim().to_owned(),
            code: (level == OrgLevel::Town).then(|| code.get_untracked().trim().to_owned()),
        };
        pending.set(true);
        spawn_local(async move {
            let result = match id {
                Some(id) => api::change_unit(id, &form).await,
                None => api::add_unit(&form).await,
            };
            pending.set(false);
            match result {
                Ok(saved) => {
                    notices.success(format!(
                        "{}:{}",
                        lang.get_untracked().pick("已保存", "Saved"),
                        saved.name
                    ));
                    editing.set(None);
                    reload.run(());
                }
                Err(err) => {
                    report_failure(notices, &err, errors, lang.get_untracked());
                }
            }
        });
    };
    view! {
        <form class="org-editor" on:submit=submit novalidate data-testid="unit-form">
            <div class="field">
                <label for="unit-name">{move || format!("{}{}", level_label(level, lang.get()), lang.get().pick("名称", " name"))}</label>
                <input id="unit-name" name="name" type="text" data-testid="unit-name" aria-describedby="err-unit-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <FieldMessage name="name" errors=errors.into() scope />
                <FieldMessage name="parent_id" errors=errors.into() scope />
            </div>
            {(level == OrgLevel::Town).then(|| view! {
                <div class="field">
                    <label for="unit-code">{move || lang.get().pick("乡镇代码(1–4 个大写字母,用于归档编号)", "Town code (1–4 capital letters, for archive numbers)")}</label>
                    <input id="unit-code" name="code" type="text" data-testid="unit-code" aria-describedby="err-unit-code"
                        maxlength="4" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    <FieldMessage name="code" errors=errors.into() scope />
                </div>
            })}
            <div class="actions-row">
                <button type="submit" class="btn btn-primary btn-small" data-testid="unit-save" disabled=move || pending.get()>
                    {move || lang.get().pick("保存", "Save")}
                </button>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.set(None)>
                    {move || lang.get().pick("取消", "Cancel")}
                </button>
            </div>
        </form>
    }
}

/// Reads a chosen file: a CSV as text (UTF-8, or GBK as Excel saves it on Chinese systems), an
/// XLSX as base64; `done` gets the request to send, or `None` if it cannot be read.
fn read_sheet(file: &web_sys::File, done: impl Fn(Option<OrgImport>) + 'static) {
    let xlsx = file.name().to_lowercase().ends_with(".xlsx");
    let Ok(reader) = web_sys::FileReader::new() else {
        done(None);
        return;
    };
    let for_load = reader.clone();
    let on_load = Closure::once(move |_: web_sys::Event| {
        let result = for_load.result().ok();
        let request = if xlsx {
            result
                .and_then(|v| v.as_string())
                .and_then(|url| url.split_once(',').map(|(_, b64)| b64.to_owned()))
                .map(|data| OrgImport {
                    format: SheetFormat::Xlsx,
                    data,
                    commit: false,
                })
        } else {
            result.and_then(|buffer| {
                let bytes = js_sys::Uint8Array::new(&buffer);
                decode_text(&bytes).map(|data| OrgImport {
                    format: SheetFormat::Csv,
                    data,
                    commit: false,
                })
            })
        };
        done(request);
    });
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let started = if xlsx {
        reader.read_as_data_url(file)
    } else {
        reader.read_as_array_buffer(file)
    };
    if started.is_err() {
        reader.set_onload(None);
    }
}

/// Text of a CSV file's bytes: UTF-8 if it is, else GBK.
fn decode_text(bytes: &js_sys::Uint8Array) -> Option<String> {
    let strict = web_sys::TextDecoderOptions::new();
    strict.set_fatal(true);
    let utf8 = web_sys::TextDecoder::new_with_label_and_options("utf-8", &strict).ok()?;
    if let Ok(text) = utf8.decode_with_js_u8_array(bytes) {
        return Some(text);
    }
    let gbk = web_sys::TextDecoder::new_with_label("gbk").ok()?;
    gbk.decode_with_js_u8_array(bytes).ok()
}

#[component]
fn ImportPanel(reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let request = RwSignal::new(None::<OrgImport>);
    let preview = RwSignal::new(None::<OrgPreview>);
    let pending = RwSignal::new(false);
    let send = move |commit: bool| {
        let Some(mut req) = request.get_untracked() else {
            return;
        };
        req.commit = commit;
        pending.set(true);
        spawn_local(async move {
            let result = api::import_org(&req).await;
            pending.set(false);
            match result {
                Ok(p) => {
                    if p.committed {
                        notices.success(lang.get_untracked().pick("已导入", "Imported"));
                        request.set(None);
                        reload.run(());
                    }
                    preview.set(Some(p));
                }
                Err(err) => {
                    preview.set(None);
                    notices.error(err.message(lang.get_untracked()), None);
                }
            }
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        preview.set(None);
        read_sheet(&file, move |req| match req {
            Some(req) => {
                request.set(Some(req));
                send(false);
            }
            None => notices.error(
                lang.get_untracked()
                    .pick("无法读取这个文件。", "This file cannot be read."),
                None,
            ),
        });
    };
    view! {
        <section class="panel" aria-labelledby="import-title" data-testid="org-import">
            <h2 id="import-title" class="panel-title">{move || lang.get().pick("从表格导入", "Import a sheet")}</h2>
            <p class="hint">{move || lang.get().pick(
                "CSV 或 XLSX,第一行为表头:乡镇、村、片、组、代码、户数(乡镇必填;新乡镇要填代码)。先预览,全部无误才能导入;已有的单位不会重复添加。",
                "CSV or XLSX with a header line: town, village, area, group, code, households (town required; a new town needs its code). Previewed first, imported only without errors; units already there are not added twice.")}</p>
            <div class="field">
                <label for="import-file">{move || lang.get().pick("选择文件", "Choose a file")}</label>
                <input id="import-file" type="file" accept=".csv,.xlsx,text/csv" data-testid="import-file" on:change=on_file />
            </div>
            {move || preview.get().map(|p| {
                let ok = p.errors.is_empty();
                let adds = p.new_towns + p.new_villages + p.new_areas + p.new_groups + p.updated;
                let (rows, errs) = (p.rows.len(), p.errors.len());
                let (t, v, a, g) = (p.new_towns, p.new_villages, p.new_areas, p.new_groups);
                let committed = p.committed;
                let errors = p.errors;
                view! {
                    <div class="import-preview" data-testid="import-preview" data-ok=ok.to_string()>
                        <p role="status">{move || match lang.get() {
                            shared::Lang::Zh => format!("共 {rows} 行;新增乡镇 {t}、村 {v}、片 {a}、组 {g};错误 {errs} 处。"),
                            shared::Lang::En => format!("{rows} rows; new: {t} towns, {v} villages, {a} areas, {g} groups; {errs} errors."),
                        }}</p>
                        {(!ok).then(|| view! {
                            <div class="table-wrap">
                                <table class="roster-table" data-testid="import-errors">
                                    <thead><tr>
                                        <th scope="col">{move || lang.get().pick("行", "Line")}</th>
                                        <th scope="col">{move || lang.get().pick("列", "Column")}</th>
                                        <th scope="col">{move || lang.get().pick("问题", "Problem")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {errors.clone().into_iter().map(|e| view! {
                                            <tr data-testid="import-error" data-line=e.line.to_string()>
                                                <td>{e.line}</td><td>{column_label(&e.column, lang.get_untracked())}</td><td>{e.message}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        })}
                        {(ok && !committed && adds > 0).then(|| view! {
                            <button type="button" class="btn btn-primary" data-testid="import-commit"
                                disabled=move || pending.get() on:click=move |_| send(true)>
                                {move || lang.get().pick("确认导入", "Import")}
                            </button>
                        })}
                    </div>
                }
            })}
        </section>
    }
}

#[component]
fn DepartmentsPanel(units: StoredValue<Vec<AdminUnit>>) -> impl IntoView {
    let lang = use_lang();
    let towns: Vec<(i64, String)> = units.with_value(|u| {
        u.iter()
            .filter(|u| u.level == OrgLevel::Town)
            .map(|u| (u.id, u.name.clone()))
            .collect()
    });
    let town = RwSignal::new(towns.first().map(|t| t.0));
    let list = RwSignal::new(None::<Result<Vec<AdminDepartment>, api::Error>>);
    let load = move || {
        spawn_local(async move {
            list.try_set(Some(api::admin_departments().await));
        });
    };
    load();
    let reload = Callback::new(move |()| load());
    let has_towns = !towns.is_empty();
    view! {
        <section class="panel" aria-labelledby="departments-title" data-testid="departments">
            <h2 id="departments-title" class="panel-title">{move || lang.get().pick("部门与服务室", "Departments and service rooms")}</h2>
            {if has_towns {
                view! {
                    <div class="field">
                        <label for="department-town">{move || lang.get().pick("乡镇", "Town")}</label>
                        <select id="department-town" data-testid="department-town"
                            on:change=move |ev| town.set(event_target_value(&ev).parse().ok())>
                            {towns.into_iter().map(|(id, name)| view! {
                                <option value=id.to_string() selected=move || town.get() == Some(id)>{name}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    {move || match (list.get(), town.get()) {
                        (None, _) => view! { <Loading /> }.into_any(),
                        (Some(Err(e)), _) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                        (Some(Ok(all)), Some(t)) => {
                            let mine: Vec<AdminDepartment> = all.into_iter().filter(|d| d.town_id == t).collect();
                            view! {
                                <CenterEditor town=t />
                                <ul class="departments-list">
                                    {mine.into_iter().map(|d| view! { <DepartmentRow d reload /> }).collect_view()}
                                </ul>
                                <DepartmentEditor town=t current=None reload />
                            }.into_any()
                        }
                        (Some(Ok(_)), None) => ().into_any(),
                    }}
                }.into_any()
            } else {
                view! { <p class="hint">{move || lang.get().pick("先建立乡镇。", "Set up a town first.")}</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn DepartmentRow(d: AdminDepartment, reload: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let editing = RwSignal::new(false);
    let kind = d.kind;
    let active = d.active;
    let days = d.response_days;
    let current = d.clone();
    view! {
        <li class="department" class:inactive=!active data-testid="department" data-name=d.name>
            <div class="org-row">
                <span class="org-name">{d.name.clone()}</span>
                <span class="chip">{move || kind.label(lang.get())}</span>
                <span class="muted">{move || match lang.get() {
                    shared::Lang::Zh => format!("{days} 个工作日答复"),
                    shared::Lang::En => format!("{days} working days to answer"),
                }}</span>
                {(!active).then(|| view! { <span class="chip">{move || lang.get().pick("已停用", "Inactive")}</span> })}
                <button type="button" class="btn btn-link btn-small" data-testid="department-edit"
                    on:click=move |_| editing.update(|e| *e = !*e)>{move || lang.get().pick("修改", "Edit")}</button>
            </div>
            <Show when=move || editing.get()>
                <DepartmentEditor town=current.town_id current=Some(current.clone()) reload />
            </Show>
        </li>
    }
}

#[component]
fn DepartmentEditor(
    town: i64,
    current: Option<AdminDepartment>,
    reload: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let id = current.as_ref().map(|d| d.id);
    let scope: &'static str = if id.is_some() {
        "department-edit"
    } else {
        "department-new"
    };
    let name = RwSignal::new(current.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let kind = RwSignal::new(
        current
            .as_ref()
            .map_or(DepartmentKind::Functional, |d| d.kind),
    );
    let days = RwSignal::new(current.as_ref().map_or(3, |d| d.response_days).to_string());
    let active = RwSignal::new(current.as_ref().is_none_or(|d| d.active));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let fid = move |f: &str| format!("{scope}-{f}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let form = DepartmentForm {
            town_id: town,
            name: name.get_untracked().trim().to_owned(),
            kind: kind.get_untracked(),
            response_days: days.get_untracked().trim().parse().unwrap_or(0),
            active: active.get_untracked(),
        };
        if let Err(fields) = form.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::save_department(id, &form).await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    notices.success(format!(
                        "{}:{}",
                        lang.get_untracked().pick("已保存", "Saved"),
                        saved.name
                    ));
                    if id.is_none() {
                        name.set(String::new());
                    }
                    reload.run(());
                }
                Err(err) => {
                    report_failure(notices, &err, errors, lang.get_untracked());
                }
            }
        });
    };
    view! {
        <form class="org-editor" on:submit=submit novalidate data-testid=scope>
            <div class="field">
                <label for=fid("name")>{move || lang.get().pick("名称", "Name")}</label>
                <input id=fid("name") name="name" type="text" data-testid="department-name" aria-describedby=format!("err-{scope}-name")
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <FieldMessage name="name" errors=errors.into() scope />
            </div>
            <div class="field">
                <label for=fid("kind")>{move || lang.get().pick("类别", "Kind")}</label>
                <select id=fid("kind") on:change=move |ev| {
                    if let Some(k) = DepartmentKind::parse(&event_target_value(&ev)) { kind.set(k); }
                }>
                    {DepartmentKind::ALL.iter().map(|k| { let k = *k; view! {
                        <option value=k.as_str() selected=move || kind.get() == k>{move || k.label(lang.get())}</option>
                    }}).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=fid("days")>{move || lang.get().pick("答复时限(工作日)", "Response time (working days)")}</label>
                <input id=fid("days") type="number" min="1" max="30" data-testid="department-days"
                    aria-describedby=format!("err-{scope}-response_days")
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                <FieldMessage name="response_days" errors=errors.into() scope />
            </div>
            {id.is_some().then(|| view! {
                <label class="check" for=fid("active")>
                    <input type="checkbox" id=fid("active") prop:checked=move || active.get()
                        on:change=move |ev| active.set(event_target_checked(&ev)) />
                    <span>{move || lang.get().pick("在用(停用后不再可分流,已办案件不受影响)", "Active (once inactive it is no longer offered for routing; its cases keep it)")}</span>
                </label>
            })}
            <FieldMessage name="town_id" errors=errors.into() scope />
            <button type="submit" class="btn btn-primary btn-small" data-testid="department-save" disabled=move || pending.get()>
                {move || if id.is_some() { lang.get().pick("保存", "Save") } else { lang.get().pick("添加部门", "Add department") }}
            </button>
        </form>
    }
}

/// A town's center: the name, address and phone its receipts and public pages show.
#[component]
fn CenterEditor(town: i64) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let name = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(all) = api::admin_centers().await
            && let Some(c) = all.into_iter().find(|c| c.town_id == town)
        {
            name.set(c.center.name);
            address.set(c.center.address);
            phone.set(c.center.phone);
        }
    });
    let scope = "center";
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let center = shared::api::Center {
            name: name.get_untracked().trim().to_owned(),
            address: address.get_untracked().trim().to_owned(),
            phone: phone.get_untracked().trim().to_owned(),
        };
        if let Err(fields) = shared::orgsheet::check_center(&center, lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::save_center(town, &center).await;
            pending.set(false);
            match result {
                Ok(_) => notices.success(
                    lang.get_untracked()
                        .pick("中心信息已保存", "The center is saved"),
                ),
                Err(err) => {
                    report_failure(notices, &err, errors, lang.get_untracked());
                }
            }
        });
    };
    view! {
        <form class="org-editor" on:submit=submit novalidate data-testid="center-form">
            <div class="field">
                <label for="center-name">{move || lang.get().pick("中心名称(回执和公开页面显示)", "Center name (on receipts and public pages)")}</label>
                <input id="center-name" type="text" data-testid="center-name" aria-describedby="err-center-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <FieldMessage name="name" errors=errors.into() scope />
            </div>
            <div class="field">
                <label for="center-address">{move || lang.get().pick("地址", "Address")}</label>
                <input id="center-address" type="text" data-testid="center-address" aria-describedby="err-center-address"
                    prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev)) />
                <FieldMessage name="address" errors=errors.into() scope />
            </div>
            <div class="field">
                <label for="center-phone">{move || lang.get().pick("电话", "Phone")}</label>
                <input id="center-phone" type="text" data-testid="center-phone" aria-describedby="err-center-phone"
                    prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                <FieldMessage name="phone" errors=errors.into() scope />
            </div>
            <button type="submit" class="btn btn-secondary btn-small" data-testid="center-save" disabled=move || pending.get()>
                {move || lang.get().pick("保存中心信息", "Save the center")}
            </button>
        </form>
    }
}

/// The default clock of each track: the standard one, and what new cases get (a case keeps
/// the rule it started with).
#[component]
fn ClocksPanel() -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Result<Vec<ClockSetting>, api::Error>>);
    let load = move || {
        spawn_local(async move {
            list.try_set(Some(api::admin_clocks().await));
        });
    };
    load();
    view! {
        <section class="panel" aria-labelledby="clocks-title" data-testid="clocks">
            <h2 id="clocks-title" class="panel-title">{move || lang.get().pick("默认办理期限", "Default clocks")}</h2>
            <p class="hint">{move || lang.get().pick(
                "新登记的案件按这里的期限计算,已登记的案件保持原期限。法定期限只能缩短,不能延长。",
                "New cases take these clocks; registered cases keep theirs. A time the law sets may be shortened, never lengthened.")}</p>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(all)) => view! {
                    <ul class="departments-list">
                        {all.into_iter().map(|s| view! { <ClockRow s /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

fn unit_label(unit: DayUnit, lang: shared::Lang) -> &'static str {
    match unit {
        DayUnit::Calendar => lang.pick("自然日", "calendar days"),
        DayUnit::Working => lang.pick("工作日", "working days"),
    }
}

#[component]
fn ClockRow(s: ClockSetting) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let track = s.track;
    let days = RwSignal::new(s.days.to_string());
    let unit = RwSignal::new(s.unit);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let scope: &'static str = track.as_str();
    let (standard_days, standard_unit, statutory) = (s.standard_days, s.standard_unit, s.statutory);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let form = ClockSettingForm {
            days: days.get_untracked().trim().parse().unwrap_or(0),
            unit: unit.get_untracked(),
        };
        if let Err(fields) = form.check(track, lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::save_clock(track, &form).await;
            pending.set(false);
            match result {
                Ok(_) => notices.success(
                    lang.get_untracked()
                        .pick("期限已保存", "The clock is saved"),
                ),
                Err(err) => {
                    report_failure(notices, &err, errors, lang.get_untracked());
                }
            }
        });
    };
    let days_id = format!("clock-{scope}-days");
    let unit_id = format!("clock-{scope}-unit");
    view! {
        <li class="department" data-testid="clock" data-track=scope>
            <form class="clock-row" on:submit=submit novalidate>
                <span class="org-name">{move || track.label(lang.get())}</span>
                <span class="muted">{move || match lang.get() {
                    shared::Lang::Zh => format!("标准:{standard_days} {}{}", unit_label(standard_unit, lang.get()), if statutory { "(法定)" } else { "" }),
                    shared::Lang::En => format!("standard: {standard_days} {}{}", unit_label(standard_unit, lang.get()), if statutory { " (by law)" } else { "" }),
                }}</span>
                <label class="visually-hidden" for=days_id.clone()>{move || format!("{} {}", track.label(lang.get()), lang.get().pick("天数", "days"))}</label>
                <input id=days_id type="number" min="1" max="365" class="clock-days" data-testid="clock-days"
                    aria-describedby=format!("err-{scope}-days")
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                <label class="visually-hidden" for=unit_id.clone()>{move || format!("{} {}", track.label(lang.get()), lang.get().pick("单位", "unit"))}</label>
                <select id=unit_id disabled=statutory on:change=move |ev| {
                    unit.set(if event_target_value(&ev) == "working" { DayUnit::Working } else { DayUnit::Calendar });
                }>
                    <option value="calendar" selected=move || unit.get() == DayUnit::Calendar>{move || unit_label(DayUnit::Calendar, lang.get())}</option>
                    <option value="working" selected=move || unit.get() == DayUnit::Working>{move || unit_label(DayUnit::Working, lang.get())}</option>
                </select>
                <button type="submit" class="btn btn-secondary btn-small" data-testid="clock-save" disabled=move || pending.get()>
                    {move || lang.get().pick("保存", "Save")}
                </button>
                <FieldMessage name="days" errors=errors.into() scope />
                <FieldMessage name="unit" errors=errors.into() scope />
            </form>
        </li>
    }
}

/// A sheet's column as the person's language names it.
fn column_label(column: &str, lang: shared::Lang) -> String {
    let known = match column {
        "town" => lang.pick("乡镇", "town"),
        "village" => lang.pick("村", "village"),
        "area" => lang.pick("片", "area"),
        "group" => lang.pick("组", "group"),
        "code" => lang.pick("代码", "code"),
        "households" => lang.pick("户数", "households"),
        "" => "—",
        other => return other.to_owned(),
    };
    known.to_owned()
}

/// The dispute categories: each renamed for new cases or retired (cases already registered
/// keep the name they had and their category).
#[component]
fn CategoriesPanel() -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Result<Vec<CategorySetting>, api::Error>>);
    let load = move || {
        spawn_local(async move {
            list.try_set(Some(api::categories().await));
        });
    };
    load();
    view! {
        <section class="panel" aria-labelledby="categories-title" data-testid="categories">
            <h2 id="categories-title" class="panel-title">{move || lang.get().pick("纠纷类别", "Dispute categories")}</h2>
            <p class="hint">{move || lang.get().pick(
                "改名只对新登记的案件生效,已登记的案件保留原名;停用后登记时不再提供,已有案件不受影响。",
                "A new name applies to new cases; registered cases keep theirs. A retired category is no longer offered at intake; its cases keep it.")}</p>
            {move || match list.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                Some(Ok(all)) => view! {
                    <ul class="departments-list">
                        {all.into_iter().map(|s| view! { <CategoryRow s /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CategoryRow(s: CategorySetting) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let category = s.category;
    let zh = RwSignal::new(s.name.zh.clone());
    let en = RwSignal::new(s.name.en.clone());
    let retired = RwSignal::new(s.retired);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let pending = RwSignal::new(false);
    let scope: &'static str = category.as_str();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let form = CategoryForm {
            zh: zh.get_untracked().trim().to_owned(),
            en: en.get_untracked().trim().to_owned(),
            retired: retired.get_untracked(),
        };
        if let Err(fields) = form.check(lang.get_untracked()) {
            errors.set(fields);
            return;
        }
        errors.set(Vec::new());
        pending.set(true);
        spawn_local(async move {
            let result = api::save_category(category, &form).await;
            pending.set(false);
            match result {
                Ok(_) => notices.success(
                    lang.get_untracked()
                        .pick("类别已保存", "The category is saved"),
                ),
                Err(err) => report_failure(notices, &err, errors, lang.get_untracked()),
            }
        });
    };
    let (zh_id, en_id, off_id) = (
        format!("category-{scope}-zh"),
        format!("category-{scope}-en"),
        format!("category-{scope}-retired"),
    );
    let off_for = off_id.clone();
    view! {
        <li class="department" class:inactive=move || retired.get() data-testid="category" data-category=scope>
            <form class="clock-row" on:submit=submit novalidate>
                <span class="muted">{move || lang.get().pick("标准名", "Standard")} ": " {move || category.label(lang.get())}</span>
                <label class="visually-hidden" for=zh_id.clone()>{move || format!("{} {}", category.label(lang.get()), lang.get().pick("中文名", "Chinese name"))}</label>
                <input id=zh_id type="text" class="category-name" data-testid="category-zh" aria-describedby=format!("err-{scope}-zh")
                    prop:value=move || zh.get() on:input=move |ev| zh.set(event_target_value(&ev)) />
                <label class="visually-hidden" for=en_id.clone()>{move || format!("{} {}", category.label(lang.get()), lang.get().pick("英文名", "English name"))}</label>
                <input id=en_id type="text" class="category-name" data-testid="category-en" aria-describedby=format!("err-{scope}-en")
                    prop:value=move || en.get() on:input=move |ev| en.set(event_target_value(&ev)) />
                <label class="check" for=off_for>
                    <input type="checkbox" id=off_id data-testid="category-retired" prop:checked=move || retired.get()
                        on:change=move |ev| retired.set(event_target_checked(&ev)) />
                    <span>{move || lang.get().pick("停用", "Retired")}</span>
                </label>
                <button type="submit" class="btn btn-secondary btn-small" data-testid="category-save" disabled=move || pending.get()>
                    {move || lang.get().pick("保存", "Save")}
                </button>
                <FieldMessage name="zh" errors=errors.into() scope />
                <FieldMessage name="en" errors=errors.into() scope />
            </form>
        </li>
    }
}
