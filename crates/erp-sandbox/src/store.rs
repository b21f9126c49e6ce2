//! The sandbox's own storage: one table of JSON documents, through sea-orm.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, QueryOrder, Schema};
use serde_json::Value;

/// One stored document.
pub mod document {
    use sea_orm::entity::prelude::*;

    /// A row of `documents`: one Frappe document of any doctype.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        /// Surrogate key.
        #[sea_orm(primary_key)]
        pub id: i64,
        /// Doctype (`Customer`).
        #[sea_orm(unique_key = "doctype_name")]
        pub doctype: String,
        /// Document name, unique within its doctype.
        #[sea_orm(unique_key = "doctype_name")]
        pub name: String,
        /// The whole document as JSON text, `name`/`creation`/`modified` included.
        pub doc: String,
        /// Creation time, Frappe format (`2024-05-01 10:00:00.000000`).
        pub creation: String,
        /// Last modification time, Frappe format.
        pub modified: String,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Repository of documents.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects and creates the table if needed.
    pub async fn connect(database_url: &str) -> Result<Self, DbErr> {
        let db = stand_in_kit::store::connect(database_url).await?;
        let schema = Schema::new(db.get_database_backend());
        db.execute(
            schema
                .create_table_from_entity(document::Entity)
                .if_not_exists(),
        )
        .await?;
        for mut index in schema.create_index_from_entity(document::Entity) {
            db.execute(index.if_not_exists()).await?;
        }
        Ok(Self { db })
    }

    /// Whether no document is stored at all.
    pub async fn is_empty(&self) -> Result<bool, DbErr> {
        Ok(document::Entity::find().one(&self.db).await?.is_none())
    }

    /// Every document of `doctype`, in insertion order.
    pub async fn find_by_doctype(&self, doctype: &str) -> Result<Vec<Value>, DbErr> {
        let rows = document::Entity::find()
            .filter(document::Column::Doctype.eq(doctype))
            .order_by_asc(document::Column::Id)
            .all(&self.db)
            .await?;
        rows.iter().map(parse_doc).collect()
    }

    /// Every name of `doctype`.
    pub async fn find_names(&self, doctype: &str) -> Result<Vec<String>, DbErr> {
        let rows = document::Entity::find()
            .filter(document::Column::Doctype.eq(doctype))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|row| row.name).collect())
    }

    /// One document by name.
    pub async fn find_by_name(&self, doctype: &str, name: &str) -> Result<Option<Value>, DbErr> {
        let row = self.find_row(doctype, name).await?;
        row.as_ref().map(parse_doc).transpose()
    }

    /// Stores a new document; `doc` must already carry `name`, `creation` and `modified`.
    pub async fn create(&self, doctype: &str, doc: &Value) -> Result<(), DbErr> {
        row(doctype, doc).insert(&self.db).await?;
        Ok(())
    }

    /// Stores new documents of `doctype` in a few statements (a seed of hundreds of documents,
    /// which each test's sandbox does); each must already carry `name`, `creation` and
    /// `modified`.
    pub async fn create_many(&self, doctype: &str, docs: &[Value]) -> Result<(), DbErr> {
        for chunk in docs.chunks(200) {
            let models = chunk.iter().map(|doc| row(doctype, doc));
            document::Entity::insert_many(models).exec(&self.db).await?;
        }
        Ok(())
    }

    /// Replaces the stored document `name`; `false` if there is none.
    pub async fn update(&self, doctype: &str, name: &str, doc: &Value) -> Result<bool, DbErr> {
        let Some(row) = self.find_row(doctype, name).await? else {
            return Ok(false);
        };
        let modified = doc
            .get("modified")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut active: document::ActiveModel = row.into();
        active.doc = Set(doc.to_string());
        active.modified = Set(modified);
        active.update(&self.db).await?;
        Ok(true)
    }

    /// Deletes the document `name`; `false` if there was none.
    pub async fn delete(&self, doctype: &str, name: &str) -> Result<bool, DbErr> {
        let result = document::Entity::delete_many()
            .filter(document::Column::Doctype.eq(doctype))
            .filter(document::Column::Name.eq(name))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    async fn find_row(&self, doctype: &str, name: &str) -> Result<Option<document::Model>, DbErr> {
        document::Entity::find()
            .filter(document::Column::Doctype.eq(doctype))
            .filter(document::Column::Name.eq(name))
            .one(&self.db)
            .await
    }
}

fn parse_doc(row: &document::Model) -> Result<Value, DbErr> {
    serde_json::from_str(&row.doc).map_err(|e| DbErr::Json(e.to_string()))
}

/// The row of `doc`, which carries its `name`, `creation` and `modified`.
fn row(doctype: &str, doc: &Value) -> document::ActiveModel {
    let text = |field: &str| {
        doc.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    document::ActiveModel {
        doctype: Set(doctype.to_owned()),
        name: Set(text("name")),
        doc: Set(doc.to_string()),
        creation: Set(text("creation")),
        modified: Set(text("modified")),
        ..Default::default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_document_is_stored_updated_and_deleted() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        assert!(store.is_empty().await.unwrap());
        let doc = json!({"name": "C1", "creation": "t0", "modified": "t0", "x": 1});
        store.create("Customer", &doc).await.unwrap();
        assert!(store.create("Customer", &doc).await.is_err());
        let changed = json!({"name": "C1", "creation": "t0", "modified": "t1", "x": 2});
        assert!(store.update("Customer", "C1", &changed).await.unwrap());
        assert_eq!(
            store.find_by_name("Customer", "C1").await.unwrap(),
            Some(changed)
        );
        assert_eq!(
            store.find_by_doctype("Contact").await.unwrap(),
            Vec::<Value>::new()
        );
        assert!(store.delete("Customer", "C1").await.unwrap());
        assert!(!store.delete("Customer", "C1").await.unwrap());
    }
}
