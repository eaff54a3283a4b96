use super::{answered_in, failover_region_of, key_in_region, parameter_in_region, without_region};

#[test]
fn a_failover_answer_carries_its_region_in_the_identity() {
    let f = answered_in("3@2026-12-07T03:21:05.123Z", "us-west-2");
    assert_eq!(f, "3@2026-12-07T03:21:05.123Z~us-west-2");
    assert_eq!(failover_region_of(&f), Some("us-west-2"));
    assert_eq!(without_region(&f), "3@2026-12-07T03:21:05.123Z");
    for primary in ["3@2026-12-07T03:21:05.123Z", "3", "a1b2-uuid", "", "3~"] {
        assert_eq!(failover_region_of(primary), None, "{primary}");
        assert_eq!(without_region(primary), primary);
    }
    assert_eq!(without_region(&answered_in("7", "eu-west-1")), "7");
}

#[test]
fn parameter_arns_move_to_the_failover_region_and_names_stay() {
    assert_eq!(
        parameter_in_region("arn:aws:ssm:us-east-1:1:parameter/app/db", "us-west-2"),
        "arn:aws:ssm:us-west-2:1:parameter/app/db"
    );
    assert_eq!(parameter_in_region("/app/db", "us-west-2"), "/app/db");
    assert_eq!(
        parameter_in_region(
            "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf",
            "us-west-2"
        ),
        "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf"
    );
    assert_eq!(parameter_in_region("arn:broken", "us-west-2"), "arn:broken");
}

#[test]
fn arns_move_to_the_replica_region_and_names_stay() {
    assert_eq!(
        key_in_region(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
            "us-west-2"
        ),
        "arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf"
    );
    assert_eq!(
        key_in_region(
            "arn:aws-cn:secretsmanager:cn-north-1:1:secret:a:b-AbCdEf",
            "cn-northwest-1"
        ),
        "arn:aws-cn:secretsmanager:cn-northwest-1:1:secret:a:b-AbCdEf"
    );
    assert_eq!(key_in_region("prod/db", "us-west-2"), "prod/db");
    assert_eq!(
        key_in_region("arn:aws:ssm:us-east-1:1:parameter/x", "us-west-2"),
        "arn:aws:ssm:us-east-1:1:parameter/x"
    );
    assert_eq!(key_in_region("arn:broken", "us-west-2"), "arn:broken");
}
