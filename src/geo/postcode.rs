//! Postcode parsing: normalisation, shape checks and the sector key used by the table.

/// Longest postcode without its space: a four-character outward code plus the inward code.
const MAX_LEN: usize = 7;

/// The one outward code in the directory that does not follow the modern pattern: the historic
/// Newport (Gwent) codes `NPT 0..9`, which appear as terminated postcodes.
const HISTORIC_OUTWARD: &[u8] = b"NPT";

/// A postcode in normal form: uppercase ASCII, no spaces, checked for shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Postcode {
    /// The characters in `chars[..len]`; the rest is zero.
    chars: [u8; 8],
    len: usize,
}

impl Postcode {
    /// Uppercases `input`, drops all whitespace and checks the UK postcode shape.
    pub(crate) fn parse(input: &str) -> Option<Postcode> {
        // Characters are collected in a register, most recent in the low byte.
        let mut packed = 0u64;
        let mut len = 0;
        let mut i = 0;
        let bytes = input.as_bytes();
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphanumeric() {
                if len == MAX_LEN {
                    return None;
                }
                packed = (packed << 8) | u64::from(b.to_ascii_uppercase());
                len += 1;
                i += 1;
            } else if b.is_ascii() {
                // The ASCII characters with the Unicode White_Space property.
                if !matches!(b, b'\t'..=b'\r' | b' ') {
                    return None;
                }
                i += 1;
            } else {
                let c = input.get(i..)?.chars().next()?;
                if !c.is_whitespace() {
                    return None;
                }
                i += c.len_utf8();
            }
        }
        if len < 5 {
            return None;
        }
        let chars = (packed << (8 * (8 - len))).to_be_bytes();
        let postcode = Postcode { chars, len };
        (valid_outward(postcode.outward()) && valid_inward(postcode.inward())).then_some(postcode)
    }

    /// The outward code, e.g. `SW1A`.
    pub(crate) fn outward(&self) -> &[u8] {
        &self.chars[..self.len - 3]
    }

    /// The inward code, e.g. `1AA`.
    fn inward(&self) -> &[u8] {
        &self.chars[self.len - 3..self.len]
    }

    /// The sector digit (first character of the inward code), 0-9.
    pub(crate) fn sector_digit(&self) -> u8 {
        self.chars[self.len - 3] - b'0'
    }

    /// The two unit letters (last two characters).
    pub(crate) fn unit_letters(&self) -> [u8; 2] {
        [self.chars[self.len - 2], self.chars[self.len - 1]]
    }

    /// Key of this postcode's sector (outward code plus sector digit); see [`sector_key`].
    pub(crate) fn sector_key(&self) -> u32 {
        sector_key(self.outward(), self.sector_digit())
    }

    /// The normal form with one space before the inward code, e.g. `SW1A 1AA`.
    pub(crate) fn to_normal_string(self) -> String {
        let mut s = String::with_capacity(self.len + 1);
        s.extend(self.outward().iter().map(|&b| char::from(b)));
        s.push(' ');
        s.extend(self.inward().iter().map(|&b| char::from(b)));
        s
    }
}

/// Outward code: one or two letters, a digit, then optionally a digit or a letter
/// (`A9`, `A99`, `A9A`, `AA9`, `AA99`, `AA9A`), or the historic `NPT`.
fn valid_outward(outward: &[u8]) -> bool {
    if outward == HISTORIC_OUTWARD {
        return true;
    }
    let letters = outward.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    match &outward[letters..] {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
        _ => false,
    }
}

/// Inward code: a digit and two letters.
fn valid_inward(inward: &[u8]) -> bool {
    matches!(inward, [d, a, b] if d.is_ascii_digit() && a.is_ascii_uppercase() && b.is_ascii_uppercase())
}

/// Six-bit code of an outward-code character: 0 is padding, 1-10 digits, 11-36 letters.
fn char_code(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0') + 1,
        b'A'..=b'Z' => u32::from(b - b'A') + 11,
        _ => 0,
    }
}

/// Inverse of [`char_code`]; `None` for padding.
fn char_from_code(code: u32) -> Option<char> {
    match code {
        1..=10 => char::from_digit(code - 1, 10),
        11..=36 => char::from_u32(u32::from(b'A') + code - 11),
        _ => None,
    }
}

/// 28-bit sector key: the outward code's four characters (left-aligned, zero-padded) as six-bit
/// codes, then the sector digit in the low four bits. Must match `tools/build_postcodes.py`.
pub(crate) fn sector_key(outward: &[u8], digit: u8) -> u32 {
    let mut key = 0u32;
    for i in 0..4 {
        key = (key << 6) | outward.get(i).map_or(0, |&b| char_code(b));
    }
    (key << 4) | u32::from(digit & 0xf)
}

/// Writes a sector key as `OUTWARD D` (e.g. `SW1A 1`) onto `out`.
pub(crate) fn push_sector(out: &mut String, key: u32) {
    let chars = key >> 4;
    for shift in [18, 12, 6, 0] {
        if let Some(c) = char_from_code((chars >> shift) & 0x3f) {
            out.push(c);
        }
    }
    out.push(' ');
    if let Some(d) = char::from_digit(key & 0xf, 10) {
        out.push(d);
    }
}
