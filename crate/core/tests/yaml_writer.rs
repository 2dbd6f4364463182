//! The writer against output of Go's YAML writer (go-yaml v2, as `sigs.k8s.io/yaml` uses it),
//! and as a property: whatever it writes reads back as the same data.

use flux_azdo_core::yaml::{self, Node};
use proptest::prelude::*;

fn s(text: &str) -> Node {
    Node::str(text)
}

#[test]
fn formats_like_go_yaml() {
    let doc = Node::Map(vec![
        ("description".into(), s("Endpoint is the object storage address the BucketName is located at, and it is long enough to fold twice over the limit of eighty columns.")),
        ("pods".into(), s("1000")),
        ("empty".into(), s("")),
        ("t".into(), s("true")),
        ("star".into(), s("*")),
        ("msg".into(), s("'aws' is the only supported provider value here, and this message is long enough to be folded by the emitter")),
        ("script".into(), s("line one\nline two\n")),
        ("tab".into(), s("a\tb")),
        ("trail".into(), s("x ")),
        ("list".into(), Node::Seq(vec![
            Node::map(),
            Node::Seq(vec![]),
            s("- a"),
            Node::Map(vec![("k".into(), Node::Seq(vec![Node::Int(1), Node::Int(2)]))]),
        ])),
        ("nested".into(), Node::Map(vec![("deeper".into(), Node::Map(vec![(
            "text".into(),
            s(&format!("a very long unbroken token: {} then words after it", "x".repeat(85))),
        )]))])),
    ]);
    // Printed by go-yaml v2.4.3 `yaml.Marshal` for the same data.
    let expected =
        r#"description: Endpoint is the object storage address the BucketName is located at,
  and it is long enough to fold twice over the limit of eighty columns.
empty: ""
list:
- {}
- []
- '- a'
- k:
  - 1
  - 2
msg: '''aws'' is the only supported provider value here, and this message is long
  enough to be folded by the emitter'
nested:
  deeper:
    text: 'a very long unbroken token: {TOKEN}
      then words after it'
pods: "1000"
script: |
  line one
  line two
star: '*'
t: "true"
tab: "a\tb"
trail: 'x '
"#
        .replace("{TOKEN}", &"x".repeat(85));
    assert_eq!(yaml::documents_to_string(&[doc]), expected);
}

#[test]
fn serde_values_are_written_the_same_way() {
    let value: serde_yaml::Value =
        serde_yaml::from_str("b: '1'\na: [x, {y: null}]\n").expect("parses");
    // `y` is a YAML 1.1 boolean, so Go quotes it even as a key.
    assert_eq!(
        yaml::documents_to_string(&[yaml::from_value(&value)]),
        "a:\n- x\n- \"y\": null\nb: \"1\"\n"
    );
}

fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "word",
        "longerwordxxxxxxxxxxxx",
        " ",
        "  ",
        ":",
        ": ",
        "#",
        " #",
        "-",
        "- ",
        "'",
        "\"",
        "\\",
        "\n",
        "\t",
        "é",
        "中",
        "😀",
        "\r",
        "\u{2028}",
        "\u{85}",
        "\u{a0}",
        "yes",
        "null",
        "1",
        "0.5",
        "1e3",
        "{",
        "[",
        ",",
        "?",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%",
        "@",
        "~",
        "0x1F",
        "2001-12-14",
        "1:20",
        "\u{7f}",
        "\u{1}",
    ]);
    prop::collection::vec(pieces, 0..30).prop_map(|p| p.concat())
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        text().prop_map(Node::Str),
        any::<i64>().prop_map(Node::Int),
        any::<bool>().prop_map(Node::Bool),
        Just(Node::Null),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Node::Seq),
            prop::collection::btree_map(text(), inner, 0..5)
                .prop_map(|m| Node::Map(m.into_iter().collect())),
        ]
    })
}

/// Sorts mappings so data written (sorted) and read back compare equal.
fn sorted(node: Node) -> Node {
    match node {
        Node::Seq(items) => Node::Seq(items.into_iter().map(sorted).collect()),
        Node::Map(entries) => {
            let mut entries: Vec<_> = entries.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Node::Map(entries)
        }
        other => other,
    }
}

proptest! {
    #[test]
    fn written_documents_read_back_as_the_same_data(
        docs in prop::collection::vec(
            prop::collection::btree_map(text(), node(), 1..6)
                .prop_map(|m| Node::Map(m.into_iter().collect())),
            1..4,
        )
    ) {
        let written = yaml::documents_to_string(&docs);
        let read = yaml::parse_documents("written", &written).expect("our output parses");
        let read: Vec<Node> = read.into_iter().map(sorted).collect();
        let docs: Vec<Node> = docs.into_iter().map(sorted).collect();
        prop_assert_eq!(&read, &docs, "written:\n{}", written);
        // The output depends on the data only, not on the order keys were inserted in.
        prop_assert_eq!(yaml::documents_to_string(&docs), written);
    }
}
