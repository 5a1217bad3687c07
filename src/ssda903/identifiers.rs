//! Identifier formats: UPN, NHS number, the LA's own child identifier.

/// Letters used for the UPN check letter and for the last character of a
/// temporary UPN: A to Z without I, O and S. Index = value in the check
/// calculation.
const UPN_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Codes DfE accepts when a child's UPN is unknown.
pub const UPN_UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN4", "UN5"];

fn upn_letter_value(c: u8) -> Option<usize> {
    UPN_LETTERS.iter().position(|&l| l == c)
}

/// Unique Pupil Number format as DfE checks it (rule 168), or one of
/// UN1 to UN5.
///
/// 13 characters: a letter other than I, O and S, then 12 digits (permanent
/// UPN) or 11 digits and a letter other than I, O and S (temporary UPN).
/// Upper case only. The check letter itself is not verified here; see
/// [`upn_check_letter_ok`].
pub fn is_valid_upn(s: &str) -> bool {
    if UPN_UNKNOWN.contains(&s) {
        return true;
    }
    let b = s.as_bytes();
    if b.len() != 13 || upn_letter_value(b[0]).is_none() {
        return false;
    }
    if !b[1..12].iter().all(u8::is_ascii_digit) {
        return false;
    }
    b[12].is_ascii_digit() || upn_letter_value(b[12]).is_some()
}

/// True when `s` has the UPN format of [`is_valid_upn`] (not UN1 to UN5) and
/// its first character is the correct modulus-23 check letter: the sum of
/// each later character's value times its position (2 to 13; a final letter
/// counts as its index in A..Z without I, O, S), modulo 23, indexes that
/// same alphabet.
///
/// DfE's SSDA903 rule 168 checks the format only; the school census checks
/// the letter too. Useful for a warning.
pub fn upn_check_letter_ok(s: &str) -> bool {
    if !is_valid_upn(s) || UPN_UNKNOWN.contains(&s) {
        return false;
    }
    let b = s.as_bytes();
    let mut sum = 0usize;
    for (i, &c) in b.iter().enumerate().skip(1) {
        let value = if c.is_ascii_digit() {
            usize::from(c - b'0')
        } else {
            match upn_letter_value(c) {
                Some(v) => v,
                None => return false,
            }
        };
        sum += value * (i + 1);
    }
    UPN_LETTERS[sum % 23] == b[0]
}

/// The ten digits of an NHS number when `s` is a valid one.
///
/// Surrounding whitespace is ignored, and spaces or hyphens between digits
/// are allowed (`"943 476 5919"`, `"943-476-5919"`, `"9434765919"`); any
/// other character makes it invalid. The tenth digit must be the modulus-11
/// check digit of the first nine (weights 10 down to 2; 11 becomes 0; a
/// number whose check digit would be 10 is never issued and is invalid).
/// Numbers of ten identical digits pass the arithmetic but are not issued,
/// and are refused.
pub fn normalise_nhs_number(s: &str) -> Option<String> {
    let mut digits = Vec::with_capacity(10);
    for c in s.trim().chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    if digits.len() != 10 {
        return None;
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return None;
    }
    let sum: u32 = digits[..9].iter().zip((2..=10u32).rev()).map(|(&d, w)| u32::from(d) * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    if u32::from(digits[9]) != check {
        return None;
    }
    Some(digits.iter().map(|d| char::from(b'0' + d)).collect())
}

/// True when `s` is a valid NHS number (see [`normalise_nhs_number`] for what
/// is accepted).
pub fn is_valid_nhs_number(s: &str) -> bool {
    normalise_nhs_number(s).is_some()
}

/// Maximum length of the SSDA903 `CHILD` identifier.
pub const LA_CHILD_ID_MAX_LEN: usize = 10;

/// The LA's own child identifier as used in SSDA903 `CHILD`: 1 to 10 ASCII
/// letters or digits, nothing else (no spaces or punctuation).
pub fn is_valid_la_child_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= LA_CHILD_ID_MAX_LEN && s.bytes().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upn_valid_formats() {
        assert!(is_valid_upn("A123456789012"));
        assert!(is_valid_upn("Z12345678901A"));
        assert!(is_valid_upn("B20700001604Z"));
        for u in UPN_UNKNOWN {
            assert!(is_valid_upn(u));
        }
    }

    #[test]
    fn upn_invalid_formats() {
        for bad in [
            "I123456789012", // I not allowed first
            "O123456789012",
            "S123456789012",
            "A12345678901",   // too short
            "A1234567890123", // too long
            "A12345678901I",  // temporary letter I
            "A12345678901O",
            "A12345678901S",
            "a123456789012", // lower case
            "A1234567890A2", // letter in the middle
            "1123456789012",
            "UN6",
            "UN0",
            "un1",
            "",
        ] {
            assert!(!is_valid_upn(bad), "{bad}");
        }
    }

    #[test]
    fn upn_check_letter() {
        // 8*2 + 1*4 + 2*5 + 5*10 + 1*13 = 93; 93 % 23 = 1 -> B.
        assert!(upn_check_letter_ok("B801200005001"));
        assert!(!upn_check_letter_ok("A801200005001"));
        assert!(!upn_check_letter_ok("UN1"));
        // Temporary UPN: the last letter counts by its index (A = 0).
        // 2*2 + 7*4 + 1*9 + 6*10 + 4*12 + 0*13 = 149; 149 % 23 = 11 -> M.
        assert!(upn_check_letter_ok("M20700001604A"));
        assert!(!upn_check_letter_ok("N20700001604A"));
    }

    #[test]
    fn nhs_known_valid_numbers() {
        assert!(is_valid_nhs_number("9434765919"));
        assert!(is_valid_nhs_number("943 476 5919"));
        assert!(is_valid_nhs_number(" 943-476-5919 "));
        assert!(is_valid_nhs_number("4010232137"));
        assert_eq!(normalise_nhs_number("943 476 5919").as_deref(), Some("9434765919"));
    }

    #[test]
    fn nhs_check_digit_eleven_becomes_zero() {
        // 2*10 + 1*2 = 22, divisible by 11: check digit 11 is written 0.
        assert!(is_valid_nhs_number("2000000010"));
        assert!(!is_valid_nhs_number("2000000011"));
    }

    #[test]
    fn nhs_wrong_check_digit() {
        assert!(!is_valid_nhs_number("9434765910"));
        assert!(!is_valid_nhs_number("9434765918"));
        assert!(normalise_nhs_number("9434765918").is_none());
    }

    #[test]
    fn nhs_check_digit_would_be_ten() {
        // 1*10 + 2*9 + 3*8 + 4*7 + 5*6 + 6*5 + 7*4 + 8*3 + 9*2 = 210; 210 % 11 = 1.
        for last in 0..=9 {
            assert!(!is_valid_nhs_number(&format!("123456789{last}")));
        }
    }

    #[test]
    fn nhs_bad_shapes() {
        for bad in ["", "943476591", "94347659190", "943476591a", "943.476.5919", "0000000000", "1111111111"] {
            assert!(!is_valid_nhs_number(bad), "{bad}");
        }
    }

    #[test]
    fn la_child_ids() {
        assert!(is_valid_la_child_id("1"));
        assert!(is_valid_la_child_id("ABC1234567"));
        assert!(is_valid_la_child_id("child42"));
        assert!(!is_valid_la_child_id(""));
        assert!(!is_valid_la_child_id("ABC12345678"));
        assert!(!is_valid_la_child_id("AB-12"));
        assert!(!is_valid_la_child_id("AB 12"));
        assert!(!is_valid_la_child_id("ÄB12"));
    }
}
