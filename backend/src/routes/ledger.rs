//! The ledger exports (`/ledger.csv`, `/ledger.xlsx`): the case list's filter, every match,
//! one row per case (columns in `crate::ledger`). The rows are loaded and written a chunk at
//! a time and the answer streams (`X-Ledger-Rows` says how many rows are coming, for the
//! browser's progress). Personal data leaves unmasked only for the roles that see it on
//! screen (lead, clerk), and only when not asked masked; every export is in the audit log.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shared::api::CaseFilter;
use shared::model::Role;
use shared::privacy::PartyView;
use shared::{ApiError, ErrorKind, Lang};
use tokio::sync::mpsc;

use super::now_ms;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::cases::Bounds;
use crate::error::{AppError, AppQuery, AppResult, RequestLang};
use crate::ledger::{self, Cell, Loaded};
use crate::state::{AppState, SLOW_WORK_TIMEOUT, too_slow};

/// Cases loaded and written per step.
const CHUNK: usize = 500;

/// `/ledger.csv`, `/ledger.xlsx`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ledger.csv", get(csv))
        .route("/ledger.xlsx", get(xlsx))
}

/// How the ledger is exported, beside the case list's filter.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportOptions {
    /// Mask personal data even for a reader who may see it (a copy to hand on).
    #[serde(default)]
    pub masked: bool,
}

/// Who may export the ledger: the center's lead and clerks (personal data unmasked unless
/// asked masked), the town leaders and the administrator (always masked).
fn may_export(role: Role) -> bool {
    matches!(
        role,
        Role::Lead | Role::Clerk | Role::TownLeader | Role::Admin
    )
}

#[utoipa::path(
    get,
    path = "/api/ledger.csv",
    tag = "ledger",
    params(CaseFilter, ExportOptions),
    responses(
        (status = 200, description = "The ledger as CSV (UTF-8 with a byte-order mark, CRLF), streamed; `X-Ledger-Rows` gives the number of rows, `X-Ledger-Masked` whether personal data is masked", content_type = "text/csv", body = String),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead and clerks, the town leaders and the administrator export the ledger", body = ApiError),
        (status = 422, description = "Fields refused: a value not of its vocabulary, a date not `YYYY-MM-DD`, `q` too long, `to` before `from`; each names the field and the reason", body = ApiError),
        (status = 429, description = "Another export is running, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn csv(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(filter): AppQuery<CaseFilter>,
    AppQuery(options): AppQuery<ExportOptions>,
) -> AppResult<Response> {
    export(state, lang, me, filter, options, Format::Csv).await
}

#[utoipa::path(
    get,
    path = "/api/ledger.xlsx",
    tag = "ledger",
    params(CaseFilter, ExportOptions),
    responses(
        (status = 200, description = "The ledger as an Excel workbook (one sheet, the header row frozen, dates as dates), streamed; `X-Ledger-Rows` gives the number of rows, `X-Ledger-Masked` whether personal data is masked", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String),
        (status = 401, description = "Not signed in, or the session ended", body = ApiError),
        (status = 403, description = "Only the center's lead and clerks, the town leaders and the administrator export the ledger", body = ApiError),
        (status = 422, description = "Fields refused: a value not of its vocabulary, a date not `YYYY-MM-DD`, `q` too long, `to` before `from`; each names the field and the reason", body = ApiError),
        (status = 429, description = "Another export is running, or the server is busy: see `retry_after` and the `Retry-After` header", body = ApiError),
        (status = 500, description = "Failed on the server (details in its log only)", body = ApiError),
    ),
    security(("session" = [])),
)]
pub(crate) async fn xlsx(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    me: CurrentUser,
    AppQuery(filter): AppQuery<CaseFilter>,
    AppQuery(options): AppQuery<ExportOptions>,
) -> AppResult<Response> {
    export(state, lang, me, filter, options, Format::Xlsx).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

async fn export(
    state: AppState,
    lang: Lang,
    me: CurrentUser,
    filter: CaseFilter,
    options: ExportOptions,
    format: Format,
) -> AppResult<Response> {
    if !may_export(me.user.role) {
        return Err(ApiError::new(ErrorKind::Forbidden, lang)
            .with_message(lang.pick(
                "只有中心负责人、窗口受理员、包村领导和系统管理员可以导出台账。",
                "Only the center's lead and clerks, the town leaders and the administrator export the ledger.",
            ))
            .into());
    }
    filter.check(lang).map_err(AppError::fields)?;
    let masked = options.masked || PartyView::of(me.user.role) != PartyView::All;
    let Ok(permit) = Arc::clone(&state.exports).try_acquire_owned() else {
        return Err(ApiError::new(ErrorKind::RateLimited, lang)
            .with_message(lang.pick(
                "另一份台账正在导出,请稍后再试。",
                "Another ledger export is running; try again shortly.",
            ))
            .with_retry_after(10)
            .into());
    };
    let bounds = Bounds::of(&state.config, &filter);
    let today = state.config.today();
    let ids = {
        let _budget = state.slow_work().await?;
        let mut conn = state.db.pool.acquire().await?;
        tokio::time::timeout(
            SLOW_WORK_TIMEOUT,
            db::cases::listed_ids(
                &mut conn,
                me.actor.town_id,
                &filter,
                bounds,
                &me.actor,
                today,
            ),
        )
        .await
        .map_err(|_| too_slow())??
    };
    let period = serde_json::json!({
        "format": format.as_str(),
        "masked": masked,
        "rows": ids.len(),
        "from": filter.from,
        "to": filter.to,
        "filter": serde_urlencoded::to_string(filter.stored()).unwrap_or_default(),
    });
    {
        let mut conn = state.db.pool.acquire().await?;
        db::audit::record(
            &mut conn,
            me.actor.town_id,
            me.user.id,
            now_ms(),
            "ledger_export",
            &period,
        )
        .await?;
    }
    let rows = ids.len();
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let job = Job {
        state,
        ids,
        masked,
        lang,
    };
    // The answer ends cleanly only if the job says it wrote everything; a job that failed,
    // panicked or gave up on a stalled reader ends it with an error instead, so that the
    // download fails rather than leave a short file that looks complete.
    let finished = Arc::new(AtomicBool::new(false));
    {
        let finished = Arc::clone(&finished);
        tokio::spawn(async move {
            let _permit = permit;
            let done = match format {
                Format::Csv => job.csv(&tx).await,
                Format::Xlsx => job.xlsx(&tx).await,
            };
            finished.store(done, Ordering::SeqCst);
            // Only now may the answer see its end (`tx` is its last sender).
            drop(tx);
        });
    }
    let mut rx = rx;
    let mut ended = false;
    // `poll_recv` keeps answering `None` once the export is over, however often it is asked.
    let stream = futures_util::stream::poll_fn(move |cx| match rx.poll_recv(cx) {
        Poll::Ready(None) if !ended && !finished.load(Ordering::SeqCst) => {
            ended = true;
            Poll::Ready(Some(Err(std::io::Error::other(
                "the export did not finish",
            ))))
        }
        other => other,
    });
    let today = today.format("%Y-%m-%d");
    let name = format!(
        "{}-{today}.{}",
        lang.pick("矛盾纠纷排查化解台账", "ledger"),
        format.as_str()
    );
    let disposition = format!(
        "attachment; filename=\"ledger-{today}.{}\"; filename*=UTF-8''{}",
        format.as_str(),
        percent(&name)
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    headers.insert("x-ledger-rows", HeaderValue::from(rows));
    headers.insert(
        "x-ledger-masked",
        HeaderValue::from_static(if masked { "true" } else { "false" }),
    );
    Ok(response)
}

/// `s` percent-encoded for a `filename*` parameter (RFC 5987).
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One export in progress.
struct Job {
    state: AppState,
    ids: Vec<i64>,
    masked: bool,
    lang: Lang,
}

impl Job {
    /// The rows of one chunk of ids.
    async fn chunk(&self, ids: &[i64]) -> Result<Vec<Vec<Cell>>, String> {
        let _budget = self
            .state
            .slow_work()
            .await
            .map_err(|_| "the server stayed busy".to_owned())?;
        let mut conn = self
            .state
            .db
            .pool
            .acquire()
            .await
            .map_err(|e| e.to_string())?;
        let loaded = Loaded::load(&mut conn, ids)
            .await
            .map_err(|e| e.to_string())?;
        drop(conn);
        loaded
            .rows_in_order(ids, self.masked, self.lang, self.state.config.timezone())
            .map_err(|e| e.to_string())
    }

    /// Writes the CSV; whether all of it went.
    async fn csv(&self, tx: &mpsc::Sender<Result<Bytes, std::io::Error>>) -> bool {
        if !send_within(tx, Ok(Bytes::from(ledger::csv_head(self.lang)))).await {
            return false;
        }
        for ids in self.ids.chunks(CHUNK) {
            let item = self.chunk(ids).await.map(|rows| {
                let mut out = String::with_capacity(rows.len() * 400);
                for cells in &rows {
                    ledger::csv_record(&mut out, cells);
                }
                Bytes::from(out)
            });
            let failed = item.is_err();
            if let Err(e) = &item {
                tracing::error!(error = %e, "ledger export (csv) failed");
            }
            // An error ends the body abruptly: the download fails instead of looking complete.
            if !send_within(tx, item.map_err(std::io::Error::other)).await || failed {
                return false;
            }
        }
        true
    }

    /// Writes the XLSX; whether all of it went.
    async fn xlsx(&self, tx: &mpsc::Sender<Result<Bytes, std::io::Error>>) -> bool {
        let (rows_tx, rows_rx) = std::sync::mpsc::sync_channel::<Chunk>(2);
        let lang = self.lang;
        let body = tx.clone();
        let runtime = tokio::runtime::Handle::current();
        let writer = tokio::task::spawn_blocking(move || {
            let out = BodyWriter {
                tx: body,
                runtime,
                buf: Vec::with_capacity(BodyWriter::SIZE),
            };
            let title = lang.pick("矛盾纠纷排查化解台账", "Ledger");
            let chunks = Chunks {
                rx: rows_rx,
                over: false,
            };
            ledger::write_xlsx(chunks, out, lang, title, &std::env::temp_dir())
        });
        let mut last = Chunk::Done;
        for ids in self.ids.chunks(CHUNK) {
            // Nothing reaches the answer before the sheet is zipped: a download given up
            // meanwhile is noticed here, and the rest is not loaded.
            if tx.is_closed() {
                last = Chunk::Failed("the download was given up".to_owned());
                break;
            }
            let item = match self.chunk(ids).await {
                Ok(rows) => Chunk::Rows(rows),
                Err(e) => {
                    last = Chunk::Failed(e);
                    break;
                }
            };
            let rows_tx = rows_tx.clone();
            let sent = tokio::task::spawn_blocking(move || rows_tx.send(item).is_ok())
                .await
                .unwrap_or(false);
            if !sent {
                break;
            }
        }
        {
            let rows_tx = rows_tx.clone();
            let _ = tokio::task::spawn_blocking(move || rows_tx.send(last)).await;
        }
        drop(rows_tx);
        let failure = match writer.await {
            Ok(Ok(())) => return true,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        tracing::error!(error = %failure, "ledger export (xlsx) failed");
        let _ = send_within(tx, Err(std::io::Error::other(failure))).await;
        false
    }
}

/// The longest a piece of the answer waits for the reader: a reader that stops reading
/// without hanging up (a laptop put to sleep) does not hold the export forever.
const SEND_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// Sends a piece of the answer, waiting at most `SEND_WITHIN`; whether it went.
async fn send_within(
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
    item: Result<Bytes, std::io::Error>,
) -> bool {
    matches!(
        tokio::time::timeout(SEND_WITHIN, tx.send(item)).await,
        Ok(Ok(()))
    )
}

/// What the loader hands the XLSX writer: rows, then `Done` — or `Failed`. A channel that
/// closes without either is a failure too (the loader stopped), never the end of the sheet.
enum Chunk {
    Rows(Vec<Vec<Cell>>),
    Done,
    Failed(String),
}

/// The chunks as `ledger::write_xlsx` takes them.
struct Chunks {
    rx: std::sync::mpsc::Receiver<Chunk>,
    over: bool,
}

impl Iterator for Chunks {
    type Item = Result<Vec<Vec<Cell>>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.over {
            return None;
        }
        match self.rx.recv() {
            Ok(Chunk::Rows(rows)) => Some(Ok(rows)),
            Ok(Chunk::Done) => {
                self.over = true;
                None
            }
            Ok(Chunk::Failed(e)) => {
                self.over = true;
                Some(Err(e))
            }
            Err(_) => {
                self.over = true;
                Some(Err("the export stopped early".to_owned()))
            }
        }
    }
}

/// Hands what `rust_xlsxwriter` writes to the response body, 64 KiB at a time (from the
/// blocking thread that writes the workbook).
struct BodyWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    runtime: tokio::runtime::Handle,
    buf: Vec<u8>,
}

impl BodyWriter {
    const SIZE: usize = 64 * 1024;

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(Self::SIZE),
        ));
        // On the blocking thread that writes the workbook: wait for the reader, within limits.
        if self.runtime.block_on(send_within(&self.tx, Ok(chunk))) {
            Ok(())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the download ended or stalled",
            ))
        }
    }
}

impl Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::SIZE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Drop for BodyWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}
