use super::*;
use crate::core::reads::read_plan::{LISTING_BUSY_RETRY, PERIODIC_BUSY_RETRY};
use crate::core::reason::Reason;

fn pre_fetches() -> Vec<PreFetch> {
    vec![
        PreFetch::Refuse(SyncError::new(Reason::TargetConflict, "someone else's")),
        PreFetch::UpToDate(Some(Duration::from_secs(30))),
        PreFetch::UpToDate(None),
        PreFetch::ResumeRollout(BTreeMap::from([("db".to_string(), "v2".to_string())])),
        PreFetch::Fetch,
        PreFetch::Refresh,
    ]
}

/// The expected step, spelled out independently of `next_step`'s own structure.
fn expected(p: &Progress) -> Step {
    match &p.pre_fetch {
        PreFetch::Refuse(e) => return Step::Refuse(e.clone()),
        PreFetch::UpToDate(a) => return Step::UpToDate(*a),
        PreFetch::ResumeRollout(c) => return Step::ResumeRollout(c.clone()),
        _ => {}
    }
    if !p.store_resolved {
        return Step::ResolveStore;
    }
    if p.pre_fetch == PreFetch::Fetch {
        return Step::ReadValues;
    }
    match p.slot {
        None => return Step::TakeSlot,
        Some(false) => return Step::Later(PERIODIC_BUSY_RETRY),
        Some(true) => {}
    }
    // A queue event reads at once; a listing's announcement too, unless a find needs the whole listing.
    if p.announced.is_some_and(|a| a.by_event || !p.has_find) {
        return Step::ReadValues;
    }
    match p.detection {
        None => Step::Detect,
        Some(Detection { later: true, .. }) => Step::Later(LISTING_BUSY_RETRY),
        Some(Detection {
            unchanged: true, ..
        }) => Step::Confirm,
        Some(_) => Step::ReadValues,
    }
}

/// Every combination of what can be known: pre-fetch plan, announcement, find, store, slot, detection.
#[test]
fn every_state_of_knowledge() {
    let announcements = [
        None,
        Some(Announced { by_event: false }),
        Some(Announced { by_event: true }),
    ];
    let detections = [
        None,
        Some(Detection {
            later: false,
            unchanged: false,
        }),
        Some(Detection {
            later: false,
            unchanged: true,
        }),
        Some(Detection {
            later: true,
            unchanged: false,
        }),
        Some(Detection {
            later: true,
            unchanged: true,
        }),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for pre_fetch in pre_fetches() {
        for announced in announcements {
            for has_find in [false, true] {
                for store_resolved in [false, true] {
                    for slot in [None, Some(false), Some(true)] {
                        for detection in detections {
                            let p = Progress {
                                pre_fetch: pre_fetch.clone(),
                                announced,
                                has_find,
                                store_resolved,
                                slot,
                                detection,
                            };
                            let step = next_step(&p);
                            assert_eq!(step, expected(&p), "{p:?}");
                            seen.insert(format!("{step:?}").split('(').next().map(String::from));
                        }
                    }
                }
            }
        }
    }
    // Every step is reachable.
    assert_eq!(seen.len(), 9, "{seen:?}");
}

/// The shell's loop, run to the end with scripted answers: the steps it takes, in order.
fn walk(
    pre_fetch: PreFetch,
    announced: Option<Announced>,
    slot: bool,
    detection: Detection,
) -> Vec<Step> {
    let mut p = Progress::start(pre_fetch, announced, false);
    let mut steps = Vec::new();
    loop {
        let step = next_step(&p);
        steps.push(step.clone());
        match step {
            Step::ResolveStore => p.store_resolved = true,
            Step::TakeSlot => p.slot = Some(slot),
            Step::Detect => p.detection = Some(detection),
            _ => return steps,
        }
        assert!(steps.len() < 10, "the loop ends: {steps:?}");
    }
}

#[test]
fn walks_end_and_settle_announcements_only_when_read_or_moot() {
    let unchanged = Detection {
        later: false,
        unchanged: true,
    };
    let changed = Detection {
        later: false,
        unchanged: false,
    };
    let busy = Detection {
        later: true,
        unchanged: true,
    };
    use Step::*;
    assert_eq!(
        walk(PreFetch::Fetch, None, false, changed),
        vec![ResolveStore, ReadValues]
    );
    assert_eq!(
        walk(PreFetch::Refresh, None, true, unchanged),
        vec![ResolveStore, TakeSlot, Detect, Confirm]
    );
    assert_eq!(
        walk(PreFetch::Refresh, None, true, changed),
        vec![ResolveStore, TakeSlot, Detect, ReadValues]
    );
    assert_eq!(
        walk(PreFetch::Refresh, None, true, busy),
        vec![ResolveStore, TakeSlot, Detect, Later(LISTING_BUSY_RETRY)]
    );
    assert_eq!(
        walk(PreFetch::Refresh, None, false, changed),
        vec![ResolveStore, TakeSlot, Later(PERIODIC_BUSY_RETRY)]
    );
    assert_eq!(
        walk(
            PreFetch::Refresh,
            Some(Announced { by_event: false }),
            true,
            unchanged
        ),
        vec![ResolveStore, TakeSlot, ReadValues]
    );
    // Settling: only a step that reads or makes the change moot.
    for (step, settles) in [
        (Refuse(SyncError::new(Reason::TargetConflict, "x")), true),
        (UpToDate(None), true),
        (ResumeRollout(BTreeMap::new()), true),
        (Confirm, true),
        (ReadValues, true),
        (Later(PERIODIC_BUSY_RETRY), false),
        (ResolveStore, false),
        (TakeSlot, false),
        (Detect, false),
    ] {
        assert_eq!(step.settles_announcement(), settles, "{step:?}");
    }
}
