//! HTTP servers a test starts (the registry, a webhook receiver, an identity provider's key
//! server), each on a thread of its own that is stopped and waited for when the test lets the
//! server go.
//!
//! A server spawned on the test's own runtime is never told to stop before that runtime ends;
//! its worker threads then wind down after the test, still holding the application and its
//! database connections, racing the exit of the process (see `TestApp`'s drop).

use actix_web::dev::{Server, ServerHandle};
use std::net::TcpListener;
use std::thread::JoinHandle;

/// A server listening on an ephemeral loopback port until dropped.
pub struct Spawned {
    pub port: u16,
    handle: Option<ServerHandle>,
    thread: Option<JoinHandle<()>>,
}

impl Spawned {
    /// Runs the server `serve` makes on the listener it is given, on a thread of its own.
    /// `serve` should build an `HttpServer` with `.workers(1).disable_signals()`.
    pub fn start(serve: impl FnOnce(TcpListener) -> std::io::Result<Server> + Send + 'static) -> Spawned {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let port = listener.local_addr().expect("local address").port();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("test server :{port}"))
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = serve(listener).expect("listen");
                    let _ = tx.send(server.handle());
                    let _ = server.await;
                })
            })
            .expect("server thread");
        let handle = rx.recv().expect("the server started");
        Spawned { port, handle: Some(handle), thread: Some(thread) }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops accepting, lets open requests finish, and waits until the server's thread ends.
    pub fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            // The command is sent at once; the server's own thread carries it out, and its
            // runtime ends only once the workers have stopped.
            drop(handle.stop(true));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.stop();
    }
}
