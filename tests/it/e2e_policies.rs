//! Policy rules written, tried and published in the real window, then enforced by the wizard.

use std::time::Duration;

use fantoccini::{Client, Locator};
use meshdesk_tests::{env_file_as, sandbox};

use crate::window::{Driver, app_bin, click, session, shot, text_of, type_in_editor, wait_for_cards};

/// Replaces an input's text by typing (Ctrl+A, Backspace, the text), then leaves it with Tab so
/// `change` fires too.
async fn retype(client: &Client, css: &str, text: &str) {
    let el = client.find(Locator::Css(css)).await.unwrap();
    el.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
    el.send_keys(&format!("{text}\u{E004}")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_written_in_the_window_is_published_and_blocks_the_wizard() {
    // Verifies the Policies page as Inventory's owner: a rule written in the editor ("at most 12 partitions" on Inventory's ports) is tried against the catalog (a rule on access requests is tried on the requests this desktop sees: none yet, said so); under a built-in global rule's id it is refused before publishing as loosening a global rule, with the reason; under its own id it is published after a confirmation, listed with its version and history; then the wizard blocks a new Inventory product with 24 partitions with the rule's message, live and in the backend's check (screenshots target/e2e/policies-loosen.png, policies-published.png, wizard-blocked-by-rule.png).
    let app = app_bin();
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_as(cfg.path(), "ines", &t.sandbox, "User:ines");
    let driver = Driver::start().await;
    let client = session(&driver.url, &app, &env).await;
    wait_for_cards(&client, &["customer.profiles", "inventory.stock-levels", "sales.orders"], Duration::from_secs(60))
        .await;

    click(&client, ".sidebar a[href='/policies']").await;
    text_of(&client, "#published-empty", Duration::from_secs(10), |t| t.starts_with("No rule has been published"))
        .await;
    client.execute("document.getElementById('try-rule').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    click(&client, "#rule-target option[value='port']").await;
    type_in_editor(&client, "#rule-condition", "port.partitions <= 12").await;
    text_of(&client, "#rule-verdict", Duration::from_secs(10), |t| t == "Passes for all 3 products.").await;
    // Rules on access requests are tried on the requests this desktop sees: none yet.
    click(&client, "#rule-target option[value='request']").await;
    type_in_editor(&client, "#rule-condition", "request.days <= 30").await;
    text_of(&client, "#rule-verdict[data-verdict='nothing']", Duration::from_secs(10), |t| {
        t.starts_with("This desktop sees no access request")
    })
    .await;
    click(&client, "#rule-target option[value='port']").await;
    type_in_editor(&client, "#rule-condition", "port.partitions <= 12").await;
    text_of(&client, "#rule-verdict", Duration::from_secs(10), |t| t == "Passes for all 3 products.").await;

    retype(&client, "#rule-message", "Inventory topics have at most 12 partitions, not {port.partitions}").await;
    // A rule is tried on every domain first; Ines owns Inventory and is no admin, so she may
    // publish for Inventory only.
    retype(&client, "#rule-id", "inventory.max-partitions").await;
    let hint = text_of(&client, "#rule-publish-check", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert!(hint.starts_with("Only a governance admin publishes rules for every domain"), "{hint}");
    let scopes = client.find_all(Locator::Css("#rule-scope option")).await.unwrap();
    let mut values = Vec::new();
    for o in scopes {
        values.push(o.attr("value").await.unwrap().unwrap_or_default());
    }
    assert_eq!(values, ["global", "domain:inventory"], "every domain (to try) and the domains she owns");
    click(&client, "#rule-scope option[value='domain:inventory']").await;

    // In the place of the built-in global bound, it would loosen it: refused with the reason.
    retype(&client, "#rule-id", "bounds.partitions").await;
    let why = text_of(&client, "#rule-publish-check[data-refused='true']", Duration::from_secs(5), |t| {
        t.contains("global rule")
    })
    .await;
    assert!(why.contains("`bounds.partitions` is a global rule") && why.contains("never replace or loosen"), "{why}");
    let publish = client.find(Locator::Id("rule-publish")).await.unwrap();
    assert!(publish.attr("disabled").await.unwrap().is_some(), "nothing to publish that every desktop would refuse");
    shot(&client, "policies-loosen").await;

    // Under an id of its own it adds the condition: published after a confirmation.
    retype(&client, "#rule-id", "inventory.max-partitions").await;
    retype(&client, "#rule-policy", "bounds").await;
    text_of(&client, "#rule-publish-check", Duration::from_secs(5), |t| t == "Ready to publish.").await;
    click(&client, "#rule-publish").await;
    let question = text_of(&client, "#publish-rule .confirm-question", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert_eq!(
        question,
        "Publish inventory.max-partitions for domain inventory only? It passes for every product today."
    );
    click(&client, "#rule-publish-confirm").await;
    text_of(&client, "#rule-published", Duration::from_secs(30), |t| {
        t == "Published inventory.max-partitions (version 1). Every desktop checks it from now on."
    })
    .await;
    let card = "li.published-rule[data-rule='inventory.max-partitions'][data-state='in-force']";
    let said = text_of(&client, card, Duration::from_secs(10), |t| t.contains("version 1")).await;
    assert!(said.contains("Domain inventory only") && said.contains("port.partitions <= 12"), "{said}");
    click(&client, &format!("{card} .rule-history summary")).await;
    text_of(&client, &format!("{card} .history"), Duration::from_secs(10), |t| {
        t.contains("Published by User:ines for domain inventory only: port.partitions <= 12")
    })
    .await;
    client
        .execute("document.getElementById('published-rules').scrollIntoView({block: 'start'})", vec![])
        .await
        .unwrap();
    shot(&client, "policies-published").await;

    // The wizard checks it: a new Inventory product with 24 partitions is blocked with its words.
    client.find(Locator::LinkText("New product")).await.unwrap().click().await.unwrap();
    click(&client, "#wizard-new").await;
    click(&client, ".domain-choice[value='inventory']").await;
    click(&client, "#wizard-next").await;
    retype(&client, "#product-name", "stock-audits").await;
    retype(&client, "#product-title", "Stock audits").await;
    retype(&client, "#product-description", "Counted stock compared with the books, per warehouse.").await;
    click(&client, "#wizard-next").await;
    retype(&client, "#port-event", "stock-audited").await;
    click(&client, "#port-add").await;
    retype(&client, ".port-partitions", "24").await;
    click(&client, ".wizard-step[data-step='5']").await;
    text_of(&client, "#policy-verdict", Duration::from_secs(10), |t| {
        t == "Errors block publishing: fix them in the steps above."
    })
    .await;
    text_of(&client, "#wizard-body", Duration::from_secs(10), |t| {
        t.contains("Port 1, partitions: Inventory topics have at most 12 partitions, not 24")
    })
    .await;
    shot(&client, "wizard-blocked-by-rule").await;
    click(&client, ".wizard-step[data-step='6']").await;
    text_of(&client, "#review-verdict", Duration::from_secs(20), |t| {
        t == "The backend's policy check blocks publishing:"
    })
    .await;
    text_of(&client, "#wizard-body", Duration::from_secs(5), |t| {
        t.contains("Inventory topics have at most 12 partitions, not 24")
    })
    .await;
    driver.close(client).await;
}
