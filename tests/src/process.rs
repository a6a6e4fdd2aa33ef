//! A `coopnet serve` child process for the real-process tests of `crates/cli/tests`
//! (`reliability.rs`, `search_consistency.rs`): waited on until `/healthz` answers, stopped
//! with `kill -9` or SIGTERM, and killed when dropped so a failed test leaves no server.
use std::path::PathBuf;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// A running `coopnet serve`, its port and the file its output goes to.
pub struct ServeProcess {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
    log: PathBuf,
}

impl ServeProcess {
    /// Wraps a spawned `serve` listening on `port` whose output goes to `log`.
    pub fn new(child: Child, port: u16, log: PathBuf) -> Self {
        Self { child, port, log }
    }

    /// What it has written so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `/healthz` answers 200; fails if the process exits or `timeout` passes.
    pub async fn wait_healthy(&mut self, timeout: Duration) {
        let http = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("coopnet serve exited early ({status}):\n{}", self.log());
            }
            if let Ok(r) = http.get(&url).send().await
                && r.status() == reqwest::StatusCode::OK
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "coopnet serve did not answer /healthz within {timeout:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: no chance to finish or clean up anything.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits (up to 30 s) for the process to exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "coopnet serve did not stop:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port that was free a moment ago (bound to port 0, read, let go).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
