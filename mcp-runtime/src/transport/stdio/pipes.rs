//! This process's stdin and stdout as the stdio transport reads and writes them.
//!
//! tokio's `stdin()` and `stdout()` run every read and every write on the blocking thread
//! pool, a thread hand-off each way per message. When a client launches the server, stdin and
//! stdout are pipes, which the runtime's I/O driver (epoll) can wait on instead: on Linux this
//! opens a second, non-blocking file description of each pipe through `/proc/self/fd` and
//! reads and writes that. fd 0 and 1 themselves are left as they are (blocking): their
//! `O_NONBLOCK` flag belongs to an open file description that the parent (a shell, say) may
//! share. Anything else (a terminal, a file, a socket, no `/proc`, a runtime without its I/O
//! driver, another OS) falls back to tokio's `stdin()` and `stdout()`.

#[cfg(any(target_os = "linux", target_os = "android"))]
mod imp {
    use std::io;
    use std::os::unix::fs::FileTypeExt;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use tokio::net::unix::pipe;
    use tokio_util::either::Either;

    /// stdin: the pipe itself when it is one, else tokio's `stdin()`.
    pub(in crate::transport::stdio) type Input = Either<pipe::Receiver, tokio::io::Stdin>;
    /// stdout: the pipe itself when it is one, else tokio's `stdout()`.
    pub(in crate::transport::stdio) type Output = Either<pipe::Sender, tokio::io::Stdout>;

    pub(in crate::transport::stdio) fn stdin() -> Input {
        match reopen("/proc/self/fd/0", |path| {
            pipe::OpenOptions::new().open_receiver(path)
        }) {
            Some(pipe) => Either::Left(pipe),
            None => Either::Right(tokio::io::stdin()),
        }
    }

    pub(in crate::transport::stdio) fn stdout() -> Output {
        match reopen("/proc/self/fd/1", |path| {
            pipe::OpenOptions::new().open_sender(path)
        }) {
            Some(pipe) => Either::Left(pipe),
            None => Either::Right(tokio::io::stdout()),
        }
    }

    /// Opens the pipe `path` names anew (non-blocking, registered with the I/O driver), or
    /// `None` if it is not a pipe or that fails.
    pub(super) fn reopen<T>(path: &str, open: impl FnOnce(&str) -> io::Result<T>) -> Option<T> {
        // Checked first so that nothing else (a terminal, a device) is opened a second time.
        match std::fs::metadata(path) {
            Ok(meta) if meta.file_type().is_fifo() => {}
            Ok(_) => return None,
            Err(e) => {
                tracing::debug!(path, error = %e, "cannot inspect stdio; using tokio's");
                return None;
            }
        }
        // Registering with the I/O driver panics on a runtime built without it (no
        // `enable_io`); tokio offers no way to ask first. Such a runtime gets tokio's stdio.
        match catch_unwind(AssertUnwindSafe(|| open(path))) {
            Ok(Ok(pipe)) => Some(pipe),
            Ok(Err(e)) => {
                tracing::debug!(path, error = %e, "cannot reopen the stdio pipe; using tokio's");
                None
            }
            Err(_) => {
                tracing::debug!(
                    path,
                    "no tokio I/O driver for the stdio pipe; using tokio's"
                );
                None
            }
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod imp {
    /// stdin: tokio's `stdin()`.
    pub(in crate::transport::stdio) type Input = tokio::io::Stdin;
    /// stdout: tokio's `stdout()`.
    pub(in crate::transport::stdio) type Output = tokio::io::Stdout;

    pub(in crate::transport::stdio) fn stdin() -> Input {
        tokio::io::stdin()
    }

    pub(in crate::transport::stdio) fn stdout() -> Output {
        tokio::io::stdout()
    }
}

pub(super) use imp::{stdin, stdout};

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use std::path::PathBuf;

    use tokio::net::unix::pipe;

    use super::imp::reopen;

    /// A new FIFO in the temporary directory, made with the `mkfifo` command.
    fn fifo(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("mcp-stdio-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(status.success(), "mkfifo: {status}");
        path
    }

    /// A current-thread runtime, with its I/O driver or without.
    fn runtime(io: bool) -> tokio::runtime::Runtime {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        if io {
            builder.enable_io();
        }
        builder.build().expect("runtime")
    }

    fn open_receiver(path: &str) -> std::io::Result<pipe::Receiver> {
        pipe::OpenOptions::new().open_receiver(path)
    }

    #[test]
    fn a_fifo_is_reopened_on_a_runtime_with_io() {
        let path = fifo("io");
        let runtime = runtime(true);
        let _entered = runtime.enter();
        assert!(reopen(path.to_str().expect("utf-8"), open_receiver).is_some());
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_runtime_without_io_falls_back_instead_of_panicking() {
        let path = fifo("no-io");
        let runtime = runtime(false);
        let _entered = runtime.enter();
        assert!(reopen(path.to_str().expect("utf-8"), open_receiver).is_none());
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_regular_file_is_not_reopened() {
        let path = std::env::temp_dir().join(format!("mcp-stdio-{}-file", std::process::id()));
        std::fs::write(&path, "{}\n").expect("write");
        let runtime = runtime(true);
        let _entered = runtime.enter();
        let opened = std::cell::Cell::new(false);
        let result = reopen(path.to_str().expect("utf-8"), |path| {
            opened.set(true);
            open_receiver(path)
        });
        assert!(result.is_none());
        assert!(!opened.get(), "only a FIFO is opened a second time");
        let _ = std::fs::remove_file(path);
    }
}
