//! Access through the real window: two owners request and approve (and revoke) with the cluster
//! watching, and the sandbox's login for a new consumer, shown once.

use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use meshdesk_tests::repo_root;

use crate::window::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_owners_request_and_approve_access_through_the_window() {
    // Verifies the access journey through the real app window with two profiles on one seeded sandbox whose Apache Kafka enforces ACLs, watched by a stock confluent-kafka consumer as User:sales-app: refused on the topic at first (TOPIC_AUTHORIZATION_FAILED); Sales' owner (User:sam) sees the exact ACL plan and sends a request from the stock-levels page; Inventory's owner (User:ines) sees it arrive with its purpose, approves it, is shown the ACLs created and the cluster's own answer "can read" (screenshot target/e2e/requests.png); the consumer now reads in group sales.stock-check and is refused in marketing.x; the audit trail exported as CSV holds the events; Sam sees the grant applied and readable (target/e2e/requests-sam.png); Ines revokes it in the window and the consumer is refused again.
    use meshdesk_tests::{consume, consumer_password, sandbox, three_records};
    let app = app_bin();
    let t = sandbox(true).await;
    three_records(&t).await;
    let pw = consumer_password(&t, "User:sales-app").await;
    assert_eq!(consume(&t, "sales-app", &pw, "-", 3), "refused TOPIC_AUTHORIZATION_FAILED");
    let cfg = tempfile::tempdir().unwrap();
    let (sam, ines) = (env_for(cfg.path(), &t, "sam"), env_for(cfg.path(), &t, "ines"));

    let driver = Driver::start().await;
    let url = &driver.url;
    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];

    // Sam asks for Inventory's stock levels on behalf of Sales.
    let client = session(url, &app, &sam).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    fill_request(&client, "User:sales-app", "Check stock before confirming orders.").await;
    text_of(&client, "#request-plan", Duration::from_secs(10), |t| t.contains("sales.")).await;
    let mut plan = Vec::new();
    for li in client.find_all(Locator::Css("#request-plan li")).await.unwrap() {
        plan.push(li.text().await.unwrap());
    }
    assert_eq!(
        plan,
        [
            "ALLOW User:sales-app Read on topic inventory.stock-level-updated",
            "ALLOW User:sales-app Describe on topic inventory.stock-level-updated",
            "ALLOW User:sales-app Read on consumer groups sales. (prefix)",
        ]
    );
    send_request(&client).await;
    driver.close(client).await;

    // Ines sees it arrive and approves it.
    let client = open_requests(url, &app, &ines, &all).await;
    let card = text_of(&client, "#incoming .request[data-state='pending']", Duration::from_secs(30), |t| {
        t.contains("Check stock before confirming orders.")
    })
    .await;
    assert!(card.contains("User:sam for the sales domain") && card.contains("User:sales-app"), "{card}");
    // The sidebar counts what waits for her decision, and the card says when it was asked.
    text_of(&client, "#pending-count", Duration::from_secs(10), |t| t == "1").await;
    assert!(card.contains("Requested") && (card.contains("ago") || card.contains("just now")), "{card}");
    click(&client, "#incoming .request .approve").await;
    // Approving asks first, naming who gets the ACLs.
    let asked = text_of(&client, "#incoming .request .confirm-question", Duration::from_secs(5), |t| {
        t.contains("User:sales-app")
    })
    .await;
    assert!(asked.starts_with("Approve"), "{asked}");
    std::fs::write(repo_root().join("target/e2e/confirm-approve.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#incoming .request .confirm-yes").await;
    let outcome = text_of(&client, ".decision-outcome", Duration::from_secs(20), |t| t.starts_with("Now")).await;
    assert!(outcome.starts_with("Now approved. ACLs applied."), "{outcome}");
    assert!(
        outcome.contains("Created: ALLOW User:sales-app Read on topic inventory.stock-level-updated (literal)"),
        "{outcome}"
    );
    text_of(&client, "#incoming .request[data-state='approved'] .grant", Duration::from_secs(30), |t| t == "applied")
        .await;
    text_of(&client, "#incoming .request[data-state='approved'] .cluster-access", Duration::from_secs(30), |t| {
        t.starts_with("can read")
    })
    .await;
    std::fs::create_dir_all(repo_root().join("target/e2e")).unwrap();
    std::fs::write(repo_root().join("target/e2e/requests.png"), client.screenshot().await.unwrap()).unwrap();
    assert_eq!(consume(&t, "sales-app", &pw, "sales.stock-check", 3), "read 3");
    assert_eq!(consume(&t, "sales-app", &pw, "marketing.x", 3), "refused GROUP_AUTHORIZATION_FAILED");
    // The audit trail goes where the save dialog says.
    click(&client, "#export-audit").await;
    let target = cfg.path().join("exports/audit.csv");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    driver.save_as(&target).await;
    let exported = text_of(&client, "#export-outcome", Duration::from_secs(10), |t| t.contains("written to")).await;
    assert!(exported.ends_with(target.to_str().unwrap()), "{exported}");
    let csv = std::fs::read_to_string(&target).unwrap();
    let kinds: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap()).collect();
    assert!(kinds.starts_with(&["AccessRequested", "AccessApproved"]), "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",User:sam,"), "{csv}");
    driver.close(client).await;

    // Sam sees the decision and what the cluster says.
    let client = open_requests(url, &app, &sam, &all).await;
    let mine = text_of(&client, "#outgoing .request[data-state='approved']", Duration::from_secs(30), |t| {
        t.contains("can read")
    })
    .await;
    assert!(mine.contains("30 days") || mine.contains("90 days"), "{mine}");
    assert!(mine.contains("applied"), "{mine}");
    std::fs::write(repo_root().join("target/e2e/requests-sam.png"), client.screenshot().await.unwrap()).unwrap();
    driver.close(client).await;

    // Ines revokes it; the consumer is refused again.
    let client = open_requests(url, &app, &ines, &all).await;
    text_of(&client, "#incoming .request[data-state='approved']", Duration::from_secs(30), |t| t.contains("can read"))
        .await;
    client
        .find(Locator::Css("#incoming .request .revoke-reason"))
        .await
        .unwrap()
        .send_keys("The stock check moved to a batch job.")
        .await
        .unwrap();
    click(&client, "#incoming .request .revoke").await;
    click(&client, "#incoming .request .confirm-yes").await;
    let outcome = text_of(&client, ".decision-outcome", Duration::from_secs(20), |t| t.starts_with("Now")).await;
    assert!(
        outcome.starts_with("Now revoked. ACLs removed.") && outcome.contains("Deleted: ALLOW User:sales-app"),
        "{outcome}"
    );
    driver.close(client).await;
    assert_eq!(consume(&t, "sales-app", &pw, "-", 3), "refused TOPIC_AUTHORIZATION_FAILED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_makes_a_login_for_a_new_consumer_and_shows_it_once() {
    // Verifies in the app's own sandbox, acting as Sales' owner: sending an access request for a consumer principal the sandbox does not know shows a login made for it, once (screenshot target/e2e/consumer-login.png); the password is the one kept in the keyring, and a stock confluent-kafka consumer logs in with it (SCRAM) and is refused on the topic (TOPIC_AUTHORIZATION_FAILED: authenticated, not yet granted); a second request for the same consumer shows no login.
    let app = app_bin();
    let driver = Driver::start_as(Some("User:sam")).await;
    let caps = serde_json::json!({ "browserName": "wry", "tauri:options": { "application": app.to_str().unwrap() } });
    let client =
        ClientBuilder::native().capabilities(caps.as_object().unwrap().clone()).connect(&driver.url).await.unwrap();
    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    wait_for_cards(&client, &all, Duration::from_secs(120)).await;
    let consumer = format!("User:{}", meshdesk_tests::unique("svc"));
    fill_request(&client, &consumer, "Check stock before confirming orders.").await;
    click(&client, "#send-request").await;
    let user = text_of(&client, "#consumer-login-user", Duration::from_secs(20), |t| !t.is_empty()).await;
    let password = text_of(&client, "#consumer-login-password", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert_eq!(format!("User:{user}"), consumer);
    std::fs::create_dir_all(repo_root().join("target/e2e")).unwrap();
    client
        .execute("document.getElementById('consumer-login').scrollIntoView({block: 'center'})", vec![])
        .await
        .unwrap();
    std::fs::write(repo_root().join("target/e2e/consumer-login.png"), client.screenshot().await.unwrap()).unwrap();
    let kept = meshdesk_service::keyring::secret_get(&format!("sandbox/{consumer}")).unwrap();
    assert_eq!(kept.as_deref(), Some(password.as_str()), "the keyring keeps the password shown");

    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(driver.data.path().join("meshdesk/sandbox/sandbox.json")).unwrap())
            .unwrap();
    let bootstrap = format!("127.0.0.1:{}", state["broker_port"].as_u64().unwrap());
    let profile = meshdesk_sandbox::access::scram_profile(&bootstrap, &user, &password);
    assert_eq!(meshdesk_tests::consume_with(&profile, "-", 1), "refused TOPIC_AUTHORIZATION_FAILED");
    let wrong = meshdesk_sandbox::access::scram_profile(&bootstrap, &user, "not-the-password");
    assert_eq!(meshdesk_tests::consume_with(&wrong, "-", 1), "refused _AUTHENTICATION");

    // The form starts afresh once sent; a second request for the same consumer: the login
    // exists, nothing is shown.
    let typed = client.find(Locator::Id("request-consumer")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some(""), "the sent request's consumer is cleared");
    client.find(Locator::Id("request-consumer")).await.unwrap().send_keys(&consumer).await.unwrap();
    client
        .find(Locator::Id("request-purpose"))
        .await
        .unwrap()
        .send_keys("Check stock again before confirming.")
        .await
        .unwrap();
    click(&client, "#send-request").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    text_of(&client, "#request-sent", Duration::from_secs(10), |t| t.starts_with("Request sent")).await;
    assert!(client.find(Locator::Id("consumer-login")).await.is_err(), "the login is shown only once");
    meshdesk_service::keyring::secret_delete(&format!("sandbox/{consumer}")).unwrap();
    driver.close(client).await;
}
