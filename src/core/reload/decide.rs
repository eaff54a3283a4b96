//! Reloader's decision (`ShouldReload`, then the container check): whether a change of one
//! ConfigMap or Secret restarts one workload of the same namespace, and why.

use super::{ObjectView, ReloaderOptions, Trigger, WorkloadView};

/// Whether a data change of `object` restarts `workload` (both in one namespace), as Reloader
/// decides: ignored kinds, the object's `ignore`, the workload's excludes, the typed reload list
/// (regexps, no reference needed), `search` + `match`, then `auto` / typed auto / auto-reload-all
/// (each needing a container that uses the object). Metadata annotations hide the template's.
pub fn should_reload(
    workload: &WorkloadView<'_>,
    object: &ObjectView<'_>,
    options: &ReloaderOptions,
) -> Option<Trigger> {
    let _ = (workload, object, options);
    todo!("decide")
}
