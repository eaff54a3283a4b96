//! Go's output for `jwkPublicKeyPem` and `jwkPrivateKeyPem` of randomly altered JWKs (fields dropped, retyped, re-padded or with a changed character).

/// (template, Go's bytes).
pub const ROWS: &[super::Row] = &[
    ("{{ jwkPublicKeyPem .k0 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k0 | sha256sum }}",
        Some(b"007c2112351065e0bcd34ac7c9688a23f83446423aa02049ea13bd79a282a7bc"),
    ),
    ("{{ jwkPublicKeyPem .k1 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k1 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k2 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k2 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k3 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k3 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k4 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k4 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k5 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k5 | sha256sum }}",
        Some(b"7c64f6ffa8730aa744aaf35a824ddc80fb52e85a4d3ed5767997a5f3c5be3b1e"),
    ),
    ("{{ jwkPublicKeyPem .k6 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k6 | sha256sum }}",
        Some(b"f5a93cd6b2884378b3422195415464c6b71db36600efe2a7091cb9494bb9c8f5"),
    ),
    ("{{ jwkPublicKeyPem .k7 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k7 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k8 | sha256sum }}",
        Some(b"52d7c1f72d9700ceb3c271a2e9e8570973011e207b84dbb5d3172406d1dfcfe0"),
    ),
    ("{{ jwkPrivateKeyPem .k8 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k9 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k9 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k10 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k10 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k11 | sha256sum }}",
        Some(b"cd11ec6b3b6018ab7d94f3fdddd36b33d693694185c4343ed32f00111a733769"),
    ),
    ("{{ jwkPrivateKeyPem .k11 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k12 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k12 | sha256sum }}",
        Some(b"647d3774998dacb6edf0ed09ae01f8454669d49f958f6242b6cad0ef82f91da0"),
    ),
    ("{{ jwkPublicKeyPem .k13 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k13 | sha256sum }}",
        Some(b"007c2112351065e0bcd34ac7c9688a23f83446423aa02049ea13bd79a282a7bc"),
    ),
    ("{{ jwkPublicKeyPem .k14 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k14 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k15 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k15 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k16 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k16 | sha256sum }}",
        Some(b"b579d5bda7bec502332878e8c4c58aca3dec9317a1f400b4f5ca32c37c7e80a0"),
    ),
    ("{{ jwkPublicKeyPem .k17 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k17 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k18 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k18 | sha256sum }}",
        Some(b"b579d5bda7bec502332878e8c4c58aca3dec9317a1f400b4f5ca32c37c7e80a0"),
    ),
    (
        "{{ jwkPublicKeyPem .k19 | sha256sum }}",
        Some(b"52d7c1f72d9700ceb3c271a2e9e8570973011e207b84dbb5d3172406d1dfcfe0"),
    ),
    ("{{ jwkPrivateKeyPem .k19 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k20 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k20 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k21 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k21 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k22 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k22 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k23 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k23 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k24 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k24 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k25 | sha256sum }}",
        Some(b"21f818ac7debafe359f48df8611f6ac630b127b33885a805b49915e1aad07c96"),
    ),
    ("{{ jwkPrivateKeyPem .k25 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k26 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k26 | sha256sum }}",
        Some(b"7c64f6ffa8730aa744aaf35a824ddc80fb52e85a4d3ed5767997a5f3c5be3b1e"),
    ),
    (
        "{{ jwkPublicKeyPem .k27 | sha256sum }}",
        Some(b"cd11ec6b3b6018ab7d94f3fdddd36b33d693694185c4343ed32f00111a733769"),
    ),
    ("{{ jwkPrivateKeyPem .k27 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k28 | sha256sum }}",
        Some(b"cd11ec6b3b6018ab7d94f3fdddd36b33d693694185c4343ed32f00111a733769"),
    ),
    ("{{ jwkPrivateKeyPem .k28 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k29 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k29 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k30 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k30 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k31 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k31 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k32 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k32 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k33 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k33 | sha256sum }}",
        Some(b"647d3774998dacb6edf0ed09ae01f8454669d49f958f6242b6cad0ef82f91da0"),
    ),
    ("{{ jwkPublicKeyPem .k34 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k34 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k35 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k35 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k36 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k36 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k37 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k37 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k38 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k38 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k39 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k39 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k40 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k40 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k41 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k41 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k42 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k42 | sha256sum }}",
        Some(b"7c64f6ffa8730aa744aaf35a824ddc80fb52e85a4d3ed5767997a5f3c5be3b1e"),
    ),
    ("{{ jwkPublicKeyPem .k43 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k43 | sha256sum }}",
        Some(b"007c2112351065e0bcd34ac7c9688a23f83446423aa02049ea13bd79a282a7bc"),
    ),
    ("{{ jwkPublicKeyPem .k44 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k44 | sha256sum }}",
        Some(b"fc8dc9c6db07800c2e02d8d0d0ee8f67484517a382b589611b8f4233cc9249b5"),
    ),
    (
        "{{ jwkPublicKeyPem .k45 | sha256sum }}",
        Some(b"a825caa5fe17a229df881e9354e53e379084340702653e009ddba0b4cbc67d4d"),
    ),
    ("{{ jwkPrivateKeyPem .k45 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k46 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k46 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k47 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k47 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k48 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k48 | sha256sum }}",
        Some(b"007c2112351065e0bcd34ac7c9688a23f83446423aa02049ea13bd79a282a7bc"),
    ),
    ("{{ jwkPublicKeyPem .k49 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k49 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k50 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k50 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k51 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k51 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k52 | sha256sum }}",
        Some(b"2769460dab34e550cf10475af7e04fb2e527c62c26659fd18526a909c75e9534"),
    ),
    ("{{ jwkPrivateKeyPem .k52 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k53 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k53 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k54 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k54 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k55 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k55 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k56 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k56 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k57 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k57 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k58 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k58 | sha256sum }}",
        Some(b"f5a93cd6b2884378b3422195415464c6b71db36600efe2a7091cb9494bb9c8f5"),
    ),
    ("{{ jwkPublicKeyPem .k59 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k59 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k60 | sha256sum }}",
        Some(b"52d7c1f72d9700ceb3c271a2e9e8570973011e207b84dbb5d3172406d1dfcfe0"),
    ),
    ("{{ jwkPrivateKeyPem .k60 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k61 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k61 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k62 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k62 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k63 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k63 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k64 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k64 | sha256sum }}",
        Some(b"9bed585fc6e325ba699ef9d937a11b46dd99a0bc37273d051067367b059b0ae3"),
    ),
    (
        "{{ jwkPublicKeyPem .k65 | sha256sum }}",
        Some(b"21f818ac7debafe359f48df8611f6ac630b127b33885a805b49915e1aad07c96"),
    ),
    ("{{ jwkPrivateKeyPem .k65 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k66 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k66 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k67 | sha256sum }}",
        Some(b"22ca799590d0f685724356970485f3b27c8a2760ecce73262653549a3638be4b"),
    ),
    ("{{ jwkPrivateKeyPem .k67 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k68 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k68 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k69 | sha256sum }}",
        Some(b"22ca799590d0f685724356970485f3b27c8a2760ecce73262653549a3638be4b"),
    ),
    ("{{ jwkPrivateKeyPem .k69 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k70 | sha256sum }}",
        Some(b"52d7c1f72d9700ceb3c271a2e9e8570973011e207b84dbb5d3172406d1dfcfe0"),
    ),
    ("{{ jwkPrivateKeyPem .k70 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k71 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k71 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k72 | sha256sum }}",
        Some(b"2769460dab34e550cf10475af7e04fb2e527c62c26659fd18526a909c75e9534"),
    ),
    ("{{ jwkPrivateKeyPem .k72 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k73 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k73 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k74 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k74 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k75 | sha256sum }}",
        Some(b"88d871a5c5452b9e5bf23cbe16e78ad4977d748034ea7eb6cd5c2cad00fe6a35"),
    ),
    ("{{ jwkPrivateKeyPem .k75 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k76 | sha256sum }}",
        Some(b"cd11ec6b3b6018ab7d94f3fdddd36b33d693694185c4343ed32f00111a733769"),
    ),
    ("{{ jwkPrivateKeyPem .k76 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k77 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k77 | sha256sum }}",
        Some(b"647d3774998dacb6edf0ed09ae01f8454669d49f958f6242b6cad0ef82f91da0"),
    ),
    ("{{ jwkPublicKeyPem .k78 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k78 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k79 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k79 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k80 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k80 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k81 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k81 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k82 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k82 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k83 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k83 | sha256sum }}",
        Some(b"f5a93cd6b2884378b3422195415464c6b71db36600efe2a7091cb9494bb9c8f5"),
    ),
    ("{{ jwkPublicKeyPem .k84 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k84 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k85 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k85 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k86 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k86 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k87 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k87 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k88 | sha256sum }}",
        Some(b"2769460dab34e550cf10475af7e04fb2e527c62c26659fd18526a909c75e9534"),
    ),
    ("{{ jwkPrivateKeyPem .k88 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k89 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k89 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k90 | sha256sum }}",
        Some(b"cd11ec6b3b6018ab7d94f3fdddd36b33d693694185c4343ed32f00111a733769"),
    ),
    ("{{ jwkPrivateKeyPem .k90 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k91 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k91 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k92 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k92 | sha256sum }}",
        Some(b"7c64f6ffa8730aa744aaf35a824ddc80fb52e85a4d3ed5767997a5f3c5be3b1e"),
    ),
    ("{{ jwkPublicKeyPem .k93 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k93 | sha256sum }}",
        Some(b"b579d5bda7bec502332878e8c4c58aca3dec9317a1f400b4f5ca32c37c7e80a0"),
    ),
    ("{{ jwkPublicKeyPem .k94 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k94 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k95 | sha256sum }}",
        Some(b"54d76add765574526bc8ca0b4ad98cb1dd0295d417ee39b3587f319eec5e4851"),
    ),
    ("{{ jwkPrivateKeyPem .k95 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k96 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k96 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k97 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k97 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k98 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k98 | sha256sum }}",
        Some(b"c4bbd3a73084954f50df7339944756f68fdab7e5907561bfc173de5bf3f16424"),
    ),
    ("{{ jwkPublicKeyPem .k99 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k99 | sha256sum }}", None),
    (
        "{{ jwkPublicKeyPem .k100 | sha256sum }}",
        Some(b"52d7c1f72d9700ceb3c271a2e9e8570973011e207b84dbb5d3172406d1dfcfe0"),
    ),
    ("{{ jwkPrivateKeyPem .k100 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k101 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k101 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k102 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k102 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k103 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k103 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k104 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k104 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k105 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k105 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k106 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k106 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k107 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k107 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k108 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k108 | sha256sum }}",
        Some(b"f5a93cd6b2884378b3422195415464c6b71db36600efe2a7091cb9494bb9c8f5"),
    ),
    ("{{ jwkPublicKeyPem .k109 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k109 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k110 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k110 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k111 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k111 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k112 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k112 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k113 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k113 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k114 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k114 | sha256sum }}",
        Some(b"007c2112351065e0bcd34ac7c9688a23f83446423aa02049ea13bd79a282a7bc"),
    ),
    ("{{ jwkPublicKeyPem .k115 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k115 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k116 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k116 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k117 | sha256sum }}", None),
    (
        "{{ jwkPrivateKeyPem .k117 | sha256sum }}",
        Some(b"46f7e8a975a797fa6acd29020e8787eeeb97456a33c5406c94de2cc58cc657e6"),
    ),
    ("{{ jwkPublicKeyPem .k118 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k118 | sha256sum }}", None),
    ("{{ jwkPublicKeyPem .k119 | sha256sum }}", None),
    ("{{ jwkPrivateKeyPem .k119 | sha256sum }}", None),
];

/// The data these rows render with.
pub const DATA: &[(&str, &str)] = &[
    (
        "k0",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k1",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": {}, \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"qi\": \"oct\"}",
    ),
    (
        "k2",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"use\": 1, \"p\": \"AQ=\"}",
    ),
    (
        "k3",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"P-256\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"alg\": \"Zm9v\"}",
    ),
    (
        "k4",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA=\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k5",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k6",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\", \"crv\": \"AQ=\"}",
    ),
    ("k7", "{\"e\": \"AQAB=\", \"kty\": \"RSA\", \"n\": []}"),
    (
        "k8",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"crv\": \"AA\"}",
    ),
    (
        "k9",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"kid\": true}",
    ),
    (
        "k10",
        "{\"crv\": \"P-256\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k11",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k12",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k13",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"p\": {}}",
    ),
    (
        "k14",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": true}",
    ),
    (
        "k15",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\"}",
    ),
    (
        "k16",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k17",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": 1, \"n\": \"!!\"}",
    ),
    (
        "k18",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k19",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\"}",
    ),
    (
        "k20",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"qi\": 1}",
    ),
    (
        "k21",
        "{\"crv\": \"P-256\", \"d\": \"A\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"p\": \"A\"}",
    ),
    (
        "k22",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"Zm9v\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"oct\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k23",
        "{\"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k24",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY==\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"k\": \"!!\"}",
    ),
    (
        "k25",
        "{\"crv\": \"Ed25519\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"n\": true}",
    ),
    (
        "k26",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k27",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k28",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"use\": \"OKP\", \"alg\": \"!!\"}",
    ),
    (
        "k29",
        "{\"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjv=L_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k30",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw=\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k31",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\", \"crv\": \"P-256\"}",
    ),
    (
        "k32",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"_w\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k33",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k34",
        "{\"d\": \"!!\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": null, \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k35",
        "{\"crv\": \"Ed25519\", \"kty\": \"OKP\", \"x\": [], \"e\": \"oct\"}",
    ),
    (
        "k36",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj_wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"kid\": \"AQ=\"}",
    ),
    (
        "k37",
        "{\"crv\": \"Ed25519\", \"kty\": \"OKP==\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k38",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB==\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k39",
        "{\"crv\": \"P-256====\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k40",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_=\"}",
    ),
    (
        "k41",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1X/QsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k42",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k43",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k44",
        "{\"crv\": \"P-384\", \"d\": \"AQAB\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"kid\": \"AQ==\"}",
    ),
    (
        "k45",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"_w\", \"p\": \"P-384\"}",
    ),
    (
        "k46",
        "{\"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\"}",
    ),
    (
        "k47",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"EC\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k48",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"p\": \"oct\"}",
    ),
    (
        "k49",
        "{\"crv\": \"P-384\", \"kty\": \"Zm9v\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k50",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"P-256\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXE_fAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k51",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"alg\": \"OKP\"}",
    ),
    (
        "k52",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"e\": \"RSA\"}",
    ),
    (
        "k53",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"kid\": 1}",
    ),
    (
        "k54",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl=\", \"kty\": \"EC\", \"x\": \"-_\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k55",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"n\": \"AQAB\"}",
    ),
    (
        "k56",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"AA\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"alg\": \"Zm9v\"}",
    ),
    (
        "k57",
        "{\"crv\": true, \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME=\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k58",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU=\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k59",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k60",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\"}",
    ),
    (
        "k61",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"AQ==\"}",
    ),
    (
        "k62",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"!!\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ==\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k63",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK==\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k64",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"d\": \"-_\"}",
    ),
    (
        "k65",
        "{\"crv\": \"Ed25519\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"use\": \"A\"}",
    ),
    (
        "k66",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"alg\": \"_w\", \"k\": \"AQ==\"}",
    ),
    (
        "k67",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k68",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k69",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"qi\": \"AQAB\"}",
    ),
    (
        "k70",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"k\": \"AA\"}",
    ),
    (
        "k71",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k72",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k73",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUS=xGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"_w\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k74",
        "{\"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"kid\": \"\"}",
    ),
    (
        "k75",
        "{\"e\": \"\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\"}",
    ),
    (
        "k76",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"alg\": \"\"}",
    ),
    (
        "k77",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k78",
        "{\"e\": \"AQAB==\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"k\": \"EC\"}",
    ),
    (
        "k79",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"n\": null, \"d\": 1}",
    ),
    (
        "k80",
        "{\"crv\": \"P-256\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k81",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"RSA\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k82",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"alg\": []}",
    ),
    (
        "k83",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k84",
        "{\"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k85",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"d\": \"P-384\"}",
    ),
    (
        "k86",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"qi\": \"AQAB\", \"d\": {}}",
    ),
    (
        "k87",
        "{\"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k88",
        "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k89",
        "{\"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\"}",
    ),
    (
        "k90",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"use\": \"_w\"}",
    ),
    (
        "k91",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\", \"alg\": \"oct\"}",
    ),
    (
        "k92",
        "{\"crv\": \"P-521\", \"d\": \"AbLPms3uzyI0A_3DH4o-6LuzXRZko2CNJhtTgutgPBOHFieaOqet8R8sx1s3lwp7yEsRZi_jZeOrBGOBUj0Qvbxl\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k93",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"p\": \"AQAB\", \"use\": \"AQ\\nAB\"}",
    ),
    (
        "k94",
        "{\"crv\": \"P-521\", \"d\": \"AA\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k95",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"kid\": \"-_\"}",
    ),
    (
        "k96",
        "{\"crv\": \"P-521\", \"d\": \"!!\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"kid\": \"P-256\"}",
    ),
    (
        "k97",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k98",
        "{\"crv\": \"P-521\", \"kty\": \"EC\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\", \"d\": \"RSA\"}",
    ),
    (
        "k99",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw=\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k100",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"use\": null}",
    ),
    (
        "k101",
        "{\"e\": \"AQAB==\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\"}",
    ),
    (
        "k102",
        "{\"crv\": \"Ed25519\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k103",
        "{\"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k104",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"EC\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\"}",
    ),
    (
        "k105",
        "{\"crv\": \"AQ==\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k106",
        "{\"crv\": \"Ed25519\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw==\", \"alg\": \"AA\"}",
    ),
    (
        "k107",
        "{\"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"qi\": \"OKP\", \"d\": \"EC\"}",
    ),
    (
        "k108",
        "{\"d\": \"ReEu2nMqq4GDWz9jZZdlh_qfDBULjdMYa72dAMRW3GnUpaD3646wSMhot4xugjIsQg5HNH6wERkBqlUH_zZaWeTqX3t8hxT81fjYj_WCb1KtLTcpHn6gPAU471vWanABJXahAyZA4tj7ZgYydJNEj4ocslaSR-km3iGYWbBUiw\", \"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\", \"use\": \"P-256\"}",
    ),
    (
        "k109",
        "{\"dp\": \"tXVacLzRrnMyDRO5j9aNSGzYPCLuNqeMjglriHctWLDypjRe6B6pa2mWRIqjn3Y_d1GgJhqZuDgKnBJjXjZAPQ\", \"dq\": \"2wtg1b9AZjyAqwNkn2dmtNCYu1Uq3trH6Du-8AWpV2Lux00lskZ6bh1hfJtq5Id979SkwilIUIDkpxoJn0Wl8Q\", \"e\": \"AQAB=\", \"kty\": \"RSA\", \"n\": \"s8sknpK0aKUiYSc4-YP4mMPuDqyelOQVNuUSoxGas3bYRqY_KTt0qHL9bTzYRIJlgoSYeFczna3bXsfnHjbuKOhYMUQ8cadFcvw3BkeBTZIUBHcykbDw1OfN13mbtL7zIZ5CzV_pXjM2YPUHDQza4vvRyE-syBBxmo7-g8N4EXU\", \"p\": \"yrYAC0XEuHK2-rFaCdPYKe-CFfRVQYGxq4cUlCH-BuwOGYgyC334CEBzQ1F0CiHFLzGT776CT9z2lWq99mymJw\", \"q\": \"4w7aAgI6Q7A2UhmGJlZBGBjut9pR57pynigAb7V4Qyrhbia6xjpsVwng0FZ0SjBnnyf1d67uUh7b2YMYsEdJAw\", \"qi\": \"s47clHqw1a-Uou610zC4eSR2QItD14_0VwACVZIBBjnQZlDyDlCBdLrtJiMZtgogOF0oqABI6FB48Bl2HTIE9g\"}",
    ),
    (
        "k110",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP==\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k111",
        "{\"crv\": \"P-521\", \"kty\": \"oct\", \"x\": \"AAgKnmb6pI2eI4y3CAsJhjeUuoeo0jxfwCZv038Mjm7-O2sctgGZ3iAyHC5Ha7q4yqw6VEfb1Fdfr3rK_hWXLa5t\", \"y\": \"AA8yiUj1U5q9lT6drROpuwObsFn8XFV2GU5-fJ1tp76Y78I9jH7Sz3pPEGsjCyPv9He2F1QcHPz8-3C8Z4KtVes_\"}",
    ),
    (
        "k112",
        "{\"crv\": \"P-256\", \"kty\": \"Zm9v\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\", \"y\": \"1097GG54dAUYXY04zXM0UlqG9NKU_YZIrtaN7cihJNY\"}",
    ),
    (
        "k113",
        "{\"crv\": \"P-384\", \"d\": \"uehw1QXla4_ewNNqaIw56rEdBFJLk1sKrIHUvFdnQd0dhvsNcwJ6AhMf6alTNFXK\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": \"kj1pBFzTJJip2OCToaMnsm33rHZsszt6AScjsRSc__vriPb4uY9xQ3NUqhQkwPI0\", \"alg\": {}}",
    ),
    (
        "k114",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": \"OKP\", \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\", \"qi\": \"EC\"}",
    ),
    (
        "k115",
        "{\"crv\": \"P-384\", \"kty\": \"EC\", \"x\": \"blVYkl6Iipa6uTRR5Xe2u1izqSSmMq4irLzuA4AxeVePOUvHDWXxY3spviAg2WVb\", \"y\": 1}",
    ),
    (
        "k116",
        "{\"crv\": \"Ed25519\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME==\", \"kty\": \"OKP\", \"x\": \"zEwvbCnL_7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
    (
        "k117",
        "{\"d\": \"HlmuHjVHJ9XhTDJd3HryiDSGf-iIBtt8Hs8NO7R0ZIzPIy0UnG7PrEd-qTOut70yQkPtr7ZKSlVydEF25pR788Bx93nGYSIN-jn6AIcPujbpyleZe1uZT38vVYn3I6ZAViKyjqemYHIybphZJ5uRqzgQud-wscAtXpYmdn_V-ajYRa-vmiqm1rbeYd5IJnoS9WEZE18nTgFVY-dpsb7S8hzk38dKZ6MR_GjXviLoRTjNSmh1v9BisBe7klImrsJOwnFVWHfZ7RzooEq_PnKl6EQrzLGvYYwycQ2Jc2DnzxgzzXU57tJE4yQLWyO6CenQ08GLag1cf2VAsiBm6xr7Ew\", \"dp\": \"Oe4olafFN_I05qUVUR8cOFFOIZDuH-tW_MwHgSmue-7c5rvruQhAN3xGW6l61gqSA4t1s4adR9DYrGsstk5NwTi80wY-MfMGe1H6FlnyG0jyrrY4ABS64arvZ-UseotHsEjwa8chdvTqgQzDF6nQaCBmWOzt99Cmc1ZsTIXPgkE\", \"dq\": \"z4dGRkDjqs-c-ZX-jwaC6F10EY-_YIo9dH8ADox0paN944QQBlpqpMPl0Jhns1OMBjIDwNGH1foHwQ4QEMiQw8DV_T4K4W7-w88BB1qOM_xcsf2ZqTlpBVWu9pYfebyI9Ov-5_wz_Xa7rF_LNGcn5PWTW0fSk6gyLa77fezZAL8\", \"e\": \"AQAB\", \"kty\": \"RSA\", \"n\": \"7emhiIg9hPgej7CyDTjYw9FbPwCA1LvqVHSqBsHrqxivg7BR3Qtwm8UdlcoDoEdYTrMYj8qo468AzWXNM9YgvX1ldSEsKrKkOYDXZdRQFIj-rQQVGJM-Bit5uNkOfKLWceh5a3fFlGM8e9oVpal50N4OTDnzZeJ8XzbL28E-QC6R_GJ3p7tVeofP1FW15oY64M7Ri6SLBuhb7Dk-f2mZB_2KIHw_DcUjyDn5K-K4F0Wy2pPm06ErOiAuC-zqt4oVYTX-XGS7uXvkwQchfzTenNGAjF4ugHRB9zAYw_RJ04rFIJY3poQiG3eGEw30ldzfHzG9Io7pURKXu6bQEWFVOQ\", \"p\": \"9J_5uph1s9muEVG_cUssMl4PnlXEofAD1D1MwPF6jONg8zar5FqtICPbckYLmr6uaxvdJWpfP5K_B_si3I2G2qF8PDlKS8Ozs1brBiL6BCQfiFQJV02CN4TEqk1mZTVZIYcjLchElkY55XbUyl-r16JIuyvsjGGe8bJm-fb2Gqs\", \"q\": \"-PnAkEwnBr2BM_Y7_8eyugCEfLr9JbpS25NHoN61kUgPN28wuccHPvQ3c3B38zGEcs5KuQNJxkhWPi1loueFbQjvhL_vDUHNOQR4UYV6hGaYpQthpyIttF2wwWaDgc5_M__PzkO3odYZphXrsLy13hZWJeiWIPU3Sxz7J2ZIj6s\", \"qi\": \"hs3VCcDs1b-P7AY0zuBTtp574_HJ78OSpNfOvQ0rEcEJD290kbEpXFD5AU7DhU4y_wxwnD_QPu9Upui1NyttXxaKZDGhMWVzypov3cFjEuDq5gyBVgdWVYDlKWz-j8WHLqbqLJ2Y-_6ep2Sk3kGTPrMVEhsr3vMgCG2JRAxFbeg\", \"alg\": \"OKP\"}",
    ),
    (
        "k118",
        "{\"crv\": \"P-256\", \"d\": \"qCQLbiaPQUQD0JFRovQZjdo0Vnik93G7YFH3RoapS0I\", \"kty\": \"EC\", \"x\": \"uJoN5bUiv03USQOGra3YYXsz_ucnFxdhnT_JFPMmITY\"}",
    ),
    (
        "k119",
        "{\"crv\": \"A\", \"d\": \"kWDnGl2Rrd8C1XqQsFkn7ycj1wZ4iJ-go7Ha-YAvaME\", \"kty\": 1, \"x\": \"zEwvbCnLZ7F8SDXwlfrdEPG6QvaHqEBoUoJ5ZuJJdHw\"}",
    ),
];
