fn main() {
    // The UI is embedded at compile time; say how to build it rather than fail obscurely.
    let index = std::path::Path::new("../ui/dist/index.html");
    println!("cargo:rerun-if-changed=../ui/dist");
    if !index.exists() {
        panic!(
            "ui/dist/index.html is missing: build the UI first with scripts/build-ui.sh (scripts/run.sh and scripts/test.sh do it for you)"
        );
    }
    tauri_build::build()
}
