//! The dashboard (`GET /api/dashboard`): its counts from `db::figures`, put together as
//! `shared::figures::Dashboard`, and a cache of the answers.
//!
//! The counts are added up in memory from one compact row per case (`FigureStore`: loaded
//! whole once per town, then patched with the cases each write changed), so any period and
//! place costs a pass over the town's rows, not a scan of the database per figure; only the
//! overdue list (an indexed range of open cases) and the names are read each time. An answer
//! is kept with the town's revision and served again until a change to the town's cases moves
//! it; requests that arrive together for an answer not yet built wait for one build (one at a
//! time per server) and then find it built.

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
use shared::model::{CaseKind, Category, Channel, Resolution, Satisfaction};

use crate::db::figures::{self as q, FigureRow};
use crate::error::AppError;
use crate::state::{AppState, PendingChanges, SLOW_WORK_TIMEOUT, too_slow};

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
    /// What each town's cases count for (see `FigureStore`).
    pub(crate) store: FigureStore,
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

    /// Forgets every answer and every town's rows.
    pub(crate) fn clear(&self) {
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.store.clear();
    }

    /// How many answers this server has built (for the tests of requests arriving together).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }
}

/// Per town, what the dashboard counts of every case (`FigureRow`), at a revision. Loaded
/// whole once; after that only the cases the writes changed are read again (the writes note
/// them as they commit, as for the board), so a dashboard under a stream of writes costs a
/// few rows, not a scan of the year.
#[derive(Debug)]
pub struct FigureStore {
    towns: Mutex<HashMap<i64, Arc<TownRows>>>,
    pending: PendingChanges,
    /// Held while a whole town is loaded.
    loading: tokio::sync::Mutex<()>,
}

impl Default for FigureStore {
    fn default() -> FigureStore {
        FigureStore {
            towns: Mutex::default(),
            pending: PendingChanges::new(PENDING_MAX),
            loading: tokio::sync::Mutex::new(()),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct TownRows {
    rev: i64,
    rows: HashMap<i64, FigureRow>,
}

/// Most pending changes kept per town; beyond, the next dashboard loads the town whole.
const PENDING_MAX: usize = 20_000;

impl FigureStore {
    /// Remembers that a committed write moved the town to `rev` by changing `case_id`.
    pub(crate) fn note_change(&self, town_id: i64, rev: i64, case_id: i64) {
        self.pending.note(town_id, rev, case_id);
    }

    fn current(&self, town_id: i64) -> Option<Arc<TownRows>> {
        self.towns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&town_id)
            .cloned()
    }

    /// Keeps `rows`, unless newer ones are kept already.
    fn put(&self, town_id: i64, rows: Arc<TownRows>) {
        let rev = rows.rev;
        {
            let mut towns = self.towns.lock().unwrap_or_else(PoisonError::into_inner);
            if towns.get(&town_id).is_some_and(|kept| kept.rev > rev) {
                return;
            }
            towns.insert(town_id, rows);
        }
        self.pending.applied(town_id, rev);
    }

    fn clear(&self) {
        self.towns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.pending.clear();
    }
}

/// The town's rows at revision `rev`: as kept, patched with the cases changed since, or
/// loaded whole.
async fn town_rows(state: &AppState, town_id: i64, rev: i64) -> Result<Arc<TownRows>, AppError> {
    if let Some(rows) = kept_or_patched(state, town_id, rev).await? {
        return Ok(rows);
    }
    // A whole town is loaded once at a time: whoever waited finds it loaded (or patches it
    // from there).
    let _loading = state.dashboards.store.loading.lock().await;
    if let Some(rows) = kept_or_patched(state, town_id, rev).await? {
        return Ok(rows);
    }
    let sqlite = state.db.backend == crate::db::Backend::Sqlite;
    let mut conn = state.db.pool.acquire().await?;
    let rows = TownRows {
        rev,
        rows: q::rows(&mut conn, sqlite, town_id, state.config.offset_ms(), None)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect(),
    };
    let rows = Arc::new(rows);
    state.dashboards.store.put(town_id, Arc::clone(&rows));
    Ok(rows)
}

/// The town's rows at `rev` if they are kept, or can be brought there by reading again the
/// cases changed since; `None` when only a whole load will do.
async fn kept_or_patched(
    state: &AppState,
    town_id: i64,
    rev: i64,
) -> Result<Option<Arc<TownRows>>, AppError> {
    let store = &state.dashboards.store;
    let Some(kept) = store.current(town_id) else {
        return Ok(None);
    };
    if kept.rev == rev {
        return Ok(Some(kept));
    }
    let Some(ids) = (kept.rev < rev)
        .then(|| store.pending.between(town_id, kept.rev, rev))
        .flatten()
    else {
        return Ok(None);
    };
    let sqlite = state.db.backend == crate::db::Backend::Sqlite;
    let mut conn = state.db.pool.acquire().await?;
    let changed = q::rows(
        &mut conn,
        sqlite,
        town_id,
        state.config.offset_ms(),
        Some(&ids),
    )
    .await?;
    let mut next = TownRows::clone(&kept);
    next.rev = rev;
    for id in &ids {
        next.rows.remove(id);
    }
    for row in changed {
        next.rows.insert(row.id, row);
    }
    let next = Arc::new(next);
    store.put(town_id, Arc::clone(&next));
    Ok(Some(next))
}

/// Loads every town's rows (the binary does this in the background as it starts serving).
pub async fn warm(state: AppState) {
    let towns: Result<Vec<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT id FROM org_units WHERE level = 'town' ORDER BY id")
            .fetch_all(&state.db.pool)
            .await;
    let started = std::time::Instant::now();
    for town in towns.unwrap_or_default() {
        let loaded = async {
            let rev = state.town_rev(town).await?;
            town_rows(&state, town, rev).await
        };
        if let Err(e) = loaded.await {
            tracing::warn!(town, "loading the dashboard's rows failed: {e:?}");
            return;
        }
    }
    tracing::info!(
        ms = started.elapsed().as_millis(),
        "the dashboard's rows are loaded"
    );
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
    let built = tokio::time::timeout(SLOW_WORK_TIMEOUT, build(state, &asked, rev))
        .await
        .map_err(|_| too_slow())??;
    let built = Arc::new(built);
    state.dashboards.builds.fetch_add(1, Ordering::Relaxed);
    state.dashboards.put(asked, rev, Arc::clone(&built));
    Ok(built)
}

/// What one period and place add up to.
#[derive(Debug, Default)]
struct Sums {
    by: HashMap<Key, HashMap<String, Counts>>,
    repeat_petitions: u64,
    ratings: [u64; 3],
    on_the_spot: u64,
    on_the_spot_grid: u64,
    police: u64,
    per_day: HashMap<i64, [u64; 3]>,
    per_village: HashMap<i64, u64>,
    per_village_before: HashMap<i64, u64>,
}

/// The groups a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Kind,
    Category,
    Village,
    Channel,
    Handler,
}

fn keys(row: &FigureRow) -> [(Key, Option<String>); 5] {
    [
        (Key::Kind, Some(row.kind.as_str().to_owned())),
        (Key::Category, Some(row.category.as_str().to_owned())),
        (Key::Village, Some(row.village_id.to_string())),
        (Key::Channel, Some(row.channel.as_str().to_owned())),
        (Key::Handler, row.handler.map(|h| h.to_string())),
    ]
}

/// Adds up the rows for the period `[from_ms, until_ms)` (and the one before, for rising).
fn add_up(rows: &TownRows, village: Option<i64>, span: [i64; 4], offset_ms: i64) -> Sums {
    let [from_ms, until_ms, before_from_ms, before_until_ms] = span;
    let within = |t: i64| t >= from_ms && t < until_ms;
    let day = |t: i64| (t + offset_ms).div_euclid(86_400_000);
    let mut s = Sums::default();
    for row in rows.rows.values() {
        if village.is_some_and(|v| v != row.village_id) {
            continue;
        }
        let received = within(row.registered_at);
        let closed = row.closed_at.filter(|t| within(*t));
        // Rising villages compare their disputes (矛盾纠纷) with the period before.
        let dispute = row.kind == CaseKind::Dispute;
        if dispute && row.registered_at >= before_from_ms && row.registered_at < before_until_ms {
            *s.per_village_before.entry(row.village_id).or_default() += 1;
        }
        if !received && closed.is_none() {
            continue;
        }
        if received && dispute {
            *s.per_village.entry(row.village_id).or_default() += 1;
        }
        if received {
            s.per_day.entry(day(row.registered_at)).or_default()[0] += 1;
            s.repeat_petitions += u64::from(row.repeat_petition);
            s.police += u64::from(row.police);
        }
        if let Some(at) = closed {
            let entry = s.per_day.entry(day(at)).or_default();
            entry[1] += 1;
            if row.resolution == Some(Resolution::Resolved) {
                entry[2] += 1;
            }
            match row.rating {
                Some(Satisfaction::Satisfied) => s.ratings[0] += 1,
                Some(Satisfaction::Basic) => s.ratings[1] += 1,
                Some(Satisfaction::Dissatisfied) => s.ratings[2] += 1,
                None => {}
            }
            if row.spot {
                s.on_the_spot += 1;
                if row.channel == Channel::GridReport {
                    s.on_the_spot_grid += 1;
                }
            }
        }
        for (key, group) in keys(row) {
            let Some(group) = group else { continue };
            let c = s.by.entry(key).or_default().entry(group).or_default();
            if received {
                c.received += 1;
            }
            if let Some(at) = closed {
                c.closed += 1;
                match row.resolution {
                    Some(Resolution::Resolved) => c.resolved += 1,
                    Some(Resolution::Unresolved) => c.unresolved += 1,
                    _ => c.uncounted += 1,
                }
                c.on_time += u64::from(row.on_time);
                // Hundredths of a day: 864,000 ms each.
                c.centidays_to_close +=
                    u64::try_from((at - row.registered_at) / 864_000).unwrap_or(0);
                if let Some(f) = row.follow_up {
                    c.followed_up += 1;
                    c.follow_up_satisfied += u64::from(f.counts_as_satisfied());
                }
            }
        }
    }
    s
}

/// Counts everything asked for.
async fn build(state: &AppState, asked: &Asked, rev: i64) -> Result<Dashboard, AppError> {
    let (from_ms, until_ms) = state.config.day_bounds(Some(asked.from), Some(asked.to));
    let (before_from, before_to) = period_before(asked.from, asked.to);
    let (before_from_ms, before_until_ms) =
        state.config.day_bounds(Some(before_from), Some(before_to));
    let rows = town_rows(state, asked.town_id, rev).await?;
    let span = [
        from_ms.unwrap_or(i64::MIN),
        until_ms.unwrap_or(i64::MAX),
        before_from_ms.unwrap_or(i64::MIN),
        before_until_ms.unwrap_or(i64::MAX),
    ];
    let sums = add_up(&rows, asked.village_id, span, state.config.offset_ms());
    let mut conn = state.db.pool.acquire().await?;
    let (overdue_total, overdue) = q::overdue(
        &mut conn,
        asked.town_id,
        asked.village_id,
        asked.today,
        OVERDUE_SHOWN,
    )
    .await?;
    let names = q::names(&mut conn, asked.town_id).await?;
    drop(conn);
    let lang = asked.lang;
    let part = |key: Key| sums.by.get(&key).cloned().unwrap_or_default();
    let kinds = part(Key::Kind);
    let channels = part(Key::Channel);
    let handlers = part(Key::Handler);
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
        breakdown(Dimension::Handler, &handlers, |k| {
            handler_name(k, "mediator:", &names.users)
        }),
        breakdown(Dimension::Department, &handlers, |k| {
            handler_name(k, "department:", &names.departments)
        }),
    ];
    let mut all = Counts::default();
    for c in kinds.values() {
        all.add(c);
    }
    let of_kind = |k: CaseKind| kinds.get(k.as_str()).copied().unwrap_or_default();
    let totals = Totals {
        all,
        disputes: of_kind(CaseKind::Dispute),
        services: SERVICE_KINDS.iter().map(|k| of_kind(*k).closed).sum(),
        visitors: IN_PERSON_CHANNELS
            .iter()
            .map(|c| channels.get(c.as_str()).map_or(0, |n| n.received))
            .sum(),
        petitions: of_kind(CaseKind::Petition).received,
        repeat_petitions: sums.repeat_petitions,
        on_the_spot: sums.on_the_spot,
        on_the_spot_grid: sums.on_the_spot_grid,
        police: sums.police,
        overdue: overdue_total,
    };
    let [s, b, d] = sums.ratings;
    let satisfaction = SatisfactionFigures::from_counts(
        Some(asked.from),
        Some(asked.to),
        totals.all.closed,
        s,
        b,
        d,
    );
    let trend = trend(asked.from, asked.to, &sums.per_day);
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
    let then = &sums.per_village_before;
    let mut rising: Vec<RisingVillage> = sums
        .per_village
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
    grouped: &HashMap<String, Counts>,
    label: impl Fn(&str) -> Option<String>,
) -> Breakdown {
    let mut rows: Vec<BreakdownRow> = grouped
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
