//! Against real redis-server processes, each test starting its own on a free port (and
//! stopping it, to see what a node does while Redis is down). Without `redis-server` on PATH
//! the tests say so and pass, unless `MCP_REDIS_REQUIRED=1` (CI's scale-out suite) makes that
//! a failure.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mcp_redis::{Redis, RedisConfig};
use mcp_runtime::ServerEvent;
use mcp_runtime::store::{
    Bus, BusMessage, Envelope, SessionRecord, SessionStore, SessionStoreError,
};

/// A redis-server of one test, killed when dropped.
struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one, or `None` when redis-server is not installed (and that is allowed).
    fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = RedisServer { port, child: None };
        if !server.run() {
            assert!(
                std::env::var("MCP_REDIS_REQUIRED").as_deref() != Ok("1"),
                "redis-server is required (MCP_REDIS_REQUIRED=1) but not installed"
            );
            eprintln!("SKIPPED: redis-server is not installed");
            return None;
        }
        Some(server)
    }

    /// Starts redis-server on the port (again); `false` when it is not installed.
    fn run(&mut self) -> bool {
        let spawned = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = spawned else { return false };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Kills it (as a crash would: nothing is saved).
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn config(&self) -> RedisConfig {
        RedisConfig::new(format!("redis://127.0.0.1:{}/0", self.port))
            .timeout(Duration::from_millis(500))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn record(id: &str) -> SessionRecord {
    let mut record = SessionRecord::new(id);
    record.subscriptions = vec!["file:///a".into()];
    record
}

#[tokio::test]
async fn sessions_are_kept_refreshed_capped_and_removed() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let store = redis.sessions();
    let ttl = Some(Duration::from_secs(60));
    assert!(store.create(&record("a"), ttl, 2).await.unwrap());
    assert!(store.create(&record("b"), ttl, 2).await.unwrap());
    assert!(
        !store.create(&record("c"), ttl, 2).await.unwrap(),
        "two at most, in all"
    );
    assert_eq!(store.load("a", ttl).await.unwrap(), Some(record("a")));
    let mut changed = record("a");
    changed.subscriptions.push("file:///b".into());
    assert!(store.save(&changed, ttl).await.unwrap());
    assert_eq!(store.load("a", ttl).await.unwrap(), Some(changed));
    assert!(store.touch("b", ttl).await.unwrap());
    assert!(store.remove("a").await.unwrap());
    assert!(!store.remove("a").await.unwrap());
    assert_eq!(store.load("a", ttl).await.unwrap(), None);
    assert!(
        !store.save(&record("a"), ttl).await.unwrap(),
        "an ended session stays ended"
    );
    assert!(
        store.create(&record("c"), ttl, 2).await.unwrap(),
        "a slot freed by the removal"
    );
}

#[tokio::test]
async fn idle_sessions_expire_and_free_their_slot() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let store = redis.sessions();
    let short = Some(Duration::from_millis(200));
    assert!(store.create(&record("idle"), short, 1).await.unwrap());
    assert!(!store.create(&record("other"), short, 1).await.unwrap());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.load("idle", short).await.unwrap(), None);
    assert!(!store.touch("idle", short).await.unwrap());
    assert!(
        store.create(&record("other"), short, 1).await.unwrap(),
        "the expired one no longer counts"
    );
}

#[tokio::test]
async fn an_unreadable_record_is_an_error_not_a_crash() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let status = Command::new("redis-cli")
        .args([
            "-p",
            &server.port.to_string(),
            "SET",
            "mcp:session:bad",
            "{not json",
        ])
        .stdout(Stdio::null())
        .status()
        .expect("redis-cli");
    assert!(status.success());
    let error = redis.sessions().load("bad", None).await.unwrap_err();
    assert!(matches!(error, SessionStoreError::Corrupt(_)), "{error}");
}

#[tokio::test]
async fn messages_published_by_one_node_reach_the_other() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = Redis::connect(server.config()).await.unwrap();
    let b = Redis::connect(server.config()).await.unwrap();
    let mut heard = b.bus().subscribe();
    let sent = Envelope {
        from: 1,
        message: BusMessage::Announce {
            event: ServerEvent::ResourceUpdated("file:///x".into()),
        },
    };
    a.bus().publish(&sent).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), heard.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*got, sent);
}

#[tokio::test]
async fn redis_down_is_a_prompt_error_and_a_restart_is_recovered_from() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let a = Redis::connect(server.config()).await.unwrap();
    let b = Redis::connect(server.config()).await.unwrap();
    let store = a.sessions();
    assert!(store.create(&record("s"), None, 10).await.unwrap());
    server.kill();
    let started = Instant::now();
    let error = store.load("s", None).await.unwrap_err();
    assert!(
        matches!(error, SessionStoreError::Unavailable(_)),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "failed in {:?}",
        started.elapsed()
    );
    assert!(
        a.bus()
            .publish(&Envelope {
                from: 1,
                message: BusMessage::SessionEnded {
                    session: "s".into()
                }
            })
            .await
            .is_err()
    );
    server.run();
    // Reconnects by itself; a Redis without persistence lost the session.
    let deadline = Instant::now() + Duration::from_secs(10);
    let reloaded = loop {
        match store.load("s", None).await {
            Ok(found) => break found,
            Err(e) => {
                assert!(Instant::now() < deadline, "no recovery: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(
        reloaded, None,
        "what a Redis restart without persistence loses"
    );
    // The bus resubscribed: b hears a's messages again.
    let mut heard = b.bus().subscribe();
    let sent = Envelope {
        from: 2,
        message: BusMessage::SessionChanged {
            record: Box::new(SessionRecord::new("t")),
        },
    };
    let got = loop {
        let _ = a.bus().publish(&sent).await;
        if let Ok(Ok(got)) = tokio::time::timeout(Duration::from_millis(200), heard.recv()).await {
            break got;
        }
        assert!(Instant::now() < deadline, "the bus did not come back");
    };
    assert_eq!(*got, sent);
}

#[tokio::test]
async fn every_node_signs_request_state_with_one_key() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = Redis::connect(server.config()).await.unwrap();
    let b = Redis::connect(server.config()).await.unwrap();
    let secret = || {
        let out = Command::new("redis-cli")
            .args([
                "-p",
                &server.port.to_string(),
                "GET",
                "mcp:request-state-secret",
            ])
            .output()
            .expect("redis-cli");
        String::from_utf8(out.stdout)
            .expect("text")
            .trim()
            .to_owned()
    };
    a.request_state_key().await.unwrap();
    let first = secret();
    assert!(first.len() >= 32, "{first:?}");
    b.request_state_key().await.unwrap();
    a.request_state_key().await.unwrap();
    assert_eq!(
        secret(),
        first,
        "the first node's secret is kept, and used by every node"
    );
}

#[tokio::test]
async fn events_replay_exactly_what_followed_and_trimmed_ones_are_unknown() {
    use mcp_runtime::store::EventStore;
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let store = redis.event_store(3, Duration::from_secs(60));
    let prime = store.store("s-1", None).await.unwrap();
    let other = store.store("t-1", Some("{\"other\":1}")).await.unwrap();
    let first = store.store("s-1", Some("{\"n\":1}")).await.unwrap();
    let second = store.store("s-1", Some("{\"n\":2}")).await.unwrap();
    let replay = store.replay_after(&prime).await.unwrap().unwrap();
    assert_eq!(replay.stream_id, "s-1");
    let ids: Vec<_> = replay.events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, [first.clone(), second.clone()]);
    assert_eq!(replay.events[1].message.as_deref(), Some("{\"n\":2}"));
    assert!(
        store
            .replay_after(&second)
            .await
            .unwrap()
            .unwrap()
            .events
            .is_empty()
    );
    // A fourth event trims the first (MAXLEN 3): the priming event can no longer be resumed.
    store.store("s-1", Some("{\"n\":3}")).await.unwrap();
    assert!(store.replay_after(&prime).await.unwrap().is_none());
    for garbage in ["s-1/0", "s-1/01", "s-1/x", "nope", "s-1/99"] {
        assert!(
            store.replay_after(garbage).await.unwrap().is_none(),
            "{garbage}"
        );
    }
    store.forget_streams("s-").await.unwrap();
    assert!(
        store.replay_after(&first).await.unwrap().is_none(),
        "forgotten"
    );
    assert!(
        store.replay_after(&other).await.unwrap().is_some(),
        "other sessions stay"
    );
}

#[tokio::test]
async fn events_stored_together_are_numbered_in_order_after_the_others() {
    use mcp_runtime::store::EventStore;
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let store = redis.event_store(10, Duration::from_secs(60));
    let before = store.store("s-1", None).await.unwrap();
    let ids = store
        .store_all("s-1", &[None, Some("{\"n\":1}"), Some("{\"n\":2}")])
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let number = |id: &str| id.rsplit_once('/').unwrap().1.parse::<u64>().unwrap();
    assert_eq!(number(&ids[0]), number(&before) + 1);
    assert_eq!(number(&ids[2]), number(&ids[0]) + 2);
    let replay = store.replay_after(&before).await.unwrap().unwrap();
    let got: Vec<_> = replay
        .events
        .iter()
        .map(|e| (e.id.clone(), e.message.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (ids[0].clone(), None),
            (ids[1].clone(), Some("{\"n\":1}".to_owned())),
            (ids[2].clone(), Some("{\"n\":2}".to_owned())),
        ]
    );
    // Resuming from the priming event of the batch replays exactly its two messages.
    let replay = store.replay_after(&ids[0]).await.unwrap().unwrap();
    assert_eq!(replay.events.len(), 2);
    // One round trip: the store script ran once for the three events.
    let mut direct = redis::Client::open(format!("redis://127.0.0.1:{}/0", server.port))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut direct)
        .await
        .unwrap();
    let calls = |command: &str| {
        stats
            .lines()
            .find(|l| l.starts_with(&format!("cmdstat_{command}:")))
            .and_then(|l| l.split("calls=").nth(1))
            .and_then(|r| r.split(',').next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(calls("xadd"), 4, "{stats}");
    // (The store script runs one `INCRBY` per call; `EVALSHA` also counts the replays.)
    assert_eq!(calls("incrby"), 2, "{stats}");
    assert!(store.store_all("s-1", &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn task_records_are_shared_and_expire_with_their_ttl() {
    use mcp_runtime::store::{TaskRecord, TaskStore, TaskStoreError};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = Redis::connect(server.config()).await.unwrap();
    let b = Redis::connect(server.config()).await.unwrap();
    let (on_a, on_b) = (a.task_store(), b.task_store());
    let mut task = TaskRecord::new(Some("alice".into()), Some(Duration::from_secs(60)), None);
    on_a.create(&task).await.unwrap();
    on_a.hold(&task.task_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        on_b.create(&task).await.unwrap_err(),
        TaskStoreError::Duplicate(task.task_id.clone())
    );
    task.status_message = Some("halfway".into());
    on_a.save(&task).await.unwrap();
    assert_eq!(on_b.load(&task.task_id).await.unwrap(), Some(task.clone()));
    on_b.remove(&task.task_id).await.unwrap();
    assert_eq!(on_a.load(&task.task_id).await.unwrap(), None);
    on_a.save(&task).await.unwrap();
    assert_eq!(
        on_a.load(&task.task_id).await.unwrap(),
        None,
        "a removed task stays removed"
    );
    let brief = TaskRecord::new(None, Some(Duration::from_millis(150)), None);
    on_a.create(&brief).await.unwrap();
    on_a.hold(&brief.task_id, Duration::from_secs(30))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        on_b.load(&brief.task_id).await.unwrap(),
        None,
        "expired with its TTL"
    );
}

#[tokio::test]
async fn a_task_whose_node_stops_renewing_its_lease_is_read_as_failed() {
    use mcp_redis::TASK_ABANDONED;
    use mcp_runtime::protocol::TaskStatus;
    use mcp_runtime::store::{TaskRecord, TaskStore};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = Redis::connect(server.config()).await.unwrap();
    let b = Redis::connect(server.config()).await.unwrap();
    let (on_a, on_b) = (a.task_store(), b.task_store());
    let lease = Duration::from_millis(200);

    // Held and renewed: working as long as its node renews.
    let task = TaskRecord::new(None, Some(Duration::from_secs(60)), None);
    on_a.create(&task).await.unwrap();
    on_a.hold(&task.task_id, lease).await.unwrap();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        on_a.hold(&task.task_id, lease).await.unwrap();
        let read = on_b.load(&task.task_id).await.unwrap().unwrap();
        assert_eq!(read.status, TaskStatus::Working, "renewed: still running");
    }

    // Node A stops renewing: once the lease is over, B reads it failed, and it stays so.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let read = on_b.load(&task.task_id).await.unwrap().unwrap();
    assert_eq!(read.status, TaskStatus::Failed);
    assert_eq!(read.status_message.as_deref(), Some(TASK_ABANDONED));
    let error = read.error.clone().unwrap();
    assert_eq!(error.code, -32603);
    assert!(error.message.ends_with(TASK_ABANDONED), "{}", error.message);
    assert_eq!(on_a.load(&task.task_id).await.unwrap(), Some(read.clone()));

    // A late owner (A was only cut off) cannot undo the ending.
    let mut late = task.clone();
    late.status = TaskStatus::Completed;
    late.result = Some(serde_json::json!({"content": []}));
    on_a.save(&late).await.unwrap();
    assert_eq!(on_b.load(&task.task_id).await.unwrap(), Some(read));
}

#[tokio::test]
async fn an_ended_task_is_never_overwritten_and_a_live_owner_wins_the_race() {
    use mcp_runtime::protocol::TaskStatus;
    use mcp_runtime::store::{TaskRecord, TaskStore};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::connect(server.config()).await.unwrap();
    let store = redis.task_store();

    // Cancelled through one node, then the owner's completion arrives: cancelled stays.
    let mut task = TaskRecord::new(None, Some(Duration::from_secs(60)), None);
    store.create(&task).await.unwrap();
    store
        .hold(&task.task_id, Duration::from_secs(30))
        .await
        .unwrap();
    task.status = TaskStatus::Cancelled;
    store.save(&task).await.unwrap();
    let mut completed = task.clone();
    completed.status = TaskStatus::Completed;
    completed.result = Some(serde_json::json!({"content": []}));
    store.save(&completed).await.unwrap();
    assert_eq!(store.load(&task.task_id).await.unwrap(), Some(task));

    // A task that completed without a lease (its node then died) is read as completed.
    let mut done = TaskRecord::new(None, Some(Duration::from_secs(60)), None);
    done.status = TaskStatus::Completed;
    done.result = Some(serde_json::json!({"content": [], "isError": false}));
    store.create(&done).await.unwrap();
    assert_eq!(store.load(&done.task_id).await.unwrap(), Some(done));
}
