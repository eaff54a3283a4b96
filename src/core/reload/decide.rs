//! Reloader's decision (`ShouldReload`, then the container check): whether a change of one
//! ConfigMap or Secret restarts one workload of the same namespace, and why.

use super::annotations::{exclude_matches, list_matches, parse_bool};
use super::references::container_using;
use super::{
    CONFIGMAP_EXCLUDE, ObjectKind, ObjectView, ReloaderOptions, SECRET_EXCLUDE, Trigger,
    WorkloadView,
};

/// Whether a data change of `object` restarts `workload` (both in one namespace), as Reloader
/// decides: ignored kinds, the object's `ignore`, the workload's excludes, the typed reload list
/// (regexps, no reference needed), `search` + `match`, then `auto` / typed auto / auto-reload-all
/// (each needing a container that uses the object). Metadata annotations hide the template's.
pub fn should_reload(
    workload: &WorkloadView<'_>,
    object: &ObjectView<'_>,
    options: &ReloaderOptions,
) -> Option<Trigger> {
    let names = &options.names;
    if options.ignored_workload_types.contains(&workload.kind) {
        return None;
    }
    let on_object = |key: &str| object.annotations.get(key).map(String::as_str);
    if on_object(&names.ignore) == Some("true") {
        return None;
    }
    let (reload_key, typed_auto_key, exclude_key) = match object.kind {
        ObjectKind::ConfigMap => (
            &names.configmap_reload,
            &names.configmap_auto,
            CONFIGMAP_EXCLUDE,
        ),
        ObjectKind::Secret => (&names.secret_reload, &names.secret_auto, SECRET_EXCLUDE),
    };
    // Any of the four keys on the metadata hides all four on the pod template.
    let keys = [reload_key, &names.auto, typed_auto_key, &names.search];
    let map = if keys.iter().any(|k| workload.annotations.contains_key(*k)) {
        workload.annotations
    } else {
        workload.template_annotations
    };
    // Excludes are read from the metadata only.
    if let Some(list) = workload.annotations.get(exclude_key)
        && exclude_matches(list, object.name)
    {
        return None;
    }
    let value = |key: &str| map.get(key).map(String::as_str).unwrap_or("");
    if list_matches(value(reload_key), object.name) {
        return Some(Trigger::Explicit);
    }
    let searched = value(&names.search) == "true" && on_object(&names.matched) == Some("true");
    let (auto, typed_auto) = (value(&names.auto), value(typed_auto_key));
    let automatic = parse_bool(auto) == Some(true)
        || parse_bool(typed_auto) == Some(true)
        || (options.auto_reload_all && auto.is_empty() && typed_auto.is_empty());
    if !(searched || automatic) {
        return None;
    }
    container_using(workload.pod, object.kind, object.name).map(|_| Trigger::Auto)
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
