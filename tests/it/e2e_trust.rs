//! Enrollment through the real window: a new principal creates its key and asks for enrollment
//! in Settings, the sandbox's governance admin endorses it on the Trust page, and the newcomer's
//! access request is then accepted by every desktop.

use std::time::Duration;

use fantoccini::Locator;
use meshdesk_domain::seed::SEED_ACTOR;
use meshdesk_domain::{EventBody, Principal};
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use meshdesk_tests::{env_file_as, repo_root, sandbox, unique};

use crate::window::{Driver, app_bin, click, fill_request, send_request, session, text_of, wait_for_cards};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_enrolls_and_an_admin_endorses_through_the_window() {
    // Verifies enrollment end to end in the app window: a principal the sandbox never endorsed sees "no key" in Settings, creates its key (kept in the OS keyring) and requests enrollment (screenshot target/e2e/identity.png); the governance admin sees the request pending on the Trust page, whose Endorse stays disabled until the admin confirms having compared the fingerprint with the one its owner read out, and endorses it (screenshot target/e2e/trust.png); the newcomer then reads "endorsed" and sends an access request from a product page, which Inventory's owner receives; the admin then revokes the key as compromised since today on the Trust page (screenshot target/e2e/trust-revoke.png), and Inventory's owner's desktop folds the log again without the request.
    let app = app_bin();
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let newcomer = format!("User:{}", unique("nora").replace('-', ""));
    let env_for = |who: &str, principal: &str| {
        let dir = cfg.path().join(who);
        std::fs::create_dir_all(&dir).unwrap();
        env_file_as(&dir, who, &t.sandbox, principal)
    };
    let admin_env = env_for("admin", SEED_ACTOR);
    // The newcomer's file names no key: the app creates one in the keyring under its own entry.
    let nora_env = env_for("nora", &newcomer);
    let text = std::fs::read_to_string(&nora_env).unwrap();
    std::fs::write(
        &nora_env,
        text.lines().filter(|l| !l.starts_with("signing_key")).map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();

    // The admin makes the newcomer an owner of Sales (requests are made for one's own domain).
    let admin_data = tempfile::tempdir().unwrap();
    let admin =
        Meshdesk::open(admin_data.path(), EnvSource::File(admin_env.clone()), SandboxPorts::default()).await.unwrap();
    admin.sync().await.unwrap();
    let mut sales = meshdesk_domain::seed::domains().remove(1);
    sales.owners.push(Principal::parse(&newcomer).unwrap());
    admin.publish(&EventBody::DomainRegistered(sales)).await.unwrap();
    admin.flush_outbox().await.unwrap();
    admin.shutdown().await;

    let driver = Driver::start().await;
    let url = &driver.url;
    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    std::fs::create_dir_all(repo_root().join("target/e2e")).unwrap();

    // The newcomer creates a key and asks for enrollment.
    let client = session(url, &app, &nora_env).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    client.find(Locator::LinkText("Settings")).await.unwrap().click().await.unwrap();
    text_of(&client, "#identity-standing", Duration::from_secs(20), |t| t == "no key").await;
    click(&client, "#create-key").await;
    text_of(&client, "#identity-standing", Duration::from_secs(20), |t| t == "not enrolled").await;
    let fingerprint =
        text_of(&client, "#identity-fingerprint", Duration::from_secs(5), |t| t.starts_with("ed25519 ")).await;
    client.find(Locator::Id("enroll-note")).await.unwrap().send_keys("New in Sales, forecasting").await.unwrap();
    click(&client, "#request-enrollment").await;
    text_of(&client, "#identity-standing", Duration::from_secs(30), |t| t == "pending").await;
    std::fs::write(repo_root().join("target/e2e/identity.png"), client.screenshot().await.unwrap()).unwrap();
    driver.close(client).await;

    // The admin endorses it on the Trust page.
    let client = session(url, &app, &admin_env).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    client.find(Locator::LinkText("Trust")).await.unwrap().click().await.unwrap();
    let card = text_of(&client, "#pending-keys .key", Duration::from_secs(30), |t| t.contains(&newcomer)).await;
    assert!(card.contains(&fingerprint) && card.contains("New in Sales"), "{card}");
    let endorse = client.find(Locator::Css("#pending-keys .key .endorse")).await.unwrap();
    assert!(!endorse.is_enabled().await.unwrap(), "Endorse waits until the fingerprint was compared");
    click(&client, "#pending-keys .key .compare-fingerprint").await;
    std::fs::write(repo_root().join("target/e2e/trust.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#pending-keys .key .endorse").await;
    text_of(&client, "#trust-outcome", Duration::from_secs(20), |t| t.starts_with("Done")).await;
    text_of(&client, "#keys", Duration::from_secs(30), |t| t.contains(&newcomer)).await;
    // The audit view lists the endorsement as applied, signed with the admin's key.
    client.execute("document.getElementById('audit').scrollIntoView()", vec![]).await.unwrap();
    text_of(&client, "#audit tbody tr", Duration::from_secs(30), |t| {
        t.contains("KeyEndorsed") && t.contains("applied")
    })
    .await;
    let audit = client.find(Locator::Id("audit")).await.unwrap().text().await.unwrap();
    assert!(!audit.contains("duplicate"), "one flush at a time: every event written once\n{audit}");
    // The summary above it counts the same log: the seed and the endorsement applied, no record
    // that is not an event.
    let summary = text_of(&client, "#audit-summary", Duration::from_secs(10), |t| t.contains("Applied")).await;
    let applied: u64 = summary
        .split("Applied ")
        .nth(1)
        .map(|r| {
            r.chars().take_while(|c| c.is_ascii_digit() || *c == ',').filter(char::is_ascii_digit).collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(applied > 1 && summary.contains("Not events 0"), "{summary}");
    std::fs::write(repo_root().join("target/e2e/trust-audit.png"), client.screenshot().await.unwrap()).unwrap();
    driver.close(client).await;

    // Endorsed, the newcomer's request is accepted.
    let client = session(url, &app, &nora_env).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    client.find(Locator::LinkText("Settings")).await.unwrap().click().await.unwrap();
    text_of(&client, "#identity-standing", Duration::from_secs(30), |t| t == "endorsed").await;
    client.find(Locator::LinkText("Catalog")).await.unwrap().click().await.unwrap();
    fill_request(&client, "User:forecast-app", "Forecast demand from stock.").await;
    send_request(&client).await;
    driver.close(client).await;

    let ines_dir = cfg.path().join("ines");
    std::fs::create_dir_all(&ines_dir).unwrap();
    let ines_env = env_file_as(&ines_dir, "ines", &t.sandbox, "User:ines");
    let ines = Meshdesk::open(&ines_dir, EnvSource::File(ines_env), SandboxPorts::default()).await.unwrap();
    let started = std::time::Instant::now();
    loop {
        ines.sync().await.unwrap();
        let rows = ines.store().access_requests().await.unwrap();
        if rows.iter().any(|r| r.requested_by == newcomer && r.request.consumer.as_str() == "User:forecast-app") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the newcomer's request never reached Inventory");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // The newcomer's laptop is stolen: the admin revokes the key as compromised since today, and
    // what it signed today (the request) no longer counts on Ines's desktop either.
    let requested_at = ines.store().access_requests().await.unwrap().into_iter().find(|r| r.requested_by == newcomer);
    let today =
        meshdesk_domain::time::iso_utc(requested_at.expect("the request arrived").requested_at_ms)[..10].to_owned();
    let client = session(url, &app, &admin_env).await;
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    client.find(Locator::LinkText("Trust")).await.unwrap().click().await.unwrap();
    text_of(&client, "#keys", Duration::from_secs(30), |t| t.contains(&newcomer)).await;
    let mut card = None;
    for k in client.find_all(Locator::Css("#keys .key")).await.unwrap() {
        if k.text().await.unwrap().contains(&newcomer) {
            card = Some(k);
        }
    }
    let card = card.expect("the newcomer's key is listed");
    card.find(Locator::Css("input[placeholder^='Why']")).await.unwrap().send_keys("Laptop stolen").await.unwrap();
    card.find(Locator::Css("button.danger")).await.unwrap().click().await.unwrap();
    let date = card.find(Locator::Css(".compromised-date")).await.unwrap();
    client
        .execute(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::to_value(&date).unwrap(), serde_json::json!(today)],
        )
        .await
        .unwrap();
    let consequence = card.find(Locator::Css(".revoke-consequence")).await.unwrap().text().await.unwrap();
    assert!(
        consequence.contains(&format!("everything this key signed since {today} no longer counts")),
        "{consequence}"
    );
    std::fs::write(repo_root().join("target/e2e/trust-revoke.png"), client.screenshot().await.unwrap()).unwrap();
    card.find(Locator::XPath(".//button[text()='Revoke for good']")).await.unwrap().click().await.unwrap();
    text_of(&client, "#trust-outcome", Duration::from_secs(20), |t| t.starts_with("Done")).await;
    driver.close(client).await;
    let started = std::time::Instant::now();
    loop {
        ines.sync().await.unwrap();
        let rows = ines.store().access_requests().await.unwrap();
        if !rows.iter().any(|r| r.requested_by == newcomer) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the compromised key's request still counts");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    ines.shutdown().await;
    meshdesk_service::keyring::delete_signing_key(&Principal::parse(&newcomer).unwrap()).unwrap();
}
