//! The blocking guard answers as the async one, on the same keys, and fails closed the same way.

mod common;

use common::{RedisServer, fresh_namespace};
use liveshell::reconnect::Verdict;
use liveshell_redis::{BlockingReplayGuard, GuardError, GuardOptions};

#[test]
fn blocking_and_async_guards_share_one_namespace() {
    let mut server = RedisServer::start();
    let options = GuardOptions::default().namespace(fresh_namespace("blocking"));
    let blocking = BlockingReplayGuard::connect(&server.url(), options.clone()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let guard = rt.block_on(server.guard(options));

    assert_eq!(blocking.check("c", 1).unwrap(), Verdict::Fresh);
    assert_eq!(
        rt.block_on(guard.check("c", 1)).unwrap(),
        Verdict::Duplicate
    );
    assert_eq!(rt.block_on(guard.check("c", 2)).unwrap(), Verdict::Fresh);
    assert_eq!(blocking.check("c", 2).unwrap(), Verdict::Duplicate);
    assert_eq!(blocking.acked("c").unwrap(), Some(2));
    assert_eq!(blocking.client_key("c"), guard.client_key("c"));

    server.stop();
    assert!(matches!(
        blocking.check("c", 3),
        Err(GuardError::Unavailable(_))
    ));
    server.restart();
    // A new connection is opened; the empty server has no epoch: refused until recovered.
    assert!(matches!(blocking.check("c", 3), Err(GuardError::StateLost)));
    blocking.recover().unwrap();
    assert_eq!(blocking.check("c", 3).unwrap(), Verdict::Fresh);
}
