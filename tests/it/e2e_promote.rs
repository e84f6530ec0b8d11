//! A product promoted from dev to prod through the real window.

use std::time::Duration;

use fantoccini::Locator;

use crate::window::{Driver, app_bin, click, session, shot, text_of, wait_for_cards};

#[tokio::test(flavor = "multi_thread")]
async fn a_product_built_in_dev_is_promoted_to_prod_through_the_window() {
    // Verifies promotion in the app window with two sandboxes as dev and prod: prod's environment file is added in Settings; the product's Environments tab says dev has version 1.0.0 and prod does not have it; the review names the difference, prod's plan and that prod's policies pass (screenshot target/e2e/promote-review.png); Promote, confirmed, runs the plan in prod (screenshot promote-done.png), after which prod has the topic, the schema and the product at 1.0.0; a rule published only in prod then blocks the next review with its words and the Promote button is disabled (screenshot promote-blocked.png); the window then switches to prod from Settings, its catalog showing the promoted product (screenshot environment-switched.png), and back to dev.
    let t = crate::promote::DevProd::start().await;
    let (prod, dev_env, prod_env) = (&t.prod, t.dev_env.clone(), t.prod_env.clone());

    // Built in dev by Ines from another desktop.
    let builder = t.desktop("builder", dev_env.clone()).await;
    let mut draft = crate::wizard::draft();
    draft.new_domain = None;
    builder.save_draft(&draft).await.unwrap();
    assert_eq!(builder.publish_draft(&draft.id).await.unwrap().status, meshdesk_contract::DraftStatus::Published);
    builder.flush_outbox().await.unwrap();

    let app = app_bin();
    let driver = Driver::start().await;
    let client = session(&driver.url, &app, &dev_env).await;
    let id = "inventory.stock-reservations";
    wait_for_cards(
        &client,
        &["customer.profiles", "inventory.stock-levels", id, "sales.orders"],
        Duration::from_secs(60),
    )
    .await;

    click(&client, ".sidebar a[href='/settings']").await;
    let path = client.find(Locator::Id("env-path")).await.unwrap();
    path.send_keys(prod_env.to_str().unwrap()).await.unwrap();
    click(&client, "#env-add").await;
    text_of(&client, "#environments tr[data-env='prod']", Duration::from_secs(10), |t| t.contains("prod")).await;

    click(&client, ".sidebar a[href='/']").await;
    click(&client, &format!("[data-product-id='{id}'] .product-title a")).await;
    click(&client, "#tab-environments").await;
    text_of(&client, "#presence tr[data-env='dev'] .env-version", Duration::from_secs(30), |t| t == "version 1.0.0")
        .await;
    text_of(&client, "#presence tr[data-env='prod'] .env-version", Duration::from_secs(5), |t| t == "not there").await;
    click(&client, "#promote-review").await;
    let diff = text_of(&client, "#promote-differences", Duration::from_secs(30), |t| t.contains("absent")).await;
    assert!(diff.contains("version 1.0.0"), "{diff}");
    let plan = text_of(&client, "#promote-plan", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert!(plan.starts_with("create topic inventory.stock-reserved (2 partitions"), "{plan}");
    assert!(plan.contains("register the schema") || plan.contains("register"), "{plan}");
    text_of(&client, "#promote-verdict", Duration::from_secs(5), |t| t == "prod's policies pass.").await;
    client.execute("document.getElementById('product-tabs').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    shot(&client, "promote-review").await;

    click(&client, "#promote-apply").await;
    click(&client, "#promote-apply-confirm").await;
    text_of(&client, "#promote-done", Duration::from_secs(60), |t| t == "Promoted.").await;
    // The review is read again: prod now has the product as dev has it.
    text_of(&client, "#promote-same", Duration::from_secs(30), |t| t == "prod has this product as it is here.").await;
    text_of(&client, "#presence tr[data-env='prod'] .env-version", Duration::from_secs(30), |t| t == "version 1.0.0")
        .await;
    shot(&client, "promote-done").await;

    let prod_admin = meshdesk_kafka::Admin::new(&prod.sandbox.kafka_profile()).unwrap();
    assert_eq!(prod_admin.describe_topic("inventory.stock-reserved").await.unwrap().partitions.len(), 2);
    let registry = meshdesk_registry::RegistryClient::new(&prod.sandbox.registry_url(), None).unwrap();
    assert_eq!(registry.versions("inventory.stock-reserved-value").await.unwrap(), [1]);
    let prod_ines = t.desktop("prod-ines", prod_env.clone()).await;
    let there = prod_ines.store().product(id).await.unwrap().expect("in prod's catalog").product;
    assert_eq!(there.version, "1.0.0");

    // A rule only prod has: the next review says why it cannot go.
    let paula = t.prod_only_rule().await;
    click(&client, "#promote-review").await;
    text_of(&client, "#promote-verdict", Duration::from_secs(30), |t| t == "prod's policies block this promotion:")
        .await;
    text_of(&client, "#promotion .findings", Duration::from_secs(5), |t| {
        t.contains("in prod a topic has one partition, not 2")
    })
    .await;
    let apply = client.find(Locator::Id("promote-apply")).await.unwrap();
    assert!(apply.attr("disabled").await.unwrap().is_some(), "a blocked promotion cannot be started");
    shot(&client, "promote-blocked").await;

    // The window switches to prod: the catalog there has the promoted product; back to dev.
    click(&client, ".sidebar a[href='/settings']").await;
    click(&client, "#environments tr[data-env='prod'] .env-switch").await;
    text_of(&client, "#environment .env-name", Duration::from_secs(30), |t| t == "prod").await;
    wait_for_cards(
        &client,
        &["customer.profiles", "inventory.stock-levels", id, "sales.orders"],
        Duration::from_secs(60),
    )
    .await;
    shot(&client, "environment-switched").await;
    click(&client, ".sidebar a[href='/settings']").await;
    let rows = text_of(&client, "#environments", Duration::from_secs(10), |t| t.contains("this window")).await;
    assert!(rows.contains("sandbox") && rows.contains("dev") && rows.contains("prod"), "{rows}");
    click(&client, "#environments tr[data-env='dev'] .env-switch").await;
    text_of(&client, "#environment .env-name", Duration::from_secs(30), |t| t == "dev").await;

    driver.close(client).await;
    for md in [builder, prod_ines, paula] {
        md.shutdown().await;
    }
}
