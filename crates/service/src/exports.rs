//! Exports of the catalog for other tools: a product's data contract (ODCS) and channels
//! (AsyncAPI) as YAML; DataHub metadata change proposals, OpenLineage run events and Apache
//! Atlas entities as JSON, for one product or the whole catalog. The documents come from
//! `meshdesk_domain::export`, with this environment's endpoints.

use meshdesk_domain::export::{self, Endpoints};
use meshdesk_domain::{DataProduct, Domain, DomainId, Principal};
use serde_json::Value;

use crate::{Meshdesk, ServiceError, invalid, now_ms};

/// The formats, for messages.
const FORMATS: &str = "odcs, asyncapi, datahub, openlineage or atlas";

impl Meshdesk {
    /// A product's export as text: YAML for `odcs` and `asyncapi`, JSON for `datahub`,
    /// `openlineage` and `atlas`.
    pub async fn export_product(&self, id: &str, format: &str) -> Result<String, ServiceError> {
        let doc = self.export_document(Some(id), format).await?;
        Ok(match format {
            "odcs" | "asyncapi" => export::to_yaml(&doc),
            _ => serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
        })
    }

    /// An export as a document: of one product, or (`None`, for the catalog-wide formats
    /// `datahub`, `openlineage` and `atlas`) of every product in the catalog.
    pub async fn export_document(&self, id: Option<&str>, format: &str) -> Result<Value, ServiceError> {
        let conn = self.connection().await?;
        let at = Endpoints {
            name: conn.name.clone(),
            bootstrap_servers: conn.kafka.bootstrap_servers().to_owned(),
            registry_url: conn.registry.base_url().to_owned(),
        };
        // A product's own documents need only that product; the catalogs' formats look up
        // inputs (and domains) in the whole catalog.
        if let ("odcs" | "asyncapi", Some(id)) = (format, id) {
            let p =
                self.store.product(id).await?.ok_or_else(|| invalid(format!("product {id} is not in the catalog")))?;
            return Ok(match format {
                "odcs" => export::odcs_document(&p.product, &at),
                _ => export::asyncapi_document(&p.product, &at),
            });
        }
        let catalog = self.store.published_products().await?;
        let chosen: Vec<DataProduct> = match id {
            Some(id) => vec![
                catalog
                    .iter()
                    .find(|p| p.id.as_str() == id)
                    .cloned()
                    .ok_or_else(|| invalid(format!("product {id} is not in the catalog")))?,
            ],
            None => catalog.clone(),
        };
        match format {
            "odcs" | "asyncapi" => Err(invalid(format!("{format} describes one product at a time: name it"))),
            "datahub" => Ok(export::datahub_mcps(&chosen, &catalog, &self.catalog_domains().await?, &at)),
            "openlineage" => Ok(Value::Array(export::openlineage_events(&chosen, &catalog, &at, now_ms()))),
            "atlas" => Ok(export::atlas_entities(&chosen, &at)),
            other => Err(invalid(format!("unknown export format `{other}`: {FORMATS}"))),
        }
    }

    /// The file name an export is offered under, e.g. `sales.orders.datahub.json`.
    pub fn export_file_name(id: &str, format: &str) -> String {
        let ext = if matches!(format, "odcs" | "asyncapi") { "yaml" } else { "json" };
        format!("{id}.{format}.{ext}")
    }

    /// Writes a product's export to `path`.
    pub async fn export_product_to(&self, id: &str, format: &str, path: &std::path::Path) -> Result<(), ServiceError> {
        let text = self.export_product(id, format).await?;
        std::fs::write(path, text).map_err(|e| invalid(format!("{} could not be written: {e}", path.display())))
    }

    async fn catalog_domains(&self) -> Result<Vec<Domain>, ServiceError> {
        let rows = self.store.list_domains().await?;
        Ok(rows
            .into_iter()
            .filter_map(|d| {
                Some(Domain {
                    id: DomainId::parse(&d.id).ok()?,
                    name: d.name,
                    description: d.description,
                    owners: d.owners.iter().filter_map(|o| Principal::parse(o).ok()).collect(),
                    contact: d.contact,
                })
            })
            .collect())
    }
}
