//! The README's Markdown-log walkthrough, pasted as written into bash against a real
//! `tm-local` (issue 12: it must work when pasted).

mod support;

use support::Server;

/// The first ```bash block after the README's "### Markdown logs" heading.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme.split("### Markdown logs").nth(1).expect("the README has the logs section");
    let block = section.split("```bash\n").nth(1).expect("a bash block");
    block.split("\n```").next().unwrap().to_owned()
}

#[test]
fn the_readme_log_walkthrough_works_when_pasted() {
    let server = Server::start("readme-logs");
    let script = walkthrough();
    assert!(script.contains("B=http://127.0.0.1:8080"), "{script}");
    let script = script.replace("B=http://127.0.0.1:8080", &format!("B={}", server.base));
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(repo)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}");
    for said in
        ["identical", "applied", "version 1 is the upload", "> - **12:00-12:30**: Review copy [[Website Redesign]]"]
    {
        assert!(stdout.contains(said), "{said:?} in:\n{stdout}");
    }
}
