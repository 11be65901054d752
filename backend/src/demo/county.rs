//! The rest of the demo county (瓜州县): three more towns of different sizes beside Guazhou —
//! 柳园镇, 锁阳城镇 and 西湖镇 — each with its villages, its center's departments and rooms,
//! a lead, a clerk, mediators and liaisons, and a year of its own cases; and the county's
//! officer (`county`, 县级政法干部), who reads every town. So the county board and the county
//! dashboard have something to show.
//!
//! Each town's cases come from the same generator as Guazhou's, sized for the town, moved to
//! the town's villages (the texts name the town and its villages, never Guazhou's), with codes
//! of their own.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, Utc};
use shared::model::{Category, OrgLevel, Role};
use shared::validate::CODE_ALPHABET;
use sqlx::AnyConnection;

use super::plan::{self, DemoSize, Plan};
use super::roster::{self, DEPARTMENTS, Dept, VILLAGES};
use super::write::{self, Alias, Ids};
use crate::db;
use crate::db::users::NewUser;

/// One more town of the county.
#[derive(Debug, Clone, Copy)]
pub struct TownPlan {
    pub name: &'static str,
    pub code: &'static str,
    /// What its accounts' usernames end with (`lead_ly`).
    pub suffix: &'static str,
    pub center_address: &'static str,
    pub center_phone: &'static str,
    pub villages: &'static [&'static str],
    pub lead: &'static str,
    pub clerk: &'static str,
    pub mediators: &'static [&'static str],
    /// The liaisons of its police station and judicial office (the other departments have
    /// none there: the lead answers for them).
    pub police: &'static str,
    pub judicial: &'static str,
    /// Cases on its board, and archived cases of the year.
    pub open: u32,
    pub closed: u32,
}

/// The towns beside Guazhou, largest first.
pub const TOWNS: &[TownPlan] = &[
    TownPlan {
        name: "柳园镇",
        code: "LY",
        suffix: "ly",
        center_address: "瓜州县柳园镇迎宾路 8 号",
        center_phone: "0937-5521230",
        villages: &["柳园社区", "白墩子村", "红柳园村", "大泉村"],
        lead: "周建国",
        clerk: "郭晓梅",
        mediators: &["吴德顺", "韩玉兰", "冯志强"],
        police: "魏警官",
        judicial: "苏文华",
        open: 30,
        closed: 90,
    },
    TownPlan {
        name: "锁阳城镇",
        code: "SY",
        suffix: "sy",
        center_address: "瓜州县锁阳城镇政府路 3 号",
        center_phone: "0937-5531108",
        villages: &["锁阳城村", "堡子村", "南坝村"],
        lead: "曹志远",
        clerk: "丁秀兰",
        mediators: &["任国庆", "白玉芳"],
        police: "段警官",
        judicial: "卢明",
        open: 16,
        closed: 45,
    },
    TownPlan {
        name: "西湖镇",
        code: "XH",
        suffix: "xh",
        center_address: "瓜州县西湖镇西湖路 21 号",
        center_phone: "0937-5541015",
        villages: &["西湖村", "向阳村"],
        lead: "雷振东",
        clerk: "姚丽",
        mediators: &["侯德福"],
        police: "贾警官",
        judicial: "闫春燕",
        open: 8,
        closed: 20,
    },
];

/// The county's officer (县级政法干部): `county`.
pub const OFFICER: (&str, &str) = ("county", "马志刚");

/// The county's departments (县级部门) and their lines: each reads every town's cases of its
/// categories.
pub const COUNTY_DEPARTMENTS: [(&str, &str, &[Category]); 2] = [
    ("county_hr", "县人力资源和社会保障局", &[Category::Labour]),
    (
        "county_land",
        "县自然资源局",
        &[
            Category::LandForest,
            Category::HousingHomestead,
            Category::Expropriation,
        ],
    ),
];

/// The accounts the other towns and the county add: per town a lead, a clerk, its mediators
/// and two liaisons; the officer and the county's departments.
pub fn account_count() -> usize {
    1 + COUNTY_DEPARTMENTS.len() + TOWNS.iter().map(|t| 4 + t.mediators.len()).sum::<usize>()
}

/// The usernames of one town's accounts, in the order they are created.
pub fn usernames(t: &TownPlan) -> Vec<String> {
    let mut out = vec![format!("lead_{}", t.suffix), format!("clerk_{}", t.suffix)];
    for i in 0..t.mediators.len() {
        out.push(format!("mediator{}_{}", i + 1, t.suffix));
    }
    out.push(format!("police_{}", t.suffix));
    out.push(format!("judicial_{}", t.suffix));
    out
}

/// Stores the other towns and the county's officer; `codes` holds every case code stored so
/// far (Guazhou's), and gets each town's.
pub(crate) async fn towns(
    conn: &mut AnyConnection,
    county: i64,
    password_hash: &str,
    now: DateTime<Utc>,
    tz: FixedOffset,
    codes: &mut HashSet<String>,
) -> Result<(), sqlx::Error> {
    let now_ms = now.timestamp_millis();
    officer(conn, password_hash, now_ms).await?;
    for (n, t) in TOWNS.iter().enumerate() {
        let ids = town(conn, county, t, password_hash, now_ms).await?;
        let size = DemoSize {
            open: Some(t.open),
            closed: Some(t.closed),
            towns: None,
        };
        let mut plan = plan::plan(size, now, tz);
        relocate(&mut plan, t, n + 1, codes);
        write::cases(conn, &ids, &plan, tz).await?;
    }
    Ok(())
}

/// The county benchmark's towns beside Guazhou: `more` towns named 第01镇, 第02镇… (codes TA,
/// TB…, leads `lead_t01`…), each with the cases of `size`; the county officer too. Returns how
/// many accounts they add.
pub(crate) async fn sized_towns(
    conn: &mut AnyConnection,
    county: i64,
    password_hash: &str,
    (now, tz): (DateTime<Utc>, FixedOffset),
    size: DemoSize,
    more: u32,
    codes: &mut HashSet<String>,
) -> Result<usize, sqlx::Error> {
    if more == 0 {
        return Ok(0);
    }
    officer(conn, password_hash, now.timestamp_millis()).await?;
    let mut accounts = 1;
    for i in 1..=more {
        let t = bench_town(i);
        let ids = town(conn, county, &t, password_hash, now.timestamp_millis()).await?;
        let mut plan = plan::plan(size, now, tz);
        relocate(&mut plan, &t, usize::try_from(i).unwrap_or(1), codes);
        write::cases(conn, &ids, &plan, tz).await?;
        accounts += usernames(&t).len();
    }
    Ok(accounts)
}

/// Leaks a name for the benchmark's towns (a few dozen short strings, once per load).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The `i`-th benchmark town (from 1).
fn bench_town(i: u32) -> TownPlan {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let n = usize::try_from(i - 1).unwrap_or(0);
    let code = if n < letters.len() {
        format!("T{}", char::from(letters[n]))
    } else {
        format!(
            "T{}{}",
            char::from(letters[(n / letters.len()) % letters.len()]),
            char::from(letters[n % letters.len()])
        )
    };
    let name = format!("第{i:02}镇");
    let villages: Vec<&'static str> = ["一村", "二村", "三村", "四村"]
        .iter()
        .map(|v| leak(format!("{name}{v}")))
        .collect();
    TownPlan {
        name: leak(name),
        code: leak(code),
        suffix: leak(format!("t{i:02}")),
        center_address: "瓜州县",
        center_phone: "0937-5500000",
        villages: Box::leak(villages.into_boxed_slice()),
        lead: leak(format!("{i:02}号主任")),
        clerk: leak(format!("{i:02}号受理员")),
        mediators: &["调解员甲", "调解员乙", "调解员丙"],
        police: "联络警官",
        judicial: "司法所联络员",
        open: 0,
        closed: 0,
    }
}

/// Stores the county officer and the county's departments.
async fn officer(
    conn: &mut AnyConnection,
    password_hash: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let county = |username, display_name, role| NewUser {
        username,
        password_hash,
        display_name,
        role,
        town_id: None,
        department_id: None,
        org_unit_id: None,
    };
    db::users::insert(
        conn,
        &county(OFFICER.0, OFFICER.1, Role::CountyOfficer),
        now_ms,
    )
    .await?;
    for (username, name, line) in COUNTY_DEPARTMENTS {
        let id = db::users::insert(
            conn,
            &county(username, name, Role::CountyDepartment),
            now_ms,
        )
        .await?;
        db::users::set_line(conn, id, line).await?;
    }
    Ok(())
}

/// Stores one town: the unit, its villages, its center, departments and rooms, its accounts.
async fn town(
    conn: &mut AnyConnection,
    county: i64,
    t: &TownPlan,
    password_hash: &str,
    now_ms: i64,
) -> Result<Ids, sqlx::Error> {
    let mut ids = Ids {
        county,
        ..Ids::default()
    };
    let town = db::org::insert_unit(
        conn,
        Some(county),
        OrgLevel::Town,
        t.name,
        None,
        Some(t.code),
    )
    .await?;
    ids.town = town;
    ids.town_code = t.code;
    db::org::put_center(
        conn,
        town,
        &db::org::CenterRow {
            name: format!("{}综治中心", t.name),
            address: t.center_address.to_owned(),
            phone: t.center_phone.to_owned(),
        },
    )
    .await?;
    for v in t.villages {
        let id =
            db::org::insert_unit(conn, Some(town), OrgLevel::Village, v, Some(town), None).await?;
        ids.villages.push(id);
    }
    for d in DEPARTMENTS {
        let id = db::org::insert_department(conn, town, d.name, d.kind, d.response_days).await?;
        ids.departments.insert(d.dept, id);
    }
    db::mediation::insert_starting_rooms(conn, town).await?;
    let names = usernames(t);
    let mut user = async |i: usize,
                          display_name: &str,
                          role: Role,
                          department_id: Option<i64>|
           -> Result<i64, sqlx::Error> {
        db::users::insert(
            conn,
            &NewUser {
                username: &names[i],
                password_hash,
                display_name,
                role,
                town_id: Some(town),
                department_id,
                org_unit_id: None,
            },
            now_ms,
        )
        .await
    };
    ids.lead = user(0, t.lead, Role::Lead, None).await?;
    ids.clerks.push(user(1, t.clerk, Role::Clerk, None).await?);
    for (i, m) in t.mediators.iter().enumerate() {
        ids.mediators
            .push(user(2 + i, m, Role::Mediator, None).await?);
    }
    let k = 2 + t.mediators.len();
    let police = ids.departments.get(&Dept::Police).copied();
    let judicial = ids.departments.get(&Dept::Judicial).copied();
    ids.liaisons.insert(
        Dept::Police,
        user(k, t.police, Role::Liaison, police).await?,
    );
    ids.liaisons.insert(
        Dept::Judicial,
        user(k + 1, t.judicial, Role::Liaison, judicial).await?,
    );
    ids.alias = Some(Alias {
        lead: t.lead,
        clerk: t.clerk,
        mediators: t.mediators.to_vec(),
        liaisons: HashMap::from([(Dept::Police, t.police), (Dept::Judicial, t.judicial)]),
    });
    Ok(ids)
}

/// Moves a plan made for Guazhou to town `t` (the `n`-th other town): the texts name the town
/// and its villages, and every code changes to one of the town's own (unique among `codes`),
/// repeats following their earlier cases' new codes.
fn relocate(plan: &mut Plan, t: &TownPlan, n: usize, codes: &mut HashSet<String>) {
    let mut renamed: HashMap<String, String> = HashMap::new();
    let rename = |text: &str| {
        let mut out = text.replace(roster::TOWN, t.name);
        for (i, v) in VILLAGES.iter().enumerate() {
            if out.contains(v.name) {
                out = out.replace(v.name, t.villages[i % t.villages.len()]);
            }
        }
        out
    };
    for c in &mut plan.cases {
        c.summary = rename(&c.summary);
        c.facts = rename(&c.facts);
        c.request = rename(&c.request);
        for p in &mut c.parties {
            p.address = p.address.as_deref().map(rename);
        }
        for e in &mut c.events {
            e.text = e.text.as_deref().map(rename);
        }
        c.place.area = None;
        c.place.group = None;
        let mut code = shifted(&c.code, n);
        let mut more = n;
        while codes.contains(&code) {
            more += TOWNS.len() + 1;
            code = shifted(&c.code, more);
        }
        codes.insert(code.clone());
        renamed.insert(c.code.clone(), code.clone());
        c.code = code;
    }
    for c in &mut plan.cases {
        if let Some(earlier) = c.repeat_of.take() {
            c.repeat_of = renamed.get(&earlier).cloned();
        }
    }
}

/// `code` (`YYMM-XXXXXX`) with its `i`-th random character moved `by × (i + 1)` places along
/// the alphabet: one-to-one for each shift (callers still check for codes taken).
fn shifted(code: &str, by: usize) -> String {
    let (prefix, random) = code.split_at(code.len().min(5));
    let len = CODE_ALPHABET.len();
    let mut out = prefix.to_owned();
    for (i, ch) in random.bytes().enumerate() {
        let at = CODE_ALPHABET.iter().position(|c| *c == ch).unwrap_or(0);
        out.push(char::from(CODE_ALPHABET[(at + by * (i + 1)) % len]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_codes_stay_codes_and_differ() {
        let code = "2612-7K3M9Q";
        let a = shifted(code, 1);
        let b = shifted(code, 2);
        assert_ne!(a, code);
        assert_ne!(a, b);
        assert!(a.starts_with("2612-") && a.len() == code.len());
        assert!(a[5..].bytes().all(|c| CODE_ALPHABET.contains(&c)));
        assert_eq!(shifted(code, 0), code);
    }

    #[test]
    fn every_town_has_its_own_usernames_and_names() {
        let mut seen = HashSet::new();
        for t in TOWNS {
            for u in usernames(t) {
                assert!(seen.insert(u.clone()), "{u} twice");
            }
        }
        for (u, _, line) in COUNTY_DEPARTMENTS {
            assert!(seen.insert(u.to_owned()), "{u} twice");
            assert!(!line.is_empty(), "{u} has no line");
        }
        assert!(seen.insert(OFFICER.0.to_owned()));
        assert_eq!(seen.len(), account_count());
        let codes: HashSet<&str> = TOWNS.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), TOWNS.len());
        assert!(!codes.contains(roster::TOWN_CODE));
    }
}
