//! A webhook inbox's writes, grouped: each caller's row inserted once by its string primary key,
//! the rows that arrived meanwhile in one `INSERT … ON CONFLICT DO NOTHING RETURNING <key>` (one
//! round trip, no transaction) through [`crate::db::GroupCommit`]; each caller learns whether its
//! row was new (a redelivery, or a twin earlier in the same batch, is not). The webhook intakes of
//! payments (Stripe) and quotation-signing (DocuSeal) need it to keep up (`make bench`).

use std::collections::HashSet;
use std::marker::PhantomData;

use sea_orm::sea_query::{OnConflict, ValueType};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, Iterable as _, PrimaryKeyToColumn as _, PrimaryKeyTrait,
};

use crate::db::WriteBatch;

/// The [`WriteBatch`] of an inbox table `E` whose primary key is one string column.
pub struct InboxWrites<E>(PhantomData<fn() -> E>);

impl<E> Default for InboxWrites<E> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<E> WriteBatch for InboxWrites<E>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Clone + Send + Sync + 'static,
    E::PrimaryKey: PrimaryKeyTrait<ValueType = String>,
{
    type Op = E::ActiveModel;
    type Out = bool;

    async fn run_alone(
        &self,
        db: &DatabaseConnection,
        rows: &[E::ActiveModel],
    ) -> Result<Option<Vec<bool>>, DbErr> {
        insert_new::<E, _>(db, rows.to_vec()).await.map(Some)
    }

    async fn run(
        &self,
        txn: &DatabaseTransaction,
        rows: Vec<E::ActiveModel>,
    ) -> Result<Vec<bool>, DbErr> {
        insert_new::<E, _>(txn, rows).await
    }
}

/// Inserts the rows whose key is not recorded yet; for each, whether it was new.
async fn insert_new<E, C>(db: &C, rows: Vec<E::ActiveModel>) -> Result<Vec<bool>, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    E::PrimaryKey: PrimaryKeyTrait<ValueType = String>,
    C: ConnectionTrait,
{
    let key = E::PrimaryKey::iter()
        .next()
        .ok_or_else(|| DbErr::Custom("an inbox table needs a primary key".to_owned()))?
        .into_column();
    let ids: Vec<String> = rows
        .iter()
        .map(|row| {
            row.get(key)
                .into_value()
                .and_then(|v| <String as ValueType>::try_from(v).ok())
                .unwrap_or_default()
        })
        .collect();
    let mut seen = HashSet::new();
    let unique: Vec<_> = rows
        .into_iter()
        .zip(&ids)
        .filter_map(|(row, id)| seen.insert(id.clone()).then_some(row))
        .collect();
    let inserted: HashSet<String> = match E::insert_many(unique)
        .on_conflict(OnConflict::column(key).do_nothing().to_owned())
        .exec_with_returning_keys(db)
        .await
    {
        Ok(keys) => keys.into_iter().collect(),
        Err(DbErr::RecordNotInserted) => HashSet::new(),
        Err(e) => return Err(e),
    };
    let mut answered = HashSet::new();
    Ok(ids
        .into_iter()
        .map(|id| inserted.contains(&id) && answered.insert(id))
        .collect())
}
