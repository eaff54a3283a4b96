use super::*;

use Attempt::{Answered, RegionFailed};

#[test]
fn a_single_region_always_asks_the_primary() {
    let now = Instant::now();
    let mut f = Failover::new(1);
    assert_eq!(f.order(now), [0]);
    assert_eq!(f.record(0, RegionFailed, now), None);
    assert_eq!(f.order(now), [0]);
    assert_eq!(f.record(0, Answered, now), None);
    assert_eq!(
        Failover::new(0).order(now),
        [0],
        "zero regions means the primary only"
    );
}

#[test]
fn fails_over_in_order_and_back_when_the_primary_answers() {
    let t0 = Instant::now();
    let mut f = Failover::new(3);
    assert_eq!(f.order(t0), [0, 1, 2]);
    assert_eq!(f.record(0, RegionFailed, t0), None);
    assert_eq!(f.record(1, RegionFailed, t0), None);
    assert_eq!(f.record(2, Answered, t0), Some(Switch { from: 0, to: 2 }));
    assert_eq!(f.active(), 2);
    // Until the primary's retry time: the serving region first, the primary last.
    assert_eq!(f.order(t0), [2, 1, 0]);
    assert_eq!(
        f.record(2, Answered, t0),
        None,
        "no switch while nothing changes"
    );
    // Retry time: the primary first again.
    let t1 = t0 + RETRY_BASE;
    assert_eq!(f.order(t1), [0, 1, 2]);
    assert_eq!(f.record(0, RegionFailed, t1), None);
    assert_eq!(f.order(t1), [2, 1, 0], "the failed retry backs off");
    assert_eq!(f.order(t1 + RETRY_BASE), [2, 1, 0], "second wait is longer");
    assert_eq!(f.order(t1 + RETRY_BASE * 2), [0, 1, 2]);
    assert_eq!(
        f.record(0, Answered, t1 + RETRY_BASE * 2),
        Some(Switch { from: 2, to: 0 })
    );
    assert_eq!(f.order(t1 + RETRY_BASE * 2), [0, 1, 2]);
}

#[test]
fn the_retry_wait_is_capped() {
    let t0 = Instant::now();
    let mut f = Failover::new(2);
    for _ in 0..100 {
        f.record(0, RegionFailed, t0);
    }
    f.record(1, Answered, t0);
    assert_eq!(f.order(t0 + RETRY_MAX - Duration::from_millis(1)), [1, 0]);
    assert_eq!(f.order(t0 + RETRY_MAX), [0, 1]);
}

#[test]
fn a_failover_region_failing_moves_on_without_a_switch() {
    let t0 = Instant::now();
    let mut f = Failover::new(3);
    f.record(0, RegionFailed, t0);
    f.record(1, Answered, t0);
    assert_eq!(f.record(1, RegionFailed, t0), None);
    assert_eq!(f.record(2, Answered, t0), Some(Switch { from: 1, to: 2 }));
    assert_eq!(
        f.record(7, Answered, t0),
        None,
        "an unknown index is ignored"
    );
    assert_eq!(f.active(), 2);
}

/// Every sequence of outcomes over 3 regions keeps the invariants: the order lists each region
/// exactly once, and a switch is reported exactly when the serving region changes.
#[test]
fn invariants_over_all_short_histories() {
    let outcomes = [
        (0, Answered),
        (0, RegionFailed),
        (1, Answered),
        (1, RegionFailed),
        (2, Answered),
        (2, RegionFailed),
    ];
    let t0 = Instant::now();
    for a in outcomes {
        for b in outcomes {
            for c in outcomes {
                for d in outcomes {
                    let mut f = Failover::new(3);
                    for (step, (idx, attempt)) in [a, b, c, d].into_iter().enumerate() {
                        let now = t0 + Duration::from_secs(step as u64 * 3);
                        let before = f.active();
                        let switch = f.record(idx, attempt, now);
                        assert_eq!(switch.is_some(), before != f.active());
                        let mut order = f.order(now);
                        order.sort();
                        assert_eq!(order, [0, 1, 2]);
                    }
                }
            }
        }
    }
}
