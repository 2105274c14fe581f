//! The built binary: it prints where it listens and serves there.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_address_and_keys_then_serves() {
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_okx-mock"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("okx-mock listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut banner = String::new();
    for _ in 0..12 {
        stdout.read_line(&mut banner).unwrap();
    }
    let live = okx_mock::DEFAULT_WORLD
        .lines()
        .find(|l| l.starts_with("apiKey"))
        .unwrap();
    let key = live.split('"').nth(1).unwrap();
    assert!(
        banner.contains(&format!("ccxt.okx({{'apiKey': '{key}'")),
        "{banner}"
    );
    let body: serde_json::Value = reqwest::get(format!("{url}/api/v5/public/time"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], "0");
}

#[test]
fn a_bad_world_file_is_a_clear_error_and_a_failing_exit() {
    let dir = std::env::temp_dir().join(format!("okx-mock-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[market]\npriceModel = \"static\"\nspreadTicks = \"wide\"\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_okx-mock"))
        .args(["--port", "0", "--world"])
        .arg(&file)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    let mut child = output;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(
        stderr.contains("bad.toml") && stderr.contains("line 3"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
