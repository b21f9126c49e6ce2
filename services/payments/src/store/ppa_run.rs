//! `ppa_run`: one row per auto-pay day; its lease says which replica runs it.

use sea_orm::entity::prelude::*;

/// The run of one day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ppa_run")]
pub struct Model {
    /// The day charged, in Quebec (`2027-01-05`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    /// The process holding (or last holding) the lease.
    pub lease_owner: String,
    /// The lease ends then unless renewed (Unix ms).
    pub lease_until: i64,
    /// When the latest run of the day started (Unix ms).
    pub started_at: i64,
    /// When it finished (Unix ms); none while running or after a crash.
    pub finished_at: Option<i64>,
    /// The finished run's summary (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
}

/// The run relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
