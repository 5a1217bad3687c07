//! Name comparison for spotting possible duplicate child records.
//!
//! # Rule
//!
//! Names are first normalised with [`normalise_name`]: lower case, Latin
//! accents folded to ASCII (`é` → `e`, `ß` → `ss`, `ø` → `o`, ...), and
//! everything that is not a letter dropped (spaces, hyphens, apostrophes,
//! digits, punctuation). Letters of other scripts are kept, lower-cased.
//!
//! Two normalised parts are *close* when they are equal, or when their
//! optimal-string-alignment distance (Levenshtein plus swapping two adjacent
//! letters) is within a budget set by the longer part:
//!
//! | longer part | edits allowed |
//! |---|---|
//! | 1 to 3 letters | 0 |
//! | 4 to 7 letters | 1 |
//! | 8 or more letters | 2 |
//!
//! Given names are also close when the first word of each is close, so a
//! middle name recorded on one side only ("Jack Thomas" / "Jack") still
//! matches.
//!
//! [`similar_names`] is true when any of these holds:
//! 1. given names close and family names close;
//! 2. given and family swapped on one side: each whole part close to the
//!    other side's opposite part (no first-word allowance here);
//! 3. the whole names, given followed by family, normalise to the same
//!    letters (catches a name split differently between the two fields).
//!
//! An empty normalised part never matches anything, so a record with a blank
//! or unreadable name is not reported as a duplicate of another by rules 1
//! and 2.

/// ASCII replacement for a Latin letter with a diacritic or a ligature,
/// already lower case.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ǻ' => "a",
        'æ' | 'ǽ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' | 'ǿ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Lower case, accent-folded letters of `s`, nothing else.
///
/// Latin letters come out as ASCII `a` to `z`; combining accents, digits,
/// whitespace and punctuation are dropped; letters of other scripts are kept
/// in lower case.
pub fn normalise_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() {
            out.push(c);
        } else if let Some(folded) = fold_latin(c) {
            out.push_str(folded);
        } else if !c.is_ascii() && c.is_alphabetic() {
            out.push(c);
        }
    }
    out
}

/// Optimal string alignment distance between two char sequences.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

fn edit_budget(longer: usize) -> usize {
    match longer {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Closeness of two already-normalised parts (see the module rule).
fn close(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let budget = edit_budget(a.len().max(b.len()));
    if a.len().abs_diff(b.len()) > budget {
        return false;
    }
    osa_distance(&a, &b) <= budget
}

/// Normalised first word (split on whitespace and hyphens) of a raw name.
fn first_word(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c == '-').map(normalise_name).find(|w| !w.is_empty()).unwrap_or_default()
}

fn given_close(a_raw: &str, b_raw: &str) -> bool {
    close(&normalise_name(a_raw), &normalise_name(b_raw)) || close(&first_word(a_raw), &first_word(b_raw))
}

fn family_close(a_raw: &str, b_raw: &str) -> bool {
    close(&normalise_name(a_raw), &normalise_name(b_raw))
}

/// True when two children's names are similar enough to flag a possible
/// duplicate record; see the module documentation for the rule.
pub fn similar_names(a_given: &str, a_family: &str, b_given: &str, b_family: &str) -> bool {
    if given_close(a_given, b_given) && family_close(a_family, b_family) {
        return true;
    }
    if family_close(a_given, b_family) && family_close(a_family, b_given) {
        return true;
    }
    let whole_a = normalise_name(&format!("{a_given}{a_family}"));
    let whole_b = normalise_name(&format!("{b_given}{b_family}"));
    !whole_a.is_empty() && (whole_a == whole_b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_examples() {
        assert_eq!(normalise_name("  O'Brien-Smith "), "obriensmith");
        assert_eq!(normalise_name("Zoë"), "zoe");
        assert_eq!(normalise_name("Zoe\u{0308}"), "zoe"); // combining diaeresis
        assert_eq!(normalise_name("JOSÉ"), "jose");
        assert_eq!(normalise_name("Łukasz"), "lukasz");
        assert_eq!(normalise_name("Søren"), "soren");
        assert_eq!(normalise_name("Weiß"), "weiss");
        assert_eq!(normalise_name("Ægir"), "aegir");
        assert_eq!(normalise_name("Ştefan"), "stefan");
        assert_eq!(normalise_name("Anna-Maria 2nd"), "annamariand");
        assert_eq!(normalise_name("Иван"), "иван");
        assert_eq!(normalise_name("..."), "");
    }

    #[test]
    fn osa_distance_examples() {
        let d = |a: &str, b: &str| {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            osa_distance(&a, &b)
        };
        assert_eq!(d("", ""), 0);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("smith", "smiht"), 1);
        assert_eq!(d("jon", "john"), 1);
    }

    #[test]
    fn identical_and_case_punctuation_whitespace() {
        assert!(similar_names("Amelia", "Jones", "Amelia", "Jones"));
        assert!(similar_names("AMELIA", "JONES", "amelia", "jones"));
        assert!(similar_names(" Amelia ", "O'Neill", "Amelia", "ONeill"));
        assert!(similar_names("Mary Jane", "Smith-Jones", "Mary-Jane", "Smith Jones"));
    }

    #[test]
    fn accents() {
        assert!(similar_names("Zoë", "Brontë", "Zoe", "Bronte"));
        assert!(similar_names("José", "Muñoz", "Jose", "Munoz"));
        assert!(similar_names("Łucja", "Wójcik", "Lucja", "Wojcik"));
    }

    #[test]
    fn small_typos() {
        assert!(similar_names("Jon", "Smith", "John", "Smith"));
        assert!(similar_names("Jessica", "Smyth", "Jesica", "Smith"));
        assert!(similar_names("Christopher", "Thompson", "Christpoher", "Thomson"));
        assert!(similar_names("Mohammed", "Rahman", "Muhammad", "Rahman"));
        assert!(similar_names("Katherine", "Walsh", "Catherine", "Walsh"));
        assert!(similar_names("Olivia", "Brown", "Olvia", "Brwon"));
    }

    #[test]
    fn swapped_given_and_family() {
        assert!(similar_names("Chen", "Wei", "Wei", "Chen"));
        assert!(similar_names("Smith", "Jack", "Jack", "Smith"));
        assert!(similar_names("Nguyen", "Thi Lan", "Thi Lan", "Nguyen"));
    }

    #[test]
    fn middle_names_and_split_names() {
        assert!(similar_names("Jack Thomas", "Evans", "Jack", "Evans"));
        assert!(similar_names("Mary", "Jane Smith", "Mary Jane", "Smith"));
    }

    #[test]
    fn clearly_different_names() {
        assert!(!similar_names("James", "Smith", "Sarah", "Jones"));
        assert!(!similar_names("Jack", "Evans", "Jake", "Evans"));
        assert!(!similar_names("Amy", "Lee", "Ann", "Lee"));
        assert!(!similar_names("Oliver", "Brown", "Olivia", "Green"));
        assert!(!similar_names("Tom", "Wood", "Tim", "Wood"));
        assert!(!similar_names("Mohammed", "Ali", "Mohammed", "Khan"));
        assert!(!similar_names("Isabella", "Martin", "Isabelle", "Marsden"));
        assert!(!similar_names("Daniel", "Hughes", "Hughes", "Danielle-Marie"));
        assert!(!similar_names("Grace", "Taylor", "Taylor", "Gracie-Mae"));
    }

    #[test]
    fn short_names_need_exact_match() {
        assert!(similar_names("Al", "Ng", "Al", "Ng"));
        assert!(!similar_names("Al", "Ng", "Ali", "Ng"));
        assert!(!similar_names("Bo", "Li", "Bo", "Lu"));
    }

    #[test]
    fn empty_names() {
        assert!(!similar_names("", "", "", ""));
        assert!(!similar_names("...", "", "!!", ""));
        // A single recorded name still matches the same single name.
        assert!(similar_names("", "Smith", "", "Smith"));
        assert!(similar_names("Aisha", "", "Aisha", ""));
        assert!(!similar_names("Aisha", "", "Amina", ""));
    }

    #[test]
    fn symmetric() {
        let cases = [
            ("Jon", "Smith", "John", "Smith"),
            ("Chen", "Wei", "Wei", "Chen"),
            ("James", "Smith", "Sarah", "Jones"),
            ("Jack Thomas", "Evans", "Jack", "Evans"),
            ("Jack Thomas", "Evans", "Evans", "Jack"),
            ("Daniel", "Hughes", "Hughes", "Danielle-Marie"),
        ];
        for (ag, af, bg, bf) in cases {
            assert_eq!(similar_names(ag, af, bg, bf), similar_names(bg, bf, ag, af));
        }
    }

    #[test]
    fn non_latin_scripts_compare_as_letters() {
        assert!(similar_names("Иван", "Петров", "Иван", "Петров"));
        assert!(!similar_names("Иван", "Петров", "Олег", "Смирнов"));
    }
}
