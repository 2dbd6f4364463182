//! The quick copies of the writer against its character-at-a-time path, which follows
//! libyaml's emitter step by step.

use proptest::prelude::*;

use super::write_document_with;
use crate::yaml::model::Node;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,120}",
        "[a-c '\"#:|\\-\\\\]{0,90}",
        "[a-c \n\r\t]{0,30}",
        "[a-c \u{e9}\u{85}\u{2028}\u{feff}\u{1f600}]{0,20}",
        "( ?[a-z]{1,9} ?){1,14}",
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<i64>().prop_map(Node::Int),
        text().prop_map(Node::Str),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
            prop::collection::vec((text(), inner), 0..4).prop_map(Node::Map),
        ]
    })
}

fn write(node: &Node, quick: bool) -> String {
    let mut out = String::new();
    write_document_with(&mut out, node, quick);
    out
}

proptest! {
    #[test]
    fn quick_copies_write_the_same_bytes(node in node()) {
        prop_assert_eq!(write(&node, true), write(&node, false));
    }
}

#[test]
fn folding_at_the_width_is_the_same() {
    // Values ending right around column 80, where folding starts.
    for len in 60..100 {
        let words = "ab ".repeat(len / 3) + &"c".repeat(len % 3);
        for key in ["k", "kk", "a-longer-key"] {
            let node = Node::Map(vec![(key.into(), Node::str(words.trim_end()))]);
            assert_eq!(write(&node, true), write(&node, false), "{len} {key}");
        }
    }
}
