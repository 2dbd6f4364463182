//! `Bundle::from_tar_gz` on whatever bytes arrive (a truncated download, a corrupted cache, an
//! attacker's archive): a bundle or `INVALID_BUNDLE`, never a panic, never unbounded memory.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use flux_azdo_core::bundle::Bundle;
use flux_azdo_core::ErrorCode;
use proptest::prelude::*;

/// A `manifests.tar.gz` of the reference bundle, as Flux's release packs its 9 flat files.
fn tar_gz(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, content.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn reference_files() -> Vec<(String, Vec<u8>)> {
    common::flux_bundle()
        .files()
        .iter()
        .map(|(name, content)| (name.clone(), content.clone().into_bytes()))
        .collect()
}

fn reference_tar_gz() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| tar_gz(&reference_files()))
}

fn assert_bundle_or_invalid(bytes: &[u8]) {
    if let Err(err) = Bundle::from_tar_gz(bytes) {
        assert_eq!(err.code(), ErrorCode::InvalidBundle, "{err}");
    }
}

#[test]
fn the_reference_archive_reads_back() {
    let bundle = Bundle::from_tar_gz(reference_tar_gz()).unwrap();
    assert_eq!(bundle, common::flux_bundle());
}

#[test]
fn a_decompression_bomb_is_refused_as_invalid_bundle() {
    let mut files = reference_files();
    files.push(("padding.yaml".to_owned(), vec![b' '; 65 << 20]));
    let err = Bundle::from_tar_gz(&tar_gz(&files)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidBundle);
}

#[test]
fn a_file_that_is_not_utf8_is_invalid_bundle() {
    let mut files = reference_files();
    files[0].1 = vec![0xff, 0xfe, 0x00];
    let err = Bundle::from_tar_gz(&tar_gz(&files)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidBundle);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_are_invalid_bundle(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let err = Bundle::from_tar_gz(&bytes).unwrap_err();
        prop_assert_eq!(err.code(), ErrorCode::InvalidBundle);
    }

    #[test]
    fn a_gzip_header_then_noise_is_invalid_bundle(noise in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff];
        bytes.extend(noise);
        let err = Bundle::from_tar_gz(&bytes).unwrap_err();
        prop_assert_eq!(err.code(), ErrorCode::InvalidBundle);
    }

    #[test]
    fn a_truncated_archive_is_a_bundle_or_invalid(cut in 0usize..100_000) {
        let full = reference_tar_gz();
        assert_bundle_or_invalid(&full[..cut.min(full.len())]);
    }

    #[test]
    fn a_corrupted_archive_is_a_bundle_or_invalid(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..8)
    ) {
        let mut bytes = reference_tar_gz().to_vec();
        for (at, xor) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= xor;
        }
        assert_bundle_or_invalid(&bytes);
    }
}
