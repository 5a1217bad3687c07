//! Reader for the binary postcode table written by `tools/build_postcodes.py` (the layout is
//! documented there). The table is read in place: parsing checks the header and the section
//! sizes and orderings and copies nothing but the area table.

use super::Area;

const MAGIC: &[u8; 8] = b"UKPCGEO1";
const HEADER_LEN: usize = 52;
const AREA_WIDTH: usize = 9;

/// Why the table could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FormatError(pub(crate) &'static str);

/// The postcode table, borrowing the embedded bytes.
#[derive(Debug)]
pub(crate) struct Table {
    total: usize,
    sectors: usize,
    /// Size of the inward-letter alphabet.
    k: usize,
    /// For `A`..`Z`: 1 + alphabet index, or 0 when the letter never occurs.
    letter_map: [u8; 26],
    /// Alphabet index to letter.
    alphabet: [u8; 26],
    bitmap_bytes: usize,
    pub(crate) areas: Vec<Area>,
    keys: &'static [u8],
    eastings: &'static [u8],
    northings: &'static [u8],
    majority: &'static [u8],
    exc_start: &'static [u8],
    bitmaps: &'static [u8],
    exc_pairs: &'static [u8],
    exc_areas: &'static [u8],
}

fn u16_at(bytes: &[u8], i: usize) -> Option<u16> {
    let b = bytes.get(i * 2..i * 2 + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], i: usize) -> Option<u32> {
    let b = bytes.get(i * 4..i * 4 + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Splits `len` bytes off the front of `rest`.
fn take(rest: &mut &'static [u8], len: usize) -> Result<&'static [u8], FormatError> {
    if rest.len() < len {
        return Err(FormatError("truncated"));
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

fn section_len(count: usize, width: usize) -> Result<usize, FormatError> {
    count.checked_mul(width).ok_or(FormatError("section size overflows"))
}

impl Table {
    /// An empty table: every lookup misses.
    pub(crate) fn empty() -> Table {
        Table {
            total: 0,
            sectors: 0,
            k: 0,
            letter_map: [0; 26],
            alphabet: [0; 26],
            bitmap_bytes: 0,
            areas: Vec::new(),
            keys: &[],
            eastings: &[],
            northings: &[],
            majority: &[],
            exc_start: &[0, 0, 0, 0],
            bitmaps: &[],
            exc_pairs: &[],
            exc_areas: &[],
        }
    }

    pub(crate) fn parse(data: &'static [u8]) -> Result<Table, FormatError> {
        let mut rest = data;
        let header = take(&mut rest, HEADER_LEN)?;
        if &header[..8] != MAGIC {
            return Err(FormatError("bad magic"));
        }
        let word = |i: usize| u32_at(&header[8..20], i).map_or(0, |v| v as usize);
        let (total, sectors, exceptions) = (word(0), word(1), word(2));
        let n_areas = usize::from(u16::from_le_bytes([header[20], header[21]]));
        let k = usize::from(header[22]);
        if k == 0 || k > 26 || n_areas == 0 || n_areas > 256 {
            return Err(FormatError("bad header counts"));
        }
        let mut letter_map = [0u8; 26];
        letter_map.copy_from_slice(&header[24..50]);
        let mut alphabet = [0u8; 26];
        let mut seen = 0;
        for (letter, &m) in (b'A'..=b'Z').zip(&letter_map) {
            if m != 0 {
                let slot = alphabet
                    .get_mut(usize::from(m) - 1)
                    .filter(|_| usize::from(m) <= k)
                    .ok_or(FormatError("bad letter map"))?;
                *slot = letter;
                seen += 1;
            }
        }
        if seen != k || alphabet[..k].contains(&0) {
            return Err(FormatError("bad letter map"));
        }
        let bitmap_bytes = (k * k).div_ceil(8);

        let area_bytes = take(&mut rest, section_len(n_areas, AREA_WIDTH)?)?;
        let areas = area_bytes
            .chunks_exact(AREA_WIDTH)
            .map(|raw| {
                let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
                std::str::from_utf8(&raw[..end]).ok().and_then(Area::from_code).ok_or(FormatError("bad area code"))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let table = Table {
            total,
            sectors,
            k,
            letter_map,
            alphabet,
            bitmap_bytes,
            areas,
            keys: take(&mut rest, section_len(sectors, 4)?)?,
            eastings: take(&mut rest, section_len(sectors, 4)?)?,
            northings: take(&mut rest, section_len(sectors, 4)?)?,
            majority: take(&mut rest, sectors)?,
            exc_start: take(&mut rest, section_len(sectors + 1, 4)?)?,
            bitmaps: take(&mut rest, section_len(sectors, bitmap_bytes)?)?,
            exc_pairs: take(&mut rest, section_len(exceptions, 2)?)?,
            exc_areas: take(&mut rest, exceptions)?,
        };
        if !rest.is_empty() {
            return Err(FormatError("trailing bytes"));
        }
        table.check_sections(exceptions)?;
        Ok(table)
    }

    /// Checks the orderings and indices the lookups rely on.
    fn check_sections(&self, exceptions: usize) -> Result<(), FormatError> {
        let keys = self.keys.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if keys.clone().zip(keys.skip(1)).any(|(a, b)| a >= b) {
            return Err(FormatError("sector keys not ascending"));
        }
        if self.majority.iter().any(|&a| usize::from(a) >= self.areas.len()) {
            return Err(FormatError("bad majority area"));
        }
        if self.exc_areas.iter().any(|&a| usize::from(a) >= self.areas.len()) {
            return Err(FormatError("bad exception area"));
        }
        let starts = self.exc_start.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        if starts.clone().next() != Some(0)
            || starts.clone().next_back() != Some(exceptions)
            || starts.clone().zip(starts.skip(1)).any(|(a, b)| a > b)
        {
            return Err(FormatError("bad exception index"));
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.total
    }

    pub(crate) fn sector_count(&self) -> usize {
        self.sectors
    }

    /// Index of the sector with this key.
    pub(crate) fn find_sector(&self, key: u32) -> Option<usize> {
        // Branch-free binary search: `base` is the last key <= `key` once `size` reaches 1.
        let (mut base, mut size) = (0, self.sectors);
        if size == 0 {
            return None;
        }
        while size > 1 {
            let half = size / 2;
            let mid = base + half;
            if u32_at(self.keys, mid)? <= key {
                base = mid;
            }
            size -= half;
        }
        (u32_at(self.keys, base)? == key).then_some(base)
    }

    pub(crate) fn sector_key(&self, sector: usize) -> Option<u32> {
        u32_at(self.keys, sector)
    }

    /// Mean easting and northing of a sector, in metres.
    pub(crate) fn grid(&self, sector: usize) -> Option<(u32, u32)> {
        Some((u32_at(self.eastings, sector)?, u32_at(self.northings, sector)?))
    }

    pub(crate) fn majority(&self, sector: usize) -> Option<usize> {
        self.majority.get(sector).map(|&a| usize::from(a))
    }

    /// Letter-pair index of two unit letters, if both letters are in the alphabet.
    pub(crate) fn pair_index(&self, letters: [u8; 2]) -> Option<usize> {
        let index = |b: u8| {
            let m = *self.letter_map.get(usize::from(b.wrapping_sub(b'A')))?;
            (m != 0).then(|| usize::from(m) - 1)
        };
        Some(index(letters[0])? * self.k + index(letters[1])?)
    }

    /// The two letters of a letter-pair index.
    pub(crate) fn pair_letters(&self, pair: usize) -> [char; 2] {
        let letter = |i: usize| char::from(self.alphabet.get(i).copied().unwrap_or(b'?'));
        [letter(pair / self.k.max(1)), letter(pair % self.k.max(1))]
    }

    /// Number of letter pairs a sector's bitmap covers.
    pub(crate) fn pairs_per_sector(&self) -> usize {
        self.k * self.k
    }

    /// The bitmap of units in a sector.
    pub(crate) fn bitmap(&self, sector: usize) -> Option<&'static [u8]> {
        let start = sector.checked_mul(self.bitmap_bytes)?;
        self.bitmaps.get(start..start + self.bitmap_bytes)
    }

    /// Range of a sector's entries in the exception arrays.
    pub(crate) fn exceptions(&self, sector: usize) -> Option<std::ops::Range<usize>> {
        let start = u32_at(self.exc_start, sector)? as usize;
        let end = u32_at(self.exc_start, sector + 1)? as usize;
        Some(start..end)
    }

    /// Letter-pair index and area index of exception `i`.
    pub(crate) fn exception(&self, i: usize) -> Option<(usize, usize)> {
        Some((usize::from(u16_at(self.exc_pairs, i)?), usize::from(*self.exc_areas.get(i)?)))
    }

    /// Area index of the unit `pair` in `sector`, or `None` when there is no such unit.
    pub(crate) fn unit_area(&self, sector: usize, pair: usize) -> Option<usize> {
        let byte = *self.bitmap(sector)?.get(pair / 8)?;
        if byte & (1 << (pair % 8)) == 0 {
            return None;
        }
        let range = self.exceptions(sector)?;
        let (mut lo, mut hi) = (range.start, range.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let p = usize::from(u16_at(self.exc_pairs, mid)?);
            match p.cmp(&pair) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return self.exc_areas.get(mid).map(|&a| usize::from(a));
                }
            }
        }
        self.majority(sector)
    }

    /// Letter-pair indices of the units in a sector, ascending.
    pub(crate) fn units(&self, sector: usize) -> impl Iterator<Item = usize> + '_ {
        let bitmap = self.bitmap(sector).unwrap_or(&[]);
        (0..self.pairs_per_sector()).filter(move |&p| bitmap.get(p / 8).is_some_and(|&byte| byte & (1 << (p % 8)) != 0))
    }
}
