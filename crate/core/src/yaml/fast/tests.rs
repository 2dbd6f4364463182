//! The quick reader against the reference reading (serde_norway): wherever it answers, the
//! answer must be the reference's; on the bundle files it must answer for every document.

use proptest::prelude::*;

use super::document;
use crate::yaml::model::Node;
use crate::yaml::parse::reference_documents;

/// Debug text, so that NaN equals NaN.
fn show(nodes: &[Node]) -> String {
    format!("{nodes:?}")
}

/// Checks one document text; true when the quick reader took it.
fn agrees(text: &str) -> bool {
    let Some(fast) = document(text) else {
        return false;
    };
    let fast: Vec<Node> = [fast].into_iter().filter(|n| *n != Node::Null).collect();
    match reference_documents("t.yaml", text) {
        Ok(reference) => assert_eq!(show(&fast), show(&reference), "{text:?}"),
        Err(e) => panic!("{text:?}: quick reader took it, reference failed: {e}"),
    }
    true
}

/// Flux's bundle folder, resolved as the integration tests resolve it (`tests/common/mod.rs`,
/// which a unit test cannot import): `$FLUX_REFERENCE/manifests`, the reference folder relative to
/// the repository root unless absolute, by default `<repo>/../shared/flux/<FLUX_VERSION>`.
fn flux_manifests() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let reference = match std::env::var_os("FLUX_REFERENCE").filter(|v| !v.is_empty()) {
        Some(dir) => root.join(dir),
        None => root.join("../shared/flux").join(crate::FLUX_VERSION),
    };
    let dir = reference.join("manifests");
    assert!(
        dir.is_dir(),
        "Flux's bundle is not in {}: set FLUX_REFERENCE to the folder that holds install.yaml and manifests/",
        dir.display()
    );
    dir
}

// The test reads Flux's bundle files from the shared folder (the core itself does no I/O).
#[allow(clippy::disallowed_methods)]
#[test]
fn every_bundle_document_is_read_quickly_and_equally() {
    let dir = flux_manifests();
    let files = std::fs::read_dir(&dir).expect("Flux's bundle files");
    let mut documents = 0;
    for file in files {
        let path = file.expect("directory entry").path();
        let text = std::fs::read_to_string(&path).expect("bundle file");
        let chunks = super::super::parse::split_documents(&text).expect("plain --- separators");
        for chunk in chunks {
            assert!(agrees(chunk), "{}: not taken:\n{chunk}", path.display());
            documents += 1;
        }
        let all = crate::yaml::parse_documents("bundle", &text).expect("bundle parses");
        let reference = reference_documents("bundle", &text).expect("bundle parses");
        assert_eq!(show(&all), show(&reference), "{}", path.display());
    }
    assert!(documents > 30, "only {documents} documents found");
}

#[test]
fn hand_written_cases_agree_or_are_left_to_the_reference() {
    let taken = [
        "",
        "\n  \n",
        "a: 1\nb: -7\nc: 0\nd: ~\ne: null\nf: True\ng: FALSE\nh:\ni: x\n",
        "a:\n- 1\n- b: 2\n  c: 3\n-\n  - x\n- {}\n- []\n-\nz: 1\n",
        "a:\n  b:\n    - 1\n    - 2\n  c: 'it''s'\n  d: \"q: x\"\n",
        "r: (a && b) || (c\n  && d)\ns: x\n",
        "r: 'a ''b''   \n    c'\n",
        "- 'one\n  two'\n- x\n",
        "- a\n  - b\n",
        "k: a\n  - b\n",
        "l: |-\n  one\n\n    two\n  three\n\n\nm: |\n  x\n\n\nn: |+\n  y\n\n\n",
        "l: |\n    deep\n      deeper\n     \n",
        "- |-\n  a\n- |\n  b\n",
        "1: a\ntrue: b\n~: c\n",
        "url: http://x:80/y\nk:v: w\nt: a#b\nq: ?x\nc: :x\nd: -w\n",
        "top:\n  list:\n  - a\n  - b\n  other: 1\n",
        "a: 64Mi\nb: .spec.url\nc: --flag=1\nd: 1000m\n",
    ];
    for text in taken {
        assert!(agrees(text), "not taken: {text:?}");
    }
    let left = [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: [1, 2]\n",
        "a: {b: c}\n",
        "a: 1 # note\n",
        "# note\na: 1\n",
        "a: >\n  folded\n",
        "a: |2-\n   x\n",
        "a: \"esc\\n\"\n",
        "a: \"two\n  lines\"\n",
        "a: 1.5\nb: 0x1F\nc: 012\n",
        "a: 1\na: 2\n",
        "1: a\n'1': b\n",
        "a:\tb\n",
        "a: caf\u{e9}\n",
        "'q': 1\n",
        "  a: 1\n",
        "plain\n",
        "a: |\n  no final break",
        "a: x\n\n  y\n",
    ];
    for text in left {
        assert!(document(text).is_none(), "taken: {text:?}");
    }
}

/// Lines built from pieces of YAML syntax, to look for texts the quick reader takes wrongly.
fn yaml_ish() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "- ", "-", "k: ", "k:", "j: ", "a b: ", "'s'", "'t ''u", "v'", "\"d\"", "\"e: f\"", "|",
        "|-", "|+", "1", "-1", "0", "007", "~", "null", "true", "yes", "x y", "x: y", "#", " #c",
        "{}", "[]", "{", ":", "?", "&a", "*a", "!t", "1.5", "0x1", "inf", "a:b", " ", "  ",
    ]);
    let line = (0usize..6, prop::collection::vec(piece, 0..4))
        .prop_map(|(indent, pieces)| format!("{}{}", " ".repeat(indent), pieces.concat()));
    prop::collection::vec(line, 0..8).prop_map(|lines| {
        let mut text = lines.join("\n");
        text.push('\n');
        text
    })
}

/// Strings the writer must quote, fold or block.
fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::string::string_regex("[a-c0-9 :#'|>{}~.-]{0,12}").expect("regex"),
        prop::string::string_regex("[a-c \n]{0,12}").expect("regex"),
        prop::string::string_regex("[a-z ]{70,100}").expect("regex"),
        prop::string::string_regex(r#"[a-c0-9 :#'"|>{}\\\[\]~.\n-]{0,12}"#).expect("regex"),
    ]
}

fn written_node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        (-100_000i64..100_000).prop_map(Node::Int),
        any::<i64>().prop_map(Node::Int),
        tricky_text().prop_map(Node::Str),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Node::Map(m.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::string::string_regex("[a-z][a-z0-9./-]{0,10}").expect("regex"),
        1 => tricky_text(),
    ]
}

/// The "when taken" properties below pass vacuously if the quick reader declines every text, so a
/// fixed sample of the same generator must be taken often enough for them to mean something.
#[test]
fn the_quick_reader_takes_a_fair_share_of_generated_texts() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let sample = 1000;
    let taken = (0..sample)
        .filter(|_| {
            agrees(
                &yaml_ish()
                    .new_tree(&mut runner)
                    .expect("the generator draws a text")
                    .current(),
            )
        })
        .count();
    assert!(
        taken * 10 >= sample,
        "only {taken} of {sample} generated texts were taken"
    );
}

proptest! {
    // Only about one text in five is taken, so more cases than the default.
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn yaml_ish_texts_agree_when_taken(text in yaml_ish()) {
        agrees(&text);
    }

    #[test]
    fn written_documents_agree_when_taken(
        entries in prop::collection::btree_map(key(), written_node(), 1..5)
    ) {
        let text = crate::yaml::documents_to_string(&[Node::Map(entries.into_iter().collect())]);
        agrees(&text);
    }
}
