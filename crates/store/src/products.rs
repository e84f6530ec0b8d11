//! The product page's reads: one product as published, its lineage neighbours, and which
//! topics and subjects belong to some product.

use meshdesk_domain::{DataProduct, TopicName};

use crate::{Result, Store, StoreError as Error};

/// A product as published, with who published it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedProduct {
    pub product: DataProduct,
    pub published_at_ms: i64,
    pub published_by: String,
}

/// A product's id, title and domain, for lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRef {
    pub id: String,
    pub title: String,
    pub domain: String,
}

impl Store {
    pub async fn product(&self, id: &str) -> Result<Option<PublishedProduct>> {
        let row = sqlx::query!("SELECT body_json, published_at_ms, published_by FROM products WHERE id = ?", id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(PublishedProduct {
                product: serde_json::from_str(&r.body_json)
                    .map_err(|e| Error::Corrupt(format!("product {id} in the cache: {e}")))?,
                published_at_ms: r.published_at_ms,
                published_by: r.published_by,
            })
        })
        .transpose()
    }

    /// Every product in the cache as published, by domain and id (one read, for catalog-wide
    /// exports and lineage).
    pub async fn published_products(&self) -> Result<Vec<DataProduct>> {
        let bodies = sqlx::query_scalar!("SELECT body_json FROM products").fetch_all(&self.pool).await?;
        let mut out = bodies
            .iter()
            .map(|b| {
                serde_json::from_str::<DataProduct>(b)
                    .map_err(|e| Error::Corrupt(format!("a product in the cache: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| (a.domain.as_str(), a.id.as_str()).cmp(&(b.domain.as_str(), b.id.as_str())));
        Ok(out)
    }

    /// The products that name `id` as an input port.
    pub async fn downstream_of(&self, id: &str) -> Result<Vec<ProductRef>> {
        Ok(sqlx::query_as!(
            ProductRef,
            r#"SELECT p.id AS "id!", p.title AS "title!", p.domain AS "domain!" FROM products p
               WHERE EXISTS (SELECT 1 FROM json_each(p.body_json, '$.input_ports') WHERE value = ?1)
               ORDER BY p.domain, p.id"#,
            id
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Titles and domains of `ids` that are in the catalog.
    pub async fn product_refs(&self, ids: &[String]) -> Result<Vec<ProductRef>> {
        let ids = serde_json::to_string(ids).expect("ids serialize");
        Ok(sqlx::query_as!(
            ProductRef,
            r#"SELECT id AS "id!", title AS "title!", domain AS "domain!" FROM products
               WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY domain, id"#,
            ids
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every topic that is some product's output port, with its product.
    pub async fn managed_topics(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query!("SELECT topic, product_id FROM ports ORDER BY topic")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| (r.topic, r.product_id))
            .collect())
    }

    /// The topics a governance admin let `domain` adopt (its ports there come in as they are).
    pub async fn adopted_topics(&self, domain: &str) -> Result<Vec<TopicName>> {
        sqlx::query_scalar!("SELECT topic FROM topic_adoptions WHERE domain = ? ORDER BY topic", domain)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|t| TopicName::parse(t).map_err(|e| Error::Corrupt(format!("adopted topic: {e}"))))
            .collect()
    }
}

/// A topic as the cluster listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterTopic {
    pub name: String,
    pub partitions: i64,
    pub listed_at_ms: i64,
}

impl Store {
    /// Replaces the cached list of the cluster's topics.
    pub async fn put_cluster_topics(&self, topics: &[(String, i64)], at_ms: i64) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query!("DELETE FROM cluster_topics").execute(&mut *tx).await?;
        for (name, partitions) in topics {
            sqlx::query!(
                "INSERT INTO cluster_topics (name, partitions, listed_at_ms) VALUES (?, ?, ?)",
                name,
                partitions,
                at_ms
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The cluster's topics as last listed.
    pub async fn cluster_topics(&self) -> Result<Vec<ClusterTopic>> {
        Ok(sqlx::query_as!(ClusterTopic, "SELECT name, partitions, listed_at_ms FROM cluster_topics ORDER BY name")
            .fetch_all(&self.pool)
            .await?)
    }
}
