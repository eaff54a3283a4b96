use super::*;
use crate::core::reads::read_plan::{LISTING_BUSY_RETRY, PERIODIC_BUSY_RETRY};
use crate::core::reason::Reason;

fn pre_fetches() -> Vec<PreFetch> {
    vec![
        PreFetch::Refuse(SyncError::new(Reason::TargetConflict, "someone else's")),
        PreFetch::UpToDate(Some(Duration::from_secs(30))),
        PreFetch::UpToDate(None),
        PreFetch::OutsideWindow(Some(Duration::from_secs(3600))),
        PreFetch::OutsideWindow(None),
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
        // syncWindows: nothing is called, whatever else is known.
        PreFetch::OutsideWindow(a) => return Step::OutsideWindow(*a),
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
    // Templates read from the cluster: detection cannot vouch for them.
    if p.cluster_templates {
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
                            for cluster_templates in [false, true] {
                                let p = Progress {
                                    pre_fetch: pre_fetch.clone(),
                                    announced,
                                    has_find,
                                    cluster_templates,
                                    store_resolved,
                                    slot,
                                    detection,
                                    ..Progress::start(PreFetch::Fetch, None, false, true)
                                };
                                let step = next_step(&p);
                                assert_eq!(step, expected(&p), "{p:?}");
                                seen.insert(
                                    format!("{step:?}").split('(').next().map(String::from),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    // Every step is reachable.
    assert_eq!(seen.len(), 10, "{seen:?}");
}

/// The shell's loop, run to the end with scripted answers: the steps it takes, in order.
fn walk(
    pre_fetch: PreFetch,
    announced: Option<Announced>,
    slot: bool,
    detection: Detection,
) -> Vec<Step> {
    let mut p = Progress::start(pre_fetch, announced, false, true);
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
        // Blocked by syncWindows: an announced change stays pending until a window allows it.
        (OutsideWindow(Some(Duration::from_secs(60))), false),
        (OutsideWindow(None), false),
        (ResolveStore, false),
        (TakeSlot, false),
        (Detect, false),
        // Settled by ReadValues already.
        (Fail(SyncError::new(Reason::ProviderError, "x")), false),
        (
            HandleMissing(SyncError::new(Reason::SecretNotFound, "x")),
            false,
        ),
        (CheckReplicas, false),
        (ReadTarget, false),
        (Compose, false),
        (Apply, false),
        (Restart, false),
        (Done, false),
    ] {
        assert_eq!(step.settles_announcement(), settles, "{step:?}");
    }
}

/// The expected step once the values are read, spelled out independently: errors stop everything
/// before a write; a version a replica may have served is vouched for before the target is read; the
/// target is read with its data before it is compared; write before restart; restart only for a
/// rotation. A policy that writes no Secret (`creationPolicy: None`) is done once the values are read.
fn expected_after_values(p: &Progress) -> Step {
    match &p.values {
        None => return Step::ReadValues,
        Some(Values::Failed(e)) => return Step::Fail(e.clone()),
        Some(Values::Missing(e)) => return Step::HandleMissing(e.clone()),
        Some(Values::Computed) if !p.writes_target => return Step::Done,
        Some(Values::Computed) => {}
    }
    if let Some(Err(e)) = &p.replicas {
        return Step::Fail(e.clone());
    }
    if p.replicas.is_none() {
        return Step::CheckReplicas;
    }
    if !p.target_has_data {
        return Step::ReadTarget;
    }
    match &p.composed {
        None => Step::Compose,
        Some(Err(e)) => Step::Fail(e.clone()),
        Some(Ok(c)) if c.write && !p.applied => Step::Apply,
        Some(Ok(c)) if c.restart && !p.restarted => Step::Restart,
        Some(Ok(_)) => Step::Done,
    }
}

/// Every combination of what can be known after the values are read.
#[test]
fn every_state_after_the_values() {
    let failed = SyncError::new(Reason::ProviderError, "read failed");
    let values = [
        None,
        Some(Values::Computed),
        Some(Values::Missing(SyncError::new(
            Reason::SecretNotFound,
            "gone",
        ))),
        Some(Values::Failed(failed.clone())),
    ];
    let replicas = [
        None,
        Some(Ok(())),
        Some(Err(SyncError::new(Reason::ProviderError, "replica behind"))),
    ];
    let mut composed = vec![None, Some(Err(failed.clone()))];
    for write in [false, true] {
        for restart in [false, true] {
            composed.push(Some(Ok(Composed { write, restart })));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for pre_fetch in [PreFetch::Fetch, PreFetch::Refresh] {
        for values in &values {
            for replicas in &replicas {
                for (target_has_data, writes_target) in
                    [(false, true), (true, true), (false, false), (true, false)]
                {
                    for composed in &composed {
                        for applied in [false, true] {
                            for restarted in [false, true] {
                                let p = Progress {
                                    writes_target,
                                    store_resolved: true,
                                    slot: Some(true),
                                    announced: Some(Announced { by_event: true }),
                                    values: values.clone(),
                                    replicas: replicas.clone(),
                                    target_has_data,
                                    composed: composed.clone(),
                                    applied,
                                    restarted,
                                    ..Progress::start(pre_fetch.clone(), None, false, true)
                                };
                                let step = next_step(&p);
                                assert_eq!(step, expected_after_values(&p), "{p:?}");
                                seen.insert(
                                    format!("{step:?}").split('(').next().map(String::from),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    // ReadValues, Fail, HandleMissing, CheckReplicas, ReadTarget, Compose, Apply, Restart, Done.
    assert_eq!(seen.len(), 9, "{seen:?}");
}

/// Whole reconciles after the store is resolved, with scripted answers: the calls in order.
fn walk_after_values(
    target_has_data: bool,
    values: Values,
    replicas: Result<(), SyncError>,
    composed: Result<Composed, SyncError>,
) -> Vec<Step> {
    walk_with_policy(true, target_has_data, values, replicas, composed)
}

/// [`walk_after_values`] for a policy that writes a Secret or not (`creationPolicy: None`).
fn walk_with_policy(
    writes_target: bool,
    target_has_data: bool,
    values: Values,
    replicas: Result<(), SyncError>,
    composed: Result<Composed, SyncError>,
) -> Vec<Step> {
    let mut p = Progress::start(PreFetch::Fetch, None, false, target_has_data);
    p.writes_target = writes_target;
    let mut steps = Vec::new();
    loop {
        let step = next_step(&p);
        steps.push(step.clone());
        match step {
            Step::ResolveStore => p.store_resolved = true,
            Step::ReadValues => p.values = Some(values.clone()),
            Step::CheckReplicas => p.replicas = Some(replicas.clone()),
            Step::ReadTarget => p.target_has_data = true,
            Step::Compose => p.composed = Some(composed.clone()),
            Step::Apply => p.applied = true,
            Step::Restart => p.restarted = true,
            _ => return steps,
        }
        assert!(steps.len() < 12, "the loop ends: {steps:?}");
    }
}

#[test]
fn whole_reconciles_write_before_restart_and_stop_at_the_first_error() {
    use Step::*;
    let rotation = Ok(Composed {
        write: true,
        restart: true,
    });
    let no_op = Ok(Composed {
        write: false,
        restart: false,
    });
    let behind = SyncError::new(Reason::ProviderError, "replica behind");
    let gone = SyncError::new(Reason::SecretNotFound, "gone");
    // A rotation over a verified (cached, data-less) target: vouch, read the target, compose, write,
    // then restart.
    assert_eq!(
        walk_after_values(false, Values::Computed, Ok(()), rotation.clone()),
        vec![
            ResolveStore,
            ReadValues,
            CheckReplicas,
            ReadTarget,
            Compose,
            Apply,
            Restart,
            Done
        ]
    );
    // Nothing changed: no write, no restart.
    assert_eq!(
        walk_after_values(true, Values::Computed, Ok(()), no_op),
        vec![ResolveStore, ReadValues, CheckReplicas, Compose, Done]
    );
    // A replica that is behind: the target is not even read, nothing written.
    assert_eq!(
        walk_after_values(
            false,
            Values::Computed,
            Err(behind.clone()),
            rotation.clone()
        ),
        vec![
            ResolveStore,
            ReadValues,
            CheckReplicas,
            Fail(behind.clone())
        ]
    );
    // The unreplicated-region rule refuses: nothing written, nothing restarted.
    assert_eq!(
        walk_after_values(true, Values::Computed, Ok(()), Err(behind.clone())),
        vec![
            ResolveStore,
            ReadValues,
            CheckReplicas,
            Compose,
            Fail(behind)
        ]
    );
    // A missing remote secret goes to the deletion plan and nowhere else.
    assert_eq!(
        walk_after_values(true, Values::Missing(gone.clone()), Ok(()), rotation),
        vec![ResolveStore, ReadValues, HandleMissing(gone)]
    );

    // creationPolicy None: the values are read and checked, then done: no replica check, no read of
    // the target, no compose, no write, no restart, whatever a write plan would have said.
    for has_data in [false, true] {
        assert_eq!(
            walk_with_policy(false, has_data, Values::Computed, Ok(()), rotation_of()),
            vec![ResolveStore, ReadValues, Done]
        );
        let gone = SyncError::new(Reason::SecretNotFound, "gone");
        assert_eq!(
            walk_with_policy(
                false,
                has_data,
                Values::Missing(gone.clone()),
                Ok(()),
                rotation_of()
            ),
            vec![ResolveStore, ReadValues, HandleMissing(gone)]
        );
    }
}

fn rotation_of() -> Result<Composed, SyncError> {
    Ok(Composed {
        write: true,
        restart: true,
    })
}
