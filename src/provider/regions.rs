//! The regions of one store configuration: its primary client and, with `failoverRegions`, a client per
//! failover region, with the (pure) failover state deciding which one a read goes to. Generic over the
//! service's client (Secrets Manager or Parameter Store): region switching is the same for both.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::ProviderError;
use crate::core::failover::{Attempt, Failover, Switch};

/// A service client that can be built per region.
pub trait RegionalClient: Clone {
    /// `key` (a name or ARN) as read in `region` (an ARN names its region: it moves to `region`).
    fn key_in(key: &str, region: &str) -> String;
}

impl RegionalClient for aws_sdk_secretsmanager::Client {
    fn key_in(key: &str, region: &str) -> String {
        crate::core::failover::key_in_region(key, region)
    }
}

/// One region's client.
#[derive(Clone)]
pub struct RegionClient<C> {
    /// Region name.
    pub region: String,
    /// Position: 0 is the primary.
    pub index: usize,
    /// Its client.
    pub client: C,
}

impl<C: RegionalClient> RegionClient<C> {
    /// `key` as read in this region (ARNs point at the failover region).
    pub fn key(&self, key: &str) -> String {
        if self.index == 0 {
            key.to_string()
        } else {
            C::key_in(key, &self.region)
        }
    }

    /// The failover region's name when this is not the primary (by position).
    pub fn failover_region(&self) -> Option<&str> {
        (self.index != 0).then_some(self.region.as_str())
    }
}

/// A switch of the serving region, for the Event and log the shell emits once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSwitch {
    /// Region that served before.
    pub from: String,
    /// Region serving now.
    pub to: String,
    /// Whether `to` is the primary (a failback).
    pub to_primary: bool,
    /// The failure that caused a failover (value-free), if any.
    pub cause: Option<String>,
}

/// Every region of a store configuration and which one serves.
pub struct Regions<C> {
    /// Never empty: the primary is first.
    clients: Vec<RegionClient<C>>,
    primary: RegionClient<C>,
    state: RegionState,
}

/// Which region of a store configuration serves, independent of the service's client.
pub struct RegionState {
    /// Region names by position (the primary first).
    names: Vec<String>,
    state: Mutex<Failover>,
    switches: Mutex<Vec<RegionSwitch>>,
    /// Set once any failover region has answered a call: from then on a listing, a DescribeSecret
    /// or a value of this configuration may come from a replica (the caches keep them).
    failover_answered: AtomicBool,
}

impl<C: RegionalClient> Regions<C> {
    /// The primary region's client and the failover regions' clients (in order).
    pub fn new(primary: C, primary_region: &str, failover: Vec<(String, C)>) -> Self {
        let primary = RegionClient {
            region: primary_region.to_string(),
            index: 0,
            client: primary,
        };
        let mut clients = vec![primary.clone()];
        clients.extend(
            failover
                .into_iter()
                .enumerate()
                .map(|(i, (region, client))| RegionClient {
                    region,
                    index: i + 1,
                    client,
                }),
        );
        let n = clients.len();
        Self {
            state: RegionState {
                names: clients.iter().map(|c| c.region.clone()).collect(),
                state: Mutex::new(Failover::new(n)),
                switches: Mutex::new(Vec::new()),
                failover_answered: AtomicBool::new(false),
            },
            clients,
            primary,
        }
    }

    /// The primary region's client.
    pub fn primary(&self) -> &RegionClient<C> {
        &self.primary
    }

    /// Which region serves (shared by every service's regions).
    pub fn state(&self) -> &RegionState {
        &self.state
    }

    /// Runs `call` in the serving region; on a regional failure, in the next region, and so on. Any
    /// other answer (a value, NotFound, AccessDenied, a bad request) is final.
    pub async fn call<T, F, Fut>(&self, call: F) -> Result<T, ProviderError>
    where
        F: Fn(RegionClient<C>) -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        self.run(call, true).await
    }

    /// Like [`Self::call`], in the same order, but the outcome moves no failover state: a check (the
    /// failover guard's DescribeSecret) that a failing primary still answers must not count as the
    /// primary being back (that would send every next value read to it and report a failback).
    pub async fn call_unrecorded<T, F, Fut>(&self, call: F) -> Result<T, ProviderError>
    where
        F: Fn(RegionClient<C>) -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        self.run(call, false).await
    }

    async fn run<T, F, Fut>(&self, call: F, record: bool) -> Result<T, ProviderError>
    where
        F: Fn(RegionClient<C>) -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let state = &self.state;
        let order = state.lock().order(Instant::now());
        let mut cause: Option<String> = None;
        let mut last: Option<ProviderError> = None;
        for index in order {
            let Some(rc) = self.clients.get(index) else {
                continue;
            };
            let result = call(rc.clone()).await;
            let attempt = match &result {
                Err(e) if e.regional && self.clients.len() > 1 => Attempt::RegionFailed,
                _ => Attempt::Answered,
            };
            if record {
                if index != 0 && attempt == Attempt::Answered {
                    state.failover_answered.store(true, Ordering::Relaxed);
                }
                let switch = state.lock().record(index, attempt, Instant::now());
                if let Some(Switch { from, to }) = switch {
                    state.note(from, to, cause.clone());
                }
            }
            match result {
                Err(e) if attempt == Attempt::RegionFailed => {
                    // The kind only: the message names secrets, and a shared store's switch may be
                    // reported in another tenant's namespace.
                    cause.get_or_insert_with(|| match e.kind {
                        super::ProviderErrorKind::Throttled => {
                            "throttled after retries".to_string()
                        }
                        _ => "unreachable or failing: connection, timeout or HTTP 5xx".to_string(),
                    });
                    last = Some(e);
                }
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| {
            ProviderError::new(super::ProviderErrorKind::Other, "no region to read from")
        }))
    }
}

impl RegionState {
    /// Whether the region serving reads now is the primary (by position, not by name).
    pub fn serving_primary(&self) -> bool {
        self.lock().active() == 0
    }

    /// Whether any failover region has answered a call of this configuration so far.
    pub fn failover_answered(&self) -> bool {
        self.failover_answered.load(Ordering::Relaxed)
    }

    /// The region serving reads now.
    pub fn serving(&self) -> &str {
        let i = self.lock().active();
        self.names.get(i).map_or("", String::as_str)
    }

    /// Switches not yet reported (each one is handed out once).
    pub fn take_switches(&self) -> Vec<RegionSwitch> {
        std::mem::take(&mut *self.switches.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failover> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn note(&self, from: usize, to: usize, cause: Option<String>) {
        let name = |i: usize| self.names.get(i).cloned().unwrap_or_default();
        self.switches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(RegionSwitch {
                from: name(from),
                to: name(to),
                to_primary: to == 0,
                cause,
            });
    }
}
