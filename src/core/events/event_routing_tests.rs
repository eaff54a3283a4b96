use super::*;

const URL: &str = "https://sqs.eu-west-1.amazonaws.com/111122223333/events";

fn queue(url: &str, region: &str, endpoint: Option<&str>) -> Queue {
    Queue {
        url: url.into(),
        region: region.into(),
        endpoint: endpoint.map(String::from),
    }
}

fn events(url: &str, region: Option<&str>) -> AwsEvents {
    AwsEvents {
        sqs_queue_url: url.into(),
        region: region.map(String::from),
        endpoint: None,
    }
}

#[test]
fn the_queue_region_comes_from_the_field_then_the_url_then_the_store() {
    let of = |e: &AwsEvents| Queue::of(e, "us-east-1").region;
    assert_eq!(of(&events(URL, None)), "eu-west-1");
    assert_eq!(of(&events(URL, Some("us-west-2"))), "us-west-2");
    assert_eq!(
        of(&events("http://127.0.0.1:5000/123456789012/q", None)),
        "us-east-1"
    );
    assert_eq!(Queue::of(&events(URL, None), "x").name(), "events");
    assert_eq!(region_of_queue_url("https://sqs.amazonaws.com/1/q"), None);
    assert_eq!(region_of_queue_url("https://sqs.x.example.com/1/q"), None);
    assert_eq!(region_of_queue_url("not a url"), None);
}

/// Reader spec for the table: (key, queue, receiving, stores).
type Row = (&'static str, Queue, bool, Vec<String>);

fn rows(spec: &[(&'static str, &Queue, bool, &[&str])]) -> Vec<Row> {
    spec.iter()
        .map(|(k, q, r, s)| {
            (
                *k,
                (*q).clone(),
                *r,
                s.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

fn view(rows: &[Row]) -> Vec<Reader<'_, &'static str>> {
    rows.iter()
        .map(|(k, q, r, s)| Reader {
            key: k,
            queue: q,
            receiving: *r,
            stores: s,
        })
        .collect()
}

#[test]
fn a_message_reaches_every_receiving_reader_of_its_queue_and_no_other() {
    let q = queue(URL, "eu-west-1", None);
    let other_region = queue(URL, "us-west-2", None);
    let other_endpoint = queue(URL, "eu-west-1", Some("http://tenant.example"));
    let other_url = queue(
        "https://sqs.eu-west-1.amazonaws.com/111122223333/other",
        "eu-west-1",
        None,
    );
    // (what, readers, receiver, stores refreshed)
    let cases: Vec<(&str, Vec<Row>, &str, &[&str])> = vec![
        (
            "one reader: its own stores",
            rows(&[("a", &q, true, &["A1", "A2"])]),
            "a",
            &["A1", "A2"],
        ),
        (
            "two identities, both receiving: every message reaches both",
            rows(&[("a", &q, true, &["A"]), ("b", &q, true, &["B"])]),
            "a",
            &["A", "B"],
        ),
        (
            "the same, received by the other",
            rows(&[("a", &q, true, &["A"]), ("b", &q, true, &["B"])]),
            "b",
            &["A", "B"],
        ),
        (
            "a reader whose receive fails gets nothing from the others",
            rows(&[("a", &q, true, &["A"]), ("b", &q, false, &["B"])]),
            "a",
            &["A"],
        ),
        (
            "the receiver's own stores even when its recorded health is stale",
            rows(&[("a", &q, false, &["A"]), ("b", &q, true, &["B"])]),
            "a",
            &["A", "B"],
        ),
        (
            "another region is another queue",
            rows(&[("a", &q, true, &["A"]), ("b", &other_region, true, &["B"])]),
            "a",
            &["A"],
        ),
        (
            "another endpoint is never mixed in (it may hand out forged events)",
            rows(&[
                ("a", &q, true, &["A"]),
                ("b", &other_endpoint, true, &["B"]),
            ]),
            "a",
            &["A"],
        ),
        (
            "nor the endpoint's messages into the standard endpoint's stores",
            rows(&[
                ("a", &q, true, &["A"]),
                ("b", &other_endpoint, true, &["B"]),
            ]),
            "b",
            &["B"],
        ),
        (
            "another queue",
            rows(&[("a", &q, true, &["A"]), ("b", &other_url, true, &["B"])]),
            "a",
            &["A"],
        ),
        (
            "three identities, one failing",
            rows(&[
                ("a", &q, true, &["A"]),
                ("b", &q, false, &["B"]),
                ("c", &q, true, &["C1", "C2"]),
            ]),
            "c",
            &["A", "C1", "C2"],
        ),
        (
            "a receiver no store names any more refreshes nothing",
            rows(&[("b", &q, true, &["B"])]),
            "a",
            &[],
        ),
        (
            "a reader serving no store adds none",
            rows(&[("a", &q, true, &["A"]), ("b", &q, true, &[])]),
            "b",
            &["A"],
        ),
    ];
    for (what, readers, receiver, want) in cases {
        let got: Vec<&str> = stores_for(&receiver, &view(&readers)).into_iter().collect();
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn the_same_url_through_another_endpoint_may_split_the_queue() {
    let q = queue(URL, "eu-west-1", None);
    let vpc = queue(URL, "eu-west-1", Some("https://vpce.example"));
    let slash = queue(URL, "eu-west-1", Some("https://vpce.example/"));
    let other_region = queue(URL, "us-west-2", Some("https://vpce.example"));
    // (what, readers, reader asked about, split)
    let cases: Vec<(&str, Vec<Row>, &str, bool)> = vec![
        (
            "another tenant's store through its own endpoint is not counted",
            rows(&[
                ("a", &q, true, &["SecretStore/victim/a"]),
                ("b", &vpc, true, &["SecretStore/tenant/b"]),
            ]),
            "a",
            false,
        ),
        (
            "nor is a tenant's store against a ClusterSecretStore, either way",
            rows(&[
                ("a", &q, true, &["ClusterSecretStore/platform"]),
                ("b", &vpc, true, &["SecretStore/tenant/b"]),
            ]),
            "a",
            false,
        ),
        (
            "two ClusterSecretStores are one domain",
            rows(&[
                ("a", &q, true, &["ClusterSecretStore/one"]),
                ("b", &vpc, true, &["ClusterSecretStore/two"]),
            ]),
            "b",
            true,
        ),
        (
            "alone",
            rows(&[("a", &q, true, &["SecretStore/t/a"])]),
            "a",
            false,
        ),
        (
            "the same queue with another identity is shared, not split",
            rows(&[
                ("a", &q, true, &["SecretStore/t/a"]),
                ("b", &q, true, &["SecretStore/t/b"]),
            ]),
            "a",
            false,
        ),
        (
            "another endpoint that receives",
            rows(&[
                ("a", &q, true, &["SecretStore/t/a"]),
                ("b", &vpc, true, &["SecretStore/t/b"]),
            ]),
            "a",
            true,
        ),
        (
            "seen from the other side",
            rows(&[
                ("a", &q, true, &["SecretStore/t/a"]),
                ("b", &vpc, true, &["SecretStore/t/b"]),
            ]),
            "b",
            true,
        ),
        (
            "another spelling of an endpoint counts as another endpoint",
            rows(&[
                ("a", &slash, true, &["SecretStore/t/a"]),
                ("b", &vpc, true, &["SecretStore/t/b"]),
            ]),
            "a",
            true,
        ),
        (
            "another endpoint that does not receive takes no messages",
            rows(&[
                ("a", &q, true, &["SecretStore/t/a"]),
                ("b", &vpc, false, &["SecretStore/t/b"]),
            ]),
            "a",
            false,
        ),
        (
            "another region",
            rows(&[
                ("a", &vpc, true, &["SecretStore/t/a"]),
                ("b", &other_region, true, &["SecretStore/t/b"]),
            ]),
            "a",
            false,
        ),
        (
            "an unknown reader",
            rows(&[("b", &vpc, true, &["SecretStore/t/b"])]),
            "a",
            false,
        ),
    ];
    for (what, readers, reader, want) in cases {
        assert_eq!(split_by_endpoint(&reader, &view(&readers)), want, "{what}");
    }
}

#[test]
fn a_reader_that_starts_receiving_catches_up_when_a_sibling_took_messages() {
    let q = queue(URL, "eu-west-1", None);
    let other = queue(URL, "us-west-2", None);
    // (what, readers, reader asked about, catch up?)
    let cases: Vec<(&str, Vec<Row>, &str, bool)> = vec![
        ("alone", rows(&[("a", &q, false, &["A"])]), "a", false),
        (
            "a sibling of the same queue receives",
            rows(&[("a", &q, false, &["A"]), ("b", &q, true, &["B"])]),
            "a",
            true,
        ),
        (
            "the sibling fails too: the messages wait in the queue",
            rows(&[("a", &q, false, &["A"]), ("b", &q, false, &["B"])]),
            "a",
            false,
        ),
        (
            "another queue's reader",
            rows(&[("a", &q, false, &["A"]), ("b", &other, true, &["B"])]),
            "a",
            false,
        ),
        (
            "not a reader any more",
            rows(&[("b", &q, true, &["B"])]),
            "a",
            false,
        ),
    ];
    for (what, rows, reader, want) in cases {
        assert_eq!(sibling_receiving(&reader, &view(&rows)), want, "{what}");
    }
    assert_eq!(trust_domain("SecretStore/ns/name"), "ns");
    assert_eq!(trust_domain("ClusterSecretStore/x"), "");
    assert_eq!(trust_domain("other"), "other");
}

/// Parameter Store stores follow the same tenancy rules: a queue shared by stores of both services
/// and several identities reaches every receiving reader's stores, then only those of the
/// message's service; another endpoint is never mixed in, whatever the service.
#[test]
fn parameter_store_stores_share_queues_by_the_same_rules() {
    use AwsService::{ParameterStore as Ps, SecretsManager as Sm};
    let q = queue(URL, "eu-west-1", None);
    let tenant = queue(URL, "eu-west-1", Some("http://tenant.example"));
    let service_of = |id: &str| match id {
        "SecretStore/a/sm" | "SecretStore/b/sm" | "ClusterSecretStore/sm" => Some(Sm),
        "SecretStore/a/ps" | "SecretStore/b/ps" | "ClusterSecretStore/ps" => Some(Ps),
        _ => None,
    };
    // (what, readers, receiver, service of the message, stores refreshed)
    type Case = (
        &'static str,
        Vec<Row>,
        &'static str,
        AwsService,
        &'static [&'static str],
    );
    let cases: Vec<Case> = vec![
        (
            "one identity reading for both services: a parameter event reaches the PS store only",
            rows(&[("a", &q, true, &["SecretStore/a/ps", "SecretStore/a/sm"])]),
            "a",
            Ps,
            &["SecretStore/a/ps"],
        ),
        (
            "and a secret event the SM store only",
            rows(&[("a", &q, true, &["SecretStore/a/ps", "SecretStore/a/sm"])]),
            "a",
            Sm,
            &["SecretStore/a/sm"],
        ),
        (
            "two tenants' PS stores with their own keys, both receiving: both, whoever received",
            rows(&[
                ("a", &q, true, &["SecretStore/a/ps"]),
                ("b", &q, true, &["SecretStore/b/ps"]),
            ]),
            "b",
            Ps,
            &["SecretStore/a/ps", "SecretStore/b/ps"],
        ),
        (
            "a PS store whose own reader fails gets nothing from the others",
            rows(&[
                ("a", &q, true, &["SecretStore/a/ps"]),
                ("b", &q, false, &["SecretStore/b/ps"]),
            ]),
            "a",
            Ps,
            &["SecretStore/a/ps"],
        ),
        (
            "a tenant's PS store through its own endpoint is never mixed in",
            rows(&[
                ("a", &q, true, &["ClusterSecretStore/ps"]),
                ("b", &tenant, true, &["SecretStore/b/ps"]),
            ]),
            "a",
            Ps,
            &["ClusterSecretStore/ps"],
        ),
        (
            "nor its forged events into the platform's stores",
            rows(&[
                (
                    "a",
                    &q,
                    true,
                    &["ClusterSecretStore/ps", "ClusterSecretStore/sm"],
                ),
                ("b", &tenant, true, &["SecretStore/b/ps"]),
            ]),
            "b",
            Ps,
            &["SecretStore/b/ps"],
        ),
        (
            "a store of unknown service gets nothing",
            rows(&[("a", &q, true, &["SecretStore/a/other", "SecretStore/a/ps"])]),
            "a",
            Ps,
            &["SecretStore/a/ps"],
        ),
    ];
    for (what, readers, receiver, service, want) in cases {
        let all = stores_for(&receiver, &view(&readers));
        assert_eq!(of_service(all, service, service_of), want, "{what}");
    }
    // QueueSplit is about who takes messages, not what they carry: a PS store and an SM store of
    // one tenant through two endpoints split the queue; another tenant's PS store does not count.
    let split = rows(&[
        ("a", &q, true, &["SecretStore/a/sm"]),
        ("b", &tenant, true, &["SecretStore/a/ps"]),
    ]);
    assert!(split_by_endpoint(&"a", &view(&split)));
    let other_tenant = rows(&[
        ("a", &q, true, &["SecretStore/a/ps"]),
        ("b", &tenant, true, &["SecretStore/b/ps"]),
    ]);
    assert!(!split_by_endpoint(&"a", &view(&other_tenant)));
}

const SECRET: &str = "prod/db";
const ARN: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
const V1: &str = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE";
const V2: &str = "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE";

fn spec(yaml: &str) -> ExternalSecretSpec {
    serde_yaml_ng::from_str(&format!(
        "secretStoreRef: {{name: s}}\ntarget: {{name: t}}\n{yaml}"
    ))
    .expect("test spec parses")
}

fn status(generation: i64, synced: &[(&str, &str)]) -> ExternalSecretStatus {
    ExternalSecretStatus {
        observed_generation: Some(generation),
        synced_versions: synced
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

fn staged(label: &str, version: &str) -> StagedVersion {
    StagedVersion {
        secret: SECRET.into(),
        label: label.into(),
        version_id: version.into(),
    }
}

#[test]
fn a_label_event_for_the_synced_version_needs_no_read() {
    let by_name = "data: [{secretKey: p, remoteRef: {key: prod/db, property: password}}]";
    let by_arn = format!("data: [{{secretKey: p, remoteRef: {{key: \"{ARN}\"}}}}]");
    let twice = "data: [{secretKey: a, remoteRef: {key: prod/db, property: a}}, \
                     {secretKey: b, remoteRef: {key: prod/db, property: b}}]";
    let previous = "data: [{secretKey: a, remoteRef: {key: prod/db}}, \
                        {secretKey: b, remoteRef: {key: prod/db, versionStage: AWSPREVIOUS}}]";
    let custom = "data: [{secretKey: a, remoteRef: {key: prod/db, versionStage: blue}}]";
    let pinned = format!("data: [{{secretKey: a, remoteRef: {{key: prod/db, versionId: {V2}}}}}]");
    let extract = "dataFrom: [{extract: {key: prod/db}}]";
    let find = "dataFrom: [{find: {name: {regexp: \"^prod/\"}}}]";
    let find_other = "data: [{secretKey: a, remoteRef: {key: prod/db}}]\n\
                          dataFrom: [{find: {name: {regexp: \"^team-b/\"}}}]";
    let tags = "dataFrom: [{find: {tags: {team: a}}}]";
    let bad = "dataFrom: [{find: {name: {regexp: \"(\"}}}]";
    let path = "dataFrom: [{find: {path: /prod}}]";
    let other = "data: [{secretKey: a, remoteRef: {key: prod/other}}]";
    let current = staged("AWSCURRENT", V2);
    // (what, spec, generation, status, event, already synced)
    let cases: Vec<(&str, String, i64, ExternalSecretStatus, StagedVersion, bool)> = vec![
        (
            "the synced AWSCURRENT version, by name",
            by_name.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            true,
        ),
        (
            "by ARN (recorded under the ARN)",
            by_arn.clone(),
            1,
            status(1, &[(ARN, V2)]),
            current.clone(),
            true,
        ),
        (
            "read twice, both at that version",
            twice.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            true,
        ),
        (
            "dataFrom.extract",
            extract.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            true,
        ),
        (
            "a find whose pattern admits the secret",
            find.into(),
            1,
            status(1, &[(SECRET, V2), ("prod/other", V1)]),
            current.clone(),
            true,
        ),
        (
            "a find that cannot match it does not count",
            find_other.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            true,
        ),
        (
            "a custom label at the synced version",
            custom.into(),
            1,
            status(1, &[("prod/db@blue", V2)]),
            staged("blue", V2),
            true,
        ),
        (
            "a new version",
            by_name.into(),
            1,
            status(1, &[(SECRET, V1)]),
            current.clone(),
            false,
        ),
        (
            "not synced yet",
            by_name.into(),
            1,
            status(1, &[]),
            current.clone(),
            false,
        ),
        (
            "a status of an older spec",
            by_name.into(),
            2,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            false,
        ),
        (
            "AWSPREVIOUS moved with AWSCURRENT, without an event of its own",
            previous.into(),
            1,
            status(1, &[(SECRET, V2), ("prod/db@AWSPREVIOUS", V1)]),
            current.clone(),
            false,
        ),
        (
            "another label than the one read",
            by_name.into(),
            1,
            status(1, &[(SECRET, V2)]),
            staged("blue", V2),
            false,
        ),
        (
            "a custom label read, AWSCURRENT moved",
            custom.into(),
            1,
            status(1, &[("prod/db@blue", V2)]),
            current.clone(),
            false,
        ),
        (
            "a pinned version id",
            pinned,
            1,
            status(1, &[(&format!("prod/db@{V2}"), V2)]),
            current.clone(),
            false,
        ),
        (
            "a tags-only find: refresh unless it recorded that version",
            tags.into(),
            1,
            status(1, &[("prod/other", V2)]),
            current.clone(),
            false,
        ),
        (
            "a tags-only find that recorded it",
            tags.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            true,
        ),
        (
            "a find for a custom label cannot hold it (finds read AWSCURRENT)",
            find.into(),
            1,
            status(1, &[(SECRET, V2)]),
            staged("blue", V2),
            false,
        ),
        (
            "a pattern that does not compile",
            bad.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            false,
        ),
        (
            "a find.path (Parameter Store only)",
            path.into(),
            1,
            status(1, &[(SECRET, V2)]),
            current.clone(),
            false,
        ),
        (
            "no reference to the secret at all",
            other.into(),
            1,
            status(1, &[(SECRET, V2), ("prod/other", V2)]),
            current.clone(),
            false,
        ),
        (
            "a compacted record",
            by_name.into(),
            1,
            status(1, &[("(compacted)", "3 versions a b c")]),
            current.clone(),
            false,
        ),
    ];
    for (what, yaml, generation, st, event, want) in cases {
        let got = already_synced(&spec(&yaml), Some(generation), Some(&st), &event);
        assert_eq!(got, want, "{what}");
    }
    assert!(
        !already_synced(&spec(by_name), Some(1), None, &current),
        "no status"
    );
}
