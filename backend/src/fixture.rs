//! The test fixture: a small county with two towns, their departments and one user per role.
//! Used by the API tests and the browser tests (`concord-tests`); never loaded by `serve`.
//!
//! ```text
//! 瓜州县 (county)
//! ├── 瓜州镇 (town A, code GZ)
//! │   ├── 渠口村 (village 1)
//! │   │   ├── 渠口村一片 → 渠口村一片一组, 渠口村一片二组
//! │   │   └── 渠口村二片 → 渠口村二片一组, 渠口村二片二组
//! │   └── 三工村 (village 2)
//! │       ├── 三工村一片 → 三工村一片一组, 三工村一片二组
//! │       └── 三工村二片 → 三工村二片一组, 三工村二片二组
//! └── 柳园镇 (town B, code LY)
//!     └── 柳园村 (village)
//! ```
//!
//! Departments of town A (3 working days to respond; 派出所 is the police station, the rest
//! functional): 派出所 (police),
//! 司法所 (judicial), 国土所 (land), 市场监管所 (market), 县法学会 (law society),
//! 人民法庭 (tribunal).
//!
//! Users, all with the password [`FIXTURE_PASSWORD`] (`concord-pass-1`):
//!
//! | username | role | town | other |
//! |---|---|---|---|
//! | `admin` | admin | none | sees every org unit, no cases |
//! | `lead` | lead | A | |
//! | `clerk` | clerk | A | |
//! | `mediator` | mediator | A | specialties: neighbour, marriage & family, housing |
//! | `mediator2` | mediator | A | specialties: labour, contract, consumer |
//! | `police` | liaison | A | department 派出所 |
//! | `grid` | grid worker | A | org unit 渠口村一片 |
//! | `leader` | town leader | A | org unit 渠口村 |
//! | `lead_b` | lead | B | |
//! | `county` | county officer | none | reads every town's cases, masked |
//! | `county_hr` | county department | none | line: labour; reads every town's labour cases, masked |
//!
//! No cases: tests register what they need.

use std::sync::OnceLock;

use shared::model::{Category, DepartmentKind, OrgLevel, Role};
use sqlx::AnyConnection;

use crate::auth::hash_password_blocking;
use crate::db;
use crate::db::users::NewUser;
use crate::error::AppError;
use crate::state::AppState;

/// The password of every fixture user.
pub const FIXTURE_PASSWORD: &str = "concord-pass-1";

/// The ids of everything the fixture created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub county: i64,
    pub town_a: i64,
    pub town_b: i64,
    /// Town A's two villages.
    pub villages: [i64; 2],
    /// `areas[v][a]`: area `a` of village `v` (town A).
    pub areas: [[i64; 2]; 2],
    /// `groups[v][a][g]`: group `g` of area `a` of village `v` (town A).
    pub groups: [[[i64; 2]; 2]; 2],
    /// Town B's village.
    pub village_b: i64,
    pub police_station: i64,
    pub judicial_office: i64,
    pub land_office: i64,
    pub market_office: i64,
    pub law_society: i64,
    pub tribunal: i64,
    pub admin: i64,
    pub lead: i64,
    pub clerk: i64,
    pub mediator: i64,
    pub mediator2: i64,
    pub police: i64,
    pub grid: i64,
    pub leader: i64,
    pub lead_b: i64,
    /// The county officer (县级政法干部, no town).
    pub county_officer: i64,
    /// A county department (县人社局, no town) whose line is labour.
    pub county_hr: i64,
    /// Town A's rooms, as `db::mediation::STARTING_ROOMS`, and town B's first room.
    pub rooms: Vec<i64>,
    pub room_b: i64,
}

/// One argon2id hash of the fixture password, shared by every fixture user (hashing is slow
/// on purpose; tests build many fixtures).
/// The kind of a fixture department: 派出所 is the police station, the rest are functional.
fn kind_of(name: &str) -> DepartmentKind {
    if name == "派出所" {
        DepartmentKind::Police
    } else {
        DepartmentKind::Functional
    }
}

fn fixture_hash() -> Result<String, AppError> {
    static HASH: OnceLock<String> = OnceLock::new();
    if let Some(h) = HASH.get() {
        return Ok(h.clone());
    }
    let hash = hash_password_blocking(FIXTURE_PASSWORD)?;
    Ok(HASH.get_or_init(|| hash).clone())
}

/// Loads the fixture into an empty, migrated database.
pub async fn seed_fixture(state: &AppState) -> Result<Fixture, AppError> {
    let hash = tokio::task::spawn_blocking(fixture_hash).await??;
    let mut wtx = state.db.begin_write().await?;
    let conn: &mut AnyConnection = &mut wtx.tx;
    let unit = db::org::insert_unit;
    let county = unit(conn, None, OrgLevel::County, "瓜州县", None, None).await?;
    let town_a = unit(
        conn,
        Some(county),
        OrgLevel::Town,
        "瓜州镇",
        None,
        Some("GZ"),
    )
    .await?;
    let town_b = unit(
        conn,
        Some(county),
        OrgLevel::Town,
        "柳园镇",
        None,
        Some("LY"),
    )
    .await?;
    for (town, name, address, phone) in [
        (
            town_a,
            "瓜州镇综治中心",
            "瓜州镇人民路 12 号",
            "0937-5512345",
        ),
        (
            town_b,
            "柳园镇综治中心",
            "柳园镇文化街 3 号",
            "0937-5567890",
        ),
    ] {
        let center = db::org::CenterRow {
            name: name.to_owned(),
            address: address.to_owned(),
            phone: phone.to_owned(),
        };
        db::org::put_center(conn, town, &center).await?;
    }
    let mut villages = [0; 2];
    let mut areas = [[0; 2]; 2];
    let mut groups = [[[0; 2]; 2]; 2];
    for (v, village_name) in ["渠口村", "三工村"].iter().enumerate() {
        let village = unit(
            conn,
            Some(town_a),
            OrgLevel::Village,
            village_name,
            Some(town_a),
            None,
        )
        .await?;
        villages[v] = village;
        for (a, area_name) in ["一片", "二片"].iter().enumerate() {
            let area_name = format!("{village_name}{area_name}");
            let area = unit(
                conn,
                Some(village),
                OrgLevel::Area,
                &area_name,
                Some(town_a),
                None,
            )
            .await?;
            areas[v][a] = area;
            for (g, group_name) in ["一组", "二组"].iter().enumerate() {
                groups[v][a][g] = unit(
                    conn,
                    Some(area),
                    OrgLevel::Group,
                    &format!("{area_name}{group_name}"),
                    Some(town_a),
                    None,
                )
                .await?;
            }
        }
    }
    let village_b = unit(
        conn,
        Some(town_b),
        OrgLevel::Village,
        "柳园村",
        Some(town_b),
        None,
    )
    .await?;
    let mut departments = Vec::new();
    for name in [
        "派出所",
        "司法所",
        "国土所",
        "市场监管所",
        "县法学会",
        "人民法庭",
    ] {
        departments.push(db::org::insert_department(conn, town_a, name, kind_of(name), 3).await?);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let mut user = async |username: &str,
                          display_name: &str,
                          role: Role,
                          town_id: Option<i64>,
                          department_id: Option<i64>,
                          org_unit_id: Option<i64>|
           -> Result<i64, sqlx::Error> {
        db::users::insert(
            conn,
            &NewUser {
                username,
                password_hash: &hash,
                display_name,
                role,
                town_id,
                department_id,
                org_unit_id,
            },
            now,
        )
        .await
    };
    let admin = user("admin", "系统管理员", Role::Admin, None, None, None).await?;
    let lead = user("lead", "李主任", Role::Lead, Some(town_a), None, None).await?;
    let clerk = user("clerk", "王受理", Role::Clerk, Some(town_a), None, None).await?;
    let mediator = user(
        "mediator",
        "张调解",
        Role::Mediator,
        Some(town_a),
        None,
        None,
    )
    .await?;
    let mediator2 = user(
        "mediator2",
        "赵调解",
        Role::Mediator,
        Some(town_a),
        None,
        None,
    )
    .await?;
    let police = user(
        "police",
        "刘警官",
        Role::Liaison,
        Some(town_a),
        Some(departments[0]),
        None,
    )
    .await?;
    let grid = user(
        "grid",
        "陈网格",
        Role::GridWorker,
        Some(town_a),
        None,
        Some(areas[0][0]),
    )
    .await?;
    let leader = user(
        "leader",
        "孙镇长",
        Role::TownLeader,
        Some(town_a),
        None,
        Some(villages[0]),
    )
    .await?;
    let lead_b = user("lead_b", "周主任", Role::Lead, Some(town_b), None, None).await?;
    let county_officer = user("county", "马书记", Role::CountyOfficer, None, None, None).await?;
    let county_hr = user(
        "county_hr",
        "县人社局",
        Role::CountyDepartment,
        None,
        None,
        None,
    )
    .await?;
    db::users::add_specialties(
        conn,
        mediator,
        &[
            Category::Neighbour,
            Category::MarriageFamily,
            Category::HousingHomestead,
        ],
    )
    .await?;
    db::users::add_specialties(
        conn,
        mediator2,
        &[Category::Labour, Category::Contract, Category::Consumer],
    )
    .await?;
    db::users::set_line(conn, county_hr, &[Category::Labour]).await?;
    let rooms = db::mediation::insert_starting_rooms(conn, town_a).await?;
    let room_b = db::mediation::insert_starting_rooms(conn, town_b).await?[0];
    wtx.commit().await?;
    state.clear_caches();
    Ok(Fixture {
        county,
        town_a,
        town_b,
        villages,
        areas,
        groups,
        village_b,
        police_station: departments[0],
        judicial_office: departments[1],
        land_office: departments[2],
        market_office: departments[3],
        law_society: departments[4],
        tribunal: departments[5],
        admin,
        lead,
        clerk,
        mediator,
        mediator2,
        police,
        grid,
        leader,
        lead_b,
        county_officer,
        county_hr,
        rooms,
        room_b,
    })
}
