//! A TCP fault proxy between terminal and union (127.0.0.1 only): the terminal's link points at the proxy,
//! and the test switches what the "line" does while the sync engine works.
//!
//! It forwards raw TCP, so mutual TLS stays end to end (the server certificate names `localhost` and
//! 127.0.0.1, which the proxy's address still is). Hand-rolled on tokio because the modes must act on
//! connections that are already open (a pooled connection that goes half-open mid-request is the case that
//! matters), which the ready-made proxies of the ecosystem do not switch at run time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward everything.
    Pass,
    /// Forward every chunk after this delay (both directions, open connections too).
    Delay(Duration),
    /// Reset: new connections are accepted and reset at once, open ones at their next chunk (RST via
    /// SO_LINGER 0).
    Reset,
    /// Half-open: new connections are accepted and never forwarded; open ones stop forwarding in both
    /// directions (nothing arrives, nothing fails — only timeouts tell).
    Blackhole,
    /// The request gets through but the answer does not: open connections forward terminal → union and
    /// swallow union → terminal (the union decides, the terminal never hears). New connections cannot
    /// finish their handshake.
    DropReplies,
    /// Stop listening (connection refused); open connections are reset at their next chunk.
    Refuse,
}

/// What the proxy did, for the test to wait on.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Connections reset by the proxy.
    pub resets: AtomicU64,
    /// Connections that went half-open (blackholed, or answers swallowed).
    pub half_open: AtomicU64,
    /// Chunks forwarded late.
    pub delayed: AtomicU64,
    /// Bytes of answers swallowed in `DropReplies` (the union answered, the terminal never heard).
    pub replies_dropped: AtomicU64,
}

impl Stats {
    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::SeqCst)
    }
}

/// A running proxy.
pub struct FaultProxy {
    /// Where the terminal connects.
    pub addr: SocketAddr,
    mode: watch::Sender<Mode>,
    /// Counters.
    pub stats: Arc<Stats>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        assert!(upstream.ip().is_loopback(), "the proxy stays on loopback");
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, rx) = watch::channel(Mode::Pass);
        let stats = Arc::new(Stats::default());
        let task = tokio::spawn(accept_loop(listener, addr, upstream, rx, stats.clone()));
        FaultProxy {
            addr,
            mode,
            stats,
            task,
        }
    }

    /// Switches the line.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        *self.mode.borrow()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    mut listener: TcpListener,
    addr: SocketAddr,
    upstream: SocketAddr,
    mut mode: watch::Receiver<Mode>,
    stats: Arc<Stats>,
) {
    loop {
        if *mode.borrow() == Mode::Refuse {
            drop(listener);
            while *mode.borrow_and_update() == Mode::Refuse {
                if mode.changed().await.is_err() {
                    return;
                }
            }
            listener = rebind(addr).await;
        }
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                stats.accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(connection(client, upstream, mode.clone(), stats.clone()));
            }
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Listening again on the same port after `Refuse` (SO_REUSEADDR is set by tokio; a port just released
/// may still be busy for a moment).
async fn rebind(addr: SocketAddr) -> TcpListener {
    let mut tries = 0;
    loop {
        match TcpListener::bind(addr).await {
            Ok(l) => return l,
            Err(e) if tries < 200 => {
                tries += 1;
                let _ = e;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => panic!("proxy cannot listen on {addr} again: {e}"),
        }
    }
}

fn reset(stream: &TcpStream) {
    // SO_LINGER 0: closing sends RST instead of FIN.
    let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
}

async fn connection(
    client: TcpStream,
    upstream: SocketAddr,
    mode: watch::Receiver<Mode>,
    stats: Arc<Stats>,
) {
    let _ = client.set_nodelay(true);
    let at_accept = *mode.borrow();
    match at_accept {
        Mode::Reset | Mode::Refuse => {
            reset(&client);
            stats.resets.fetch_add(1, Ordering::SeqCst);
            return;
        }
        Mode::Blackhole => {
            stats.half_open.fetch_add(1, Ordering::SeqCst);
            swallow(client).await;
            return;
        }
        Mode::Delay(d) => tokio::time::sleep(d).await,
        Mode::Pass | Mode::DropReplies => {}
    }
    let server = match TcpStream::connect(upstream).await {
        Ok(s) => s,
        Err(_) => {
            // The union is down: the terminal sees its connection reset.
            reset(&client);
            stats.resets.fetch_add(1, Ordering::SeqCst);
            return;
        }
    };
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    // Either direction ending in a reset ends both (dropping the other pump closes its sockets).
    // Once a connection lost bytes it stays dead: the TLS stream cannot recover from a gap.
    let dead = Arc::new(AtomicBool::new(false));
    let _ = tokio::try_join!(
        pump(
            cr,
            sw,
            Direction::ToUnion,
            mode.clone(),
            stats.clone(),
            dead.clone()
        ),
        pump(sr, cw, Direction::ToTerminal, mode, stats, dead),
    );
}

/// Reads and discards until the peer gives up.
async fn swallow(mut client: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = client.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    ToUnion,
    ToTerminal,
}

struct Reset;

async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    dir: Direction,
    mode: watch::Receiver<Mode>,
    stats: Arc<Stats>,
    dead: Arc<AtomicBool>,
) -> Result<(), Reset> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return Ok(());
            }
            Ok(n) => n,
        };
        let now = *mode.borrow();
        match now {
            Mode::Reset | Mode::Refuse => {
                reset(from.as_ref());
                reset(to.as_ref());
                stats.resets.fetch_add(1, Ordering::SeqCst);
                return Err(Reset);
            }
            Mode::Blackhole => {
                if !dead.swap(true, Ordering::SeqCst) {
                    stats.half_open.fetch_add(1, Ordering::SeqCst);
                }
                continue;
            }
            Mode::DropReplies if dir == Direction::ToTerminal => {
                if !dead.swap(true, Ordering::SeqCst) {
                    stats.half_open.fetch_add(1, Ordering::SeqCst);
                }
                stats.replies_dropped.fetch_add(n as u64, Ordering::SeqCst);
                continue;
            }
            Mode::Delay(d) => {
                stats.delayed.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(d).await;
            }
            Mode::Pass | Mode::DropReplies => {}
        }
        if dead.load(Ordering::SeqCst) && now != Mode::DropReplies {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return Ok(());
        }
    }
}
