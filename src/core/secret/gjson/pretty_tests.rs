//! `@pretty` against tidwall/pretty v1.2.0 through gjson v1.18.0: each row is (document, path,
//! gjson's `String()` of the result) with Go's bytes, drawn from 14,000 generated documents
//! (malformed ones, lone surrogates, ties under `sortKeys`, every option) on which the port and Go
//! agreed byte for byte.

use super::super::get;

/// (document, path, Go's result).
const ROWS: &[(&str, &str, &str)] = &[
    (
        "{\t\"b\":\tfalse,\"10\":\"b\",\"A\": null\n  }",
        "@pretty:{\"sortKeys\":\"t\"}",
        "{\n  \"10\": \"b\",\n  \"A\": null,\n  \"b\": false\n}\n",
    ),
    (
        "{\t\"é\"\n  :[\n  [{\"é\":null,\"z\": \"1\",\"A\"\n  :3.5,\"b\":true}, {\t\"10\": \"\\\"q\"\n  }",
        "@pretty:{\"prefix\":\"  \"}",
        "{\n    \"é\": [\n      [\n        {\n          \"é\": null,\n          \"z\": \"1\",\n          \"A\": 3.5,\n          \"b\": true\n        },\n        {\n          \"10\": \"\\\"q\"\n        }\n",
    ),
    (
        "{\n  \"A\"\n  : {\"2\"\t:\t{\t\"c\":\n  [\n  \"x y\", \"\\n\"\n  ]",
        "@this|@pretty:{\"width\":4.9}",
        "{\n  \"A\": {\n    \"2\": {\n      \"c\": [\n        \"x y\",\n        \"\\n\"\n      ]\n",
    ),
    (
        "[{\t\"2\": \"1\",\n  \"b\":\t[\t{\"a\" :true,\t\"a\":\n  \"b\",\t\"a\"\n  :true,\t\"c\":\n  10\n  } ],\n  \"z\"\t:\"\\n\"}\t]",
        "@pretty:{\"width\":3}",
        "[\n  {\n    \"2\": \"1\",\n    \"b\": [\n      {\n        \"a\": true,\n        \"a\": \"b\",\n        \"a\": true,\n        \"c\": 10\n      }\n    ],\n    \"z\": \"\\n\"\n  }\n]\n",
    ),
    (
        "[\t{\"c\"\n  :\"\", \"é\"\n  :\n  \"a\"},\n  \"1\",\n  1]",
        "@this|@pretty:{\"width\":10}",
        "[\n  {\n    \"c\": \"\",\n    \"é\": \"a\"\n  },\n  \"1\",\n  1\n]\n",
    ),
    (
        "[{\n  \"a\"\t:[ true ],\"z\": \"é\"} ]",
        "@pretty:{\"indent\":\"\\t\"}",
        "[\n\t{\n\t\t\"a\": [true],\n\t\t\"z\": \"é\"\n\t}\n]\n",
    ),
    (
        "{ \"k\\u0041\"\n  :\t[ ],\"b\" : [\n  ],\"b\":\n  {\t\"2\":\"b\"},\"z\"\n  :\t\"é\",\"10\" : \"\"}",
        "@pretty",
        "{\n  \"k\\u0041\": [],\n  \"b\": [],\n  \"b\": {\n    \"2\": \"b\"\n  },\n  \"z\": \"é\",\n  \"10\": \"\"\n}\n",
    ),
    (
        "[\n  [{\t }],\t\"x y\",\tnull\n  ]",
        "@pretty:{\"width\":-1}",
        "[\n  [\n    {}\n  ],\n  \"x y\",\n  null\n]\n",
    ),
    (
        "{\n  \"2\":\tnull,\"z\" :{ \t}\n  }",
        "@pretty:{\"width\":0}|@ugly",
        "{\"2\":null,\"z\":{}}",
    ),
    (
        "[ \"a\",\"\\\"q\"\n  ]",
        "@pretty:{\"sortKeys\":true}",
        "[\"a\", \"\\\"q\"]\n",
    ),
    (
        "{\"z\":\tfalse,\n  \"z\":\"é\"}",
        "@pretty:{\"width\":true}",
        "{\n  \"z\": false,\n  \"z\": \"é\"\n}\n",
    ),
    (
        "{\t\"k\\u0041\":{\t\"b\"\t:\tnull },\"a\"\n  : false,\"a\":[\ttrue,true\n  ],\"c\"\t:10,\"a\"\t: 3.5}",
        "@pretty:{\"width\":0}",
        "{\n  \"k\\u0041\": {\n    \"b\": null\n  },\n  \"a\": false,\n  \"a\": [\n    true,\n    true\n  ],\n  \"c\": 10,\n  \"a\": 3.5\n}\n",
    ),
    (
        "[{\t\"k\\u0041\" :\t[\n  [\"aa\",2,\"aa\" ],\tfalse\n  ],\t\"z\"\n  :\t\"\",\t\"A\"\n  :\"b\"\n  },\"a\"\n  ]",
        "@pretty:{\"width\":-1}|@ugly",
        "[{\"k\\u0041\":[[\"aa\",2,\"aa\"],false],\"z\":\"\",\"A\":\"b\"},\"a\"]",
    ),
    (
        "{\"c\":\n  { \"A\"\n  :\"10\",\"é\":\n  \"\\\"q\",\"c\"\t:\t{ \"a\"\t:[1,\n  0,\n  \"\",\n  false\t]\t}\t},\"A\":{}}",
        "@pretty:{\"width\":10}",
        "{\n  \"c\": {\n    \"A\": \"10\",\n    \"é\": \"\\\"q\",\n    \"c\": {\n      \"a\": [\n        1,\n        0,\n        \"\",\n        false\n      ]\n    }\n  },\n  \"A\": {}\n}\n",
    ),
    (
        "{\n  \"10\": { },\"c\":\"é\",\"10\" : {\t\"z\":false, \"2\":\t[{\"c\"\t:\t\"\\n\",\"é",
        "@pretty:{\"sortKeys\":true,\"width\":20,\"indent\":\"    \"}",
        "{\n    \"10\": {},\n    \"c\": \"é\",\n    \"10\": {\n        \"z\": false,\n        \"2\": [\n            {\n                \"c\": \"\\n\",\n                \"é: \n",
    ),
    (
        "[ true, \"\\\"q\", \"x y\"]",
        "@pretty:{\"width\":4.9}",
        "[\n  true,\n  \"\\\"q\",\n  \"x y\"\n]\n",
    ),
    (
        "{ \"2\" :\n  true }",
        "@pretty:{\"width\":true}|@ugly",
        "{\"2\":true}",
    ),
    (
        "{ \"A\"\t: \"aa\",\"c\": [],\"z\": null,\"a\": \"é\"\t}",
        "@pretty:{\"prefix\":\"x\"}",
        "{\n  \"A\": \"aa\",\n  \"c\": [],\n  \"z\": null,\n  \"a\": \"é\"\n}\n",
    ),
    (
        "{ \"10\":[],\"z\" : { \"k\\u0041\":null,\"c\":\n  false,\"10\"\n  :\t\"B\"}}",
        "@this|@pretty:{\"sortKeys\":true}",
        "{\n  \"10\": [],\n  \"z\": {\n    \"10\": \"B\",\n    \"c\": false,\n    \"k\\u0041\": null\n  }\n}\n",
    ),
    (
        "{\"é\" :false,\n  \"A\":{\n  \"A\"\t:\n  1, \"b\"\n  :\n  false, \"é\":\"\\\"q\" },\n  \"A\" :\n  [\n  ],\n  \"a\"\t:{ } }",
        "@pretty:{\"width\":\"20\"}",
        "{\n  \"é\": false,\n  \"A\": {\n    \"A\": 1,\n    \"b\": false,\n    \"é\": \"\\\"q\"\n  },\n  \"A\": [],\n  \"a\": {}\n}\n",
    ),
    (
        "[\n  [ [\n  [ null,\"10\" ],\t[ \"aa\", true, false ],\t\"\\n\"\t],\n  [null, \"é\", {\"b\"\t:false,\"a\"\n  :\t\"é\"}]\t]\t]",
        "@pretty:{\"width\":10}|@ugly",
        "[[[[null,\"10\"],[\"aa\",true,false],\"\\n\"],[null,\"é\",{\"b\":false,\"a\":\"é\"}]]]",
    ),
    ("[\n  \"é\",\n  [\t] ]", "@pretty|@ugly", "[\"é\",[]]"),
    (
        "{\"é\" :\tfalse,\"é\"\t:3.5,\"é\":\"\",\"é\" :\n  \"x y\"\n  }",
        "@this|@pretty:{\"width\":3}",
        "{\n  \"é\": false,\n  \"é\": 3.5,\n  \"é\": \"\",\n  \"é\": \"x y\"\n}\n",
    ),
    (
        "{ \"k\\u0041\":true,\"c\":-2 }",
        "@pretty:{\"sortKeys\":true,\"width\":20,\"indent\":\"    \"}|@ugly",
        "{\"c\":-2,\"k\\u0041\":true}",
    ),
    (
        "[{ },\"\\n\",{\"A\"\n  :\"\",\n  \"z\":{\t\"a\":[ null]\t},\n  \"a\":[\t{\t}\t",
        "@this|@pretty:{\"prefix\":\"x\"}",
        "[\n  {},\n  \"\\n\",\n  {\n    \"A\": \"\",\n    \"z\": {\n      \"a\": [null]\n    },\n    \"a\": [\n      {}\n",
    ),
    (
        "{ \"A\":\n  \"é\"\n  }",
        "@this|@pretty:{\"indent\":\"\\t\"}",
        "{\n\t\"A\": \"é\"\n}\n",
    ),
    (
        "{\t\"é\" :\n  1e+21,\t\"b\"\t:true\t}",
        "@this|@pretty:{\"sortKeys\":\"t\"}",
        "{\n  \"b\": true,\n  \"é\": 1e+21\n}\n",
    ),
    (
        "{\t\"2\"\t:{\n  \"A\": [[\t]]\t}}",
        "@this|@pretty:{\"prefix\":\"  \"}",
        "{\n    \"2\": {\n      \"A\": [[]]\n    }\n  }\n",
    ),
    (
        "{\"z\"\n  :\t\"x y\",\"a\": true\n  }",
        "@this|@pretty:{\"width\":-1}",
        "{\n  \"z\": \"x y\",\n  \"a\": true\n}\n",
    ),
    (
        "[\tfalse,\t[{\n  },\n  \"é\",\n  [\n  \"\",[\n  null\n  ],\"\\\"q\"\n  ]],\t\"\",\t1]",
        "@pretty:{\"indent\":\"ab c\"}",
        "[\n false,\n [\n  {},\n  \"é\",\n  [\"\", [null], \"\\\"q\"]\n ],\n \"\",\n 1\n]\n",
    ),
    (
        "{\"z\"\n  : [\n   ],\"z\":\t-2,\"k\\u0041\":[\n  ]}",
        "@pretty:{\"indent\":\"\\t\"}|@ugly",
        "{\"z\":[],\"z\":-2,\"k\\u0041\":[]}",
    ),
    (
        "[ \"\\n\",\t[\ttrue\n  ],\t3.5]",
        "@pretty:{\"width\":4.9}|@ugly",
        "[\"\\n\",[true],3.5]",
    ),
    (
        "{\"z\"\t:{\t },\"b\"\n  :\n  [{\"b\" :\t[\"\\n\",\t\"10\",\t\"\\\"q\",\t\"x y\"\t],\t\"A\"\t:\t[2]\t}\t],\"a\"\t:\n  \"B\",\"a\":\n  true\n  }",
        "@this|@pretty:{\"width\":true}",
        "{\n  \"z\": {},\n  \"b\": [\n    {\n      \"b\": [\n        \"\\n\",\n        \"10\",\n        \"\\\"q\",\n        \"x y\"\n      ],\n      \"A\": [\n        2\n      ]\n    }\n  ],\n  \"a\": \"B\",\n  \"a\": true\n}\n",
    ),
    (
        "{ \"a\"\t: null,\"é\" :\ttrue,\"z\"\t:2}",
        "@pretty:{\"indent\":\"ab c\"}|@ugly",
        "{\"a\":null,\"é\":true,\"z\":2}",
    ),
    (
        "[{ }, [[\n  \t], \"\\n\", [\t], {\n  \"k\\u0041\"\t:\"aa\"}\n  ], false, false]",
        "@this|@pretty:{\"indent\":\"ab c\"}",
        "[\n {},\n [\n  [],\n  \"\\n\",\n  [],\n  {\n   \"k\\u0041\": \"aa\"\n  }\n ],\n false,\n false\n]\n",
    ),
    (
        "[\t\"\\n\",\"1\",false,{\n  \t},false,\"\"\t]",
        "@pretty:{\"width\":3}|@ugly",
        "[\"\\n\",\"1\",false,{},false,\"\"]",
    ),
    (
        "{\t\"z\":\t\"B\",\"b\"\n  :1 }",
        "@this|@pretty",
        "{\n  \"z\": \"B\",\n  \"b\": 1\n}\n",
    ),
    (
        "{\n  \"k\\u0041\":\n  {  },\"k\\u0041\"\n  :\n  {\n  },\"2\" :\"x y\" }",
        "@pretty:{\"prefix\":\"x\"}|@ugly",
        "{\"k\\u0041\":{},\"k\\u0041\":{},\"2\":\"x y\"}",
    ),
    (
        "{\n  \"A\" : \"10\", \"é\":\"\\\"q\", \"2\":\n  \"x y\"}",
        "@pretty:{\"sortKeys\":true}|@ugly",
        "{\"2\":\"x y\",\"A\":\"10\",\"é\":\"\\\"q\"}",
    ),
    (
        "{\"2\": false\n  }",
        "@pretty:{\"width\":\"20\"}|@ugly",
        "{\"2\":false}",
    ),
    (
        "{\"c\":\t{ }, \"c\":\t[\n  3.5, {\n  \"c\" :{ },\"é\"\t:10\n  }], \"b\"\n  :{\n  \t}, \"é\": \"B\", \"k\\u0041\":null}",
        "@this|@pretty:{\"sortKeys\":true,\"width\":20,\"indent\":\"    \"}",
        "{\n    \"b\": {},\n    \"c\": [\n        3.5,\n        {\n            \"c\": {},\n            \"é\": 10\n        }\n    ],\n    \"c\": {},\n    \"k\\u0041\": null,\n    \"é\": \"B\"\n}\n",
    ),
    (
        "{\t\"k\\u0041\"\n  :\n  \"10\"\n  }",
        "@this|@pretty:{\"width\":0}",
        "{\n  \"k\\u0041\": \"10\"\n}\n",
    ),
    (
        "[\t\"B\", null, \"é\"\t]",
        "@this|@pretty:{\"width\":\"20\"}",
        "[\"B\", null, \"é\"]\n",
    ),
    (
        "[{ \"é\":\r\n\t[\n{\"\\\"\":\r\n\tfalse,\"a\":\"a\"}, +1, 01, 01, \"\\\\\"\r\n\t]},\n-0\r\n\t]",
        "@pretty:{\"sortKeys\":true,\"width\":1000}",
        "[\n  {\n    \"é\": [\n      {\n        \"\\\"\": false,\n        \"a\": \"a\"\n      },\n      +1,\n      01,\n      01,\n      \"\\\\\"\n    ]\n  },\n  -0\n]\n",
    ),
    (
        "{\"a\":1e400,\"1\":\n1\r\n\t}",
        "@pretty:{\"width\":-1e30}",
        "{\n  \"a\": 1e400,\n  \"1\": 1\n}\n",
    ),
    (
        "{\n\"a\":\"\\ud800\",\n\"\\\"\":\r\n\t[\ntru ],\n\"\\u0061\":{ \n},\n\"é\":1.5e-3,\n\"\\u0061\":\n+1,\n\"\\u0061\":\n01\r\n\t}",
        "@pretty:\"x\"",
        "{\n  \"a\": \"\\ud800\",\n  \"\\\"\": [true],\n  \"\\u0061\": {},\n  \"é\": 1.5e-3,\n  \"\\u0061\": +1,\n  \"\\u0061\": 01\n}\n",
    ),
    (
        "[\n\"\",[\r\n\t{\r\n\t}\n],{\"\":\n[\n\r\n\t], \"é\": [\n{\r\n\t}\r\n\t], \"1\": {}, \"\\\"\":\n\"é\"\r\n\t},{\n }\n]",
        "@pretty:{\"prefix\":\"\\t\",\"sortKeys\":1}",
        "[\n\t  \"\",\n\t  [\n\t    {}\n\t  ],\n\t  {\n\t    \"\": [],\n\t    \"\\\"\": \"é\",\n\t    \"1\": {},\n\t    \"é\": [\n\t      {}\n\t    ]\n\t  },\n\t  {}\n\t]\n",
    ),
    (
        "{\n\"\"\":[true,\n[\r\n\t]], \"A\":\"\\ud800\"\"\r\n\t}",
        "@pretty:{\"width\":5,\"prefix\":\"  \"}",
        "{\n    \"\": \":[true,\n[\r\n\t]], \",\n    \":\": 800\"\"\n  }\n",
    ),
    (
        "[\n{ \"\"\":\n\"\" },{ \"a\":\"\\ud800\"\r\n\t}\n]",
        "@pretty:{\"indent\":\"\",\"prefix\":\"\"}",
        "[\n{\n\"\": \":\n\",\n\" },{ \": \":\",\n\"\r\n\t}\n]: \n",
    ),
    (
        "[{\r\n\t},false,2]",
        "@pretty:[1,2]",
        "[\n  {},\n  false,\n  2\n]\n",
    ),
    (
        "{\"\"\":\nnull,\"a\":\"é\",\"\\\"\": \"a\",\"\":\r\n\tInf,\"a\":[\n{ \n},{}] }",
        "@pretty:{\"width\":\"-1\"}",
        "{\n  \"\": \":\nnull,\",\n  \":\": \",\",\n  \"\": \"a\",\n  \"\": Inf,\n  \"a\": [\n    {},\n    {}\n  ]\n}\n",
    ),
    (
        "{\"\\\"\":\n{\n},\"é\":1\n}",
        "@pretty:{\"width\":\"99999999999999999999\"}",
        "{\n  \"\\\"\": {},\n  \"é\": 1\n}\n",
    ),
    (
        "{ \"1\":\n[\n-0,\"\\x\",{\r\n\t\"1\":\n\"\"\n},[\n ]\n],\"\\\"\":{\r\n\t\"é\":\n[\r\n\t\"\\\\\"], \"b\":\"é\"} }",
        "@pretty:{\"indent\":\" \\n \"}",
        "{\n \n \"1\": [\n \n  \n -0,\n \n  \n \"\\x\",\n \n  \n {\n \n  \n  \n \"1\": \"\"\n \n  \n },\n \n  \n []\n \n ],\n \n \"\\\"\": {\n \n  \n \"é\": [\"\\\\\"],\n \n  \n \"b\": \"é\"\n \n }\n}\n",
    ),
    (
        "{\n\"b\": 1.5e-3,\"1\":{\r\n\t\"\"\":[]},\"\\u0061\":\"\\x\",\"a\":{\"A\":\r\n\tnull,\"\"\": \"\\u00e9\"\r\n\t} }",
        "@pretty:{\"width\":9007199254740993}",
        "{\n  \"b\": 1.5e-3,\n  \"1\": {\n    \"\": \":[]},\",\n    \":\": \",\",\n    \":{\": \":\r\n\tnull,\",\n    \"\": \"\\u00e9\"\n  }\n}\n",
    ),
    (
        "[\n1e400, x, [\n[\n] ], \"\"\n]",
        "@pretty:{\"width\":1e30}",
        "[\n  1e400,\n  [\n    []\n  ],\n  \"\"\n]\n",
    ),
    (
        "{ \"\\u0061\":\r\n\t\"\\\\\"\r\n\t}",
        "@pretty:{\"sortKeys\":true,\"width\":6}",
        "{\n  \"\\u0061\": \"\\\\\"\n}\n",
    ),
];

#[test]
fn pretty_prints_as_gjson_does() {
    for (doc, path, want) in ROWS {
        let got = get(doc.as_bytes(), path.as_bytes()).string();
        assert_eq!(
            String::from_utf8_lossy(&got),
            *want,
            "{doc:?} with {path:?}"
        );
    }
}

#[test]
fn strings_decode_as_go_unmarshals_them() {
    let rows: [(&str, Option<&str>); 8] = [
        (r#""a\u0041""#, Some("aA")),
        (r#""\ud83d\ude00""#, Some("\u{1f600}")),
        (r#""\ud800x""#, Some("\u{fffd}x")),
        (r#""\ude00\ud83d""#, Some("\u{fffd}\u{fffd}")),
        (r#""\x""#, None),
        (r#""a"b""#, None),
        ("\"a\u{1}\"", None),
        (r#""\/\b\f""#, Some("/\u{8}\u{c}")),
    ];
    for (s, want) in rows {
        let got = super::go_unmarshal_string(s.as_bytes());
        assert_eq!(got.as_deref(), want.map(str::as_bytes), "{s}");
    }
    let invalid = b"\"\\n\xe2\x82x\"";
    assert_eq!(
        super::go_unmarshal_string(invalid).as_deref(),
        Some("\n\u{fffd}\u{fffd}x".as_bytes())
    );
}
