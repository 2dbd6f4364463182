//! go-yaml's mapping key order, which is the order of keys in Flux's output.

use std::cmp::Ordering;

/// go-yaml's mapping key order: runs of digits compare as numbers, a non-letter sorts before
/// a letter, otherwise by code point.
pub(crate) fn key_order(a: &str, b: &str) -> Ordering {
    // Keys are compared many times while sorting; ASCII keys (nearly all) need no char vectors.
    if a.is_ascii() && b.is_ascii() {
        return compare(a.as_bytes(), b.as_bytes());
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    compare(&ar, &br)
}

/// One character of a key: a byte of an ASCII key or a char.
trait KeyChar: Copy + Eq + Ord {
    fn is_letter(self) -> bool;
    fn digit(self) -> Option<u8>;
}

impl KeyChar for u8 {
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }
    fn digit(self) -> Option<u8> {
        self.is_ascii_digit().then(|| self - b'0')
    }
}

impl KeyChar for char {
    fn is_letter(self) -> bool {
        self.is_alphabetic()
    }
    fn digit(self) -> Option<u8> {
        self.is_ascii_digit().then(|| self as u8 - b'0')
    }
}

fn compare<C: KeyChar>(ar: &[C], br: &[C]) -> Ordering {
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_letter();
        let bl = br[i].is_letter();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i].digit() == Some(0) || br[i].digit() == Some(0) {
            let mut j = i;
            while j > 0 && ar[j - 1].digit().is_some() {
                j -= 1;
                if ar[j].digit() != Some(0) {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while let Some(d) = ar.get(ai).and_then(|c| c.digit()) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(d));
            ai += 1;
        }
        let mut bi = i;
        while let Some(d) = br.get(bi).and_then(|c| c.digit()) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(d));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use super::{compare, key_order};

    #[test]
    fn ascii_fast_path_orders_as_the_char_path() {
        let keys = [
            "", "a", "A", "a0", "a00", "a01", "a1", "a10", "a010", "0", "00", "007", "7", "b-1",
            "b_1", "b.1", "b1", "B1", "x9y", "x09y", "x10y", "-", "z", "Z", "10a", "9a",
        ];
        for a in keys {
            for b in keys {
                let ac: Vec<char> = a.chars().collect();
                let bc: Vec<char> = b.chars().collect();
                assert_eq!(key_order(a, b), compare(&ac, &bc), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn key_order_matches_go_yaml() {
        let mut keys = vec![
            "b10",
            "b9",
            "a-b",
            "aB",
            "a.b",
            "a",
            "app",
            "x-kubernetes-x",
            "x",
        ];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(
            keys,
            [
                "a",
                "a-b",
                "a.b",
                "aB",
                "app",
                "b9",
                "b10",
                "x",
                "x-kubernetes-x"
            ]
        );
    }
}
