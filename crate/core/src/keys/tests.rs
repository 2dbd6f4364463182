use super::*;

#[test]
fn rsa_bits_accepts_multiples_of_8_in_range() {
    for bits in [2048, 2056, 3072, 4096, 8192] {
        assert!(validate_rsa_bits(bits).is_ok(), "{bits}");
    }
    for bits in [0, 1024, 2047, 2049, 2052, 8200, u32::MAX] {
        let err = validate_rsa_bits(bits).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidOption, "{bits}");
        assert_eq!(err.option(), Some("ssh-rsa-bits"));
    }
}
