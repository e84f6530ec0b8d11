//! A breaking schema change through the real window: the impact panel, the breaking path, and
//! the reader's notice on another desktop.

use std::time::Duration;

use meshdesk_tests::{desktop, env_file_as, repo_root, sandbox};

use crate::window::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breaking_change_goes_the_safe_way_and_its_reader_is_told() {
    // Verifies the breaking change journey in the window: with Sales' grant on Stock levels in force and its consumer group `sales.stock-check` two records behind, Ines edits the schema incompatibly (quantity becomes a decimal); the impact panel says it is incompatible and lists the grant's reader User:sales-app with its group and lag 2, and the derived product Orders (screenshot target/e2e/impact-panel.png); she takes the breaking path, the wizard gains the `-v2` port and publishes it; the product page shows the old port deprecated with its sunset date; on Sam's desktop the top bar counts the changes and the product page shows the notice naming the port to move to (screenshot target/e2e/change-notice.png), and Acknowledge clears it.
    let app = app_bin();
    let t = sandbox(true).await;
    {
        let (_s, sam) = desktop(&t, "User:sam").await;
        let (_i, ines) = desktop(&t, "User:ines").await;
        crate::changes::granted_and_read(&t, &sam, &ines).await;
    }
    let cfg = tempfile::tempdir().unwrap();
    let (sam, ines) = (env_for(cfg.path(), &t, "sam"), env_for(cfg.path(), &t, "ines"));
    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    let driver = Driver::start().await;
    let url = &driver.url;

    // Ines edits Stock levels: quantity becomes a decimal.
    let client = session(url, &app, &ines).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    click(&client, ".product-card[data-product-id='inventory.stock-levels'] .product-title a").await;
    text_of(&client, "#product-title", Duration::from_secs(30), |t| t == "Stock levels").await;
    click(&client, "#edit-product").await;
    // The edit opens the wizard on a draft of the product; if not, the page says why.
    let started = std::time::Instant::now();
    while client.find(fantoccini::Locator::Css("#wizard-body h2")).await.is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            std::fs::write(repo_root().join("target/e2e/edit-not-opened.png"), client.screenshot().await.unwrap())
                .unwrap();
            let page = client.find(fantoccini::Locator::Css("main")).await.unwrap().text().await.unwrap();
            panic!("the wizard did not open for the edit: {page}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    text_of(&client, "#wizard-body h2", Duration::from_secs(30), |t| t == "2. Product").await;
    click(&client, "#wizard-next").await;
    click(&client, "#wizard-next").await;
    text_of(&client, ".schema-edit h3", Duration::from_secs(30), |t| t == "inventory.stock-level-updated-value").await;
    let registered = meshdesk_domain::seed::STOCK_LEVEL_UPDATED;
    let decimal = registered.replace(
        r#""type": "int""#,
        r#""type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#,
    );
    // One line: the editor indents new lines itself.
    let typed: String = decimal.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    type_in_editor(&client, "#schema-text-0", &typed).await;
    let panel = text_of(&client, "#impact-0", Duration::from_secs(20), |t| t.contains("sales.stock-check")).await;
    assert!(panel.contains("Incompatible"), "{panel}");
    let row =
        text_of(&client, "#impact-readers tbody tr", Duration::from_secs(15), |t| t.contains("User:sales-app")).await;
    assert!(row.contains("sales.stock-check") && row.contains("access grant of sales"), "{row}");
    let lag =
        text_of(&client, "#impact-readers tbody tr td:nth-child(4)", Duration::from_secs(15), |t| !t.is_empty()).await;
    assert_eq!(lag, "2", "the group's lag");
    assert!(panel.contains("Orders"), "the derived product: {panel}");
    client.execute("document.getElementById('impact-0').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    std::fs::write(repo_root().join("target/e2e/impact-panel.png"), client.screenshot().await.unwrap()).unwrap();

    // The breaking path: a -v2 port, the old one kept until the sunset date.
    let sunset = client.find(fantoccini::Locator::Id("breaking-sunset")).await.unwrap();
    client
        .execute(
            "arguments[0].value = '2027-03-31'; arguments[0].dispatchEvent(new Event('input'))",
            vec![serde_json::to_value(&sunset).unwrap()],
        )
        .await
        .unwrap();
    client
        .find(fantoccini::Locator::Id("breaking-reason"))
        .await
        .unwrap()
        .send_keys("quantity becomes a decimal")
        .await
        .unwrap();
    click(&client, "#take-breaking-path").await;
    text_of(&client, ".schema-edit[data-topic='inventory.stock-level-updated-v2'] h3", Duration::from_secs(30), |t| {
        t == "inventory.stock-level-updated-v2-value"
    })
    .await;
    for _ in 0..4 {
        click(&client, "#wizard-next").await;
    }
    click(&client, "#publish").await;
    text_of(&client, "#publish-done", Duration::from_secs(90), |t| t.starts_with("Published.")).await;
    client.find(fantoccini::Locator::LinkText("Catalog")).await.unwrap().click().await.unwrap();
    click(&client, ".product-card[data-product-id='inventory.stock-levels'] .product-title a").await;
    click(&client, "#tab-schema").await;
    let old = text_of(&client, ".port[data-topic='inventory.stock-level-updated']", Duration::from_secs(30), |t| {
        t.contains("deprecated")
    })
    .await;
    assert!(old.contains("Kept until 2027-03-31; readers move to inventory.stock-level-updated-v2"), "{old}");
    driver.close(client).await;

    // Sam is told.
    let client = session(url, &app, &sam).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    let pill = text_of(&client, "#notices-pill", Duration::from_secs(30), |t| t.contains("to products you read")).await;
    assert!(pill.starts_with("2 changes"), "{pill}");
    click(&client, "#notices-pill").await;
    let banner = text_of(&client, "#change-banner", Duration::from_secs(20), |t| t.contains("you need to act")).await;
    assert!(banner.contains("inventory.stock-level-updated is deprecated (quantity becomes a decimal) and retired after 2027-03-31; move to inventory.stock-level-updated-v2"), "{banner}");
    std::fs::write(repo_root().join("target/e2e/change-notice.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#acknowledge-change").await;
    let started = std::time::Instant::now();
    while client.find(fantoccini::Locator::Id("change-banner")).await.is_ok() {
        assert!(started.elapsed() < Duration::from_secs(30), "the notice stays after Acknowledge");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    driver.close(client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_are_shown_checked_and_protected_on_the_schemas_page() {
    // Verifies references in the window: a shared `Address` subject and a `Customer` subject whose Avro schema uses it; the Schemas page shows Address used by Customer (the graph), refuses to delete Address's version with the referrer named (screenshot target/e2e/schema-references.png); from the link, Customer's schema is checked with the reference in place (valid, and a new optional field compatible) and registered as version 2.
    use meshdesk_domain::SchemaFormat;
    use meshdesk_registry::{RegistryClient, SchemaReference};
    let app = app_bin();
    let t = sandbox(true).await;
    let r = RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    let address = "shared.address-value";
    let address_v1 = r#"{"type": "record", "name": "Address", "namespace": "shared", "fields": [{"name": "city", "type": "string"}]}"#;
    r.register(address, address_v1, SchemaFormat::Avro).await.unwrap();
    let customer = "crm.customer-value";
    let customer_v1 = r#"{"type": "record", "name": "Customer", "namespace": "crm", "fields": [{"name": "id", "type": "string"}, {"name": "home", "type": "shared.Address"}]}"#;
    let refs = [SchemaReference { name: "shared.Address".into(), subject: address.into(), version: 1 }];
    r.register_with(customer, customer_v1, SchemaFormat::Avro, &refs, None, None).await.unwrap();
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_as(cfg.path(), "ines", &t.sandbox, "User:ines");
    let driver = Driver::start().await;
    let client = session(&driver.url, &app, &env).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(60))
        .await;
    client.find(fantoccini::Locator::LinkText("Schemas")).await.unwrap().click().await.unwrap();
    click(&client, &format!("button.subject[data-subject='{address}']")).await;
    let used_by = text_of(&client, "#schema-referrers", Duration::from_secs(30), |t| t.contains(customer)).await;
    assert!(used_by.contains("as shared.Address"), "{used_by}");
    click(&client, "#delete-version-1").await;
    click(&client, "#delete-version-1-confirm").await;
    let refused = text_of(&client, "#delete-outcome", Duration::from_secs(20), |t| !t.is_empty()).await;
    assert!(refused.contains("is referenced by crm.customer-value version 1, so it cannot be deleted"), "{refused}");
    client.execute("document.getElementById('delete-outcome').scrollIntoView({block: 'end'})", vec![]).await.unwrap();
    std::fs::write(repo_root().join("target/e2e/schema-references.png"), client.screenshot().await.unwrap()).unwrap();

    click(&client, &format!("#schema-referrers button.ref-subject[data-subject='{customer}']")).await;
    text_of(&client, "#schema-valid", Duration::from_secs(30), |t| t == "Valid Avro.").await;
    let evolved = customer_v1.replace(
        r#"{"name": "id", "type": "string"}"#,
        r#"{"name": "id", "type": "string"}, {"name": "tier", "type": ["null", "string"], "default": null}"#,
    );
    type_in_editor(&client, "#schema-editor", &evolved).await;
    text_of(&client, "#schema-verdict", Duration::from_secs(30), |t| t.starts_with("Compatible")).await;
    click(&client, "#register-schema").await;
    click(&client, "#register-schema-confirm").await;
    let said = text_of(&client, "#register-outcome", Duration::from_secs(20), |t| !t.is_empty()).await;
    assert!(said.starts_with("Registered as version 2"), "{said}");
    assert_eq!(r.version(customer, Some(2)).await.unwrap().references, refs.to_vec(), "the references were kept");
    driver.close(client).await;
}
