//! The dashboard (`GET /api/dashboard`): its counts from `db::figures`, put together as
//! `shared::figures::Dashboard`, and a cache of the answers.
//!
//! The counts run on two connections at once (the tables on one, the trend, the overdue
//! list and the period before on the other). An answer is kept with the town's revision and
//! served again until a change to the town's cases moves it; requests that arrive together
//! for an answer not yet built wait for one build (one at a time per server: a dashboard is
//! slow work) and then find it built.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use shared::Lang;
use shared::api::SatisfactionFigures;
use shared::figures::{
    Breakdown, BreakdownRow, Counts, Dashboard, Dimension, IN_PERSON_CHANNELS, MonthFigures,
    OVERDUE_SHOWN, OverdueCase, RISE_PCT_DEFAULT, RisingVillage, SERVICE_KINDS, Totals, is_rising,
    months_of, period_before,
};
use shared::model::{CaseKind, Category, Channel};

use crate::db::figures::{self as q, Grouped, Key, Scope};
use crate::error::AppError;
use crate::state::{AppState, SLOW_WORK_TIMEOUT, too_slow};

/// What an answer depends on besides the town's revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Asked {
    pub town_id: i64,
    pub village_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rise_pct: u32,
    pub lang: Lang,
    pub today: NaiveDate,
}

/// The answers built, by what was asked, with the revision each was built at.
#[derive(Debug, Default)]
pub struct DashboardCache {
    built: Mutex<HashMap<Asked, (i64, Arc<Dashboard>)>>,
    building: tokio::sync::Mutex<()>,
    builds: AtomicU64,
}

/// At most this many answers are kept (the oldest asked go first when full).
const KEPT: usize = 64;

impl DashboardCache {
    fn get(&self, asked: &Asked, rev: i64) -> Option<Arc<Dashboard>> {
        let built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        built
            .get(asked)
            .filter(|(at, _)| *at == rev)
            .map(|(_, d)| Arc::clone(d))
    }

    fn put(&self, asked: Asked, rev: i64, dashboard: Arc<Dashboard>) {
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if built.len() >= KEPT && !built.contains_key(&asked) {
            built.retain(|_, (at, _)| *at == rev);
            if built.len() >= KEPT {
                built.clear();
            }
        }
        built.insert(asked, (rev, dashboard));
    }

    /// Forgets every answer.
    pub(crate) fn clear(&self) {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// How many answers this server has built (for the tests of requests arriving together).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }
}

/// The dashboard asked for: from the cache while the town has not changed, else built.
pub(crate) async fn get(state: &AppState, asked: Asked) -> Result<Arc<Dashboard>, AppError> {
    let rev = state.town_rev(asked.town_id).await?;
    if let Some(d) = state.dashboards.get(&asked, rev) {
        return Ok(d);
    }
    let queued = tokio::time::timeout(SLOW_WORK_TIMEOUT, state.dashboards.building.lock());
    let _building = queued.await.map_err(|_| too_slow())?;
    // The revision again: a change committed while this request waited must be counted.
    let rev = state.town_rev(asked.town_id).await?;
    if let Some(d) = state.dashboards.get(&asked, rev) {
        return Ok(d);
    }
    let _budget = state.slow_work().await?;
    let built = tokio::time::timeout(SLOW_WORK_TIMEOUT, build(state, &asked))
        .await
        .map_err(|_| too_slow())??;
    let built = Arc::new(built);
    state.dashboards.builds.fetch_add(1, Ordering::Relaxed);
    state.dashboards.put(asked, rev, Arc::clone(&built));
    Ok(built)
}

/// Counts everything asked for.
async fn build(state: &AppState, asked: &Asked) -> Result<Dashboard, AppError> {
    let sqlite = state.db.backend == crate::db::Backend::Sqlite;
    let (from_ms, until_ms) = state.config.day_bounds(Some(asked.from), Some(asked.to));
    let (before_from, before_to) = period_before(asked.from, asked.to);
    let (before_from_ms, before_until_ms) =
        state.config.day_bounds(Some(before_from), Some(before_to));
    let scope = Scope {
        town_id: asked.town_id,
        village_id: asked.village_id,
        from_ms: from_ms.unwrap_or(i64::MIN),
        until_ms: until_ms.unwrap_or(i64::MAX),
        offset_ms: state.config.offset_ms(),
    };
    let before = Scope {
        from_ms: before_from_ms.unwrap_or(i64::MIN),
        until_ms: before_until_ms.unwrap_or(i64::MAX),
        ..scope
    };
    let tables = async {
        let mut conn = state.db.pool.acquire().await?;
        let mut grouped = HashMap::new();
        for key in Key::ALL {
            grouped.insert(key, q::grouped(&mut conn, sqlite, &scope, key).await?);
        }
        let police = q::police(&mut conn, &scope).await?;
        Ok::<_, sqlx::Error>((grouped, police))
    };
    let rest = async {
        let mut conn = state.db.pool.acquire().await?;
        let days = q::per_day(&mut conn, &scope).await?;
        let overdue = q::overdue(&mut conn, &scope, asked.today, OVERDUE_SHOWN).await?;
        let now = q::received_per_village(&mut conn, &scope).await?;
        let then = q::received_per_village(&mut conn, &before).await?;
        let names = q::names(&mut conn, asked.town_id).await?;
        Ok::<_, sqlx::Error>((days, overdue, now, then, names))
    };
    let ((grouped, police), (days, (overdue_total, overdue), now, then, names)) =
        tokio::try_join!(tables, rest)?;
    let lang = asked.lang;
    let part = |key: Key| grouped.get(&key).cloned().unwrap_or_default();
    let kinds = part(Key::Kind);
    let channels = part(Key::Channel);
    let breakdowns = vec![
        breakdown(Dimension::Kind, &kinds, |k| {
            CaseKind::parse(k).map(|v| v.label(lang).to_owned())
        }),
        breakdown(Dimension::Category, &part(Key::Category), |k| {
            Category::parse(k).map(|v| v.label(lang).to_owned())
        }),
        breakdown(Dimension::Village, &part(Key::Village), |k| {
            k.parse()
                .ok()
                .and_then(|id| names.villages.get(&id).cloned())
        }),
        breakdown(Dimension::Channel, &channels, |k| {
            Channel::parse(k).map(|v| v.label(lang).to_owned())
        }),
        breakdown(Dimension::Handler, &part(Key::Handler), |k| {
            handler_name(k, "mediator:", &names.users)
        }),
        breakdown(Dimension::Department, &part(Key::Handler), |k| {
            handler_name(k, "department:", &names.departments)
        }),
    ];
    let totals = totals(&kinds, &channels, police, overdue_total);
    let [s, b, d] = kinds.ratings;
    let satisfaction = SatisfactionFigures::from_counts(
        Some(asked.from),
        Some(asked.to),
        totals.all.closed,
        s,
        b,
        d,
    );
    let trend = trend(asked.from, asked.to, &days);
    let overdue = overdue
        .into_iter()
        .map(|o| OverdueCase {
            id: o.id,
            code: o.code,
            kind: o.kind,
            category: o.category,
            village: o.village,
            handler: o.handler.and_then(|(kind, id)| match kind.as_str() {
                "mediator" => names.users.get(&id).cloned(),
                "department" => names.departments.get(&id).cloned(),
                _ => None,
            }),
            due_on: o.due_on,
            days_over: (asked.today - o.due_on).num_days(),
        })
        .collect();
    let mut rising: Vec<RisingVillage> = now
        .iter()
        .filter(|(id, n)| is_rising(**n, then.get(id).copied().unwrap_or(0), asked.rise_pct))
        .map(|(id, n)| RisingVillage {
            village_id: *id,
            name: names.villages.get(id).cloned().unwrap_or_default(),
            now: *n,
            before: then.get(id).copied().unwrap_or(0),
        })
        .collect();
    // Most risen first: by the share (from none counts as the most), then by how many more.
    rising.sort_by(|a, b| {
        let share = |r: &RisingVillage| (r.now * 1000).checked_div(r.before).unwrap_or(u64::MAX);
        share(b)
            .cmp(&share(a))
            .then((b.now - b.before).cmp(&(a.now - a.before)))
            .then(a.name.cmp(&b.name))
    });
    Ok(Dashboard {
        from: asked.from,
        to: asked.to,
        village: asked.village_id,
        today: asked.today,
        totals,
        satisfaction,
        breakdowns,
        trend,
        overdue,
        before_from,
        before_to,
        rise_pct: asked.rise_pct,
        rising,
    })
}

/// The rise asked for, or the default.
pub(crate) fn rise_or_default(rise: Option<u32>) -> u32 {
    rise.unwrap_or(RISE_PCT_DEFAULT)
}

fn handler_name(key: &str, prefix: &str, of: &HashMap<i64, String>) -> Option<String> {
    let id: i64 = key.strip_prefix(prefix)?.parse().ok()?;
    Some(of.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
}

/// A table's rows from the grouped counts: the keys `label` knows, most matters first.
fn breakdown(
    by: Dimension,
    grouped: &Grouped,
    label: impl Fn(&str) -> Option<String>,
) -> Breakdown {
    let mut rows: Vec<BreakdownRow> = grouped
        .counts
        .iter()
        .filter_map(|(key, counts)| {
            label(key).map(|label| BreakdownRow {
                key: key.clone(),
                label,
                counts: *counts,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.counts.received + b.counts.closed)
            .cmp(&(a.counts.received + a.counts.closed))
            .then(a.label.cmp(&b.label))
    });
    Breakdown { by, rows }
}

/// The figures that are not a table, from the kind and channel tables.
fn totals(kinds: &Grouped, channels: &Grouped, police: u64, overdue: u64) -> Totals {
    let mut all = Counts::default();
    for c in kinds.counts.values() {
        all.add(c);
    }
    let of_kind = |k: CaseKind| kinds.counts.get(k.as_str()).copied().unwrap_or_default();
    let of_channel = |c: Channel| channels.counts.get(c.as_str()).copied().unwrap_or_default();
    Totals {
        all,
        disputes: of_kind(CaseKind::Dispute),
        services: SERVICE_KINDS.iter().map(|k| of_kind(*k).closed).sum(),
        visitors: IN_PERSON_CHANNELS
            .iter()
            .map(|c| of_channel(*c).received)
            .sum(),
        petitions: of_kind(CaseKind::Petition).received,
        repeat_petitions: kinds.repeat_petitions,
        on_the_spot: channels.on_the_spot.values().sum(),
        on_the_spot_grid: channels
            .on_the_spot
            .get(Channel::GridReport.as_str())
            .copied()
            .unwrap_or(0),
        police,
        overdue,
    }
}

/// The months of the period from the counts per day.
fn trend(from: NaiveDate, to: NaiveDate, days: &HashMap<i64, [u64; 3]>) -> Vec<MonthFigures> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    months_of(from, to)
        .into_iter()
        .map(|(month, first, last)| {
            let (a, b) = ((first - epoch).num_days(), (last - epoch).num_days());
            let mut sums = [0u64; 3];
            for day in a..=b {
                if let Some(n) = days.get(&day) {
                    for (sum, v) in sums.iter_mut().zip(n) {
                        *sum += v;
                    }
                }
            }
            MonthFigures {
                month,
                from: first,
                to: last,
                received: sums[0],
                closed: sums[1],
                resolved: sums[2],
            }
        })
        .collect()
}
