//! The administrator's accounts (`/admin/accounts`): every account by town and role, found by
//! name; a new one with a one-time password shown once; an account's name, role, town,
//! department or unit changed, deactivated (never deleted) or its password reset. The audit
//! log of these changes (`/admin/audit`). And everyone's own password (`/password`), which a
//! person with a one-time password is sent to before anything else.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Lang;
use shared::admin::{
    Account, AccountForm, Accounts, AuditLog, AuditQuery, ChangePassword, IssuedPassword,
};
use shared::error::FieldError;
use shared::model::{Category, OrgLevel, OrgUnit, Role};

use crate::api;
use crate::components::feedback::{ErrorBox, Loading};
use crate::components::field::FieldMessage;
use crate::components::notice::use_notices;
use crate::i18n::use_lang;
use crate::logic::time;
use crate::session::use_session;

/// The town a unit belongs to, walking up the tree.
fn town_of(units: &[OrgUnit], id: i64) -> Option<i64> {
    let mut at = units.iter().find(|u| u.id == id)?;
    loop {
        if at.level == OrgLevel::Town {
            return Some(at.id);
        }
        at = units.iter().find(|u| Some(u.id) == at.parent_id)?;
    }
}

/// `/admin/accounts`.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = use_lang();
    let list = RwSignal::new(None::<Result<Accounts, api::Error>>);
    let units = LocalResource::new(api::org);
    let load = move || {
        spawn_local(async move {
            list.try_set(Some(api::accounts().await));
        });
    };
    load();
    let issued = RwSignal::new(None::<IssuedPassword>);
    view! {
        <section class="page page-accounts" data-testid="accounts-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("账号管理", "Accounts")}</h1>
                <p class="muted">{move || lang.get().pick(
                    "新建账号和重置密码都会生成一次性密码,只显示一次;对方首次登录必须改为自己的密码。账号只停用不删除。",
                    "A new account and a reset password get a one-time password, shown once; the person must set their own at the next sign-in. Accounts are deactivated, never deleted.")}</p>
                <a href="/admin/audit" data-testid="to-audit">{move || lang.get().pick("查看审计日志", "The audit log")}</a>
            </div>
            <Show when=move || issued.with(Option::is_some)>
                {move || issued.get().map(|i| view! {
                    <div class="issued" role="status" data-testid="issued">
                        <p>{move || match lang.get() {
                            Lang::Zh => format!("账号 {} 的一次性密码(只显示这一次,请当面交给本人):", i.account.username),
                            Lang::En => format!("The one-time password of {} (shown this once: hand it over in person):", i.account.username),
                        }}</p>
                        <p class="issued-password mono" data-testid="issued-password">{i.password}</p>
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| issued.set(None)>
                            {move || lang.get().pick("已交付,关闭", "Handed over: close")}
                        </button>
                    </div>
                })}
            </Show>
            {move || match (list.get(), units.get()) {
                (None, _) | (_, None) => view! { <Loading /> }.into_any(),
                (Some(Err(e)), _) | (_, Some(Err(e))) => view! { <ErrorBox error=e retry=Callback::new(move |_| load()) /> }.into_any(),
                (Some(Ok(a)), Some(Ok(u))) => view! {
                    <AccountList a units=StoredValue::new(u) reload=Callback::new(move |()| load())
                        on_issued=Callback::new(move |i: IssuedPassword| issued.set(Some(i))) />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AccountList(
    a: Accounts,
    units: StoredValue<Vec<OrgUnit>>,
    reload: Callback<()>,
    on_issued: Callback<IssuedPassword>,
) -> impl IntoView {
    let lang = use_lang();
    let q = RwSignal::new(String::new());
    let adding = RwSignal::new(false);
    let departments = StoredValue::new(a.departments.clone());
    view! {
        <div class="accounts-tools">
            <div class="field field-inline">
                <label for="account-q">{move || lang.get().pick("查找", "Find")}</label>
                <input id="account-q" type="search" data-testid="account-q" prop:value=move || q.get()
                    on:input=move |ev| q.set(event_target_value(&ev)) />
            </div>
            <button type="button" class="btn btn-primary" data-testid="account-new"
                on:click=move |_| adding.update(|x| *x = !*x)>{move || lang.get().pick("新建账号", "New account")}</button>
        </div>
        <Show when=move || adding.get()>
            <AccountEditor account=None units departments on_saved=Callback::new(move |i: Option<IssuedPassword>| {
                adding.set(false);
                if let Some(i) = i { on_issued.run(i); }
                reload.run(());
            }) />
        </Show>
        <div class="table-wrap">
            <table class="roster-table accounts-table" data-testid="accounts">
                <thead><tr>
                    <th scope="col">{move || lang.get().pick("用户名", "Username")}</th>
                    <th scope="col">{move || lang.get().pick("姓名", "Name")}</th>
                    <th scope="col">{move || lang.get().pick("角色", "Role")}</th>
                    <th scope="col">{move || lang.get().pick("所属", "Where")}</th>
                    <th scope="col">{move || lang.get().pick("状态", "State")}</th>
                    <th scope="col">{move || lang.get().pick("操作", "Actions")}</th>
                </tr></thead>
                <tbody>
                    {a.items.into_iter().map(|acc| {
                        let hay = format!("{} {} {}", acc.username, acc.display_name, acc.town).to_lowercase();
                        view! {
                            <Show when=move || { let n = q.get().trim().to_lowercase(); n.is_empty() || hay.contains(&n) }>
                                <AccountRow acc=acc.clone() units departments reload on_issued />
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AccountRow(
    acc: Account,
    units: StoredValue<Vec<OrgUnit>>,
    departments: StoredValue<Vec<shared::admin::DepartmentRef>>,
    reload: Callback<()>,
    on_issued: Callback<IssuedPassword>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let editing = RwSignal::new(false);
    let role = acc.role;
    let id = acc.id;
    let reset = move |_| {
        spawn_local(async move {
            match api::reset_password(id).await {
                Ok(i) => on_issued.run(i),
                Err(e) => notices.error(e.message(lang.get_untracked()), None),
            }
        });
    };
    let line = (!acc.line.is_empty()).then(|| {
        acc.line
            .iter()
            .map(|c| c.label(lang.get_untracked()))
            .collect::<Vec<_>>()
            .join("、")
    });
    let place = [
        Some(acc.town.clone()).filter(|t| !t.is_empty()),
        acc.department.clone(),
        acc.org_unit.clone(),
        line,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let (active, must) = (acc.active, acc.must_change_password);
    let editable = acc.clone();
    view! {
        <tr data-testid="account" data-username=acc.username data-active=active.to_string() class:inactive=!active>
            <td class="mono">{acc.username.clone()}</td>
            <td>{acc.display_name.clone()}</td>
            <td>{move || role.label(lang.get())}</td>
            <td>{place}</td>
            <td>
                {move || if active { lang.get().pick("在用", "Active") } else { lang.get().pick("已停用", "Deactivated") }}
                {must.then(|| view! { " " <span class="chip" data-testid="must-change">{move || lang.get().pick("待改密码", "Must change password")}</span> })}
            </td>
            <td class="nowrap">
                <button type="button" class="btn btn-secondary btn-small" data-testid="account-edit"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>{move || lang.get().pick("编辑", "Edit")}</button>
                " "
                <button type="button" class="btn btn-secondary btn-small" data-testid="account-reset" on:click=reset>
                    {move || lang.get().pick("重置密码", "Reset password")}
                </button>
            </td>
        </tr>
        <Show when=move || editing.get()>
            <tr class="account-edit-row"><td colspan="6">
                <AccountEditor account=Some(editable.clone()) units departments on_saved=Callback::new(move |_| {
                    editing.set(false);
                    reload.run(());
                }) />
            </td></tr>
        </Show>
    }
}

#[component]
fn AccountEditor(
    account: Option<Account>,
    units: StoredValue<Vec<OrgUnit>>,
    departments: StoredValue<Vec<shared::admin::DepartmentRef>>,
    on_saved: Callback<Option<IssuedPassword>>,
) -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let id = account.as_ref().map(|a| a.id);
    let form = RwSignal::new(match &account {
        Some(a) => AccountForm {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role,
            town_id: a.town_id,
            department_id: a.department_id,
            org_unit_id: a.org_unit_id,
            line: a.line.clone(),
            active: a.active,
        },
        None => AccountForm {
            username: String::new(),
            display_name: String::new(),
            role: Role::Clerk,
            town_id: units
                .with_value(|u| u.iter().find(|u| u.level == OrgLevel::Town).map(|u| u.id)),
            department_id: None,
            org_unit_id: None,
            line: Vec::new(),
            active: true,
        },
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let scope: &'static str = if id.is_some() {
        "account-edit"
    } else {
        "account-new"
    };
    let fid = move |f: &str| format!("{scope}-{}-{f}", id.unwrap_or(0));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = form.get_untracked();
        if let Err(f) = request.check(id.is_none(), lang.get_untracked()) {
            errors.set(f);
            return;
        }
        spawn_local(async move {
            let answer = match id {
                Some(id) => api::update_account(id, &request).await.map(|_| None),
                None => api::create_account(&request).await.map(Some),
            };
            match answer {
                Ok(issued) => {
                    errors.set(Vec::new());
                    notices.success(lang.get_untracked().pick("账号已保存。", "Account saved."));
                    on_saved.run(issued);
                }
                Err(e) => {
                    let f = e.fields(lang.get_untracked());
                    if f.is_empty() {
                        notices.error(e.message(lang.get_untracked()), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let towns = move || {
        units.with_value(|u| {
            u.iter()
                .filter(|u| u.level == OrgLevel::Town)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let places = move || {
        let (town, role) = form.with(|f| (f.town_id, f.role));
        units.with_value(|all| {
            all.iter()
                .filter(|u| town.is_some() && town_of(all, u.id) == town)
                .filter(|u| match role {
                    Role::TownLeader | Role::Mediator => u.level == OrgLevel::Village,
                    Role::GridWorker => matches!(u.level, OrgLevel::Area | OrgLevel::Group),
                    _ => false,
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <form class="account-form" on:submit=submit novalidate data-testid="account-form">
            {id.is_none().then(|| view! {
                <div class="field">
                    <label for=fid("username")>{move || lang.get().pick("用户名", "Username")}</label>
                    <input id=fid("username") data-testid="account-username" autocomplete="off"
                        prop:value=move || form.with(|f| f.username.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.username = v); } />
                    <FieldMessage name="username" errors=errs scope />
                </div>
            })}
            <div class="field">
                <label for=fid("name")>{move || lang.get().pick("姓名", "Name")}</label>
                <input id=fid("name") data-testid="account-name"
                    prop:value=move || form.with(|f| f.display_name.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.display_name = v); } />
                <FieldMessage name="display_name" errors=errs scope />
            </div>
            <div class="field">
                <label for=fid("role")>{move || lang.get().pick("角色", "Role")}</label>
                <select id=fid("role") data-testid="account-role" on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        form.update(|f| {
                            f.role = r;
                            f.org_unit_id = None;
                            if r != Role::Liaison { f.department_id = None; }
                            if r != Role::CountyDepartment { f.line.clear(); }
                            if r.is_county_wide() { f.town_id = None; }
                        });
                    }
                }>
                    {Role::ALL.iter().map(|r| { let r = *r; view! {
                        <option value=r.as_str() selected=move || form.with(|f| f.role == r)>{move || r.label(lang.get())}</option>
                    }}).collect_view()}
                </select>
                <FieldMessage name="role" errors=errs scope />
            </div>
            <div class="field">
                <label for=fid("town")>{move || lang.get().pick("所属镇", "Town")}</label>
                <select id=fid("town") data-testid="account-town" on:change=move |ev| {
                    let t = event_target_value(&ev).parse::<i64>().ok();
                    form.update(|f| { f.town_id = t; f.department_id = None; f.org_unit_id = None; });
                }>
                    <option value="" selected=move || form.with(|f| f.town_id.is_none())>{move || lang.get().pick("(无:全县,系统管理员、县级政法干部或县级部门)", "(none: the county, for the administrator, a county officer or a county department)")}</option>
                    {move || towns().into_iter().map(|t| view! {
                        <option value=t.id.to_string() selected=move || form.with(|f| f.town_id == Some(t.id))>{t.name.clone()}</option>
                    }).collect_view()}
                </select>
                <FieldMessage name="town_id" errors=errs scope />
            </div>
            <Show when=move || form.with(|f| f.role == Role::Liaison)>
                <div class="field">
                    <label for=fid("dept")>{move || lang.get().pick("部门或服务室", "Department or service room")}</label>
                    <select id=fid("dept") data-testid="account-department" on:change=move |ev| {
                        let d = event_target_value(&ev).parse::<i64>().ok();
                        form.update(|f| f.department_id = d);
                    }>
                        <option value="">{move || lang.get().pick("(请选择)", "(choose)")}</option>
                        {move || {
                            let town = form.with(|f| f.town_id);
                            departments.get_value().into_iter().filter(|d| Some(d.town_id) == town).map(|d| view! {
                                <option value=d.id.to_string() selected=move || form.with(|f| f.department_id == Some(d.id))>{d.name.clone()}</option>
                            }).collect_view()
                        }}
                    </select>
                    <FieldMessage name="department_id" errors=errs scope />
                </div>
            </Show>
            <Show when=move || form.with(|f| f.role == Role::CountyDepartment)>
                <fieldset class="field account-line" data-testid="account-line" aria-describedby=fid("line-hint")>
                    <legend>{move || lang.get().pick("分管的事项类别(条线)", "Categories it oversees (its line)")}</legend>
                    <p class="muted" id=fid("line-hint")>{move || lang.get().pick(
                        "县级部门可查看全县各镇这些类别的事项(当事人信息隐去),并可对上报县级的事项作出批示。",
                        "A county department reads every town's matters of these categories (parties masked) and may instruct on those escalated to the county.")}</p>
                    <div class="chip-choices">
                        {Category::ALL.iter().map(|c| {
                            let c = *c;
                            let on = move || form.with(|f| f.line.contains(&c));
                            view! {
                                <label class="chip-choice" class:chosen=on data-testid=format!("account-line-{}", c.as_str())>
                                    <input type="checkbox" prop:checked=on on:change=move |_| form.update(|f| {
                                        if let Some(i) = f.line.iter().position(|x| *x == c) {
                                            f.line.remove(i);
                                        } else {
                                            f.line.push(c);
                                        }
                                    }) />
                                    {move || c.label(lang.get())}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <FieldMessage name="line" errors=errs scope />
                </fieldset>
            </Show>
            <Show when=move || form.with(|f| matches!(f.role, Role::GridWorker | Role::TownLeader | Role::Mediator))>
                <div class="field">
                    <label for=fid("unit")>{move || lang.get().pick("负责或服务的村、片、组", "Village, area or group")}</label>
                    <select id=fid("unit") data-testid="account-unit" on:change=move |ev| {
                        let u = event_target_value(&ev).parse::<i64>().ok();
                        form.update(|f| f.org_unit_id = u);
                    }>
                        <option value="">{move || lang.get().pick("(暂不指定)", "(not yet)")}</option>
                        {move || places().into_iter().map(|u| view! {
                            <option value=u.id.to_string() selected=move || form.with(|f| f.org_unit_id == Some(u.id))>{u.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <FieldMessage name="org_unit_id" errors=errs scope />
                </div>
            </Show>
            <label class="check-inline">
                <input type="checkbox" data-testid="account-active" prop:checked=move || form.with(|f| f.active)
                    on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| f.active = v); } />
                {move || lang.get().pick("在用(取消即停用,登录会话随即结束)", "Active (unticked: deactivated, their sessions end)")}
            </label>
            <FieldMessage name="active" errors=errs scope />
            <div class="form-actions-inline">
                <button type="submit" class="btn btn-primary btn-small" data-testid="account-save">{move || lang.get().pick("保存", "Save")}</button>
            </div>
        </form>
    }
}

/// `/admin/audit`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let today = time::today();
    let query = RwSignal::new(AuditQuery {
        action: None,
        from: today.checked_sub_days(chrono::Days::new(30)),
        to: Some(today),
    });
    let log = RwSignal::new(None::<Result<AuditLog, api::Error>>);
    Effect::new(move |_| {
        let q = query.get();
        spawn_local(async move {
            log.try_set(Some(api::admin_audit(&q).await));
        });
    });
    let day = move |id: &'static str,
                    zh: &'static str,
                    en: &'static str,
                    get: fn(&AuditQuery) -> Option<chrono::NaiveDate>,
                    set: fn(&mut AuditQuery, Option<chrono::NaiveDate>)| {
        view! {
            <div class="field field-inline">
                <label for=id>{move || lang.get().pick(zh, en)}</label>
                <input type="date" id=id prop:value=move || query.with(|q| get(q).map(time::date).unwrap_or_default())
                    on:change=move |ev| {
                        let d = chrono::NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok();
                        query.update(|q| set(q, d));
                    } />
            </div>
        }
    };
    view! {
        <section class="page page-audit" data-testid="audit-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("审计日志", "Audit log")}</h1>
                <p class="muted">{move || lang.get().pick("系统管理员的每一次变更:何人、何时、做了什么、改前改后。", "Every administrative change: who, when, what, before and after.")}</p>
            </div>
            <div class="roster-controls">
                {day("audit-from", "自", "From", |q| q.from, |q, d| q.from = d)}
                {day("audit-to", "至", "To", |q| q.to, |q, d| q.to = d)}
                <div class="field field-inline">
                    <label for="audit-action">{move || lang.get().pick("操作", "Action")}</label>
                    <select id="audit-action" data-testid="audit-action" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        query.update(|q| q.action = Some(v).filter(|v| !v.is_empty()));
                    }>
                        <option value="">{move || lang.get().pick("全部", "All")}</option>
                        <option value="account.create">{move || lang.get().pick("新建账号", "Account created")}</option>
                        <option value="account.update">{move || lang.get().pick("修改账号", "Account changed")}</option>
                        <option value="account.reset_password">{move || lang.get().pick("重置密码", "Password reset")}</option>
                        <option value="password.change">{move || lang.get().pick("本人改密码", "Own password changed")}</option>
                    </select>
                </div>
            </div>
            {move || match log.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                Some(Ok(l)) => view! {
                    <div class="table-wrap">
                        <table class="roster-table" data-testid="audit">
                            <thead><tr>
                                <th scope="col">{move || lang.get().pick("时间", "When")}</th>
                                <th scope="col">{move || lang.get().pick("操作人", "Who")}</th>
                                <th scope="col">{move || lang.get().pick("操作", "What")}</th>
                                <th scope="col">{move || lang.get().pick("对象", "Of")}</th>
                                <th scope="col">{move || lang.get().pick("改前", "Before")}</th>
                                <th scope="col">{move || lang.get().pick("改后", "After")}</th>
                            </tr></thead>
                            <tbody>
                                {l.items.into_iter().map(|e| view! {
                                    <tr data-testid="audit-entry" data-action=e.action>
                                        <td class="nowrap">{time::date_time(e.at)}</td>
                                        <td>{e.actor.clone()}</td>
                                        <td class="mono">{e.action.clone()}</td>
                                        <td class="mono">{e.target.clone()}</td>
                                        <td class="mono audit-json">{e.before.clone()}</td>
                                        <td class="mono audit-json">{e.after.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

/// `/password`: the signed-in person's own password.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = use_lang();
    let notices = use_notices();
    let session = use_session();
    let navigate = leptos_router::hooks::use_navigate();
    let must = Memo::new(move |_| {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.must_change_password))
    });
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let errs = Signal::from(errors);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let username = session
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.username.clone()).unwrap_or_default());
        let request = ChangePassword {
            current: current.get_untracked(),
            new_password: new_password.get_untracked(),
        };
        let mut problems = request.check(&username, l).err().unwrap_or_default();
        if again.get_untracked() != request.new_password {
            problems.push(FieldError::new(
                "again",
                shared::Reason::Other {
                    zh: "两次输入的新密码不一样。".to_owned(),
                    en: "The two new passwords differ.".to_owned(),
                },
                l,
            ));
        }
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = api::change_password(&request).await;
            pending.set(false);
            match answer {
                Ok(user) => {
                    errors.set(Vec::new());
                    current.set(String::new());
                    new_password.set(String::new());
                    again.set(String::new());
                    session.user.set(Some(user));
                    notices.success(l.pick(
                        "密码已修改,其他设备上的登录已结束。",
                        "Password changed; your other sign-ins have ended.",
                    ));
                    navigate("/", Default::default());
                }
                Err(e) => {
                    let f = e.fields(l);
                    if f.is_empty() {
                        notices.error(e.message(l), None);
                    }
                    errors.set(f);
                }
            }
        });
    };
    let input = move |id: &'static str,
                      field: &'static str,
                      zh: &'static str,
                      en: &'static str,
                      value: RwSignal<String>,
                      autocomplete: &'static str| {
        view! {
            <div class="field">
                <label for=id>{move || lang.get().pick(zh, en)}</label>
                <input id=id name=field type="password" data-testid=id autocomplete=autocomplete
                    aria-describedby=format!("err-{field}")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                <FieldMessage name=field errors=errs />
            </div>
        }
    };
    view! {
        <section class="page page-password" data-testid="password-page">
            <div class="page-head">
                <h1 class="page-title">{move || lang.get().pick("修改密码", "Change your password")}</h1>
                <Show when=move || must.get()>
                    <p class="sync-bar sync-offline" role="status" data-testid="must-change-banner">
                        {move || lang.get().pick("您正在使用管理员发放的一次性密码,请先设置自己的密码。", "You signed in with a one-time password from the administrator: set your own first.")}
                    </p>
                </Show>
                <p class="muted">{move || match lang.get() {
                    Lang::Zh => format!("新密码至少 {} 个字符,不能是常见密码,也不能包含用户名。改后,其他设备上的登录将结束。", shared::admin::PASSWORD_MIN),
                    Lang::En => format!("At least {} characters, not a common password, not containing your username. Your other sign-ins end once it is changed.", shared::admin::PASSWORD_MIN),
                }}</p>
            </div>
            <form class="panel password-form" on:submit=submit novalidate data-testid="password-form">
                {input("password-current", "current", "当前密码", "Current password", current, "current-password")}
                {input("password-new", "new_password", "新密码", "New password", new_password, "new-password")}
                {input("password-again", "again", "再输入一次新密码", "The new password again", again, "new-password")}
                <div class="form-actions-inline">
                    <button type="submit" class="btn btn-primary" data-testid="password-save" disabled=move || pending.get()>
                        {move || lang.get().pick("修改密码", "Change password")}
                    </button>
                </div>
            </form>
        </section>
    }
}
