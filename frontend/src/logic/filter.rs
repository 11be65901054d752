//! The board's filters in the browser's URL: `CaseFilter` to a query string and back, with the
//! same field names the API uses (`kind`, `category`, `channel`, `village`, `handler`, `risk`,
//! `stage`, `overdue`, `mine`, `awaiting`, `escalated`, `urged`, `q`, and the case list's
//! `from`, `to`, `outcome`, `rating`, the dashboard's `closed_from`, `closed_to`, `resolution`,
//! `timeliness`, `spot`, `flag`, `police`, `service`, `in_person`, and `sort`, `page`, `per_page`), so a reload or the back
//! button restores the board or the list and the same string can be sent to `GET /api/board`,
//! `GET /api/cases` or the ledger exports.

use chrono::NaiveDate;
use shared::api::CaseFilter;
use shared::model::{
    CaseKind, CaseSort, Category, Channel, HandlerRef, Outcome, Resolution, RiskFlag, RiskLevel,
    Satisfaction, Stage, Timeliness,
};

/// The query string of a filter, without the leading `?`; empty for no filter.
/// Fields are written in a fixed order so equal filters give equal URLs.
pub fn to_query(filter: &CaseFilter) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(v) = filter.kind {
        pairs.push(("kind", v.as_str().to_owned()));
    }
    if let Some(v) = filter.category {
        pairs.push(("category", v.as_str().to_owned()));
    }
    if let Some(v) = filter.channel {
        pairs.push(("channel", v.as_str().to_owned()));
    }
    if let Some(v) = filter.village {
        pairs.push(("village", v.to_string()));
    }
    if let Some(v) = filter.handler {
        pairs.push(("handler", v.to_string()));
    }
    if let Some(v) = filter.risk {
        pairs.push(("risk", v.as_str().to_owned()));
    }
    if let Some(v) = filter.stage {
        pairs.push(("stage", v.as_str().to_owned()));
    }
    if filter.overdue {
        pairs.push(("overdue", "true".to_owned()));
    }
    if filter.mine {
        pairs.push(("mine", "true".to_owned()));
    }
    if filter.awaiting {
        pairs.push(("awaiting", "true".to_owned()));
    }
    if filter.escalated {
        pairs.push(("escalated", "true".to_owned()));
    }
    if filter.urged {
        pairs.push(("urged", "true".to_owned()));
    }
    if let Some(v) = filter.town {
        pairs.push(("town", v.to_string()));
    }
    if filter.county {
        pairs.push(("county", "true".to_owned()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        pairs.push(("q", q.to_owned()));
    }
    if let Some(v) = filter.from {
        pairs.push(("from", v.format("%Y-%m-%d").to_string()));
    }
    if let Some(v) = filter.to {
        pairs.push(("to", v.format("%Y-%m-%d").to_string()));
    }
    if let Some(v) = filter.outcome {
        pairs.push(("outcome", v.as_str().to_owned()));
    }
    if let Some(v) = filter.rating {
        pairs.push(("rating", v.as_str().to_owned()));
    }
    if let Some(v) = filter.closed_from {
        pairs.push(("closed_from", v.format("%Y-%m-%d").to_string()));
    }
    if let Some(v) = filter.closed_to {
        pairs.push(("closed_to", v.format("%Y-%m-%d").to_string()));
    }
    if let Some(v) = filter.resolution {
        pairs.push(("resolution", v.as_str().to_owned()));
    }
    if let Some(v) = filter.timeliness {
        pairs.push(("timeliness", v.as_str().to_owned()));
    }
    if filter.spot {
        pairs.push(("spot", "true".to_owned()));
    }
    if let Some(v) = filter.flag {
        pairs.push(("flag", v.as_str().to_owned()));
    }
    if filter.police {
        pairs.push(("police", "true".to_owned()));
    }
    if filter.service {
        pairs.push(("service", "true".to_owned()));
    }
    if filter.in_person {
        pairs.push(("in_person", "true".to_owned()));
    }
    if let Some(v) = filter.sort {
        pairs.push(("sort", v.as_str().to_owned()));
    }
    if let Some(v) = filter.page {
        pairs.push(("page", v.to_string()));
    }
    if let Some(v) = filter.per_page {
        pairs.push(("per_page", v.to_string()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path` with the filter's query string, if any (`/board?kind=dispute`, or `/board`).
pub fn url(path: &str, filter: &CaseFilter) -> String {
    let query = to_query(filter);
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Reads a filter from a lookup of (already decoded) query parameters, such as the router's
/// query map. Values that are not valid are left out rather than refused: a stale bookmark
/// still opens the board.
pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> CaseFilter {
    let text = |k: &str| {
        get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let flag = |k: &str| text(k).is_some_and(|v| matches!(v.as_str(), "true" | "1" | "on"));
    CaseFilter {
        kind: text("kind").and_then(|v| CaseKind::parse(&v)),
        category: text("category").and_then(|v| Category::parse(&v)),
        channel: text("channel").and_then(|v| Channel::parse(&v)),
        village: text("village")
            .and_then(|v| v.parse().ok())
            .filter(|id: &i64| *id > 0),
        handler: text("handler").and_then(|v| v.parse::<HandlerRef>().ok()),
        risk: text("risk").and_then(|v| RiskLevel::parse(&v)),
        stage: text("stage").and_then(|v| Stage::parse(&v)),
        overdue: flag("overdue"),
        mine: flag("mine"),
        awaiting: flag("awaiting"),
        escalated: flag("escalated"),
        urged: flag("urged"),
        town: text("town")
            .and_then(|v| v.parse().ok())
            .filter(|id: &i64| *id > 0),
        county: flag("county"),
        q: text("q"),
        from: text("from").and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
        to: text("to").and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
        outcome: text("outcome").and_then(|v| Outcome::parse(&v)),
        rating: text("rating").and_then(|v| Satisfaction::parse(&v)),
        closed_from: text("closed_from")
            .and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
        closed_to: text("closed_to").and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
        resolution: text("resolution").and_then(|v| Resolution::parse(&v)),
        timeliness: text("timeliness").and_then(|v| Timeliness::parse(&v)),
        spot: flag("spot"),
        flag: text("flag").and_then(|v| RiskFlag::parse(&v)),
        police: flag("police"),
        service: flag("service"),
        in_person: flag("in_person"),
        sort: text("sort").and_then(|v| CaseSort::parse(&v)),
        page: text("page")
            .and_then(|v| v.parse().ok())
            .filter(|p: &u32| *p > 0),
        per_page: text("per_page")
            .and_then(|v| v.parse().ok())
            .filter(|p: &u32| *p > 0),
    }
}

/// Parses a raw query string (with or without the leading `?`).
pub fn from_query(query: &str) -> CaseFilter {
    let pairs = parse_pairs(query);
    from_lookup(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

/// Whether any filter is set (the board shows "clear filters" then).
pub fn is_filtered(filter: &CaseFilter) -> bool {
    let blank = CaseFilter {
        page: filter.page,
        per_page: filter.per_page,
        ..CaseFilter::default()
    };
    *filter != blank
}

/// How many of the board's folded filters are set (the search box stays in view and is not
/// counted): what the tablet's "filters (N)" button says.
pub fn folded_filters(filter: &CaseFilter) -> usize {
    [
        filter.kind.is_some(),
        filter.category.is_some(),
        filter.village.is_some(),
        filter.handler.is_some(),
        filter.risk.is_some(),
        filter.channel.is_some(),
        filter.overdue,
        filter.mine,
        filter.town.is_some(),
        filter.county,
    ]
    .into_iter()
    .filter(|on| *on)
    .count()
}

/// Splits a query string into decoded key/value pairs.
pub fn parse_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

/// Percent-encodes a query value: everything but the unreserved characters of RFC 3986.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes a query value: `%XX` escapes and `+` as a space; malformed escapes are kept as typed.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> CaseFilter {
        CaseFilter {
            kind: Some(CaseKind::Dispute),
            category: Some(Category::Labour),
            channel: Some(Channel::Hotline12345),
            village: Some(12),
            handler: Some(HandlerRef::Department(3)),
            risk: Some(RiskLevel::High),
            stage: Some(Stage::Routed),
            overdue: true,
            mine: true,
            awaiting: true,
            escalated: true,
            urged: true,
            town: Some(3),
            county: true,
            q: Some("拖欠 工资&利息".to_owned()),
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 3, 31),
            outcome: Some(Outcome::AgreementWritten),
            rating: Some(Satisfaction::Basic),
            closed_from: NaiveDate::from_ymd_opt(2026, 2, 1),
            closed_to: NaiveDate::from_ymd_opt(2026, 4, 30),
            resolution: Some(Resolution::Unresolved),
            timeliness: Some(Timeliness::Late),
            spot: true,
            flag: Some(RiskFlag::RepeatPetition),
            police: true,
            service: true,
            in_person: true,
            sort: Some(CaseSort::Closed),
            page: Some(2),
            per_page: Some(100),
        }
    }

    #[test]
    fn every_filter_field_survives_the_url() {
        let filter = full();
        let query = to_query(&filter);
        assert!(query.starts_with("kind=dispute&category=labour&channel=hotline_12345"));
        assert!(query.contains("handler=department%3A3"));
        assert!(query.contains("overdue=true&mine=true&awaiting=true&escalated=true&urged=true"));
        assert!(query.contains(
            "from=2026-01-01&to=2026-03-31&outcome=agreement_written&rating=basically_satisfied&closed_from"
        ));
        assert!(query.contains(
            "closed_from=2026-02-01&closed_to=2026-04-30&resolution=unresolved&timeliness=late&spot=true\
             &flag=repeat_petition&police=true&service=true&in_person=true&sort=closed"
        ));
        assert_eq!(from_query(&query), filter);
        assert_eq!(from_query(&format!("?{query}")), filter);
    }

    #[test]
    fn an_empty_filter_is_an_empty_query_and_not_filtered() {
        assert_eq!(to_query(&CaseFilter::default()), "");
        assert_eq!(url("/cases", &CaseFilter::default()), "/cases");
        let labour = CaseFilter {
            category: Some(Category::Labour),
            ..CaseFilter::default()
        };
        assert_eq!(url("/cases", &labour), "/cases?category=labour");
        assert_eq!(from_query(""), CaseFilter::default());
        assert!(!is_filtered(&CaseFilter::default()));
        assert!(is_filtered(&full()));
    }

    #[test]
    fn unknown_or_malformed_values_are_left_out() {
        let filter = from_query(
            "kind=teleport&village=abc&handler=judge:1&overdue=no&risk=high&q=%20%20&from=2026-02-30&sort=random",
        );
        assert_eq!(
            filter,
            CaseFilter {
                risk: Some(RiskLevel::High),
                ..CaseFilter::default()
            }
        );
    }

    #[test]
    fn values_decode_plus_and_percent_escapes() {
        assert_eq!(decode_component("a+b%E5%BC%A0"), "a b张");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(encode_component("张 三"), "%E5%BC%A0%20%E4%B8%89");
        assert_eq!(
            from_query("q=%E5%BC%A0+%E4%B8%89").q.as_deref(),
            Some("张 三")
        );
    }

    #[test]
    fn the_folded_filters_are_counted_without_the_search() {
        let mut f = CaseFilter {
            q: Some("排水".into()),
            ..CaseFilter::default()
        };
        assert_eq!(folded_filters(&f), 0);
        f.kind = Some(shared::model::CaseKind::Dispute);
        f.overdue = true;
        f.village = Some(3);
        assert_eq!(folded_filters(&f), 3);
    }
}
