//! A product published through the window on Apache Kafka with Apicurio Registry as the
//! environment's registry.

use std::time::Duration;

use fantoccini::Locator;
use meshdesk_domain::export::{Endpoints, odcs_yaml};
use meshdesk_registry::RegistryClient;
use meshdesk_tests::{Apicurio, env_file_as, sandbox};

use crate::window::{Driver, app_bin, click, session, shot, text_of, wait_for_cards};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_is_published_through_the_window_against_apicurio() {
    // Verifies the wizard in the app window on Apache Kafka with Apicurio Registry 3.3 (its Confluent API) as the registry: an ODCS contract pasted into the import makes a draft, which passes the policies and publishes in five steps; the schema step says Apicurio Registry does not keep the contract (screenshot target/e2e/apicurio-published.png); Apicurio then has the subject at BACKWARD_TRANSITIVE with the schema and no contract, and the product's Contract tab says the registry does not keep it rather than failing (apicurio-contract.png).
    let t = sandbox(true).await;
    let apicurio = Apicurio::start().await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_as(cfg.path(), "kafka and apicurio", &t.sandbox, "User:ines");
    let text = std::fs::read_to_string(&env).unwrap();
    let text = text.replace(&format!("url = \"{}\"", t.sandbox.registry_url()), &format!("url = \"{}\"", apicurio.url));
    assert!(text.contains(&apicurio.url), "the file names Apicurio: {text}");
    std::fs::write(&env, text).unwrap();

    // Stock levels' contract, renamed: a new product for Inventory's owner.
    let at = Endpoints {
        name: "kafka and apicurio".into(),
        bootstrap_servers: t.sandbox.bootstrap_servers(),
        registry_url: apicurio.url.clone(),
    };
    let stock = meshdesk_domain::seed::products().remove(0);
    let contract = odcs_yaml(&stock, &at)
        .replace("stock-levels", "stock-holds")
        .replace("stock-level-updated", "stock-held")
        .replace("Stock levels", "Stock holds");

    let driver = Driver::start().await;
    let client = session(&driver.url, &app_bin(), &env).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(60))
        .await;
    let registry = text_of(&client, "#probe-registry", Duration::from_secs(30), |t| t.contains("subject")).await;
    assert!(registry.contains("0 subjects"), "{registry}");

    client.find(Locator::LinkText("New product")).await.unwrap().click().await.unwrap();
    click(&client, "#import-document summary").await;
    // Pasted: the text set at once, as a paste does, then the input event Leptos listens to.
    client
        .execute(
            "const t = document.getElementById('import-text'); t.value = arguments[0]; \
             t.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::Value::String(contract)],
        )
        .await
        .unwrap();
    click(&client, "#import-submit").await;
    text_of(&client, "#import-outcome", Duration::from_secs(20), |t| t.starts_with("Read as ODCS")).await;
    click(&client, "#import-outcome a").await;
    text_of(&client, "#wizard-body", Duration::from_secs(20), |t| !t.is_empty()).await;
    for _ in 0..7 {
        click(&client, "#wizard-next").await;
    }
    text_of(&client, "#publish", Duration::from_secs(20), |t| t == "Publish").await;
    click(&client, "#publish").await;
    text_of(&client, "#publish-done", Duration::from_secs(90), |t| t.starts_with("Published.")).await;
    let steps = client.find_all(Locator::Css("#publish-steps li[data-state='done']")).await.unwrap();
    assert_eq!(steps.len(), 5, "topic, level, schema, owner ACLs, product");
    let registered = text_of(&client, "#publish-steps", Duration::from_secs(5), |_| true).await;
    assert!(
        registered.contains("Apicurio Registry does not keep the contract, so serializers will not check its rules"),
        "{registered}"
    );
    shot(&client, "apicurio-published").await;

    // In Apicurio: the schema at the product's level, without the contract.
    let r = RegistryClient::new(&apicurio.url, None).unwrap();
    let subject = "inventory.stock-held-value";
    let v = r.version(subject, None).await.unwrap();
    assert_eq!(v.version, 1);
    assert!(v.schema.contains("quantity"), "{}", v.schema);
    assert_eq!((v.metadata, v.rule_set), (None, None), "Apicurio keeps no contract");
    assert_eq!(r.compatibility(subject).await.unwrap(), meshdesk_domain::CompatibilityLevel::BackwardTransitive);

    // The product page says so where the registry's copy of the contract would be.
    click(&client, ".sidebar a[href='/']").await;
    wait_for_cards(
        &client,
        &["customer.profiles", "inventory.stock-holds", "inventory.stock-levels", "sales.orders"],
        Duration::from_secs(30),
    )
    .await;
    click(&client, "[data-product-id='inventory.stock-holds'] .product-title a").await;
    click(&client, "#tab-contract").await;
    let said = text_of(&client, "#contract-not-kept", Duration::from_secs(30), |_| true).await;
    assert!(said.starts_with("Apicurio Registry does not keep the contract."), "{said}");
    client
        .execute("document.getElementById('contract-not-kept').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    shot(&client, "apicurio-contract").await;
    driver.close(client).await;
}
