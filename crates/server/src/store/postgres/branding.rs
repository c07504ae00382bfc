//! Email branding per realm on PostgreSQL (`BrandingStore`).

use super::super::traits::BrandingStore;
use super::super::{StoreError, StoreResult};
use super::PgStore;
use crate::branding::{EmailBranding, RawBranding, StoredBranding};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl BrandingStore for PgStore {
    async fn get_email_branding(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<StoredBranding>> {
        let row = sqlx::query(
            "SELECT sender_name, subject, logo_url, primary_color, support_url, footer_text, update_time \
             FROM email_branding WHERE tenant_id = $1 AND realm_id = $2",
        )
        .bind(tenant_id)
        .bind(realm_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let raw = RawBranding {
            sender_name: row.try_get("sender_name")?,
            subject: row.try_get("subject")?,
            logo_url: row.try_get("logo_url")?,
            primary_color: row.try_get("primary_color")?,
            support_url: row.try_get("support_url")?,
            footer_text: row.try_get("footer_text")?,
        };
        // Validated before it was written; a row that no longer passes was written by something else.
        let branding = EmailBranding::parse(&raw).map_err(|e| StoreError::Failed(format!("stored email branding: {e}")))?;
        Ok(Some(StoredBranding { branding, update_time: row.try_get("update_time")? }))
    }

    async fn put_email_branding(&self, tenant_id: &str, realm_id: &str, branding: &EmailBranding, now: i64) -> StoreResult<()> {
        let b = branding.to_raw();
        sqlx::query(
            "INSERT INTO email_branding (tenant_id, realm_id, sender_name, subject, logo_url, primary_color, support_url, \
             footer_text, update_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_id, realm_id) DO UPDATE SET sender_name = excluded.sender_name, subject = excluded.subject, \
             logo_url = excluded.logo_url, primary_color = excluded.primary_color, support_url = excluded.support_url, \
             footer_text = excluded.footer_text, update_time = excluded.update_time",
        )
        .bind(tenant_id)
        .bind(realm_id)
        .bind(b.sender_name)
        .bind(b.subject)
        .bind(b.logo_url)
        .bind(b.primary_color)
        .bind(b.support_url)
        .bind(b.footer_text)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
