//! The administrator's categories (`category_settings`): names for new cases, and retired
//! categories (see `shared::categories`).

use shared::categories::{CategoryForm, CategoryName, CategorySetting};
use shared::model::Category;
use sqlx::AnyConnection;

/// Every category as new cases get it, in the vocabulary's order.
pub async fn settings(conn: &mut AnyConnection) -> Result<Vec<CategorySetting>, sqlx::Error> {
    type Row = (String, Option<String>, Option<String>, i64);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT category, name_zh, name_en, retired FROM category_settings")
            .fetch_all(conn)
            .await?;
    Ok(Category::ALL
        .iter()
        .map(|c| {
            let row = rows.iter().find(|r| r.0 == c.as_str());
            let name = row.and_then(|r| {
                r.1.clone()
                    .zip(r.2.clone())
                    .map(|(zh, en)| CategoryName { zh, en })
            });
            CategorySetting::of(*c, name, row.is_some_and(|r| r.3 != 0))
        })
        .collect())
}

/// One category's setting.
pub async fn setting(
    conn: &mut AnyConnection,
    category: Category,
) -> Result<CategorySetting, sqlx::Error> {
    Ok(settings(conn)
        .await?
        .into_iter()
        .find(|s| s.category == category)
        .unwrap_or_else(|| CategorySetting::of(category, None, false)))
}

/// Stores a category's names and state.
pub async fn put(
    conn: &mut AnyConnection,
    category: Category,
    form: &CategoryForm,
    by: i64,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO category_settings (category, name_zh, name_en, retired, updated_at, \
         updated_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (category) DO UPDATE SET \
         name_zh = excluded.name_zh, name_en = excluded.name_en, retired = excluded.retired, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(category.as_str())
    .bind(form.zh.trim())
    .bind(form.en.trim())
    .bind(i64::from(form.retired))
    .bind(at_ms)
    .bind(by)
    .execute(conn)
    .await
    .map(drop)
}

/// Stores the name a case's category has at its registration (when renamed).
pub async fn name_case(
    conn: &mut AnyConnection,
    case_id: i64,
    name: &CategoryName,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET category_zh = $1, category_en = $2 WHERE id = $3")
        .bind(&name.zh)
        .bind(&name.en)
        .bind(case_id)
        .execute(conn)
        .await
        .map(drop)
}
