use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use meshdesk_tests::{client_json, repo_root};

use crate::window::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_window_shows_the_seeded_catalog_and_filters_it() {
    // Verifies the main journeys through the real app window: on a fresh data dir the app starts its embedded sandbox (the window under a content security policy that blocks eval), seeds it, shows facet labels that contrast with their background, shows the three seeded products with both endpoints up and filters them as you type (screenshot target/e2e/catalog.png); a second start on the same data directory brings the window forward and ends; the schema editor (see schema_editor_journey); searching a field name and opening the product page with records produced by an independent client (see search_and_product_page_journey).
    let app = app_bin();

    let driver = Driver::start().await;
    let (url, data) = (&driver.url, &driver.data);

    let caps = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": app.to_str().unwrap() }
    });
    let client = ClientBuilder::native()
        .capabilities(caps.as_object().unwrap().clone())
        .connect(url)
        .await
        .expect("a WebDriver session on the app window");

    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    wait_for_cards(&client, &all, Duration::from_secs(120)).await;
    // The facet labels are readable: their text contrasts with what is behind them (WCAG AA,
    // 4.5:1; the page background where the button has none).
    let contrast = client
        .execute(
            r#"const el = document.querySelector('.facet-value');
               const rgb = s => s.match(/[\d.]+/g).slice(0, 4).map(Number);
               const lum = ([r, g, b]) => [r, g, b].map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
                 .reduce((a, c, i) => a + c * [0.2126, 0.7152, 0.0722][i], 0);
               let bg = el, back = rgb(getComputedStyle(bg).backgroundColor);
               while (bg && (back.length === 4 && back[3] === 0)) { bg = bg.parentElement; back = rgb(getComputedStyle(bg || document.body).backgroundColor); }
               const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(back)];
               return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);"#,
            vec![],
        )
        .await
        .unwrap();
    let ratio = contrast.as_f64().unwrap();
    assert!(ratio >= 4.5, "facet labels contrast {ratio:.2}:1 with their background");
    // The window runs under a content security policy: no eval, no inline script.
    let eval = client
        .execute("try { eval('1 + 1'); return 'allowed'; } catch (e) { return 'blocked'; }", vec![])
        .await
        .unwrap();
    assert_eq!(eval.as_str(), Some("blocked"), "the CSP forbids eval");
    let titles: Vec<String> = {
        let mut t = Vec::new();
        for el in client.find_all(Locator::Css(".product-card .product-title")).await.unwrap() {
            t.push(el.text().await.unwrap());
        }
        t.sort();
        t
    };
    assert_eq!(titles, ["Customer profiles", "Orders", "Stock levels"]);

    // The environment indicator shows both endpoints reachable.
    let started = Instant::now();
    while client.find_all(Locator::Css("#probe-broker .dot.up, #probe-registry .dot.up")).await.unwrap().len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "broker and registry never showed as up");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let screenshot = client.screenshot().await.expect("a screenshot of the window");
    let out = repo_root().join("target/e2e");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("catalog.png"), &screenshot).unwrap();
    assert!(screenshot.starts_with(b"\x89PNG"), "the screenshot is a PNG");

    // A second start on the same data directory brings this window forward and ends: no second
    // broker on the same storage.
    let second = Command::new(&app)
        .env("MESHDESK_DATA_DIR", data.path().join("meshdesk"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out2 = tokio::task::spawn_blocking(move || second.wait_with_output()).await.unwrap().unwrap();
    let said = String::from_utf8_lossy(&out2.stderr);
    assert!(out2.status.success(), "{said}");
    assert!(said.contains("already running on") && said.contains("brought forward"), "{said}");
    wait_for_cards(&client, &all, Duration::from_secs(10)).await;

    // Filtering as you type narrows the list; clearing it brings everything back.
    let search = client.find(Locator::Id("catalog-search")).await.unwrap();
    search.send_keys("order-placed").await.unwrap();
    wait_for_cards(&client, &["sales.orders"], Duration::from_secs(10)).await;
    search.clear().await.unwrap();
    search.send_keys(" ").await.unwrap();
    wait_for_cards(&client, &all, Duration::from_secs(10)).await;

    // Navigation reaches the domains page, which lists the three domains.
    client.find(Locator::LinkText("My domains")).await.unwrap().click().await.unwrap();
    let started = Instant::now();
    while client.find_all(Locator::Css(".domain-card")).await.unwrap().len() != 3 {
        assert!(started.elapsed() < Duration::from_secs(10), "the domains page did not list three domains");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    schema_editor_journey(&client).await;
    search_and_product_page_journey(&client, &data.path().join("meshdesk/sandbox")).await;
    driver.close(client).await;
}
async fn type_schema(client: &Client, text: &str) {
    type_in_editor(client, "#schema-editor", text).await;
}

/// The schema editor in the real window gives the same verdicts as the native engine.
async fn schema_editor_journey(client: &Client) {
    use meshdesk_domain::CompatibilityLevel;
    use meshdesk_domain::schema::{AvroSchema, check};
    use meshdesk_domain::seed;

    client.find(Locator::LinkText("Schemas")).await.unwrap().click().await.unwrap();
    let subject = "button.subject[data-subject='inventory.stock-level-updated-value']";
    let started = Instant::now();
    let button = loop {
        if let Ok(b) = client.find(Locator::Css(subject)).await {
            break b;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the subject list never showed the seeded subjects");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    button.click().await.unwrap();
    text_of(client, "#subject-level", Duration::from_secs(10), |t| t == "BACKWARD_TRANSITIVE").await;
    text_of(client, "#schema-valid", Duration::from_secs(10), |t| t == "Valid Avro.").await;

    // A mistake: the browser points where the native parser points.
    let invalid = r#"{"type": "record", "name": "StockLevelUpdated", "namespace": "example.retail.inventory", "fields": [{"name": "productId", "type": "integer"}]}"#;
    let native_error = AvroSchema::parse(invalid).unwrap_err().to_string();
    type_schema(client, invalid).await;
    text_of(client, "#schema-error", Duration::from_secs(10), |t| t == native_error).await;
    let marked = client.find(Locator::Id("schema-editor")).await.unwrap().attr("data-error-line").await.unwrap();
    assert_eq!(marked.as_deref(), Some("1"), "the error's line is marked");
    assert!(
        client.find(Locator::Css("#schema-editor .cm-lint-marker-error")).await.is_ok(),
        "the error's marker is in the gutter"
    );

    // An incompatible change: the same explanations as natively.
    let incompatible = r#"{"type": "record", "name": "StockLevelUpdated", "namespace": "example.retail.inventory", "fields": [{"name": "productId", "type": "string"}, {"name": "quantity", "type": "string"}]}"#;
    let old = AvroSchema::parse(seed::STOCK_LEVEL_UPDATED).unwrap();
    let native: Vec<String> =
        check(CompatibilityLevel::BackwardTransitive, &[(1, &old)], &AvroSchema::parse(incompatible).unwrap())
            .issues
            .into_iter()
            .map(|i| i.message)
            .collect();
    assert!(!native.is_empty());
    type_schema(client, incompatible).await;
    text_of(client, "#schema-verdict", Duration::from_secs(10), |t| t.starts_with("Not compatible")).await;
    let mut shown = Vec::new();
    for li in client.find_all(Locator::Css("#schema-verdict li.issue")).await.unwrap() {
        shown.push(li.text().await.unwrap());
    }
    assert_eq!(shown, native, "the browser's verdict is the native one");
    let register = client.find(Locator::Id("register-schema")).await.unwrap();
    assert!(register.attr("disabled").await.unwrap().is_some(), "an incompatible schema cannot be registered");
    let shot = client.screenshot().await.unwrap();
    std::fs::write(repo_root().join("target/e2e/schema-editor.png"), shot).unwrap();

    // A compatible change registers, and the history shows it field by field.
    client
        .find(Locator::Css("button.subject[data-subject='customer.profile-updated-value']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    text_of(client, "#schema-valid", Duration::from_secs(10), |t| t == "Valid Avro.").await;
    let mut evolved: serde_json::Value = serde_json::from_str(seed::PROFILE_UPDATED).unwrap();
    evolved["fields"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "loyaltyTier", "type": ["null", "string"], "default": null}));
    type_schema(client, &evolved.to_string()).await;
    text_of(client, "#schema-verdict", Duration::from_secs(10), |t| t.starts_with("Compatible")).await;
    client.find(Locator::Id("register-schema")).await.unwrap().click().await.unwrap();
    // Registering cannot be undone: it asks first.
    let asked = text_of(client, ".confirm-question", Duration::from_secs(5), |t| t.contains("version 2")).await;
    assert!(asked.contains("customer.profile-updated-value"), "{asked}");
    client.find(Locator::Id("register-schema-confirm")).await.unwrap().click().await.unwrap();
    text_of(client, "#schema-diff", Duration::from_secs(20), |t| t.contains("loyaltyTier") && t.contains("added"))
        .await;
}

/// Searching a schema field name finds the product whose topic carries it, with the match
/// highlighted; its page shows the records an independent client (confluent-kafka for Python,
/// with its own Avro serializer against the sandbox registry) produced, decoded, with the
/// health badge, the contract and the lineage.
async fn search_and_product_page_journey(client: &Client, sandbox_dir: &std::path::Path) {
    client.find(Locator::LinkText("Catalog")).await.unwrap().click().await.unwrap();
    let search = client.find(Locator::Id("catalog-search")).await.unwrap();
    search.send_keys("quantity").await.unwrap();
    wait_for_cards(client, &["inventory.stock-levels", "sales.orders"], Duration::from_secs(10)).await;
    let card = client.find(Locator::Css(".product-card[data-product-id='inventory.stock-levels']")).await.unwrap();
    let text = card.text().await.unwrap();
    assert!(text.contains("inventory.stock-level-updated"), "the card shows the topic: {text}");
    let marked = card.find(Locator::Css(".highlight[data-field='fields'] mark")).await.unwrap().text().await.unwrap();
    assert_eq!(marked, "quantity", "the matched field is highlighted");
    let facet = text_of(client, "[data-facet='domain']", Duration::from_secs(5), |t| t.contains("inventory")).await;
    assert!(facet.contains("sales"), "domain facet with counts: {facet}");

    // An independent client produces five Avro records with the registry's latest schema.
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sandbox_dir.join("sandbox.json")).unwrap()).unwrap();
    let (broker, registry) = (state["broker_port"].as_u64().unwrap(), state["registry_port"].as_u64().unwrap());
    // The app's sandbox lets clients in with SCRAM and ACLs only: as its admin, here.
    let passwords: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sandbox_dir.join("access/sandbox-passwords.json")).unwrap()).unwrap();
    let admin_password = passwords["passwords"]["meshdesk-sandbox"].as_str().unwrap();
    let cluster = client_json(&meshdesk_sandbox::access::scram_profile(
        &format!("127.0.0.1:{broker}"),
        meshdesk_sandbox::access::ADMIN_USER,
        admin_password,
    ));
    let python = std::env::var_os("MESHDESK_PYTHON").map(PathBuf::from).expect("scripts/env.sh sets MESHDESK_PYTHON");
    let out = Command::new(&python)
        .arg(repo_root().join("tests/clients/produce_avro.py"))
        .args([cluster, format!("http://127.0.0.1:{registry}"), "inventory.stock-level-updated".into(), "5".into()])
        .output()
        .expect("the confluent-kafka producer runs (scripts/setup.sh installs it)");
    assert!(out.status.success(), "the Python producer failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);

    card.find(Locator::Css(".product-title a")).await.unwrap().click().await.unwrap();
    text_of(client, "#product-title", Duration::from_secs(10), |t| t == "Stock levels").await;
    std::fs::write(repo_root().join("target/e2e/product.png"), client.screenshot().await.unwrap()).unwrap();
    click(client, "#tab-quality").await;
    let samples = text_of(
        client,
        ".port-samples[data-topic='inventory.stock-level-updated'] .sample-records",
        Duration::from_secs(20),
        |t| t.contains("SKU-PY-004"),
    )
    .await;
    // Shown indented, one field per line.
    assert!(samples.contains(r#""quantity": 44"#) && samples.contains(r#""locationId": "WH-PY-1""#), "{samples}");
    text_of(client, "#health-badge", Duration::from_secs(15), |t| t == "healthy").await;
    std::fs::write(repo_root().join("target/e2e/product-quality.png"), client.screenshot().await.unwrap()).unwrap();
    click(client, "#tab-contract").await;
    let contract = text_of(client, "#contract-fields", Duration::from_secs(5), |t| t.contains("units")).await;
    assert!(contract.contains("Units on hand after the change"), "{contract}");
    text_of(client, "#contract-quality", Duration::from_secs(5), |t| t.contains("quantity >= 0")).await;
    // The contract as the registry holds it: what Confluent's serializers enforce.
    let held =
        text_of(client, "#contract-registry", Duration::from_secs(10), |t| t.contains("message.quantity >= 0")).await;
    assert!(held.contains("User:ines") && held.contains("a record that fails is refused"), "{held}");
    client
        .execute("document.getElementById('contract-registry').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    std::fs::write(repo_root().join("target/e2e/product-contract.png"), client.screenshot().await.unwrap()).unwrap();
    click(client, "#tab-lineage").await;
    let lineage = text_of(client, "#lineage", Duration::from_secs(5), |t| t.contains("Orders")).await;
    assert!(lineage.contains("Stock levels"), "{lineage}");

    // The lineage links to the downstream product.
    click(client, "#lineage g.lineage-link text.lineage-title").await;
    text_of(client, "#product-title", Duration::from_secs(10), |t| t == "Orders").await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_publishes_a_product_through_the_window() {
    // Verifies the onboarding wizard in the real app window as Inventory's owner: choose the domain, name the product, add the port inventory.stock-reserved, generate a two-field schema, see the PII flag suggested for customerEmail, pass the policies, review the exact plan (screenshot target/e2e/wizard-review.png) and publish with each step shown (the registry stopped after the topic step: the failure shows, and Resume completes once it is back; screenshots target/e2e/wizard-failed.png and wizard-published.png); then the broker has the topic with its configs, the registry the subject at BACKWARD_TRANSITIVE, the governance log the event, and the catalog the product.
    use meshdesk_tests::{env_file_as, sandbox};
    let app = app_bin();
    let mut t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_as(cfg.path(), "ines", &t.sandbox, "User:ines");

    // A legacy topic whose name differs from the new port's only by `_` for `.`.
    let legacy = meshdesk_kafka::TopicSpec {
        name: "inventory_stock-reserved".into(),
        partitions: 1,
        replication_factor: 1,
        configs: vec![],
    };
    meshdesk_kafka::Admin::new(&t.sandbox.kafka_profile()).unwrap().create_topics(&[legacy]).await.unwrap();

    let driver = Driver::start().await;
    let url = &driver.url;
    let client = session(url, &app, &env).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(60))
        .await;

    client.find(Locator::LinkText("New product")).await.unwrap().click().await.unwrap();
    click(&client, "#wizard-new").await;
    // 1. Domain
    click(&client, ".domain-choice[value='inventory']").await;
    click(&client, "#wizard-next").await;
    // 2. Product
    let typed = |css: &'static str, text: &'static str| {
        let client = client.clone();
        async move {
            let el = client.find(Locator::Css(css)).await.unwrap();
            el.clear().await.unwrap();
            el.send_keys(text).await.unwrap();
        }
    };
    typed("#product-name", "stock-reservations").await;
    typed("#product-title", "Stock reservations").await;
    typed("#product-description", "Stock reserved for a customer until the order is confirmed.").await;
    text_of(&client, ".wizard-body", Duration::from_secs(5), |t| t.contains("id: inventory.stock-reservations")).await;
    click(&client, "#wizard-next").await;
    // 3. Output ports. A character a topic name cannot hold is named, not dropped.
    typed("#port-event", "ßtock-reserved").await;
    text_of(&client, "#port-topic-preview", Duration::from_secs(5), |t| t.contains("`ß` cannot be used")).await;
    let add = client.find(Locator::Id("port-add")).await.unwrap();
    assert!(add.attr("disabled").await.unwrap().is_some(), "no port from a name that cannot be used");
    typed("#port-event", "stock-reserved").await;
    text_of(&client, "#port-topic-preview", Duration::from_secs(5), |t| t == "topic: inventory.stock-reserved ✓").await;
    click(&client, "#port-add").await;
    text_of(&client, ".port-edit h3", Duration::from_secs(5), |t| t == "inventory.stock-reserved").await;
    let collision = text_of(&client, "#port-collisions", Duration::from_secs(10), |t| t.contains("collides")).await;
    assert!(collision.contains("`inventory_stock-reserved`") && collision.contains("Kafka refuses"), "{collision}");
    // Kafka would refuse the new topic: the platform team removes the legacy one first.
    let gone = meshdesk_kafka::Admin::new(&t.sandbox.kafka_profile())
        .unwrap()
        .delete_topics(&["inventory_stock-reserved"])
        .await
        .unwrap();
    assert!(gone.iter().all(|(_, r)| r.is_ok()), "{gone:?}");
    click(&client, "#wizard-next").await;
    // 4. Schemas
    // Two lines; the newline is the Enter key.
    typed(".schema-fields", "reservationId:string:The reservation's id.\u{E007}customerEmail:string:Who reserved.")
        .await;
    click(&client, ".schema-generate").await;
    text_of(&client, ".schema-status", Duration::from_secs(5), |t| t == "Valid Avro.").await;
    // The field list stays after Generate; the schema is in the code editor; no findings speak
    // in paths.
    let kept = client.find(Locator::Css(".schema-fields")).await.unwrap().prop("value").await.unwrap();
    assert!(kept.unwrap_or_default().contains("customerEmail"), "the field list stays");
    text_of(&client, ".schema-edit .cm-content", Duration::from_secs(5), |t| t.contains("\"customerEmail\"")).await;
    let body = client.find(Locator::Id("wizard-body")).await.unwrap().text().await.unwrap();
    assert!(!body.contains("ports["), "{body}");
    std::fs::write(repo_root().join("target/e2e/wizard-schemas.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#wizard-next").await;
    // 5. Contract: the PII flag is suggested for customerEmail, not for reservationId.
    text_of(&client, "#contract-edit", Duration::from_secs(5), |t| t.contains("customerEmail")).await;
    let pii = client.find(Locator::Css("tr[data-field='customerEmail'] .field-pii")).await.unwrap();
    assert!(pii.is_selected().await.unwrap(), "PII suggested for customerEmail");
    let not_pii = client.find(Locator::Css("tr[data-field='reservationId'] .field-pii")).await.unwrap();
    assert!(!not_pii.is_selected().await.unwrap());
    click(&client, "#quality-kind option[value='unique']").await;
    typed("#quality-field", "reservationId").await;
    click(&client, "#quality-add").await;
    text_of(&client, "#quality-rules", Duration::from_secs(5), |t| t.contains("reservationId identifies a record"))
        .await;
    click(&client, "#wizard-next").await;
    // 6. Policy check
    text_of(&client, "#policy-verdict", Duration::from_secs(5), |t| t == "Every policy passes.").await;
    click(&client, "#wizard-next").await;
    // 7. Review
    let plan = text_of(&client, "#review-plan", Duration::from_secs(20), |t| t.contains("publish the product")).await;
    assert!(plan.contains("create topic inventory.stock-reserved (3 partitions, replication 1, retention.ms=604800000, cleanup.policy=delete)"), "{plan}");
    assert!(plan.contains("set the compatibility of inventory.stock-reserved-value to BACKWARD_TRANSITIVE"), "{plan}");
    text_of(&client, "#review-verdict", Duration::from_secs(5), |t| t == "The backend's policy check passes.").await;
    std::fs::create_dir_all(repo_root().join("target/e2e")).unwrap();
    std::fs::write(repo_root().join("target/e2e/wizard-review.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#wizard-next").await;
    // 8. Publish, with the registry gone after the topic step: the failure is shown with its
    // reason; once the registry is back, Resume finishes without repeating the topic step.
    t.sandbox.stop_registry().await;
    click(&client, "#publish").await;
    let failure = text_of(&client, "#publish-failure", Duration::from_secs(60), |t| !t.is_empty()).await;
    assert!(
        failure.starts_with("set the compatibility of inventory.stock-reserved-value to BACKWARD_TRANSITIVE failed:"),
        "{failure}"
    );
    let first =
        text_of(&client, "#publish-steps li[data-state='done']", Duration::from_secs(5), |t| t.contains("created"))
            .await;
    assert!(first.starts_with("create topic inventory.stock-reserved"), "{first}");
    text_of(&client, "#publish", Duration::from_secs(5), |t| t == "Resume").await;
    std::fs::write(repo_root().join("target/e2e/wizard-failed.png"), client.screenshot().await.unwrap()).unwrap();
    t.sandbox.start_registry().await.unwrap();
    click(&client, "#publish").await;
    text_of(&client, "#publish-done", Duration::from_secs(60), |t| t.starts_with("Published.")).await;
    let first = client.find(Locator::Css("#publish-steps li")).await.unwrap().text().await.unwrap();
    assert!(first.ends_with(": created"), "the topic step kept its first result: {first}");
    let steps = client.find_all(Locator::Css("#publish-steps li[data-state='done']")).await.unwrap();
    assert_eq!(steps.len(), 5, "topic, level, schema, owner ACLs, product");
    std::fs::write(repo_root().join("target/e2e/wizard-published.png"), client.screenshot().await.unwrap()).unwrap();

    // On the cluster, in the registry and in the log.
    let profile = t.sandbox.kafka_profile();
    let admin = meshdesk_kafka::Admin::new(&profile).unwrap();
    assert_eq!(admin.describe_topic("inventory.stock-reserved").await.unwrap().partitions.len(), 3);
    let configs = admin.topic_configs("inventory.stock-reserved").await.unwrap();
    assert_eq!((configs["retention.ms"].as_str(), configs["cleanup.policy"].as_str()), ("604800000", "delete"));
    let registry = meshdesk_registry::RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    assert_eq!(
        registry.compatibility("inventory.stock-reserved-value").await.unwrap(),
        meshdesk_domain::CompatibilityLevel::BackwardTransitive
    );
    assert!(registry.version("inventory.stock-reserved-value", None).await.unwrap().schema.contains("customerEmail"));
    // The catalog lists it once the event went out and came back.
    client.find(Locator::LinkText("Catalog")).await.unwrap().click().await.unwrap();
    wait_for_cards(
        &client,
        &["customer.profiles", "inventory.stock-levels", "inventory.stock-reservations", "sales.orders"],
        Duration::from_secs(30),
    )
    .await;
    let records =
        meshdesk_kafka::read_partition(&profile, meshdesk_domain::GOVERNANCE_TOPIC, 0, 0, 1000).await.unwrap();
    let published = records
        .iter()
        .filter_map(|r| meshdesk_domain::Envelope::from_bytes(r.value.as_deref()?).ok())
        .filter(|e| e.kind == "ProductPublished" && e.payload["id"] == "inventory.stock-reservations")
        .count();
    assert_eq!(published, 1);
    driver.close(client).await;
}
