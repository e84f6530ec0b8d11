//! Exports of the seeded catalog checked by the catalogs' own code: DataHub's CLI, the
//! OpenLineage spec's model in openlineage-python, and Apache Atlas's type model.

use std::process::Command;

use serde_json::Value;

/// `meshctl export FORMAT --all` against the sandbox, parsed.
fn export_all(format: &str, env: &std::path::Path, data: &std::path::Path) -> Value {
    let out = Command::new(meshdesk_tests::target_dir().join("debug/meshctl"))
        .args(["export", format, "--all", "--env"])
        .arg(env)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{format} prints JSON: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_exports_pass_datahub_openlineage_and_atlas_checks() {
    // Verifies `meshctl export datahub|openlineage|atlas --all` on the seeded sandbox: `datahub check metadata-file` (acryl-datahub) accepts the DataHub file, which holds a dataset per topic with properties, schema, owners, tags and domain, Orders' upstream lineage from Stock levels, the domains and the data products; the OpenLineage events rebuild exactly from openlineage-python's generated spec model (validators included) with Kafka dataset names `kafka://host:port` + topic; every Atlas `kafka_topic` and `avro_schema` entity carries the attributes Atlas's model requires.
    let t = meshdesk_tests::sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file(dir.path(), "sandbox", &t.sandbox);
    let data = dir.path().join("data");
    let catalog_python =
        std::env::var_os("MESHDESK_CATALOG_PYTHON").expect("scripts/env.sh sets MESHDESK_CATALOG_PYTHON");
    let bin = std::path::Path::new(&catalog_python).parent().unwrap().to_owned();

    // DataHub.
    let mcps = export_all("datahub", &env, &data);
    let file = dir.path().join("catalog.mcps.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&mcps).unwrap()).unwrap();
    let check = Command::new(bin.join("datahub")).args(["check", "metadata-file"]).arg(&file).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success(), "datahub check metadata-file:\n{said}");
    let list = mcps.as_array().unwrap();
    let aspects = |urn: &str| -> Vec<String> {
        list.iter().filter(|m| m["entityUrn"] == urn).map(|m| m["aspectName"].as_str().unwrap().to_owned()).collect()
    };
    let orders = "urn:li:dataset:(urn:li:dataPlatform:kafka,sales.order-placed,SANDBOX)";
    for a in ["datasetProperties", "schemaMetadata", "ownership", "globalTags", "domains", "upstreamLineage"] {
        assert!(aspects(orders).iter().any(|x| x == a), "{orders} lacks {a}: {:?}", aspects(orders));
    }
    let lineage = list.iter().find(|m| m["entityUrn"] == orders && m["aspectName"] == "upstreamLineage").unwrap();
    assert_eq!(
        lineage["aspect"]["json"]["upstreams"][0]["dataset"],
        "urn:li:dataset:(urn:li:dataPlatform:kafka,inventory.stock-level-updated,SANDBOX)"
    );
    assert_eq!(aspects("urn:li:domain:inventory"), ["domainProperties"]);
    assert!(aspects("urn:li:dataProduct:customer.profiles").contains(&"dataProductProperties".to_owned()));

    // OpenLineage.
    let events = export_all("openlineage", &env, &data);
    let file = dir.path().join("lineage.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&events).unwrap()).unwrap();
    let check = Command::new(&catalog_python)
        .arg(meshdesk_tests::repo_root().join("tests/clients/validate_openlineage.py"))
        .arg(&file)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success() && said.starts_with("valid: "), "{said}");
    let orders_run = events.as_array().unwrap().iter().find(|e| e["job"]["name"] == "sales.orders").unwrap();
    let bootstrap = t.sandbox.kafka_profile().bootstrap_servers().to_owned();
    assert_eq!(orders_run["inputs"][0]["namespace"], format!("kafka://{bootstrap}"));
    assert_eq!(orders_run["inputs"][0]["name"], "inventory.stock-level-updated");
    assert_eq!(orders_run["outputs"][0]["name"], "sales.order-placed");

    // Atlas: the required attributes of `kafka_topic` (addons/models/1000-Hadoop/1070-kafka_model.json:
    // `topic`, `uri`; `name` from Asset, `qualifiedName` from Referenceable) and of `avro_schema`
    // (addons/models/1000-Hadoop/1065-avro_model.json: `namespace`, `type` from avro_record).
    let atlas = export_all("atlas", &env, &data);
    let entities = atlas["entities"].as_array().unwrap();
    let required = |type_name: &str| match type_name {
        "kafka_topic" => vec!["qualifiedName", "name", "topic", "uri"],
        "avro_schema" => vec!["qualifiedName", "name", "type", "namespace"],
        other => panic!("unexpected Atlas type {other}"),
    };
    for e in entities {
        let ty = e["typeName"].as_str().unwrap();
        for a in required(ty) {
            let v = &e["attributes"][a];
            assert!(v.as_str().is_some_and(|s| !s.is_empty()), "{ty} {} lacks {a}", e["attributes"]["qualifiedName"]);
        }
    }
    let topics: Vec<&Value> = entities.iter().filter(|e| e["typeName"] == "kafka_topic").collect();
    assert_eq!(topics.len(), 3, "a kafka_topic per seeded port");
    let stock = topics.iter().find(|e| e["attributes"]["topic"] == "inventory.stock-level-updated").unwrap();
    assert_eq!(stock["attributes"]["qualifiedName"], "inventory.stock-level-updated@sandbox");
    assert_eq!(stock["attributes"]["partitionCountLocal"], 3);
    let schema_guid = &stock["attributes"]["avroSchema"][0]["guid"];
    let schema = entities.iter().find(|e| e["guid"] == *schema_guid).expect("the linked avro_schema");
    assert!(schema["attributes"]["avro_notation"].as_str().unwrap().contains("\"quantity\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_contract_imports_into_a_draft_from_the_command_line() {
    // Verifies `meshctl import` on what `meshctl export odcs` and `export asyncapi` wrote for Orders: each becomes a wizard draft in the cache with the product's id, ports and schema, said as JSON with the standard it was read as; a file that is neither is refused with exit 1 and the reason.
    let t = meshdesk_tests::sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file(dir.path(), "sandbox", &t.sandbox);
    let data = dir.path().join("data");
    let meshctl = |args: &[&str]| {
        Command::new(meshdesk_tests::target_dir().join("debug/meshctl"))
            .args(args)
            .arg("--env")
            .arg(&env)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap()
    };
    for (format, source) in [("odcs", "ODCS v3.0.2"), ("asyncapi", "AsyncAPI 3.0.0")] {
        let out = meshctl(&["export", format, "sales.orders"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file = dir.path().join(format!("orders.{format}.yaml"));
        std::fs::write(&file, &out.stdout).unwrap();
        let out = meshctl(&["import", file.to_str().unwrap(), "--output", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["source"], source);
        let product = &v["draft"]["draft"]["product"];
        assert_eq!(product["id"], "sales.orders");
        assert_eq!(product["output_ports"][0]["topic"], "sales.order-placed");
        assert!(product["output_ports"][0]["value_schema"]["schema"].as_str().unwrap().contains("orderId"));
        assert_eq!(v["draft"]["status"], "editing");
    }
    let junk = dir.path().join("junk.yaml");
    std::fs::write(&junk, "kind: Something\n").unwrap();
    let out = meshctl(&["import", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an ODCS data contract"));
}
