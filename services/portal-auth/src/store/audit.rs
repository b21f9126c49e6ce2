//! The audit of customer tokens minted for someone other than the customer: one row per customer
//! session a staff member opened (issue 16, finding 7), and per token another service asked for on
//! `POST /internal/customer-tokens`, kept for good. Written before the token is handed out: no row,
//! no token.

use sea_orm::sea_query::Index;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sea_orm_migration::prelude::*;

/// The `impersonation_audit` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    /// One impersonation.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "impersonation_audit")]
    pub struct Model {
        /// Insertion order: the listing's cursor (newest first).
        #[sea_orm(primary_key)]
        pub seq: i64,
        /// Authentik user name of the staff member.
        pub staff: String,
        /// Their Authentik groups, `|`-separated as Authentik sends them.
        pub staff_groups: String,
        /// ERPNext Customer name whose session was opened.
        pub customer: String,
        /// Ticket number or reason given, if any.
        #[sea_orm(column_type = "Text", nullable)]
        pub reason: Option<String>,
        /// When, Unix milliseconds.
        pub created_at: i64,
        /// The staff member's address (behind the trusted proxies).
        pub client_ip: String,
        /// `jti` of the token minted: what to revoke.
        pub token_id: String,
        /// Why it was minted: `impersonation`, or the caller's purpose (`payment_return`,
        /// `payment_link`, `quote_link`).
        pub purpose: String,
    }

    /// The audit relates to nothing.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub use entity::Model as ImpersonationRecord;
use entity::{ActiveModel, Column, Entity};

/// An impersonation about to be recorded.
#[derive(Clone, Debug)]
pub struct NewImpersonation<'a> {
    pub staff: &'a str,
    pub staff_groups: &'a [String],
    pub customer: &'a str,
    pub reason: Option<&'a str>,
    pub created_at: i64,
    pub client_ip: String,
    pub token_id: &'a str,
    pub purpose: &'a str,
}

/// The `purpose` of a staff impersonation (the rows written before the column existed too).
pub const IMPERSONATION: &str = "impersonation";
/// The `purpose` of a tech link a dispatcher sent: `customer` holds the Technician, `reason` the
/// Dispatch Job.
pub const TECH_LINK: &str = "tech_link";

/// Records one impersonation (inside the caller's transaction, if any).
pub async fn record_impersonation<C: ConnectionTrait>(
    db: &C,
    new: &NewImpersonation<'_>,
) -> Result<i64, DbErr> {
    let row = ActiveModel {
        seq: NotSet,
        staff: Set(new.staff.to_owned()),
        staff_groups: Set(new.staff_groups.join("|")),
        customer: Set(new.customer.to_owned()),
        reason: Set(new.reason.map(str::to_owned)),
        created_at: Set(new.created_at),
        client_ip: Set(new.client_ip.clone()),
        token_id: Set(new.token_id.to_owned()),
        purpose: Set(new.purpose.to_owned()),
    }
    .insert(db)
    .await?;
    Ok(row.seq)
}

/// Up to `limit` impersonations, newest first, older than `before` (a `seq`) when given, of one
/// customer when given.
pub async fn find_impersonations<C: ConnectionTrait>(
    db: &C,
    customer: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<ImpersonationRecord>, DbErr> {
    let mut query = Entity::find();
    if let Some(customer) = customer {
        query = query.filter(Column::Customer.eq(customer));
    }
    if let Some(before) = before {
        query = query.filter(Column::Seq.lt(before));
    }
    query.order_by_desc(Column::Seq).limit(limit).all(db).await
}

/// `m20261207_000003_create_impersonation_audit`.
pub struct CreateImpersonationAudit;

impl MigrationName for CreateImpersonationAudit {
    fn name(&self) -> &str {
        "m20261207_000003_create_impersonation_audit"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateImpersonationAudit {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Entity)
                    .col(
                        ColumnDef::new(Column::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Column::Staff).string_len(255).not_null())
                    .col(ColumnDef::new(Column::StaffGroups).text().not_null())
                    .col(ColumnDef::new(Column::Customer).string_len(140).not_null())
                    .col(ColumnDef::new(Column::Reason).text().null())
                    .col(ColumnDef::new(Column::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Column::ClientIp).string_len(45).not_null())
                    .col(ColumnDef::new(Column::TokenId).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("impersonation_audit_customer")
                    .table(Entity)
                    .col(Column::Customer)
                    .col(Column::Seq)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Entity).to_owned())
            .await
    }
}

/// `m20261216_000005_audit_purpose`: why each token of the audit was minted; the rows before it are
/// impersonations.
pub struct AddAuditPurpose;

impl MigrationName for AddAuditPurpose {
    fn name(&self) -> &str {
        "m20261216_000005_audit_purpose"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddAuditPurpose {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Entity)
                    .add_column(
                        ColumnDef::new(Column::Purpose)
                            .string_len(32)
                            .not_null()
                            .default(IMPERSONATION),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Entity)
                    .drop_column(Column::Purpose)
                    .to_owned(),
            )
            .await
    }
}
