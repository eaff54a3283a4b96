//! The engine's watches: ConfigMaps and Secrets by metadata only (a change of an object a workload
//! uses starts its namespace's change set), and the workload kinds with pod templates (a workload
//! seen for the first time, or edited, is planned too: its state is recorded, nothing restarted).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::StreamExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PodTemplateSpec, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Resource, ResourceExt};

use super::Engine;
use super::index::{ObjectEntry, WorkloadEntry, decision_annotations, takes_part};
use crate::core::reload::{ObjectKind, WorkloadType};
use crate::core::target::{MANAGED_BY_LABEL, MANAGED_BY_VALUE};

/// A workload kind with a pod template.
pub(super) trait Workload:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + serde::de::DeserializeOwned
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// The kind as the decision names it.
    const TYPE: WorkloadType;
    /// Its pod template.
    fn pod_template(&self) -> Option<&PodTemplateSpec>;
    /// Whether it is paused (Deployments).
    fn paused(&self) -> bool {
        false
    }
}

impl Workload for Deployment {
    const TYPE: WorkloadType = WorkloadType::Deployment;
    fn pod_template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
    fn paused(&self) -> bool {
        self.spec.as_ref().and_then(|s| s.paused) == Some(true)
    }
}

impl Workload for StatefulSet {
    const TYPE: WorkloadType = WorkloadType::StatefulSet;
    fn pod_template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
}

impl Workload for DaemonSet {
    const TYPE: WorkloadType = WorkloadType::DaemonSet;
    fn pod_template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
}

impl Workload for CronJob {
    const TYPE: WorkloadType = WorkloadType::CronJob;
    fn pod_template(&self) -> Option<&PodTemplateSpec> {
        self.spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .map(|s| &s.template)
    }
}

impl Workload for Job {
    const TYPE: WorkloadType = WorkloadType::Job;
    fn pod_template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref().map(|s| &s.template)
    }
}

/// `Api::all`, or the controller's one namespace.
fn api<K>(engine: &Engine) -> Api<K>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
{
    let client = engine.ctx.client.clone();
    match engine.ctx.options.namespace.as_deref() {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    }
}

/// Runs every watch until the process stops.
pub(super) async fn run(engine: Arc<Engine>) {
    let c = &engine.config;
    let ignored = &c.options.ignored_workload_types;
    let mut tasks = Vec::new();
    let mut start = |f: futures::future::BoxFuture<'static, ()>| {
        engine.unsynced.fetch_add(1, Ordering::AcqRel);
        tasks.push(tokio::spawn(f));
    };
    if let Some(selector) = c.namespace_selector.clone() {
        *engine.selected.lock() = Some(HashSet::new());
        start(Box::pin(namespaces(engine.clone(), selector)));
    }
    if !c.ignore_configmaps {
        start(Box::pin(objects::<ConfigMap>(
            engine.clone(),
            ObjectKind::ConfigMap,
        )));
    }
    if !c.ignore_secrets {
        start(Box::pin(objects::<Secret>(
            engine.clone(),
            ObjectKind::Secret,
        )));
    }
    start(Box::pin(workloads::<Deployment>(engine.clone())));
    start(Box::pin(workloads::<StatefulSet>(engine.clone())));
    start(Box::pin(workloads::<DaemonSet>(engine.clone())));
    if !ignored.contains(&WorkloadType::CronJob) {
        start(Box::pin(workloads::<CronJob>(engine.clone())));
    }
    if !ignored.contains(&WorkloadType::Job) {
        start(Box::pin(workloads::<Job>(engine.clone())));
    }
    start(Box::pin(rollouts(engine.clone())));
    futures::future::join_all(tasks).await;
}

/// Whether a watch error says the kind is not served or not readable (403/404): such a watch counts
/// as synced (it keeps retrying), so one missing permission never holds the engine back.
fn refused(e: &watcher::Error) -> bool {
    let code = match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => s.code,
        watcher::Error::WatchError(s) => s.code,
        _ => 0,
    };
    code == 403 || code == 404
}

/// A watch error: logged; before the first list, a refusal counts as synced.
fn failed(engine: &Arc<Engine>, first: &mut bool, what: &str, e: &watcher::Error) {
    if *first && refused(e) {
        tracing::warn!(watch = what, error = %e, "the reload engine may not list this kind; going on without it");
        synced(engine, first);
    } else {
        tracing::debug!(watch = what, error = %e, "reload engine watch error");
    }
}

/// Counts a watch's first complete list; when the last one completes, plans every namespace (a
/// change made while the controller was down restarts once now).
fn synced(engine: &Arc<Engine>, first: &mut bool) {
    if !std::mem::take(first) {
        return;
    }
    if engine.unsynced.fetch_sub(1, Ordering::AcqRel) == 1 {
        let namespaces: Vec<String> = engine
            .namespaces
            .lock()
            .iter()
            .filter(|(_, n)| !n.workloads.is_empty())
            .map(|(ns, _)| ns.clone())
            .collect();
        tracing::info!(namespaces = namespaces.len(), "reload engine synced");
        for ns in namespaces {
            engine.schedule(&ns, |_| {});
        }
    }
}

/// The namespaces `--reloader-namespace-selector` selects (the API server evaluates the selector).
async fn namespaces(engine: Arc<Engine>, selector: String) {
    let api: Api<PartialObjectMeta<Namespace>> = Api::all(engine.ctx.client.clone());
    let mut first = true;
    let mut listed = HashSet::new();
    let mut stream = watcher(api, watcher::Config::default().labels(&selector))
        .default_backoff()
        .boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                failed(&engine, &mut first, "namespaces", &e);
                continue;
            }
        };
        let mut selected = engine.selected.lock();
        let set = selected.get_or_insert_with(HashSet::new);
        match event {
            Event::Apply(n) => {
                set.insert(n.name_any());
            }
            Event::Delete(n) => {
                set.remove(&n.name_any());
            }
            Event::Init => listed.clear(),
            Event::InitApply(n) => {
                listed.insert(n.name_any());
            }
            Event::InitDone => {
                *set = std::mem::take(&mut listed);
                drop(selected);
                synced(&engine, &mut first);
            }
        }
    }
}

/// ConfigMaps or Secrets by metadata (Secrets secretsync writes are left to its own rollout).
async fn objects<K>(engine: Arc<Engine>, kind: ObjectKind)
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + 'static,
{
    let mut config = watcher::Config::default();
    if let Some(selector) = &engine.config.resource_label_selector {
        config = config.labels(selector);
    }
    let mut first = true;
    let mut listed: HashSet<(String, String)> = HashSet::new();
    let mut stream = watcher(api::<PartialObjectMeta<K>>(&engine), config)
        .default_backoff()
        .boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                failed(&engine, &mut first, K::kind(&()).as_ref(), &e);
                continue;
            }
        };
        match event {
            Event::Apply(o) => object_seen(&engine, kind, &o, !first),
            Event::InitApply(o) => {
                listed.insert((o.namespace().unwrap_or_default(), o.name_any()));
                object_seen(&engine, kind, &o, false);
            }
            Event::Delete(o) => object_gone(
                &engine,
                kind,
                &o.namespace().unwrap_or_default(),
                &o.name_any(),
            ),
            Event::Init => listed.clear(),
            Event::InitDone => {
                // Objects deleted while the watch was down are dropped quietly.
                let gone: Vec<(String, String)> = {
                    let namespaces = engine.namespaces.lock();
                    namespaces
                        .iter()
                        .flat_map(|(ns, n)| {
                            n.objects
                                .keys()
                                .filter(|(k, _)| *k == kind)
                                .map(move |(_, name)| (ns.clone(), name.clone()))
                        })
                        .filter(|key| !listed.contains(key))
                        .collect()
                };
                let mut namespaces = engine.namespaces.lock();
                for (ns, name) in gone {
                    if let Some(n) = namespaces.get_mut(&ns) {
                        n.objects.remove(&(kind, name));
                    }
                }
                drop(namespaces);
                listed.clear();
                synced(&engine, &mut first);
            }
        }
    }
}

/// An object was listed, added or changed: kept by metadata; a new resourceVersion of an object a
/// workload uses (or a new object, `created`) joins its namespace's change set.
fn object_seen<K: Resource>(
    engine: &Arc<Engine>,
    kind: ObjectKind,
    o: &PartialObjectMeta<K>,
    created_now: bool,
) {
    let ns = o.namespace().unwrap_or_default();
    let name = o.name_any();
    let key = (kind, name);
    let managed = kind == ObjectKind::Secret
        && o.labels().get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY_VALUE);
    let options = &engine.config.options;
    let entry = ObjectEntry {
        rv: super::index::rv_hash(&o.resource_version().unwrap_or_default()),
        annotations: decision_annotations(options, o.metadata.annotations.as_ref()),
    };
    let (changed, created) = {
        let mut namespaces = engine.namespaces.lock();
        let n = namespaces.entry(ns.clone()).or_default();
        if managed {
            n.objects.remove(&key);
            return;
        }
        let before = n.objects.insert(key.clone(), entry.clone());
        let changed = before.as_ref().is_some_and(|b| *b != entry);
        let used = (changed || (before.is_none() && created_now)) && n.used(&key, &entry, options);
        (changed && used, before.is_none() && created_now && used)
    };
    if changed || created {
        engine.schedule(&ns, |e| {
            if created {
                e.created.insert(key);
            } else {
                e.updated.insert(key);
            }
        });
    }
}

/// An object was deleted: forgotten; if a workload used it, the deletion joins the change set.
fn object_gone(engine: &Arc<Engine>, kind: ObjectKind, ns: &str, name: &str) {
    let key = (kind, name.to_string());
    let used = {
        let mut namespaces = engine.namespaces.lock();
        let Some(n) = namespaces.get_mut(ns) else {
            return;
        };
        match n.objects.remove(&key) {
            Some(entry) => n.used(&key, &entry, &engine.config.options),
            None => false,
        }
    };
    engine.digests.lock().remove(&(ns.to_string(), key.clone()));
    if used {
        engine.schedule(ns, |e| {
            e.deleted.insert(key);
        });
    }
}

/// One workload kind: workloads taking part are kept (pod spec and annotations); a new or edited one
/// is planned (recorded, never restarted for the edit itself).
async fn workloads<K: Workload>(engine: Arc<Engine>) {
    let mut first = true;
    let mut listed: HashSet<(String, String)> = HashSet::new();
    let mut stream = watcher(api::<K>(&engine), watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                failed(&engine, &mut first, K::kind(&()).as_ref(), &e);
                continue;
            }
        };
        match event {
            Event::Apply(w) | Event::InitApply(w) => {
                listed.insert((w.namespace().unwrap_or_default(), w.name_any()));
                workload_seen(&engine, &w, !first);
            }
            Event::Delete(w) => {
                let ns = w.namespace().unwrap_or_default();
                if let Some(n) = engine.namespaces.lock().get_mut(&ns) {
                    n.workloads.remove(&(K::TYPE, w.name_any()));
                }
            }
            Event::Init => listed.clear(),
            Event::InitDone => {
                let mut namespaces = engine.namespaces.lock();
                for (ns, n) in namespaces.iter_mut() {
                    n.workloads.retain(|(t, name), _| {
                        *t != K::TYPE || listed.contains(&(ns.clone(), name.clone()))
                    });
                }
                drop(namespaces);
                listed.clear();
                synced(&engine, &mut first);
            }
        }
    }
}

/// A workload was listed, added or changed.
fn workload_seen<K: Workload>(engine: &Arc<Engine>, w: &K, plan_now: bool) {
    let paused = w.paused();
    let seen = Seen {
        kind: K::TYPE,
        ns: w.namespace().unwrap_or_default(),
        name: w.name_any(),
        annotations: w.annotations().clone(),
        template: w.pod_template(),
        deleting: w.meta().deletion_timestamp.is_some(),
        paused,
    };
    seen.record(engine, plan_now);
}

/// A workload as a watch event shows it.
pub(super) struct Seen<'a> {
    kind: WorkloadType,
    ns: String,
    name: String,
    annotations: BTreeMap<String, String>,
    template: Option<&'a PodTemplateSpec>,
    deleting: bool,
    paused: bool,
}

impl Seen<'_> {
    /// Keeps the workload if it takes part, and plans its namespace when it is new or edited.
    fn record(self, engine: &Arc<Engine>, plan_now: bool) {
        let options = &engine.config.options;
        let template_annotations = self
            .template
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.annotations.clone())
            .unwrap_or_default();
        let key = (self.kind, self.name.clone());
        if self.kind == WorkloadType::Deployment {
            super::pause::resume_when_due(
                engine,
                &self.ns,
                &self.name,
                &self.annotations,
                self.paused,
            );
        }
        let mut namespaces = engine.namespaces.lock();
        let n = namespaces.entry(self.ns.clone()).or_default();
        // A workload being deleted takes no part.
        if self.deleting || !takes_part(options, &self.annotations, &template_annotations) {
            n.workloads.remove(&key);
            return;
        }
        let entry = WorkloadEntry {
            kind: self.kind,
            name: self.name,
            annotations: self.annotations,
            template_annotations,
            pod: self
                .template
                .and_then(|t| t.spec.clone())
                .unwrap_or_default(),
            paused: self.paused,
        };
        let plan = match n.workloads.get(&key) {
            None => true,
            Some(before) => entry.differs_from(before),
        };
        n.workloads.insert(key, entry);
        drop(namespaces);
        if plan && plan_now {
            engine.schedule(&self.ns, |_| {});
        }
    }
}

/// Argo Rollouts, when their CRD is installed and readable (checked once at start).
pub(super) async fn rollouts(engine: Arc<Engine>) {
    let resource = crate::controller::rollout::argo::resource();
    let api: Api<DynamicObject> = match engine.ctx.options.namespace.as_deref() {
        Some(ns) => Api::namespaced_with(engine.ctx.client.clone(), ns, &resource),
        None => Api::all_with(engine.ctx.client.clone(), &resource),
    };
    let mut first = true;
    match api.list(&ListParams::default().limit(1)).await {
        Ok(_) => {}
        Err(e) => {
            tracing::info!(error = %e, "Argo Rollouts not found or not readable; the reload engine restarts no Rollouts");
            synced(&engine, &mut first);
            return;
        }
    }
    let mut listed: HashSet<(String, String)> = HashSet::new();
    let mut stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                failed(&engine, &mut first, "Rollout", &e);
                continue;
            }
        };
        match event {
            Event::Apply(r) | Event::InitApply(r) => {
                listed.insert((r.namespace().unwrap_or_default(), r.name_any()));
                let spec = &r.data["spec"];
                let template: Option<PodTemplateSpec> =
                    serde_json::from_value(spec["template"].clone()).ok();
                let seen = Seen {
                    kind: WorkloadType::Rollout,
                    ns: r.namespace().unwrap_or_default(),
                    name: r.name_any(),
                    annotations: r.annotations().clone(),
                    template: template.as_ref(),
                    deleting: r.metadata.deletion_timestamp.is_some(),
                    paused: false,
                };
                seen.record(&engine, !first);
            }
            Event::Delete(r) => {
                let ns = r.namespace().unwrap_or_default();
                if let Some(n) = engine.namespaces.lock().get_mut(&ns) {
                    n.workloads.remove(&(WorkloadType::Rollout, r.name_any()));
                }
            }
            Event::Init => listed.clear(),
            Event::InitDone => {
                let mut namespaces = engine.namespaces.lock();
                for (ns, n) in namespaces.iter_mut() {
                    n.workloads.retain(|(t, name), _| {
                        *t != WorkloadType::Rollout || listed.contains(&(ns.clone(), name.clone()))
                    });
                }
                drop(namespaces);
                listed.clear();
                synced(&engine, &mut first);
            }
        }
    }
}
