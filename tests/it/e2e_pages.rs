//! Every page of the window, in the light and the dark theme, as Inventory's owner on a seeded
//! sandbox: screenshots under `target/e2e/pages/<theme>/`, and the checks a person would make by
//! looking (text contrasts with its background, a long schema scrolls, a filter with no hits can
//! be seen and cleared, a refusal keeps what was typed).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use meshdesk_tests::{env_file_as, repo_root, sandbox};

use crate::window::{Driver, app_bin, click, session, text_of, type_in_editor, wait_for_cards};

/// The subject holding a 60-line schema (pretty-printed by the editor), registered by the test.
const WIDE_SUBJECT: &str = "inventory.wide-report-value";

/// A record whose pretty form is 60 lines: 7 lines around the fields, 4 per field, one doc line.
fn sixty_line_schema() -> (String, String) {
    let fields: Vec<serde_json::Value> =
        (1..=13).map(|i| serde_json::json!({"name": format!("measure{i:02}"), "type": "long"})).collect();
    let schema = serde_json::json!({
        "type": "record",
        "name": "WideReport",
        "namespace": "example.retail.inventory",
        "doc": "Many measures, to scroll through.",
        "fields": fields,
    });
    let pretty = serde_json::to_string_pretty(&schema).unwrap();
    assert_eq!(pretty.lines().count(), 60, "{pretty}");
    (schema.to_string(), pretty)
}

fn shot_dir(theme: &str) -> PathBuf {
    let dir = repo_root().join("target/e2e/pages").join(theme);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(client: &Client, theme: &str, page: &str) {
    // Let fonts and late answers settle so the picture shows the page as a person sees it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::write(shot_dir(theme).join(format!("{page}.png")), client.screenshot().await.unwrap()).unwrap();
}

async fn nav(client: &Client, href: &str) {
    click(client, &format!(".sidebar a[href='{href}']")).await;
}

/// WCAG's contrast ratio between two `rgb(...)` / `rgba(...)` colours.
fn contrast(a: &str, b: &str) -> f64 {
    fn lum(c: &str) -> f64 {
        let v: Vec<f64> = c
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|x| x.trim().parse::<f64>().unwrap() / 255.0)
            .collect();
        let ch = |x: f64| if x <= 0.039_28 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) };
        0.2126 * ch(v[0]) + 0.7152 * ch(v[1]) + 0.0722 * ch(v[2])
    }
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour of the first element matching `css` and the colour it is drawn on (the
/// nearest ancestor's background that is not transparent).
async fn colours(client: &Client, css: &str) -> (String, String) {
    let out = client
        .execute(
            r#"const el = document.querySelector(arguments[0]);
               if (!el) return null;
               const fg = getComputedStyle(el).color;
               let node = el, bg = null;
               while (node && node.nodeType === 1) {
                 const c = getComputedStyle(node).backgroundColor;
                 if (c && c !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(c)) { bg = c; break; }
                 node = node.parentElement;
               }
               return [fg, bg || getComputedStyle(document.documentElement).backgroundColor];"#,
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    let pair = out.as_array().unwrap_or_else(|| panic!("`{css}` is not on the page"));
    (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned())
}

async fn choose_theme(client: &Client, theme: &str) {
    nav(client, "/settings").await;
    click(client, &format!("#theme-{theme}")).await;
    let started = Instant::now();
    loop {
        let now = client.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
        if now.as_str() == Some(theme) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the window's theme stayed {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_the_light_and_the_dark_theme() {
    // Verifies every page of the real window in both themes as Inventory's owner (screenshots target/e2e/pages/{light,dark}/*.png): the theme switch in Settings changes the whole window; facet labels contrast with their background (WCAG ratio read from the computed colours, at least 4.5); the schema editor scrolls to line 40 of a 60-line schema and shows it; a facet plus a search with no hits keeps the chosen value visible and clearable; "/" jumps to the catalog's search box; the top bar says who I am and My domains marks mine; a seeded product with no records says "no data yet"; the wizard offers only my domains and waits for one before Next; an adoption the cluster refuses keeps the form filled and the reason shown; a topic outside Inventory's namespace is adopted after a governance admin let Inventory adopt it; the registry refusing a version Meshdesk's check passed is said in words with the registry's text one click away; the Policies page shows each policy's rules in CEL, lists a topic adopted as it is among the products that break a policy (and the catalog's "breaks a policy" facet finds it), and tries a rule written there against the whole catalog as it is typed (the failing products listed, a rule that does not compile refused with the reason); a draft is discarded after a confirmation.
    let app = app_bin();
    let t = sandbox(true).await;
    let cfg = tempfile::tempdir().unwrap();
    let env = env_file_as(cfg.path(), "ines", &t.sandbox, "User:ines");
    // A long schema to scroll, and a topic no product manages.
    let (wide, wide_pretty) = sixty_line_schema();
    let registry = meshdesk_registry::RegistryClient::new(&t.sandbox.registry_url(), None).unwrap();
    registry.register(WIDE_SUBJECT, &wide, meshdesk_domain::SchemaFormat::Avro).await.unwrap();
    let legacy = meshdesk_kafka::TopicSpec {
        name: "legacy.shipments".into(),
        partitions: 2,
        replication_factor: 1,
        configs: vec![],
    };
    meshdesk_kafka::Admin::new(&t.sandbox.kafka_profile()).unwrap().create_topics(&[legacy]).await.unwrap();
    // It lies outside every domain's namespace: a governance admin lets Inventory adopt it.
    meshdesk_tests::adopt_topic(&t.sandbox, "legacy.shipments", "inventory", "Inventory has run it since 2019").await;

    let driver = Driver::start().await;
    let client = session(&driver.url, &app, &env).await;
    let all = ["customer.profiles", "inventory.stock-levels", "sales.orders"];
    wait_for_cards(&client, &all, Duration::from_secs(60)).await;
    text_of(&client, "#whoami", Duration::from_secs(10), |t| t.contains("ines")).await;

    for theme in ["light", "dark"] {
        choose_theme(&client, theme).await;
        shot(&client, theme, "settings").await;

        // Catalog, with the facet labels' contrast read off the page.
        nav(&client, "/").await;
        wait_for_cards(&client, &all, Duration::from_secs(20)).await;
        let (fg, bg) = colours(&client, "[data-facet='domain'] .facet-value span").await;
        let ratio = contrast(&fg, &bg);
        assert!(ratio >= 4.5, "{theme}: facet label {fg} on {bg} has contrast {ratio:.2}");
        let (fg, bg) = colours(&client, ".product-card .product-id").await;
        assert!(contrast(&fg, &bg) >= 4.5, "{theme}: muted text {fg} on {bg}");
        shot(&client, theme, "catalog").await;

        // A facet and a search with no hits: the chosen value stays, and can be cleared.
        click(&client, "[data-facet='domain'] .facet-value[data-value='inventory']").await;
        let search = client.find(Locator::Id("catalog-search")).await.unwrap();
        search.send_keys("zzzz-nothing").await.unwrap();
        text_of(&client, "#catalog-empty", Duration::from_secs(10), |t| t.contains("filters chosen")).await;
        let chosen = text_of(&client, ".facet-value.on[data-value='inventory']", Duration::from_secs(5), |t| {
            t.contains("inventory")
        })
        .await;
        assert!(chosen.contains('0'), "the chosen value shows it matches nothing now: {chosen}");
        shot(&client, theme, "catalog-no-hits").await;
        click(&client, "#clear-filters").await;
        // Select all, delete: what a person does (and what fires the input event).
        search.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
        wait_for_cards(&client, &all, Duration::from_secs(10)).await;

        // "/" from anywhere outside a text field lands in the catalog's search box.
        nav(&client, "/policies").await;
        text_of(&client, "h1", Duration::from_secs(5), |t| t == "Policies").await;
        client
            .perform_actions(
                KeyActions::new("keyboard".into())
                    .then(KeyAction::Down { value: '/' })
                    .then(KeyAction::Up { value: '/' }),
            )
            .await
            .unwrap();
        let started = Instant::now();
        loop {
            let focused = client.active_element().await.unwrap().attr("id").await.unwrap();
            if focused.as_deref() == Some("catalog-search") {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "focus is on {focused:?}, not the search box");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        shot(&client, theme, "policies-then-search").await;

        // A product I do not own: every tab.
        click(&client, ".product-card[data-product-id='sales.orders'] .product-title a").await;
        text_of(&client, "#product-title", Duration::from_secs(10), |t| t == "Orders").await;
        // Nothing was produced on the seeded topics: not judged yet, neither healthy nor breaching.
        text_of(&client, "#health-badge", Duration::from_secs(15), |t| t == "no data yet").await;
        shot(&client, theme, "product-overview").await;
        for tab in ["schema", "contract", "quality", "lineage", "access"] {
            click(&client, &format!("#tab-{tab}")).await;
            text_of(&client, &format!("#tab-{tab}"), Duration::from_secs(5), |_| true).await;
            let class = client.find(Locator::Id(&format!("tab-{tab}"))).await.unwrap().attr("class").await.unwrap();
            assert_eq!(class.as_deref(), Some("active"), "{tab} is the tab shown");
            match tab {
                "schema" => {
                    text_of(&client, ".schema-view h4", Duration::from_secs(10), |t| t.starts_with("Schema, version"))
                        .await;
                    client.find(Locator::Css(".schema-view .cm-editor")).await.expect("the schema is shown");
                }
                "access" => {
                    text_of(&client, "#request-access", Duration::from_secs(10), |t| t.contains("Request access"))
                        .await;
                }
                "lineage" => {
                    text_of(&client, "#lineage", Duration::from_secs(10), |t| t.contains("Stock levels")).await;
                }
                _ => {}
            }
            shot(&client, theme, &format!("product-{tab}")).await;
        }

        // The wizard: my domains only, and Next waits for one.
        nav(&client, "/wizard").await;
        shot(&client, theme, "wizard-start").await;
        click(&client, "#wizard-new").await;
        text_of(&client, ".domain-choices", Duration::from_secs(10), |t| t.contains("Inventory")).await;
        let offered = client.find_all(Locator::Css(".domain-choice")).await.unwrap();
        assert_eq!(offered.len(), 1, "only Inventory is Ines's");
        let next = client.find(Locator::Id("wizard-next")).await.unwrap();
        assert!(next.attr("disabled").await.unwrap().is_some(), "Next waits for a domain");
        text_of(&client, "#wizard-next-hint", Duration::from_secs(5), |t| t.contains("Choose a domain")).await;
        shot(&client, theme, "wizard-domain").await;

        // Unmanaged topics as a table; a refused adoption keeps what was typed.
        nav(&client, "/").await;
        click(&client, "a[href='/unmanaged']").await;
        text_of(&client, "#unmanaged-topics", Duration::from_secs(20), |t| t.contains("legacy.shipments")).await;
        click(&client, "tr.unmanaged[data-topic='legacy.shipments'] .adopt-open").await;
        let product = client.find(Locator::Css(".adopt-product")).await.unwrap();
        product.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
        // A malformed id is explained at the field once left, and nothing can be sent.
        product.send_keys("Legacy Shipments!").await.unwrap();
        click(&client, ".adopt-title").await;
        text_of(&client, ".adopt-product-error", Duration::from_secs(5), |t| t.contains("domain.product-name")).await;
        let adopt = client.find(Locator::Css(".adopt-form .adopt")).await.unwrap();
        assert!(adopt.attr("disabled").await.unwrap().is_some(), "a malformed id cannot be sent");
        // A well-formed id in a domain Ines does not own: the backend refuses; the form stays.
        product.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
        product.send_keys("sales.legacy-shipments").await.unwrap();
        click(&client, ".adopt-title").await;
        client.find(Locator::Css(".adopt-title")).await.unwrap().send_keys("Legacy shipments").await.unwrap();
        click(&client, ".adopt-form .adopt").await;
        let refused = text_of(&client, ".adopt-outcome", Duration::from_secs(10), |t| !t.is_empty()).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let kept = client.find(Locator::Css(".adopt-product")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(kept.as_deref(), Some("sales.legacy-shipments"), "the form keeps what was typed ({refused})");
        let title = client.find(Locator::Css(".adopt-title")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(title.as_deref(), Some("Legacy shipments"));
        assert!(client.find(Locator::Css(".adopt-outcome")).await.is_ok(), "the reason stays");
        shot(&client, theme, "unmanaged").await;

        // My domains: mine first and marked.
        nav(&client, "/domains").await;
        text_of(&client, ".domain-card.mine", Duration::from_secs(10), |t| t.contains("yours")).await;
        shot(&client, theme, "domains").await;

        // Schemas: the editor shows line 40 of a 60-line schema once scrolled there.
        nav(&client, "/schemas").await;
        click(&client, &format!("button.subject[data-subject='{WIDE_SUBJECT}']")).await;
        text_of(&client, "#schema-valid", Duration::from_secs(10), |t| t == "Valid Avro.").await;
        client
            .execute(
                "const s = document.querySelector('#schema-editor .cm-scroller'); s.scrollTop = 39 * 18 - 60;",
                vec![],
            )
            .await
            .unwrap();
        let want = wide_pretty.lines().nth(39).unwrap().trim().to_owned();
        let started = Instant::now();
        loop {
            let seen = client
                .execute(
                    r#"const s = document.querySelector('#schema-editor .cm-scroller').getBoundingClientRect();
                       const g = [...document.querySelectorAll('#schema-editor .cm-lineNumbers .cm-gutterElement')]
                         .find(e => e.textContent.trim() === '40');
                       if (!g) return null;
                       const r = g.getBoundingClientRect();
                       if (r.top < s.top || r.bottom > s.bottom) return 'not in view';
                       const line = [...document.querySelectorAll('#schema-editor .cm-line')]
                         .find(l => Math.abs(l.getBoundingClientRect().top - r.top) < 3);
                       return line ? line.textContent.trim() : 'no text at line 40';"#,
                    vec![],
                )
                .await
                .unwrap();
            if seen.as_str() == Some(want.as_str()) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "line 40 shows {seen}, not `{want}`");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        shot(&client, theme, "schemas").await;

        // A new optional field on a schema with a timestamp-millis field: compatible by Meshdesk's
        // check, and registered by the sandbox registry, which decides as Confluent's does.
        if theme == "light" {
            click(&client, "button.subject[data-subject='inventory.stock-level-updated-value']").await;
            text_of(&client, "#schema-valid", Duration::from_secs(10), |t| t == "Valid Avro.").await;
            let mut evolved: serde_json::Value =
                serde_json::from_str(meshdesk_domain::seed::STOCK_LEVEL_UPDATED).unwrap();
            evolved["fields"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"name": "note", "type": ["null", "string"], "default": null, "doc": "A remark on the level."}));
            type_in_editor(&client, "#schema-editor", &evolved.to_string()).await;
            text_of(&client, "#schema-verdict", Duration::from_secs(10), |t| t.starts_with("Compatible")).await;
            // Who it reaches, before it is registered: Orders derives from it, and will see the field.
            let reach = text_of(&client, "#subject-impact", Duration::from_secs(10), |t| t.contains("Orders")).await;
            assert!(reach.contains("a new field `note` (null | string), null in older records"), "{reach}");
            client
                .execute("document.getElementById('subject-impact').scrollIntoView({block: 'center'})", vec![])
                .await
                .unwrap();
            shot(&client, theme, "schemas-impact").await;
            click(&client, "#register-schema").await;
            click(&client, "#register-schema-confirm").await;
            let said = text_of(&client, "#register-outcome", Duration::from_secs(20), |t| !t.is_empty()).await;
            assert!(said.starts_with("Registered as version 2 (schema id "), "{said}");
            let told = text_of(&client, "#register-announced", Duration::from_secs(5), |t| !t.is_empty()).await;
            assert!(told.contains("published again with version 2"), "{told}");
            shot(&client, theme, "schemas-registered").await;
        }

        // Policies: each policy's rules are shown as written (CEL); every product meets them (so
        // far); a rule written on the page is tried against the whole catalog as it is typed, and
        // one that does not compile says why.
        nav(&client, "/policies").await;
        text_of(&client, "#violations-summary", Duration::from_secs(10), |t| {
            t == "All 3 products of the catalog meet every policy."
        })
        .await;
        click(&client, "[data-policy='bounds'] .policy-rules summary").await;
        text_of(&client, "[data-rule='bounds.restricted-partitions'] .rule-condition", Duration::from_secs(5), |t| {
            t == r#"product.classification != "restricted" || port.partitions <= 12"#
        })
        .await;
        click(&client, "#rule-target option[value='product']").await;
        // The condition is a code editor that completes the model's names: `product.dom` offers
        // `domain`, Enter takes it.
        client.execute("document.getElementById('try-rule').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
        let condition = client.find(Locator::Css("#rule-condition .cm-content")).await.unwrap();
        condition.click().await.unwrap();
        condition.send_keys("product.dom").await.unwrap();
        text_of(&client, ".cm-tooltip-autocomplete li[aria-selected]", Duration::from_secs(5), |t| t == "domain").await;
        // Half typed, the name is said to be missing once, not once per product.
        text_of(&client, "#rule-verdict[data-verdict='refused']", Duration::from_secs(5), |t| {
            t.starts_with("It cannot be evaluated") && t.contains("dom")
        })
        .await;
        shot(&client, theme, "policies-completion").await;
        condition.send_keys("\u{E007}").await.unwrap();
        condition.send_keys(r#" != "sales""#).await.unwrap();
        let typed = client.find(Locator::Css("#rule-condition .cm-content")).await.unwrap().text().await.unwrap();
        assert_eq!(typed, r#"product.domain != "sales""#, "completion took `domain`; brackets and quotes as typed");
        text_of(&client, "#rule-verdict", Duration::from_secs(10), |t| t.starts_with("Fails for 1 of 3 products"))
            .await;
        text_of(&client, ".rule-failing li[data-product='sales.orders']", Duration::from_secs(5), |t| {
            t.contains("Orders")
        })
        .await;
        shot(&client, theme, "policies-try-rule").await;
        condition.send_keys(" &&").await.unwrap();
        text_of(&client, "#rule-verdict[data-verdict='refused']", Duration::from_secs(10), |t| {
            t.contains("not valid CEL")
        })
        .await;
        type_in_editor(&client, "#rule-condition", "port.partitions <= 48").await;
        text_of(&client, "#rule-verdict[data-verdict='refused']", Duration::from_secs(10), |t| {
            t.contains("cannot use `port`")
        })
        .await;
        click(&client, "#rule-target option[value='port']").await;
        text_of(&client, "#rule-verdict", Duration::from_secs(10), |t| t == "Passes for all 3 products.").await;

        for (href, page, heading) in
            [("/requests", "requests", "Requests"), ("/policies", "policies", "Policies"), ("/trust", "trust", "Trust")]
        {
            nav(&client, href).await;
            text_of(&client, "h1", Duration::from_secs(10), |t| t == heading).await;
            shot(&client, theme, page).await;
        }
    }
    // A topic adopted as it is can break a policy: legacy.shipments (which an admin let Inventory
    // adopt, so its port comes in as it is) as an Inventory product has a topic outside its domain. The Policies page lists it
    // among the current violations.
    nav(&client, "/").await;
    click(&client, "a[href='/unmanaged']").await;
    click(&client, "tr.unmanaged[data-topic='legacy.shipments'] .adopt-open").await;
    let product = client.find(Locator::Css(".adopt-product")).await.unwrap();
    product.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
    product.send_keys("inventory.legacy-shipments").await.unwrap();
    click(&client, ".adopt-title").await;
    let title = client.find(Locator::Css(".adopt-title")).await.unwrap();
    title.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
    title.send_keys("Legacy shipments").await.unwrap();
    // Adopted as it is, the topic's port may break policies (an admin accepted the topic), but
    // the product still needs what every product needs: a description first.
    click(&client, ".adopt-form .adopt").await;
    text_of(&client, ".adopt-outcome", Duration::from_secs(20), |t| {
        t.contains("still needs what every product needs: describe the product in at least 20 characters")
    })
    .await;
    shot(&client, "dark", "adopt-refused").await;
    click(&client, ".adopt-description").await;
    let description = client.find(Locator::Css(".adopt-description")).await.unwrap();
    description.send_keys("Shipments as the old warehouse system writes them.").await.unwrap();
    click(&client, ".adopt-form .adopt").await;
    text_of(&client, "#adopted", Duration::from_secs(20), |t| !t.is_empty()).await;
    nav(&client, "/policies").await;
    text_of(&client, "#violations-summary", Duration::from_secs(30), |t| {
        t == "1 of 4 products breaks a policy, with errors that would block publishing it again."
    })
    .await;
    let row = text_of(
        &client,
        "tr.finding[data-product='inventory.legacy-shipments'][data-policy='naming']",
        Duration::from_secs(5),
        |t| !t.is_empty(),
    )
    .await;
    assert!(row.contains("Port 1, topic name") && row.contains("must start with the product's domain"), "{row}");
    client.execute("document.getElementById('violations').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    shot(&client, "dark", "policies-violations").await;
    // The catalog's "breaks a policy" facet counts it, and its card says so.
    nav(&client, "/").await;
    click(&client, "[data-facet='breaks_policy'] [data-value='yes']").await;
    text_of(&client, "#catalog-count", Duration::from_secs(10), |t| t.starts_with("1 data product ")).await;
    text_of(
        &client,
        "[data-product-id='inventory.legacy-shipments'] .badge.breaks-policy",
        Duration::from_secs(5),
        |t| t == "breaks a policy",
    )
    .await;
    shot(&client, "dark", "catalog-breaks-policy").await;
    click(&client, "#clear-filters").await;

    // Each theme's visit left an untitled draft: discarding asks first, then it is gone.
    nav(&client, "/wizard").await;
    let before = wait_count(&client, "#drafts .draft", |n| n >= 2).await;
    click(&client, "#drafts .draft .discard").await;
    text_of(&client, "#drafts .confirm-question", Duration::from_secs(5), |t| t.contains("cannot be undone")).await;
    click(&client, "#drafts .draft .confirm-yes").await;
    wait_count(&client, "#drafts .draft", |n| n == before - 1).await;
    // The theme follows the system again (the web view keeps the choice for the next window).
    choose_theme(&client, "light").await;
    click(&client, "#theme-system").await;
    driver.close(client).await;
}

/// Waits until the number of elements matching `css` satisfies `want`, and returns it.
async fn wait_count(client: &Client, css: &str, want: impl Fn(usize) -> bool) -> usize {
    let started = Instant::now();
    loop {
        let n = client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0);
        if want(n) {
            return n;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{n} elements match `{css}`");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
