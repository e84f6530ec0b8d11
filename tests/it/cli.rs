use std::process::Command;

use meshdesk_tests::target_dir;

fn meshctl(args: &[&str]) -> (i32, String, String) {
    let bin = target_dir().join("debug/meshctl");
    assert!(bin.is_file(), "{} is missing: scripts/test.sh builds it", bin.display());
    let out = Command::new(bin).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Writes a file in `dir` and returns its path as text, for meshctl's arguments.
fn write_file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn meshctl_schema_check_exits_0_1_or_2() {
    // Verifies `meshctl schema check`: 0 when compatible, 1 with the reasons when incompatible, 2 with file:line:column for a malformed schema, 3 when a JSON Schema change is one the check cannot judge (a rewritten pattern), while a branch removed from an `anyOf` is judged incompatible, previous versions given oldest first.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_file(dir.path(), name, text);
    let v1 = write("v1.avsc", r#"{"type": "record", "name": "S", "fields": [{"name": "quantity", "type": "int"}]}"#);
    let v2 = write("v2.avsc", r#"{"type": "record", "name": "S", "fields": [{"name": "quantity", "type": "long"}]}"#);
    let v3 = write("v3.avsc", r#"{"type": "record", "name": "S", "fields": [{"name": "quantity", "type": "string"}]}"#);
    let bad = write(
        "bad.avsc",
        "{\"type\": \"record\", \"name\": \"S\",\n \"fields\": [{\"name\": \"q\", \"type\": \"integer\"}]}",
    );

    let (code, out, _) =
        meshctl(&["schema", "check", "--type", "avro", "--level", "BACKWARD", "--previous", &v1, "--new", &v2]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("compatible at BACKWARD"), "{out}");

    let (code, out, _) = meshctl(&[
        "schema",
        "check",
        "--type",
        "avro",
        "--level",
        "BACKWARD_TRANSITIVE",
        "--previous",
        &v1,
        "--previous",
        &v2,
        "--new",
        &v3,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("field `quantity` changed from long to string: consumers using the new version cannot read records written with version 2"), "{out}");
    assert!(out.contains("written with version 1"), "transitive: version 1 too: {out}");

    let (code, _, err) =
        meshctl(&["schema", "check", "--type", "avro", "--level", "FULL", "--previous", &v1, "--new", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.avsc:2:35: unknown type `integer`"), "{err}");

    let j1 = write(
        "v1.json",
        r#"{"type": "object", "properties": {"q": {"type": "integer"}}, "additionalProperties": false}"#,
    );
    let j2 = write(
        "v2.json",
        r#"{"type": "object", "properties": {"q": {"type": "integer"}}, "required": ["q"], "additionalProperties": false}"#,
    );
    let (code, out, _) =
        meshctl(&["schema", "check", "--type", "json", "--level", "BACKWARD", "--previous", &j1, "--new", &j2]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`q` became required"), "{out}");
    // A branch removed from an `anyOf`: old documents are refused, said at the path (exit 1); a
    // rewritten `pattern` is a change the check cannot judge, so it says so (exit 3) rather
    // than "compatible".
    let a1 = write("a1.json", r#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#);
    let a2 = write("a2.json", r#"{"anyOf": [{"type": "string"}]}"#);
    let (code, out, _) =
        meshctl(&["schema", "check", "--type", "json", "--level", "BACKWARD", "--previous", &a1, "--new", &a2]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no longer fit any branch of `anyOf`"), "{out}");
    let r1 = write("r1.json", r#"{"type": "string", "pattern": "^[a-z]+$"}"#);
    let r2 = write("r2.json", r#"{"type": "string", "pattern": "^[a-z0-9]+$"}"#);
    let (code, out, _) =
        meshctl(&["schema", "check", "--type", "json", "--level", "BACKWARD", "--previous", &r1, "--new", &r2]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("undecided at BACKWARD") && out.contains("cannot judge: `<root>`: `pattern` changed"),
        "{out}"
    );
    let p1 = write("v1.proto", "syntax = \"proto3\";\nmessage S {\n  int32 quantity = 1;\n}\n");
    let p2 = write("v2.proto", "syntax = \"proto3\";\nmessage S {\n  int64 quantity = 1;\n  string note = 2;\n}\n");
    let (code, out, _) = meshctl(&[
        "schema",
        "check",
        "--type",
        "protobuf",
        "--level",
        "FULL_TRANSITIVE",
        "--previous",
        &p1,
        "--new",
        &p2,
    ]);
    assert_eq!(code, 0, "{out}");
    let p3 = write("v3.proto", "syntax = \"proto3\";\nmessage S {\n  int64 quantity = 1\n}\n");
    let (code, _, err) =
        meshctl(&["schema", "check", "--type", "protobuf", "--level", "FULL", "--previous", &p1, "--new", &p3]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("v3.proto:4:1:"), "{err}");

    let (code, _, err) = meshctl(&["schema", "check", "--type", "avro", "--level", "SIDEWAYS", "--new", &v1]);
    assert_eq!(code, 2);
    assert!(err.contains("SIDEWAYS"), "{err}");
}

#[test]
fn meshctl_topic_name_check_exits_0_for_valid_and_1_with_the_reason() {
    // Verifies `meshctl topic-name check`: 0 for a name Kafka and the naming policy accept, 1 with the same reason the wizard shows for names Kafka refuses or that break the convention, 2 for a malformed call.
    let (code, out, _) = meshctl(&["topic-name", "check", "inventory.stock-reserved"]);
    assert_eq!((code, out.trim()), (0, "inventory.stock-reserved: valid"));
    for (name, reason) in [
        ("inventory.stock reserved", "contains ` ` at position 16"),
        ("inventory", "<domain>.<event-name>"),
        ("Inventory.Stock", "kebab-case"),
        ("..", "reserved"),
        ("_inventory.internal", "internal"),
    ] {
        let (code, out, _) = meshctl(&["topic-name", "check", name]);
        assert_eq!(code, 1, "{name}: {out}");
        assert_eq!(
            out.trim(),
            meshdesk_domain::policy::check_topic_name(name).unwrap_err().0,
            "the policy's own words"
        );
        assert!(out.to_lowercase().contains(reason), "{name}: {out}");
    }
    assert_eq!(meshctl(&["topic-name", "check"]).0, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meshctl_trust_and_secret_commands_keep_keys_and_credentials_in_the_keyring() {
    // Verifies `meshctl trust init` creates an admin key in the keyring and prints the [trust] line to paste (a second init is refused), `meshctl secret set` stores a secret read from standard input that an environment file then refers to, and `meshctl trust list` with that file lists the sandbox's endorsed keys while warning about a token written in clear.
    use std::io::Write;
    use std::process::{Command, Stdio};
    let meshctl = meshdesk_tests::target_dir().join("debug/meshctl");
    let principal = format!("User:{}", meshdesk_tests::unique("admin").replace('-', ""));
    let out = Command::new(&meshctl).args(["trust", "init", "--principal", &principal]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("[trust]\nadmins = [\"ed25519:"), "{stdout}");
    let p = meshdesk_domain::Principal::parse(&principal).unwrap();
    let key = meshdesk_service::keyring::signing_key(&p).unwrap().expect("the admin key is in the keyring");
    assert!(stdout.contains(&key.public_key().id()), "{stdout}");
    let again = Command::new(&meshctl).args(["trust", "init", "--principal", &principal]).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("has a signing key"));

    // The sandbox admin's Kafka password, stored by `meshctl secret set` and used through the file.
    let t = meshdesk_tests::sandbox(true).await;
    let password = t.sandbox.own_password(meshdesk_sandbox::access::ADMIN_USER).unwrap();
    let name = meshdesk_tests::unique("it-secret");
    let mut child = Command::new(&meshctl)
        .args(["secret", "set", &name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    assert_eq!(meshdesk_service::keyring::secret_get(&name).unwrap(), Some(password));

    let dir = tempfile::tempdir().unwrap();
    let env = meshdesk_tests::env_file_as(dir.path(), "it", &t.sandbox, "User:ines");
    let text = std::fs::read_to_string(&env).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("\"sasl.password\"") {
                format!("\"sasl.password\" = {{ keyring = \"{name}\" }}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let text = text.replace("[registry]\n", "[registry]\nbearer_token = \"written-in-clear\"\n");
    std::fs::write(&env, text).unwrap();
    let out = Command::new(&meshctl)
        .args(["trust", "list", "--env"])
        .arg(&env)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.lines().any(|l| l.starts_with("endorsed") && l.contains("User:ines") && l.contains("roles=owner")),
        "{stdout}"
    );
    assert!(stdout.contains("admin (pinned)"), "{stdout}");
    assert!(stderr.contains("[registry] bearer_token is written in clear"), "{stderr}");
    meshdesk_service::keyring::delete_signing_key(&p).unwrap();
    meshdesk_service::keyring::secret_delete(&name).unwrap();
}

#[test]
fn meshctl_explains_itself_completes_and_answers_in_json() {
    // Verifies the clap command line: `--help` and `-h` print usage with examples and the exit codes on the root and on `reconcile` and `schema check`, `--version` prints the version, `completions bash|zsh|fish` print completion scripts, an unknown option exits 2 with the reason, and `--output json` gives JSON for the schema check and the topic-name check with the same exit codes as text.
    for args in [&["--help"][..], &["reconcile", "--help"], &["schema", "check", "-h"]] {
        let (code, out, err) = meshctl(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage: meshctl") && out.contains("Examples:\n  meshctl "), "{args:?}:\n{out}");
        assert!(out.contains("Exit codes"), "{args:?}:\n{out}");
    }
    let (code, out, _) = meshctl(&["--version"]);
    assert_eq!((code, out.trim()), (0, concat!("meshctl ", env!("CARGO_PKG_VERSION"))));
    for (shell, marker) in
        [("bash", "complete -F _meshctl"), ("zsh", "#compdef meshctl"), ("fish", "complete -c meshctl")]
    {
        let (code, out, _) = meshctl(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(out.contains(marker) && out.contains("reconcile"), "{shell}:\n{out}");
    }
    let (code, _, err) = meshctl(&["reconcile", "--frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("--frobnicate"), "{err}");

    let (code, out, _) = meshctl(&["topic-name", "check", "Sales.Orders", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((code, &v["valid"], &v["name"]), (1, &serde_json::json!(false), &serde_json::json!("Sales.Orders")));
    assert!(v["reason"].as_str().unwrap().contains("kebab-case"), "{v}");

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_file(dir.path(), name, text);
    let v1 = write("v1.avsc", r#"{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}"#);
    let v2 = write(
        "v2.avsc",
        r#"{"type":"record","name":"S","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
    );
    let (code, out, _) = meshctl(&[
        "-o",
        "json",
        "schema",
        "check",
        "--type",
        "avro",
        "--level",
        "BACKWARD",
        "--previous",
        &v1,
        "--new",
        &v2,
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((code, v["verdict"].as_str()), (1, Some("incompatible")), "{v}");
    assert!(v["messages"][0].as_str().unwrap().contains("`b`"), "{v}");
    assert_eq!(v["level"], "BACKWARD");
}

#[test]
fn release_builds_carry_no_test_hook() {
    // Verifies test-only behaviour stays out of what `cargo build --release` builds: `meshctl sync --help` offers no test flag, and the crash tests' failpoints feature is reached only through the test crate's dev-dependencies (cargo's own feature resolution without dev-dependencies has none, with them it has it, so the check can see it).
    let (code, out, _) = meshctl(&["sync", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--batch") && !out.contains("pause") && !out.contains("FAILPOINTS"), "{out}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = |edges: &str| {
        let out = Command::new(&cargo)
            .current_dir(meshdesk_tests::repo_root())
            .args(["tree", "--workspace", "--offline", "--prefix", "none", "-e", edges])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains("\"failpoints\"")).count()
    };
    assert_eq!(tree("normal,build,features"), 0, "a release build would contain the failpoints");
    assert!(tree("normal,build,dev,features") > 0, "the test builds' failpoints are visible to this check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meshctl_trust_adopt_lets_a_domain_adopt_a_topic_outside_its_namespace() {
    // Verifies `meshctl trust adopt` as the sandbox's governance admin: adopting `__consumer_offsets` is refused with the reason before anything is written; `legacy.stock` adopted for Inventory is written, after which Inventory's owner may publish a product whose port is that topic (before it, the same publication is refused as outside the namespace).
    use meshdesk_domain::{EventBody, TopicName};
    let meshctl = target_dir().join("debug/meshctl");
    let t = meshdesk_tests::sandbox(true).await;
    let dir = tempfile::tempdir().unwrap();
    let admin_env = meshdesk_tests::env_file_as(dir.path(), "admin", &t.sandbox, meshdesk_domain::seed::SEED_ACTOR);
    let (_i, ines) = meshdesk_tests::desktop(&t, "User:ines").await;
    let mut legacy = meshdesk_domain::seed::products().remove(0);
    legacy.output_ports[0].topic = TopicName::parse("legacy.stock").unwrap();
    let before = ines.publish(&EventBody::ProductPublished(legacy.clone())).await.unwrap_err().to_string();
    assert!(before.contains("outside the domain's namespace"), "{before}");

    let adopt = |topic: &str| {
        Command::new(&meshctl)
            .args(["trust", "adopt", topic, "--domain", "inventory", "--reason", "Inventory has run it since 2019"])
            .arg("--env")
            .arg(&admin_env)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .output()
            .unwrap()
    };
    let internal = adopt("__consumer_offsets");
    let stderr = String::from_utf8_lossy(&internal.stderr);
    assert!(!internal.status.success() && stderr.contains("can never be adopted"), "{stderr}");
    let out = adopt("legacy.stock");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && stdout.contains("written"), "{stdout}{stderr}");

    ines.sync().await.unwrap();
    ines.publish(&EventBody::ProductPublished(legacy)).await.unwrap();
    ines.flush_outbox().await.unwrap();
    ines.sync().await.unwrap();
    let stock = ines.store().product("inventory.stock-levels").await.unwrap().unwrap();
    assert_eq!(stock.product.output_ports[0].topic.as_str(), "legacy.stock");
    ines.shutdown().await;
}
