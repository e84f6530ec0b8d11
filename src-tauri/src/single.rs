//! One app per data directory. The first start takes `app.lock` (an exclusive `flock`) and
//! listens on `app.sock`; a second start on the same directory asks it, through the socket, to
//! bring its window forward and exits. If the first one is shutting down (it answers
//! `exiting`, or no longer listens), the second waits for the lock instead.
//!
//! Written here rather than with tauri-plugin-single-instance: on Linux that plugin needs a
//! D-Bus session bus, which headless machines and CI do not have, and it does not know about
//! the data directory (two sandboxes in two directories may run side by side).

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// This process holds the data directory.
pub struct Instance {
    _lock: std::fs::File,
    listener: UnixListener,
}

pub enum Claim {
    First(Instance),
    /// Another app runs on this directory and brought its window forward.
    Focused,
}

fn try_lock(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
    // SAFETY: flock on a descriptor this function owns.
    let ok = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    Ok(ok.then_some(f))
}

fn ask_to_focus(sock: &Path) -> Option<String> {
    let mut s = UnixStream::connect(sock).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    s.write_all(b"focus\n").ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    Some(line.trim().to_owned())
}

pub fn claim(data_dir: &Path) -> std::io::Result<Claim> {
    std::fs::create_dir_all(data_dir)?;
    let (lock_path, sock) = (data_dir.join("app.lock"), data_dir.join("app.sock"));
    let started = Instant::now();
    loop {
        if let Some(lock) = try_lock(&lock_path)? {
            let _ = std::fs::remove_file(&sock);
            let listener = UnixListener::bind(&sock)?;
            return Ok(Claim::First(Instance { _lock: lock, listener }));
        }
        if ask_to_focus(&sock).as_deref() == Some("focused") {
            return Ok(Claim::Focused);
        }
        // The other one is on its way out: wait for its lock.
        if started.elapsed() > Duration::from_secs(15) {
            return Err(std::io::Error::other(format!(
                "another Meshdesk holds {} and does not answer",
                lock_path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The function that brings the window forward, set once the window exists.
pub type Focus = Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>;

impl Instance {
    /// Answers later starts on a thread of its own: `focused` (after calling `focus`) or
    /// `exiting`, once the returned flag is set.
    pub fn serve(self, focus: Focus) -> Arc<AtomicBool> {
        let exiting = Arc::new(AtomicBool::new(false));
        let flag = exiting.clone();
        std::thread::spawn(move || {
            let _lock = self._lock;
            for conn in self.listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut line = String::new();
                let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                if BufReader::new(&conn).read_line(&mut line).is_err() || line.trim() != "focus" {
                    continue;
                }
                let answer = match focus.get() {
                    Some(f) if !flag.load(Ordering::SeqCst) => {
                        f();
                        "focused\n"
                    }
                    _ => "exiting\n",
                };
                let _ = conn.write_all(answer.as_bytes());
            }
        });
        exiting
    }
}

/// The socket path, for messages.
pub fn socket(data_dir: &Path) -> PathBuf {
    data_dir.join("app.sock")
}
