//! Email branding per realm on SQLite (`BrandingStore`), on the admin threads.

use super::super::traits::BrandingStore;
use super::super::{StoreError, StoreResult};
use super::SqliteStore;
use crate::branding::{EmailBranding, RawBranding, StoredBranding};
use async_trait::async_trait;
use rusqlite::OptionalExtension;

/// A stored row back into its typed value. The service validated it before
/// writing; a row that no longer passes was written by something else.
fn stored(raw: RawBranding, update_time: i64) -> StoreResult<StoredBranding> {
    let branding = EmailBranding::parse(&raw).map_err(|e| StoreError::Failed(format!("stored email branding: {e}")))?;
    Ok(StoredBranding { branding, update_time })
}

#[async_trait]
impl BrandingStore for SqliteStore {
    async fn get_email_branding(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<StoredBranding>> {
        let (t, r) = (tenant_id.to_owned(), realm_id.to_owned());
        let row = self
            .on_admin_thread(move |conn| {
                let sql = "SELECT sender_name, subject, logo_url, primary_color, support_url, footer_text, update_time \
                           FROM email_branding WHERE tenant_id = ?1 AND realm_id = ?2";
                let row = conn
                    .prepare_cached(sql)?
                    .query_row((&t, &r), |row| {
                        let raw = RawBranding {
                            sender_name: row.get(0)?,
                            subject: row.get(1)?,
                            logo_url: row.get(2)?,
                            primary_color: row.get(3)?,
                            support_url: row.get(4)?,
                            footer_text: row.get(5)?,
                        };
                        Ok((raw, row.get::<_, i64>(6)?))
                    })
                    .optional()?;
                Ok(row)
            })
            .await?;
        row.map(|(raw, time)| stored(raw, time)).transpose()
    }

    async fn put_email_branding(&self, tenant_id: &str, realm_id: &str, branding: &EmailBranding, now: i64) -> StoreResult<()> {
        let (t, r, b) = (tenant_id.to_owned(), realm_id.to_owned(), branding.to_raw());
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO email_branding (tenant_id, realm_id, sender_name, subject, logo_url, primary_color, support_url, \
                 footer_text, update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (tenant_id, realm_id) DO UPDATE SET sender_name = excluded.sender_name, subject = excluded.subject, \
                 logo_url = excluded.logo_url, primary_color = excluded.primary_color, support_url = excluded.support_url, \
                 footer_text = excluded.footer_text, update_time = excluded.update_time",
                rusqlite::params![&t, &r, b.sender_name, b.subject, b.logo_url, b.primary_color, b.support_url, b.footer_text, now],
            )?;
            Ok(())
        })
        .await
    }
}
