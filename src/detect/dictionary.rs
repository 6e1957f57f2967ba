//! Dictionary detection: the PHI that has no fixed shape. Names, places, conditions and
//! medications are found as dictionary hits judged by their surroundings (cue words,
//! capitalization, neighbouring names); street addresses as a house number followed by
//! street words and a street suffix.
//!
//! Every list of `patterns/dict/` is compiled into one hash table keyed by a 64-bit hash of
//! the (case-folded) text: single words map to the flags of every list holding them, and
//! entries of several words ("panic attacks", "corte madera", "my name is") put every
//! prefix that ends at a word boundary into the table too, so that a phrase is followed
//! from a word that starts one by a probe per boundary, stopping at the first prefix no
//! entry has. One Aho-Corasick automaton over all ~300,000 entries was measured first:
//! walking it at every word start ran at 13-36 MB/s (contiguous NFA, 36 MB; each step a
//! cache miss), its DFA took 572 MB and was slower still; an automaton over the phrases
//! alone still took most of the 1.5 s start-up and 20 MB, while a hash probe costs about
//! one cache miss. The rules then read the flags word by word.
//!
//! Case carries much of the evidence in chat text ("Will" vs "will"), none in ALL-CAPS
//! nursing notes or all-lowercase messages; the rules switch to list evidence alone when a
//! text has no case to read.

use super::engine::Finding;
use regex::Regex;
use serde::Deserialize;
use std::io::Read;
use std::sync::{Arc, OnceLock};

const GIVEN: u32 = 1;
const SURNAME: u32 = 1 << 1;
const CITY: u32 = 1 << 2;
const CONDITION: u32 = 1 << 3;
const MEDICATION: u32 = 1 << 4;
/// An ordinary English word: a name spelt like one needs more evidence.
const WORD: u32 = 1 << 5;
const NEVER_ALONE: u32 = 1 << 6;
const PERSON_STRONG_CUE: u32 = 1 << 7;
const PERSON_CUE: u32 = 1 << 8;
const PLACE_STRONG_CUE: u32 = 1 << 9;
const PLACE_CUE: u32 = 1 << 10;
const FACILITY: u32 = 1 << 11;
const STREET: u32 = 1 << 12;
const NOT_STREET: u32 = 1 << 13;
const EVERYDAY: u32 = 1 << 14;
const PERSON_RELATION: u32 = 1 << 15;
const FACILITY_NAME: u32 = 1 << 16;
/// One of the most common given names ("john", "mark"), see common_given_names.
const COMMON_GIVEN: u32 = 1 << 17;
const MED_SUFFIX: u32 = 1 << 18;
const CONDITION_MODIFIER: u32 = 1 << 19;
const CITY_SHORT: u32 = 1 << 20;
const STREET_FIRST: u32 = 1 << 21;
const AFTER_STREET: u32 = 1 << 22;
/// A prefix of a multi-word entry (its first word, or more): the phrase goes on after it.
const PHRASE_START: u32 = 1 << 23;
const PLACE_CODE: u32 = 1 << 24;
const REGION: u32 = 1 << 25;
const REGION_CODE: u32 = 1 << 26;
const STREET_ALONE: u32 = 1 << 27;
/// "de", "van", "du": lowercase inside a street's name ("Rue du Temple").
const PARTICLE: u32 = 1 << 28;
/// "St.", "Mount": the first word of a place's name ("St. Helena").
const PLACE_PREFIX: u32 = 1 << 29;
/// "sister", "friend": a relation naming someone else.
const KIN: u32 = 1 << 30;
/// "will": never a name after a relation in text without case ("my son will call").
const AUXILIARY: u32 = 1 << 31;

const CUES: u32 = PERSON_STRONG_CUE | PERSON_RELATION | PERSON_CUE | PLACE_STRONG_CUE | PLACE_CUE;
const NAME: u32 = GIVEN | SURNAME;

/// The word lists, gzip-compressed, with the flag each entry gets.
const LISTS: &[(&str, &[u8], u32)] = &[
    (
        "english_words",
        include_bytes!("../../patterns/dict/english_words.txt.gz"),
        WORD,
    ),
    (
        "given_names",
        include_bytes!("../../patterns/dict/given_names.txt.gz"),
        GIVEN,
    ),
    (
        "common_given_names",
        include_bytes!("../../patterns/dict/common_given_names.txt.gz"),
        COMMON_GIVEN,
    ),
    (
        "surnames",
        include_bytes!("../../patterns/dict/surnames.txt.gz"),
        SURNAME,
    ),
    (
        "cities",
        include_bytes!("../../patterns/dict/cities.txt.gz"),
        CITY,
    ),
    (
        "conditions",
        include_bytes!("../../patterns/dict/conditions.txt.gz"),
        CONDITION,
    ),
    (
        "medications",
        include_bytes!("../../patterns/dict/medications.txt.gz"),
        MEDICATION,
    ),
];

const RULES: &str = include_str!("../../patterns/dict/rules.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    person: PersonRules,
    medication: MedicationRules,
    condition: ConditionRules,
    location: LocationRules,
    address: AddressRules,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonRules {
    strong_cues: Vec<String>,
    relations: Vec<String>,
    kin: Vec<String>,
    auxiliaries: Vec<String>,
    cues: Vec<String>,
    never_alone: Vec<String>,
    everyday_words: Vec<String>,
    origins: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MedicationRules {
    suffixes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionRules {
    modifiers: Vec<String>,
    heads: Vec<String>,
    inability: Vec<String>,
    abilities: Vec<String>,
    difficulty: Vec<String>,
    struggles: Vec<String>,
    sites: Vec<String>,
    kinds: Vec<String>,
    injuries: Vec<String>,
    body_parts: Vec<String>,
    clause_starts: Vec<String>,
    clause_ends: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationRules {
    strong_cues: Vec<String>,
    cues: Vec<String>,
    facility_words: Vec<String>,
    place_suffixes: Vec<String>,
    residence_words: Vec<String>,
    venue_words: Vec<String>,
    destination_cues: Vec<String>,
    facility_name_words: Vec<String>,
    city_short: Vec<String>,
    extra_cities: Vec<String>,
    prefixes: Vec<String>,
    codes: Vec<String>,
    regions: Vec<String>,
    region_codes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressRules {
    street_words: Vec<String>,
    named_street_words: Vec<String>,
    street_endings: Vec<String>,
    counts: Vec<String>,
    street_alone: Vec<String>,
    street_first: Vec<String>,
    particles: Vec<String>,
    after_street: Vec<String>,
    not_street: Vec<String>,
    unit_names: Vec<String>,
    unit: String,
    unit_before: String,
    unit_words: Vec<String>,
    unit_numbers: Vec<String>,
}

/// Confidence of each kind of evidence; the engine's overlap resolution prefers the higher.
const SCORE_CUED: f32 = 0.95;
const SCORE_ADDRESS: f32 = 0.9;
const SCORE_PAIR: f32 = 0.85;
const SCORE_LIST: f32 = 0.8;
const SCORE_ALONE: f32 = 0.75;
const SCORE_WEAK: f32 = 0.6;

/// Words at most this far apart (bytes of punctuation and space) still read as one phrase
/// ("Regards,\n  John").
const MAX_GAP: usize = 4;
/// Shortest unlisted word taken as a name after a cue ("hi ya" is no name); in text
/// without case it must be longer still, as clinical abbreviations ("NAD") are short.
const MIN_UNKNOWN: usize = 3;
/// Shortest unlisted word taken as a place after a weak cue in text without case.
const MIN_UNKNOWN_PLACE: usize = 5;
/// Longest run of words taken as one name, after the first.
const MAX_NAME_EXTRA: usize = 2;
/// Most name words between a house number and a street suffix, and before a facility word.
const MAX_STREET_WORDS: usize = 4;
/// Most words after a house number that a strong place cue makes an address, over all its
/// comma-separated parts.
const MAX_CUED_ADDRESS_WORDS: usize = 8;
/// Parts after a unit that may come before its town ("Flat 8D, Palm Grove, Nehru Road,
/// Whitefield, Bengaluru"), and words in each.
const MAX_UNIT_ADDRESS_PARTS: usize = 5;
const MAX_UNIT_ADDRESS_PART_WORDS: usize = 4;
/// Most words a condition's clause runs on after an inability phrase ("could not sleep at
/// all for weeks").
const MAX_CLAUSE_WORDS: usize = 6;
/// Most words between a residence word and the place cue of its town ("lives w sister
/// ananya in cork").
const MAX_RESIDENCE_WORDS: usize = 6;

/// Words longer than this are in no list; they are not looked up.
const MAX_WORD: usize = 40;
/// Shortest word looked up as a misspelt drug or condition: shorter slips of a letter
/// reach other words too often.
const MIN_MISSPELT: usize = 7;

/// The key of a word or of a phrase, bytes `start..end` of `text`: an FxHash-style 64-bit
/// hash of the bytes, eight at a time, with ASCII letters folded to lower case (so list
/// entries and text words match whatever their case), and the length. The table is keyed
/// by the hash alone, so a lookup is one probe with an inline compare and no pointer to
/// chase (the lookup every word of every text pays). Two of the ~400,000 keys, or a key
/// and a word of a text, are the same with odds of about 1 in 10^13.
fn span_key(text: &[u8], start: usize, end: usize) -> u64 {
    let mut h = 0;
    let mut at = start;
    while at < end {
        h = mix(h, load8(text, at) & first_bytes(end - at));
        at += 8;
    }
    h ^ (end - start) as u64
}

/// One step of span_key: eight more bytes (zero past the end of the span).
fn mix(h: u64, eight: u64) -> u64 {
    mix_lowered(h, ascii_lower(eight))
}

/// One step of span_key on eight bytes already folded to lower case.
fn mix_lowered(h: u64, lowered: u64) -> u64 {
    (h.rotate_left(5) ^ lowered).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Eight bytes of `text` from `at` as one little-endian word, zeros past its end.
fn load8(text: &[u8], at: usize) -> u64 {
    match text.get(at..at + 8) {
        Some(b) => u64::from_le_bytes(b.try_into().expect("eight bytes")),
        None => text[at.min(text.len())..]
            .iter()
            .rev()
            .fold(0, |eight, &b| eight << 8 | u64::from(b)),
    }
}

/// A mask of the first `n` bytes of a little-endian word (all eight from 8 on).
fn first_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1 << (8 * n)) - 1
    }
}

/// Eight bytes with their ASCII capitals lowercased and every other byte left alone: bit 7
/// of each byte of the two sums says whether it is at least b'A', at least b'Z' + 1.
fn ascii_lower(x: u64) -> u64 {
    let low = x & !HIGH;
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low + 0x2525_2525_2525_2525;
    x | ((from_a & !past_z & !x & HIGH) >> 2)
}

/// What the table holds for one key.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    /// The flags of the word alone, and PHRASE_START when some entry goes on after it.
    flags: u32,
    /// The flags of the multi-word entry that is exactly this text, if any; for a word
    /// that starts such entries, a 32-bit filter of the words that follow it in them
    /// (next_word_bit of each).
    phrase: u32,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.flags | self.phrase == 0
    }
}

/// Open addressing with linear probing over 16-byte slots, four to a cache line, about a
/// third full: a lookup, found or not, mostly reads one cache line. Built once, never
/// changed.
struct Table {
    slots: Vec<Slot>,
    /// The slot of a key is its top bits (the hash's best mixed).
    shift: u32,
}

impl Table {
    /// Builds the table from (key, flags, phrase flags) rows, merging the rows of a key.
    /// Sized for the rows as if no two shared a key (at most 70% full then); many do, so it
    /// ends up about a third full.
    fn new(rows: Vec<Slot>) -> Table {
        let len = (rows.len() * 10 / 7 + 1).next_power_of_two().max(2);
        let mut slots = vec![Slot::default(); len];
        let shift = 64 - len.trailing_zeros();
        for row in rows.into_iter().filter(|r| !r.is_empty()) {
            let mut i = (row.key >> shift) as usize;
            while !slots[i].is_empty() && slots[i].key != row.key {
                i = (i + 1) & (len - 1);
            }
            let slot = &mut slots[i];
            slot.key = row.key;
            slot.flags |= row.flags;
            slot.phrase |= row.phrase;
        }
        Table { slots, shift }
    }

    /// The slot of `key`, or an empty one.
    fn get(&self, key: u64) -> Slot {
        let mask = self.slots.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            let slot = self.slots[i];
            if slot.key == key || slot.is_empty() {
                return slot;
            }
            i = (i + 1) & mask;
        }
    }
}

/// The bit of a word in the 32-bit filter of the words after a phrase's first word.
fn next_word_bit(key: u64) -> u32 {
    1 << (key >> 59)
}

/// The key of two words in a row.
fn pair_key(first: u64, second: u64) -> u64 {
    (first.rotate_left(29) ^ second).wrapping_mul(0x9e_37_79_b9_7f_4a_7c_15)
}

/// A Bloom filter (two bits per key in one 64-bit word) over the first two words of every
/// multi-word entry. Most words start some entry ("i" starts "i am", "the" starts "the
/// hague"), yet the next word seldom continues one ("i have", "the doctor"): the filter,
/// small enough to stay in the processor's cache, says so without probing the large table.
struct Filter(Vec<u64>);

/// Words of the pair filter (a power of two): 128 KiB for the ~70,000 pairs, about 2%
/// false positives.
const FILTER_WORDS: usize = 1 << 14;

impl Filter {
    fn new(keys: &[u64]) -> Filter {
        let mut words = vec![0u64; FILTER_WORDS];
        for &key in keys {
            words[Filter::word(key)] |= Filter::bits(key);
        }
        Filter(words)
    }

    fn word(key: u64) -> usize {
        (key >> (64 - FILTER_WORDS.trailing_zeros())) as usize
    }

    fn bits(key: u64) -> u64 {
        1 << ((key >> 37) & 63) | 1 << ((key >> 43) & 63)
    }

    fn may_hold(&self, key: u64) -> bool {
        let bits = Filter::bits(key);
        self.0[Filter::word(key)] & bits == bits
    }
}

pub struct Dictionaries {
    lexicon: Table,
    pairs: Filter,
    unit: Regex,
    unit_before: Regex,
    /// Lists read only where a rule already fired or at a house number (see rules.toml for
    /// each): the sorted keys of their words, looked up by a token's key; street_endings and
    /// clause_openers, matched as the end and the start of a word, as text.
    place_suffixes: Vec<u64>,
    named_street_words: Vec<u64>,
    street_endings: Vec<String>,
    counts: Vec<u64>,
    unit_words: Vec<u64>,
    unit_numbers: Vec<u64>,
    /// One bit per key of unit_words and unit_numbers, by its low six bits.
    unit_filter: u64,
    /// Nationality and language words: never a name before a lowercase word without a
    /// strong cue.
    origins: Vec<u64>,
    /// The inability and difficulty phrases: a condition starting with one runs on to the
    /// end of its clause.
    clause_openers: Vec<String>,
    /// The keys of their first words, sorted: most conditions start with none.
    clause_first_words: Vec<u64>,
    clause_ends: Vec<u64>,
    condition_heads: Vec<u64>,
    residence_words: Vec<u64>,
    venue_words: Vec<u64>,
    destination_cues: Vec<u64>,
    person: Arc<str>,
    location: Arc<str>,
    address: Arc<str>,
    condition: Arc<str>,
    medication: Arc<str>,
    source: Arc<str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Upper and lower case letters both occur: capitals are evidence.
    Mixed,
    /// All letters upper case, or all lower case: capitals say nothing.
    None,
}

#[derive(Clone, Copy, Default)]
struct Token {
    start: usize,
    end: usize,
    /// Flags of the lists that hold this word alone.
    flags: u32,
    /// The longest multi-word list entry starting here (end, flags), if any.
    phrase_end: usize,
    phrase_flags: u32,
    /// Cue flags of a cue phrase that ends right before this word.
    cued: u32,
    capital: bool,
    /// The "s" of "Mary's", the "t" of "don't": part of the word before the apostrophe.
    clitic: bool,
    /// Followed by an apostrophe ("O'" of "O'Connor", "don" of "don't").
    apostrophe: bool,
    /// Holds a digit: never part of a name.
    digit: bool,
    /// No sentence break between the previous word and this one.
    mid_sentence: bool,
}

/// The flags that start no rule of Dictionaries::detect at their word (the rules read them
/// on the words around it): a word that has no other flag, alone or as a phrase start, and
/// no cue before it is skipped, as most words are. A flag that a rule starts from must not
/// be here; a new flag is not, so it is safe by default.
const INERT: u32 = WORD
    | SURNAME
    | COMMON_GIVEN
    | NEVER_ALONE
    | EVERYDAY
    | CUES
    | NOT_STREET
    | AFTER_STREET
    | FACILITY_NAME
    | MED_SUFFIX
    | CONDITION_MODIFIER;

/// Scratch space reused across texts.
#[derive(Default)]
pub struct DictScratch {
    tokens: Vec<Token>,
    /// The key of every token.
    keys: Vec<u64>,
    /// The cues that end multi-word entries ("my name is"): (end, cue flags).
    cues: Vec<(usize, u32)>,
    /// The table slots of the words looked up last, CACHED of them, by key. Words repeat
    /// (a few hundred make up half of any text): their lookups stay in this small, hot
    /// array instead of missing the cache in the large table. The dictionaries are built
    /// once per process (builtin), so a cached slot never goes stale.
    recent: Vec<Slot>,
}

/// Number of slots in DictScratch::recent (a power of two).
const CACHED: usize = 1 << 12;

/// The built-in dictionaries, built once per process: they are immutable and take a moment
/// to build, so every detector shares them.
pub fn builtin() -> Arc<Dictionaries> {
    static BUILT: OnceLock<Arc<Dictionaries>> = OnceLock::new();
    BUILT
        .get_or_init(|| Arc::new(Dictionaries::build()))
        .clone()
}

fn is_alnum(b: u8) -> bool {
    CLASS[b as usize] & ALNUM != 0
}

/// `word` with each accented Latin-1 letter as its ASCII letter ("lucía" as "lucia", "ß"
/// as "ss") into `out`, and its length; None when it holds another non-ASCII character.
/// The folded word is never longer: each letter of two bytes becomes one ASCII letter, or
/// two for "ß".
fn fold_accents(word: &[u8], out: &mut [u8; MAX_WORD]) -> Option<usize> {
    // The ASCII letter of U+00C0..U+00DF and of U+00E0..U+00FF (32 apart), by the low five
    // bits of the second byte of their UTF-8 form; 0 for none (Æ, Ð, ×, Þ). The last one is
    // ß (two letters) among the capitals and ÿ among the small letters.
    const BASE: [u8; 32] = [
        b'a', b'a', b'a', b'a', b'a', b'a', 0, b'c', b'e', b'e', b'e', b'e', b'i', b'i', b'i',
        b'i', 0, b'n', b'o', b'o', b'o', b'o', b'o', 0, b'o', b'u', b'u', b'u', b'u', b'y', 0,
        b'y',
    ];
    let mut n = 0;
    let mut i = 0;
    while i < word.len() {
        let b = word[i];
        if b.is_ascii() {
            out[n] = b;
            n += 1;
            i += 1;
            continue;
        }
        let next = *word.get(i + 1)?;
        if b != 0xc3 || !(0x80..0xc0).contains(&next) {
            return None;
        }
        let base = if next == 0x9f {
            b's'
        } else {
            BASE[usize::from(next & 0x1f)]
        };
        if base == 0 {
            return None;
        }
        out[n] = base;
        n += 1;
        if next == 0x9f {
            out[n] = b's';
            n += 1;
        }
        i += 2;
    }
    Some(n)
}

/// Byte classes of the word splitter.
const ALNUM: u8 = 1;
const UPPER: u8 = 1 << 1;
const LOWER: u8 = 1 << 2;
const DIGIT: u8 = 1 << 3;
const SENTENCE_BREAK: u8 = 1 << 4;

/// The class of every byte: letters and digits, and every byte of a non-ASCII character,
/// are word bytes.
const CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        class[b] = if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM | LOWER
        } else if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else if c >= 0x80 {
            ALNUM
        } else if matches!(c, b'.' | b'!' | b'?' | b'\n' | b';' | b':') {
            SENTENCE_BREAK
        } else {
            0
        };
        b += 1;
    }
    class
};

/// Bit 7 of each of eight bytes.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Bit 7 set in each of the eight ASCII bytes `low` (bit 7 clear) that is in `lo..=hi`: it
/// is the carry of adding the distance to 0x80.
fn in_range(low: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from = low + ONES * u64::from(0x80 - lo);
    let past = low + ONES * u64::from(0x7f - hi);
    from & !past & HIGH
}

/// The run of word bytes of `bytes` from `from`, eight at a time: its end, the hash of
/// its bytes (span_key before the length), and whether it holds upper case letters, lower
/// case letters, digits (as byte classes). Every byte class is a mask with bit 7 of each
/// byte, computed for all eight at once and without a branch.
fn word_run(bytes: &[u8], from: usize) -> (usize, u64, u8) {
    let (mut at, mut h) = (from, 0);
    let (mut uppers, mut lowers, mut digits) = (0, 0, 0);
    loop {
        let eight = load8(bytes, at);
        let ascii = !eight & HIGH;
        let low = eight & !HIGH;
        // Letters of either case, read in lower case (bit 5 set); bit 5 of the byte itself,
        // shifted to bit 7, tells a lower case letter from a capital.
        let letter = in_range(low | 0x2020_2020_2020_2020, b'a', b'z') & ascii;
        let digit = in_range(low, b'0', b'9') & ascii;
        let run = (!(letter | digit | eight) & HIGH).trailing_zeros() as usize / 8;
        let keep = first_bytes(run);
        let upper = letter & !(low << 2) & keep;
        uppers |= upper;
        lowers |= letter & (low << 2) & keep;
        digits |= digit & keep;
        if run > 0 {
            // A capital's bit 7 in `upper`, shifted to bit 5, lowers it.
            h = mix_lowered(h, (eight & keep) | (upper >> 2));
        }
        at += run;
        if run < 8 {
            let shape = (u8::from(uppers != 0) * UPPER)
                | (u8::from(lowers != 0) * LOWER)
                | (u8::from(digits != 0) * DIGIT);
            return (at, h, shape);
        }
    }
}

/// Splits `bytes` into words (runs of word bytes) into `tokens`, with their shape and their
/// keys (into `keys`), and says whether the text has case. Text and list entries go
/// through the same splitter, so that a phrase entry is found only where the text splits
/// as the entry does.
fn split_words(bytes: &[u8], tokens: &mut Vec<Token>, keys: &mut Vec<u64>) -> Case {
    tokens.clear();
    keys.clear();
    let mut seen = 0;
    let mut i = 0;
    let mut sentence_break = true;
    while i < bytes.len() {
        let b = bytes[i];
        let class = CLASS[b as usize];
        if class & ALNUM == 0 {
            sentence_break |= class & SENTENCE_BREAK != 0;
            i += 1;
            continue;
        }
        let start = i;
        let mut flags = 0;
        // The apostrophe first: it is seldom there, so the branch is well predicted, where
        // the first letter's test would be a coin toss for every word.
        let merged = bytes.get(i + 1) == Some(&b'\'')
            && matches!(b, b'o' | b'O' | b'd' | b'D')
            && bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic);
        let (end, h, shape) = word_run(bytes, if merged { i + 2 } else { i });
        i = end;
        if merged {
            // "O'Connor", "D'Souza": one word, and by its shape a surname.
            flags = SURNAME;
            keys.push(span_key(bytes, start, end));
        } else {
            keys.push(h ^ (end - start) as u64);
        }
        let shape = shape | class;
        seen |= shape;
        let after_apostrophe =
            start >= 2 && matches!(bytes[start - 1], b'\'') && is_alnum(bytes[start - 2]);
        tokens.push(Token {
            start,
            end: i,
            clitic: after_apostrophe && i - start <= 2,
            flags,
            apostrophe: bytes.get(i) == Some(&b'\''),
            capital: b.is_ascii_uppercase(),
            digit: shape & DIGIT != 0,
            mid_sentence: !sentence_break,
            ..Token::default()
        });
        sentence_break = false;
    }
    if seen & UPPER != 0 && seen & LOWER != 0 {
        Case::Mixed
    } else {
        Case::None
    }
}

/// The table rows and the pair filter keys of the entries of every list, as they are read:
/// the rows of a key that several lists hold are merged in Table::new.
#[derive(Default)]
struct Rows {
    rows: Vec<Slot>,
    pairs: Vec<u64>,
    split: DictScratch,
}

impl Rows {
    /// Adds a list entry with its flags: a single word (the common case, taken without
    /// splitting) under its key, an entry of several words by phrase().
    fn add(&mut self, entry: &[u8], flags: u32) {
        // Word bytes as the text splitter reads them: a non-ASCII letter ("straße") is part
        // of its word.
        if !entry.is_empty() && entry.iter().all(|&b| is_alnum(b)) {
            self.word(entry, flags);
            return;
        }
        let mut parts = entry.split(|&b| !is_alnum(b)).filter(|p| !p.is_empty());
        match (parts.next(), parts.next()) {
            (Some(first), Some(second)) => self.phrase(entry, [first, second], flags),
            (Some(word), None) => self.word(word, flags),
            _ => {}
        }
    }

    fn word(&mut self, word: &[u8], flags: u32) {
        self.rows.push(Slot {
            key: span_key(word, 0, word.len()),
            flags,
            phrase: 0,
        });
    }

    /// The rows of the multi-word entry `entry` whose first two parts (runs of word
    /// bytes: letters, digits, non-ASCII) are `parts`: its flags under its own key, and PHRASE_START under
    /// its first word and under every longer prefix that ends at a word boundary; the key of
    /// its first two words goes to `pairs`. An entry whose first two words the splitter
    /// reads otherwise ("dr o'connor", where "o'connor" is one word) can never be found at
    /// a word start and gets no rows.
    fn phrase(&mut self, entry: &[u8], parts: [&[u8]; 2], flags: u32) {
        let split = &mut self.split;
        split_words(entry, &mut split.tokens, &mut split.keys);
        let words = &split.tokens;
        let as_split = words.len() >= 2
            && parts
                .iter()
                .zip(words.iter())
                .all(|(p, w)| *p == &entry[w.start..w.end]);
        if !as_split {
            return;
        }
        self.pairs.push(pair_key(split.keys[0], split.keys[1]));
        let first = words[0].end;
        for end in first..=entry.len() {
            if end < entry.len() && is_alnum(entry[end]) {
                continue;
            }
            let (flags, phrase) = if end == entry.len() {
                (0, flags)
            } else if end == first {
                (PHRASE_START, next_word_bit(split.keys[1]))
            } else {
                (PHRASE_START, 0)
            };
            self.rows.push(Slot {
                key: span_key(entry, 0, end),
                flags,
                phrase,
            });
        }
    }
}

impl Dictionaries {
    fn build() -> Dictionaries {
        let rules: Rules = toml::from_str(RULES).expect("patterns/dict/rules.toml is valid");
        let mut rows = Rows::default();
        for (name, gz, flag) in LISTS {
            let mut text = String::new();
            flate2::read::GzDecoder::new(*gz)
                .read_to_string(&mut text)
                .unwrap_or_else(|_| panic!("embedded list {name} is gzip text"));
            for line in text.lines().filter(|l| !l.is_empty()) {
                rows.add(line.as_bytes(), *flag);
                // Text often spaces a hyphen ("self - loathing"); a phrase matches only as
                // the entry is spelt.
                if *flag & (CONDITION | MEDICATION) != 0 && line.contains('-') {
                    rows.add(line.replace('-', " - ").as_bytes(), *flag);
                }
            }
        }
        let extra: [(&Vec<String>, u32); 27] = [
            (&rules.person.kin, PERSON_RELATION | KIN),
            (&rules.person.auxiliaries, AUXILIARY),
            (&rules.location.prefixes, PLACE_PREFIX),
            (&rules.address.particles, PARTICLE),
            (&rules.location.city_short, CITY_SHORT),
            (&rules.location.extra_cities, CITY),
            (&rules.location.codes, PLACE_CODE),
            (&rules.location.regions, REGION),
            (&rules.location.region_codes, REGION_CODE),
            (&rules.address.street_alone, STREET_ALONE),
            (&rules.address.street_first, STREET_FIRST),
            (&rules.address.after_street, AFTER_STREET),
            (&rules.medication.suffixes, MED_SUFFIX),
            (&rules.condition.modifiers, CONDITION_MODIFIER),
            (&rules.condition.sites, CONDITION_MODIFIER),
            (&rules.location.facility_name_words, FACILITY_NAME),
            (&rules.person.relations, PERSON_RELATION),
            (&rules.person.everyday_words, EVERYDAY),
            (&rules.person.origins, WORD | EVERYDAY),
            (&rules.person.strong_cues, PERSON_STRONG_CUE),
            (&rules.person.cues, PERSON_CUE),
            (&rules.person.never_alone, NEVER_ALONE),
            (&rules.location.strong_cues, PLACE_STRONG_CUE),
            (&rules.location.cues, PLACE_CUE),
            (&rules.location.facility_words, FACILITY),
            (&rules.address.street_words, STREET),
            (&rules.address.not_street, NOT_STREET),
        ];
        for (words, flag) in extra {
            for w in words {
                rows.add(w.to_lowercase().as_bytes(), flag);
            }
        }
        let c = &rules.condition;
        let pairs = [
            (&c.inability, &c.abilities),
            (&c.difficulty, &c.struggles),
            (&c.sites, &c.kinds),
            (&c.body_parts, &c.kinds),
            (&c.injuries, &c.body_parts),
            (&c.injuries, &c.sites),
        ];
        for (openers, rests) in pairs {
            for opener in openers {
                for rest in rests {
                    rows.add(format!("{opener} {rest}").as_bytes(), CONDITION);
                }
            }
        }
        for start in &c.clause_starts {
            rows.add(start.to_lowercase().as_bytes(), CONDITION);
        }
        let lower = |v: &Vec<String>| v.iter().map(|w| w.to_lowercase()).collect::<Vec<_>>();
        // Both unit patterns name units from one list.
        let unit_names = rules.address.unit_names.join("|");
        let unit_pattern = |pattern: &str| {
            Regex::new(&pattern.replace("{unit_names}", &unit_names))
                .expect("the address unit patterns of rules.toml are valid")
        };
        let clause_openers: Vec<String> = c
            .inability
            .iter()
            .chain(&c.difficulty)
            .chain(&c.clause_starts)
            .map(|w| w.to_lowercase())
            .collect();
        let clause_first_words = key_set(
            clause_openers
                .iter()
                .filter_map(|o| o.split(|ch: char| !ch.is_ascii_alphanumeric()).next()),
        );
        Dictionaries {
            lexicon: Table::new(rows.rows),
            pairs: Filter::new(&rows.pairs),
            unit: unit_pattern(&rules.address.unit),
            unit_before: unit_pattern(&rules.address.unit_before),
            place_suffixes: key_set(&rules.location.place_suffixes),
            named_street_words: key_set(&rules.address.named_street_words),
            street_endings: lower(&rules.address.street_endings),
            counts: key_set(&rules.address.counts),
            unit_words: key_set(&rules.address.unit_words),
            unit_numbers: key_set(&rules.address.unit_numbers),
            unit_filter: key_set(&rules.address.unit_words)
                .iter()
                .chain(&key_set(&rules.address.unit_numbers))
                .fold(0, |bits, key| bits | 1 << (key & 63)),
            origins: key_set(&rules.person.origins),
            clause_openers,
            clause_first_words,
            clause_ends: key_set(&c.clause_ends),
            condition_heads: key_set(&c.heads),
            residence_words: key_set(&rules.location.residence_words),
            venue_words: key_set(&rules.location.venue_words),
            destination_cues: key_set(&rules.location.destination_cues),
            person: "PERSON".into(),
            location: "LOCATION".into(),
            address: "ADDRESS".into(),
            condition: "CONDITION".into(),
            medication: "MEDICATION".into(),
            source: "dictionary".into(),
        }
    }

    /// Heap bytes of the table and the filter, for the benchmark's memory report.
    pub fn memory_usage(&self) -> usize {
        self.lexicon.slots.len() * std::mem::size_of::<Slot>() + FILTER_WORDS * 8
    }

    /// Appends every dictionary finding of `text` to `out` (overlaps allowed: the engine
    /// resolves them together with the pattern findings).
    pub fn detect(&self, text: &str, scratch: &mut DictScratch, out: &mut Vec<Finding>) {
        let case = self.tokenize(text, scratch);
        // An OR of all bytes, without an early exit: on the throughput corpus's texts
        // `is_ascii` cost 2.5 times its instructions (cachegrind).
        if text.bytes().fold(0, |any, b| any | b) >= 0x80 {
            self.lookup_unaccented(text.as_bytes(), &mut scratch.tokens);
        }
        if scratch
            .tokens
            .iter()
            .any(|t| t.flags == 0 && t.end - t.start >= MIN_MISSPELT)
        {
            self.lookup_misspelt(text.as_bytes(), &mut scratch.tokens);
        }
        let tokens = &scratch.tokens;
        let keys = &scratch.keys;
        let mut emit = |start: usize, end: usize, entity: &Arc<str>, score: f32| {
            // An address takes in a unit written before its number.
            let start = if Arc::ptr_eq(entity, &self.address) {
                self.unit_before
                    .find(&text[..start])
                    .map_or(start, |unit| unit.start())
            } else {
                start
            };
            out.push(Finding {
                start,
                end,
                entity: entity.clone(),
                score,
                source: self.source.clone(),
            });
        };
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if t.clitic {
                i += 1;
                continue;
            }
            let all = t.flags | t.phrase_flags;
            if t.digit {
                self.addresses_at_number(text, tokens, keys, i, case, &mut emit);
            }
            if all & !INERT == 0 && t.cued == 0 {
                // Most words: no rule starts at them (a debug build checks the two rules
                // that no flag test guards below).
                debug_assert!(
                    place(text, tokens, i, case).is_none()
                        && person(text, tokens, i, case).is_none(),
                    "a rule fired at a word with INERT flags alone and no cue"
                );
                i += 1;
                continue;
            }
            if all & (CONDITION | MEDICATION) != 0 {
                let (end, f) = if t.phrase_flags & (CONDITION | MEDICATION) != 0 {
                    (t.phrase_end, t.phrase_flags)
                } else {
                    (t.end, t.flags)
                };
                let (entity, start, end) = if f & MEDICATION != 0 {
                    (&self.medication, t.start, extend_drug(tokens, i, end))
                } else if end > t.end
                    && self.clause_first_words.binary_search(&keys[i]).is_ok()
                    && self.opens_clause(&text[t.start..end])
                {
                    let end = self.clause_end(text, tokens, keys, end);
                    (&self.condition, extend_condition(tokens, i), end)
                } else {
                    let spaced = text.as_bytes().get(end) == Some(&b' ');
                    let end = spaced
                        .then(|| next_word_in(text, tokens, keys, i, end, &self.condition_heads))
                        .flatten()
                        .map_or(end, |k| tokens[k].end);
                    (&self.condition, extend_condition(tokens, i), end)
                };
                emit(start, end, entity, SCORE_LIST);
            }
            if all & (STREET | STREET_FIRST | STREET_ALONE) != 0 {
                if let Some((start, end)) = self.street_address(text, tokens, keys, i, case) {
                    // With its town, region and postcode the address is one finding, which
                    // outranks the town alone.
                    let whole = area_tail(text, tokens, end, case, true);
                    let score = if whole > end {
                        SCORE_CUED
                    } else {
                        SCORE_ADDRESS
                    };
                    emit(start, whole, &self.address, score);
                } else if let Some(start) = self.named_street(text, tokens, keys, i, case) {
                    let end = self.address_end(text, tokens, i);
                    let whole = area_tail(text, tokens, end, case, true);
                    let first = tokens.partition_point(|n| n.start < start);
                    let score = if tokens[first].cued & PLACE_STRONG_CUE != 0 {
                        SCORE_CUED
                    } else {
                        SCORE_PAIR
                    };
                    emit(start, whole, &self.address, score);
                }
            }
            if all & FACILITY != 0 {
                let start = facility_start(text, tokens, i, case)
                    .filter(|&start| self.venue_placed(text, tokens, keys, i, start));
                if let Some(start) = start {
                    let end = if t.phrase_flags & FACILITY != 0 {
                        t.phrase_end
                    } else {
                        t.end
                    };
                    emit(start, end, &self.location, SCORE_PAIR);
                }
            }
            let place = place(text, tokens, i, case).or_else(|| {
                (case == Case::None && t.flags & CITY != 0)
                    .then(|| self.residence_place(tokens, keys, i, case))
                    .flatten()
            });
            if let Some((end, score)) = place {
                let end = if text.as_bytes().get(end) == Some(&b' ') {
                    self.place_suffix(text, tokens, keys, i, end, case)
                } else {
                    end
                };
                // In text without case a town after a cued place belongs to it ("i live in
                // koramangala, bangalore"), where on its own it would need a cue.
                let end = area_tail(
                    text,
                    tokens,
                    end,
                    case,
                    score == SCORE_CUED && case == Case::None,
                );
                emit(t.start, end, &self.location, score);
            }
            // "with French subtitles": after a weak cue, a nationality before a lowercase
            // word is its adjective ("Mr. French called" has a strong cue).
            let adjective = || {
                t.cued & (PERSON_STRONG_CUE | PERSON_RELATION) == 0
                    && tokens
                        .get(i + 1)
                        .is_some_and(|n| adjacent(t, n) && !n.capital && !n.digit)
                    && self.origins.binary_search(&keys[i]).is_ok()
            };
            if let Some((first, last, score)) =
                person(text, tokens, i, case).filter(|_| !adjective())
            {
                emit(tokens[first].start, tokens[last].end, &self.person, score);
            }
            i += 1;
        }
    }

    /// Splits `text` into words, looks each word up in the table, follows the phrases that
    /// start at it and marks the word that follows each cue.
    fn tokenize(&self, text: &str, scratch: &mut DictScratch) -> Case {
        let bytes = text.as_bytes();
        let case = split_words(bytes, &mut scratch.tokens, &mut scratch.keys);
        let keys = &scratch.keys;
        let tokens = &mut scratch.tokens;
        scratch.cues.clear();
        let recent = &mut scratch.recent;
        if recent.is_empty() {
            recent.resize(CACHED, Slot::default());
        }
        // A cue applies to the first word after it, when only a little punctuation and
        // space lie between. A one-word cue is applied to the next word here, without a
        // branch (cues are common words, so a branch would be mispredicted often); the
        // cues that end multi-word entries are collected and applied after the loop.
        let (mut cue, mut cue_end) = (0, 0);
        for (k, t) in tokens.iter_mut().enumerate() {
            t.cued |= cue * u32::from(t.start - cue_end <= MAX_GAP);
            cue = 0;
            if !bytes[t.start].is_ascii_alphabetic() || t.end - t.start > MAX_WORD {
                continue;
            }
            let slot = self.get(recent, keys[k]);
            t.flags |= slot.flags & !PHRASE_START;
            (cue, cue_end) = (slot.flags & CUES, t.end);
            // Every multi-word entry spans the next word too: the pair is checked first,
            // against the word's own filter of next words, then against the pair filter.
            // The first two tests are combined without a branch: common words start
            // phrases, so a branch on each would be mispredicted often.
            let next = keys.get(k + 1).copied();
            let next_bit = next.map_or(0, next_word_bit);
            let pair = (slot.flags & PHRASE_START != 0) & (slot.phrase & next_bit != 0)
                && next.is_some_and(|next| self.pairs.may_hold(pair_key(keys[k], next)));
            if pair {
                self.follow_phrases(bytes, t, recent, &mut scratch.cues);
            }
        }
        let mut next = 0;
        scratch.cues.sort_unstable_by_key(|c| c.0);
        for &(end, f) in scratch.cues.iter() {
            while next < tokens.len() && tokens[next].start < end {
                next += 1;
            }
            if next < tokens.len() && tokens[next].start - end <= MAX_GAP {
                tokens[next].cued |= f;
            }
        }
        case
    }

    /// Looks up the words with accents that no list holds as they are spelt, by their letters
    /// ("Lucía", "José", "Zoë": the lists spell names without accents). A word that starts
    /// with a Latin-1 capital ("Émile") is a capital. Apart from the lookup loop, which
    /// every word of every text goes through: few texts need this.
    #[cold]
    #[inline(never)]
    fn lookup_unaccented(&self, bytes: &[u8], tokens: &mut [Token]) {
        let mut folded = [0; MAX_WORD];
        for t in tokens.iter_mut() {
            let word = &bytes[t.start..t.end];
            if t.flags != 0 || word.is_ascii() || word.len() > MAX_WORD {
                continue;
            }
            if let Some(n) = fold_accents(word, &mut folded) {
                t.flags |= self.lexicon.get(span_key(&folded, 0, n)).flags & !PHRASE_START;
                // Latin-1 capitals (À..Þ) are 0xC3 0x80..0x9E in UTF-8.
                t.capital |= word[0] == 0xc3 && (0x80..0x9f).contains(&word[1]);
            }
        }
    }

    /// Looks up the long words that no list holds as one slip from a drug or condition
    /// name: two letters swapped ("tlyenol", "doenpezil") or one letter too many
    /// ("derpression"), as patients type them. Only words with no reading at all are tried,
    /// so a listed name or an English word is never taken for a misspelt drug.
    #[cold]
    #[inline(never)]
    fn lookup_misspelt(&self, bytes: &[u8], tokens: &mut [Token]) {
        let mut buf = [0; MAX_WORD];
        for t in tokens.iter_mut() {
            let word = &bytes[t.start..t.end];
            let n = word.len();
            if t.flags != 0
                || !(MIN_MISSPELT..=MAX_WORD).contains(&n)
                || !word.iter().all(u8::is_ascii_alphabetic)
            {
                continue;
            }
            let mut found = 0;
            for k in 0..n - 1 {
                if word[k] == word[k + 1] {
                    continue;
                }
                buf[..n].copy_from_slice(word);
                buf.swap(k, k + 1);
                found |= self.lexicon.get(span_key(&buf, 0, n)).flags;
            }
            for k in 0..n {
                buf[..k].copy_from_slice(&word[..k]);
                buf[k..n - 1].copy_from_slice(&word[k + 1..]);
                found |= self.lexicon.get(span_key(&buf, 0, n - 1)).flags;
            }
            t.flags |= found & (MEDICATION | CONDITION);
        }
    }

    /// The table slot of `key`, through the cache of recent lookups.
    fn get(&self, recent: &mut [Slot], key: u64) -> Slot {
        let seen = &mut recent[(key >> 52) as usize & (CACHED - 1)];
        if seen.key != key {
            *seen = Slot {
                key,
                ..self.lexicon.get(key)
            };
        }
        *seen
    }

    /// Finds the multi-word entries that start at the word `t`: every text up to a word
    /// boundary that is one, until a text no entry starts with. The longest goes into `t`.
    fn follow_phrases(
        &self,
        bytes: &[u8],
        t: &mut Token,
        recent: &mut [Slot],
        cues: &mut Vec<(usize, u32)>,
    ) {
        for end in t.end + 1..=bytes.len() {
            if end < bytes.len() && is_alnum(bytes[end]) {
                continue;
            }
            let slot = self.get(recent, span_key(bytes, t.start, end));
            let f = slot.phrase;
            if f != 0 && end >= t.phrase_end {
                t.phrase_end = end;
                t.phrase_flags = f;
            }
            if f & CUES != 0 {
                cues.push((end, f & CUES));
            }
            if slot.flags & PHRASE_START == 0 {
                break;
            }
        }
    }

    /// A street address ending at the street suffix `tokens[i]`: a house number at most
    /// MAX_STREET_WORDS words before it, with no ordinary small word between.
    fn street_address(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let street = &tokens[i];
        if (street.flags | street.phrase_flags) & STREET_ALONE != 0 {
            if let Some(found) = self.street_alone(text, tokens, keys, i, case) {
                return Some(found);
            }
        }
        if street.flags & STREET == 0 {
            return self.street_first(text, tokens, i, case);
        }
        let lowest = i.saturating_sub(MAX_STREET_WORDS + 1);
        let mut k = i;
        while k > lowest {
            k -= 1;
            let t = &tokens[k];
            if house_number(&text[t.start..t.end]) {
                if k + 1 == i {
                    return None;
                }
                return Some((
                    number_start(text, tokens, k),
                    self.address_end(text, tokens, i),
                ));
            }
            // A one-letter street name in capitals ("1400 A Street", "21 A Clinton Street").
            let letter = t.end - t.start == 1 && t.capital && case == Case::Mixed;
            // "# 800 called Civic Plaza": a word that introduces a person ends the street.
            let person_cue = t.flags & (PERSON_STRONG_CUE | PERSON_RELATION | PERSON_CUE) != 0;
            if t.flags & NOT_STREET != 0 && !letter
                || person_cue
                || t.end + MAX_GAP < tokens[k + 1].start
            {
                return None;
            }
        }
        None
    }

    /// "3900 Broadway", "845 El Camino Real": a house number right before a street that
    /// needs no suffix.
    fn street_alone(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let t = &tokens[i];
        // A direction may stand between ("555 East El Camino Real").
        let direction = i
            .checked_sub(1)
            .is_some_and(|k| tokens[k].flags & AFTER_STREET != 0 && adjacent(&tokens[k], t));
        let at = i.checked_sub(1 + usize::from(direction))?;
        let number = &tokens[at];
        let last = if t.phrase_flags & STREET_ALONE != 0 {
            tokens.partition_point(|n| n.start < t.phrase_end) - 1
        } else {
            i
        };
        // "1355 broadway": lowercase, after a number of three digits or more with no count
        // after the street ("2 broadway shows").
        let lowercase =
            number.end - number.start >= 3 && !self.counted_after(text, tokens, keys, last);
        if !house_number(&text[number.start..number.end])
            || !adjacent(number, &tokens[at + 1])
            || !(proper(t, case, true) || lowercase)
        {
            return None;
        }
        Some((
            number_start(text, tokens, at),
            self.address_end(text, tokens, last),
        ))
    }
}

impl Dictionaries {
    /// "1 Rue Bayard", "7425 Camino Colegio": a house number, a street word that comes
    /// first, then up to MAX_STREET_WORDS proper words; or the number after the name
    /// ("Rua Domingos Ferreira, 71").
    fn street_first(
        &self,
        text: &str,
        tokens: &[Token],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let number = i
            .checked_sub(1)
            .map(|k| &tokens[k])
            .filter(|n| house_number(&text[n.start..n.end]) && adjacent(n, &tokens[i]));
        let mut last = i;
        while last < i + MAX_STREET_WORDS {
            let Some(n) = tokens.get(last + 1) else { break };
            let listed = n.flags & (NAME | CITY) != 0 || n.flags & WORD == 0;
            let particle = n.flags & PARTICLE != 0;
            if !adjacent(&tokens[last], n)
                || n.flags & NOT_STREET != 0 && !particle
                || !(particle || proper(n, case, listed))
            {
                break;
            }
            last += 1;
        }
        while last > i && tokens[last].flags & PARTICLE != 0 {
            last -= 1;
        }
        if last == i {
            return None;
        }
        if number.is_some() {
            let start = number_start(text, tokens, i - 1);
            return Some((start, self.address_end(text, tokens, last)));
        }
        // The number after the name, in text with case, the street word capitalized.
        let n = tokens.get(last + 1)?;
        let after = matches!(&text[tokens[last].end..n.start], ", " | " ");
        let shaped = case == Case::Mixed && tokens[i].capital && after;
        // "Via Roma, 12 people": a count, not a house number.
        let counted = tokens
            .get(last + 2)
            .is_some_and(|m| &text[n.end..m.start] == " " && !m.capital);
        (shaped && !counted && house_number(&text[n.start..n.end]))
            .then(|| (tokens[i].start, n.end))
    }

    /// "Hauptstraße 5", "the address is 1 Lower Buitengracht": an address that the suffix
    /// rules do not read, found from its house number at `tokens[i]`, with its town, region
    /// and postcode; and its score. The street before its number outranks a place cue's
    /// reading of the street's name as a town; a number after a cue yields to a street
    /// suffix. Kept out of line: numbers are common, such streets rare.
    #[inline(never)]
    fn numbered_street(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize, f32)> {
        let (start, end, score) = self
            .street_before_number(text, tokens, keys, i, case)
            .map(|(s, e)| (s, e, SCORE_CUED))
            .or_else(|| {
                self.cued_house_number(text, tokens, keys, i, case)
                    .map(|(s, e)| (s, e, SCORE_ADDRESS))
            })?;
        let whole = area_tail(text, tokens, end, case, true);
        Some((start, whole, if whole > end { SCORE_CUED } else { score }))
    }

    /// "Hauptstraße 5", "Berliner Straße 12": a house number after its street, in text with
    /// case. A street of one word needs an ending of street_endings and no English reading
    /// ("Brigade 5" is none); a street word needs capitalized name words before it. No
    /// count may follow the number ("Main Street 3 times").
    fn street_before_number(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let n = &tokens[i];
        let k = i.checked_sub(1)?;
        let s = &tokens[k];
        if case != Case::Mixed
            || !s.capital
            || s.digit
            || !house_number(&text[n.start..n.end])
            || &text[s.end..n.start] != " "
        {
            return None;
        }
        let word = &text.as_bytes()[s.start..s.end];
        // A word that any list holds is no street written as one word ("Cymbalta 60").
        let compound = s.flags & (WORD | NAME | CITY | CONDITION | MEDICATION) == 0
            && self.street_endings.iter().any(|e| {
                word.len() >= e.len() + 3
                    && word[word.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
            });
        let first = if compound {
            k
        } else if s.flags & STREET != 0 {
            name_words_before(text, tokens, k)
        } else if s.flags & (WORD | NAME | CONDITION | MEDICATION) == 0 {
            // "Alt-Moabit 99, 10559": a street of any name, when a postcode follows.
            let end = postcode_after_number(text, tokens, i)?;
            return Some((tokens[hyphened_start(text, tokens, k)].start, end));
        } else {
            return None;
        };
        // "12 Oak Street 5 ...": the number before the street is the house number.
        let numbered = first
            .checked_sub(1)
            .is_some_and(|p| house_number(&text[tokens[p].start..tokens[p].end]));
        // "Main Street 3 times", "Oak Road 5 minutes".
        let found =
            (compound || first < k) && !numbered && !self.counted_after(text, tokens, keys, i);
        found.then(|| (tokens[first].start, self.address_end(text, tokens, i)))
    }

    /// "Flat 8D, Palm Grove, Nehru Road, Whitefield, Bengaluru", "C-959, Prestige Towers,
    /// Mylapore, Chennai - 600004": a unit and its number, then parts after commas up to a
    /// listed town or a six-digit PIN, as Indian and British addresses are written. The unit
    /// is a unit word ("flat", "house no."), "no." alone, or a block letter ("B-908"); the
    /// town or PIN must come within a few parts, so that a count or a list ("unit 2, page
    /// 5") is no address. Needs no cue and no case: clinical notes write these in capitals.
    /// The addresses that a number starts or ends, found apart from the loop over words:
    /// numbers are many, addresses few.
    #[inline(never)]
    fn addresses_at_number(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
        emit: &mut impl FnMut(usize, usize, &Arc<str>, f32),
    ) {
        let t = &tokens[i];
        // Both street rules need case and a capital before or after the number.
        // "my address is House no 45": the cue is two words back.
        let street_number = case == Case::Mixed
            && (i > 0 && tokens[i - 1].capital
                || t.cued & PLACE_STRONG_CUE != 0
                || i > 1 && tokens[i - 2].cued & PLACE_STRONG_CUE != 0);
        if street_number {
            if let Some((start, end, score)) = self.numbered_street(text, tokens, keys, i, case) {
                emit(start, end, &self.address, score);
            }
        }
        if i > 0 && self.may_follow_unit(tokens, keys, i) {
            if let Some((start, end)) = self.unit_address(text, tokens, keys, i, case) {
                // As sure as a cued address: it runs to a listed town or a PIN. Of equal
                // scores the longer wins, so the unit stays with its number ("FLAT 10B, ...").
                emit(start, end, &self.address, SCORE_CUED);
            }
        }
    }

    /// Whether the word before the number at `tokens[i]` may be a unit ("flat", "no", the
    /// "B" of "B-908"): a filter on its key's low bits, so that most numbers ("$42.50",
    /// "order 778812") cost a few instructions.
    fn may_follow_unit(&self, tokens: &[Token], keys: &[u64], i: usize) -> bool {
        let p = &tokens[i - 1];
        !p.digit
            && tokens[i].start - p.end <= 2
            && (p.end - p.start == 1 || self.unit_filter >> (keys[i - 1] & 63) & 1 != 0)
    }

    fn unit_address(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let n = &tokens[i];
        let p = tokens.get(i.checked_sub(1)?)?;
        // Most numbers follow another number or no word right before them ("$42.50").
        if p.digit || n.start - p.end > 2 || !house_number(&text[n.start..n.end]) {
            return None;
        }
        let gap = |a: &Token, b: &Token| &text[a.end..b.start];
        let is_unit = |u: usize| self.unit_words.binary_search(&keys[u]).is_ok();
        let is_no = |u: usize| self.unit_numbers.binary_search(&keys[u]).is_ok();
        let start = match gap(p, n) {
            " " if is_unit(i - 1) => p.start,
            " " | "." | ". " | ": " if is_no(i - 1) => match i.checked_sub(2) {
                Some(u) if is_unit(u) && matches!(gap(&tokens[u], p), " " | ".") => tokens[u].start,
                // "No. 9" alone: after an address cue or at the start of a part, not after
                // a word it numbers ("order no. 5").
                Some(u) if gap(&tokens[u], p) == " " && p.cued & PLACE_STRONG_CUE == 0 => {
                    return None
                }
                _ => p.start,
            },
            "-" if p.end - p.start == 1 && !p.digit => p.start,
            _ => return None,
        };
        let mut k = i + 1;
        if tokens.get(k).is_none_or(|t| gap(n, t) != ", ") {
            return None;
        }
        // A town spelt like a word ("Page", "Holly") only when capitalized in text with case.
        let town = |t: &Token| {
            t.flags & NEVER_ALONE == 0 && (t.flags & WORD == 0 || case == Case::Mixed && t.capital)
        };
        for _ in 0..MAX_UNIT_ADDRESS_PARTS {
            let first = k;
            loop {
                let t = tokens.get(k)?;
                if t.phrase_flags & CITY != 0 {
                    let end = t.phrase_end;
                    return Some((start, area_tail(text, tokens, end, case, true)));
                }
                if t.flags & CITY != 0 && town(t) {
                    return Some((start, area_tail(text, tokens, t.end, case, true)));
                }
                if postcode(text, t) && t.end - t.start == 6 {
                    return Some((start, t.end));
                }
                // The parts of an address are names and numbers, not a clause ("room 5, then
                // we went to Paris").
                let part_word = match case {
                    Case::Mixed => t.capital || t.digit,
                    Case::None => t.flags & CUES == 0,
                };
                if !part_word {
                    return None;
                }
                let next = tokens.get(k + 1)?;
                k += 1;
                match gap(t, next) {
                    " " | "-" | ". " if k - first < MAX_UNIT_ADDRESS_PART_WORDS => {}
                    ", " | " - " => break,
                    _ => return None,
                }
            }
        }
        None
    }

    /// "the address is 1 Lower Buitengracht": after a strong place cue, a house number and
    /// capitalized words are an address even when no street word of the lists ends them.
    fn cued_house_number(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, usize)> {
        let n = &tokens[i];
        // The cue may stand before a unit whose number this is ("my address is Flat 402",
        // "House no 45", "Plot No. 7").
        let cued_unit = |u: usize| {
            tokens[u].cued & PLACE_STRONG_CUE != 0
                && self.unit_words.binary_search(&keys[u]).is_ok()
        };
        let unit = i
            .checked_sub(1)
            .filter(|&u| cued_unit(u) && &text[tokens[u].end..n.start] == " ")
            .or_else(|| {
                let u = i.checked_sub(2)?;
                let no = &tokens[u + 1];
                let numbered = matches!(&text[tokens[u].end..no.start], " " | ".")
                    && self.unit_numbers.binary_search(&keys[u + 1]).is_ok()
                    && matches!(&text[no.end..n.start], " " | ". " | "." | ": ");
                (cued_unit(u) && numbered).then_some(u)
            });
        if case != Case::Mixed
            || n.cued & PLACE_STRONG_CUE == 0 && unit.is_none()
            || !house_number(&text[n.start..n.end])
        {
            return None;
        }
        // Capitalized words, in parts after commas ("22, Gandhi Nagar", "402, Sunshine
        // Apartments, Andheri West"); ordinals name roads ("2nd Cross"); a town of several
        // words whole ("Cape Town Road"). After a comma, a given name before a lowercase
        // word starts the next clause ("..., John said").
        let mut last = i;
        while last < i + MAX_CUED_ADDRESS_WORDS {
            let Some(m) = tokens.get(last + 1) else { break };
            let gap = &text[tokens[last].end..m.start];
            let comma = gap == ", ";
            let ordinal = m.digit && is_ordinal(&text[m.start..m.end]);
            // The word right after, and whether it is capitalized.
            let next_capital = tokens
                .get(last + 2)
                .filter(|w| adjacent(m, w))
                .map(|w| w.capital);
            let clause = m.flags & GIVEN != 0 && next_capital == Some(false);
            // The number of a named part ("Sector 15", "Phase 2") belongs to it.
            let part_number = m.digit
                && gap == " "
                && tokens[last].capital
                && !tokens[last].digit
                && m.end - m.start <= 4;
            if !(gap == " " || comma) || !(m.capital || ordinal || part_number) || comma && clause {
                break;
            }
            // After a comma, the address's tail takes a town with its region and postcode;
            // a listed town that capitalized words go on after is a name ("Sunshine
            // Apartments").
            let named = next_capital == Some(true);
            if comma && (m.phrase_flags & CITY != 0 || m.flags & CITY != 0 && !named) {
                break;
            }
            if m.phrase_flags & CITY != 0 {
                last = tokens.partition_point(|t| t.start < m.phrase_end) - 1;
                continue;
            }
            if m.digit && !ordinal && !part_number
                || m.flags & (NOT_STREET | CUES | NEVER_ALONE) != 0
            {
                break;
            }
            last += 1;
        }
        (last > i).then(|| {
            let start = unit.map_or_else(|| number_start(text, tokens, i), |u| tokens[u].start);
            (start, self.address_end(text, tokens, last))
        })
    }

    /// "on Victoria Street", "down Oxford Road": capitalized name words before a capitalized
    /// street word of named_street_words, in text with case, with no house number: where
    /// the street starts.
    #[inline(never)]
    fn named_street(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<usize> {
        let t = &tokens[i];
        if case != Case::Mixed
            || !t.capital
            || t.flags & STREET == 0
            || self.named_street_words.binary_search(&keys[i]).is_err()
        {
            return None;
        }
        let first = name_words_before(text, tokens, i);
        (first < i).then(|| tokens[first].start)
    }

    /// Where a place starting at `tokens[i]` and ending at byte `end` ends with a word of
    /// place_suffixes after it ("Suisun City").
    fn place_suffix(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        end: usize,
        case: Case,
    ) -> usize {
        match next_word_in(text, tokens, keys, i, end, &self.place_suffixes) {
            Some(k) if proper(&tokens[k], case, true) => tokens[k].end,
            _ => end,
        }
    }

    /// Whether the facility ending at `tokens[i]` and starting at byte `start` names a place:
    /// always, unless its facility word is one of venue_words, which needs a destination
    /// cue before the name ("a ride to Kaufmann Concert Hall", not "the show is at the
    /// Mojo Theatre").
    #[inline(never)]
    fn venue_placed(
        &self,
        text: &str,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        start: usize,
    ) -> bool {
        let is_in = |k: usize, set: &[u64]| set.binary_search(&keys[k]).is_ok();
        if tokens[i].phrase_flags & FACILITY != 0 || !is_in(i, &self.venue_words) {
            return true;
        }
        let first = tokens.partition_point(|t| t.start < start);
        let mut k = first;
        // "to the 9/11 Tribute Museum": an article and a number may stand between.
        while k > 0 && k + 3 > first {
            k -= 1;
            if is_in(k, &self.destination_cues) {
                return true;
            }
            let skippable =
                tokens[k].digit || text[tokens[k].start..tokens[k].end].eq_ignore_ascii_case("the");
            if !skippable {
                return false;
            }
        }
        false
    }

    /// "lives w sister ananya in cork": in text without case, a listed city that is also an
    /// English word, after a place cue, in a sentence that says where someone lives.
    #[inline(never)]
    fn residence_place(
        &self,
        tokens: &[Token],
        keys: &[u64],
        i: usize,
        case: Case,
    ) -> Option<(usize, f32)> {
        let t = &tokens[i];
        if case != Case::None
            || t.flags & CITY == 0
            || t.flags & NEVER_ALONE != 0
            || t.cued & PLACE_CUE == 0
        {
            return None;
        }
        let mut k = i;
        while k + MAX_RESIDENCE_WORDS > i && tokens[k].mid_sentence {
            k -= 1;
            if self.residence_words.binary_search(&keys[k]).is_ok() {
                return Some((t.end, SCORE_PAIR));
            }
        }
        None
    }

    /// Whether a count follows `tokens[i]`: a word of counts or a lowercase plural one space
    /// after it ("3 times", "5 minutes", "2 broadway shows").
    fn counted_after(&self, text: &str, tokens: &[Token], keys: &[u64], i: usize) -> bool {
        tokens.get(i + 1).is_some_and(|m| {
            let w = &text[m.start..m.end];
            let plural = w.len() > 3 && w.ends_with('s') && !w.ends_with("ss");
            &text[tokens[i].end..m.start] == " "
                && !m.capital
                && (plural && m.flags & NOT_STREET == 0
                    || self.counts.binary_search(&keys[i + 1]).is_ok())
        })
    }

    /// Whether a condition found as `hit` starts with an inability or difficulty phrase
    /// ("could not sleep"), whose clause is the condition.
    #[inline(never)]
    fn opens_clause(&self, hit: &str) -> bool {
        let hit = hit.as_bytes();
        self.clause_openers.iter().any(|o| {
            hit.len() >= o.len()
                && hit.get(o.len()).is_none_or(|&b| b == b' ')
                && hit[..o.len()].eq_ignore_ascii_case(o.as_bytes())
        })
    }

    /// The end of the clause that goes on at `end`: the words after it up to punctuation or
    /// a word of clause_ends, at most MAX_CLAUSE_WORDS ("could not sleep at all, ...").
    #[inline(never)]
    fn clause_end(&self, text: &str, tokens: &[Token], keys: &[u64], mut end: usize) -> usize {
        let mut k = tokens.partition_point(|t| t.start < end);
        let mut words = 0;
        while let Some(n) = tokens.get(k) {
            let gap = &text[end..n.start];
            let joined = if n.clitic { gap == "'" } else { gap == " " };
            if !joined
                || words == MAX_CLAUSE_WORDS
                || self.clause_ends.binary_search(&keys[k]).is_ok()
            {
                break;
            }
            words += usize::from(!n.clitic);
            end = n.end;
            k += 1;
        }
        end
    }

    /// Where an address whose street ends with `tokens[last]` ends: a period, a direction
    /// ("Drive East") and a unit ("Apt 4B") are part of it.
    fn address_end(&self, text: &str, tokens: &[Token], mut last: usize) -> usize {
        if let Some(n) = tokens.get(last + 1) {
            if n.flags & AFTER_STREET != 0 && n.start - tokens[last].end == 1 {
                last += 1;
            }
        }
        let mut end = tokens[last].end;
        // The period of "St."; after a unit letter ("Circle B.") it ends the sentence.
        if text.as_bytes().get(end) == Some(&b'.') && end - tokens[last].start > 1 {
            end += 1;
        }
        if let Some(m) = self.unit.find(&text[end..]) {
            // The unit may end at a clause's punctuation, which stays outside.
            end += m
                .as_str()
                .trim_end_matches([',', ';', '!', '?', ')', ' '])
                .len();
        }
        end
    }
}

/// The word one space after byte `end` when it is one of `words` (the sorted keys of a
/// list, see key_set).
fn next_word_in(
    text: &str,
    tokens: &[Token],
    keys: &[u64],
    from: usize,
    end: usize,
    words: &[u64],
) -> Option<usize> {
    // Most places and conditions end a clause or go on after punctuation: no search then.
    let bytes = text.as_bytes();
    if bytes.get(end) != Some(&b' ') || !bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    // The word is a few after `tokens[from]`, where the place or condition starts.
    let k = from + tokens[from..].iter().position(|t| t.start > end)?;
    (tokens[k].start == end + 1 && words.binary_search(&keys[k]).is_ok()).then_some(k)
}

/// The sorted keys of the words of a list, to look a token up by its key.
fn key_set<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Vec<u64> {
    let mut keys: Vec<u64> = words
        .into_iter()
        .map(|w| span_key(w.as_ref().as_bytes(), 0, w.as_ref().len()))
        .collect();
    keys.sort_unstable();
    keys
}

/// The first of the capitalized name words right before `tokens[k]` (at most
/// MAX_STREET_WORDS, one space apart, none a small word or cue, none an English word that
/// only starts a sentence), or `k` when there is none.
fn name_words_before(text: &str, tokens: &[Token], k: usize) -> usize {
    let mut first = k;
    while first + MAX_STREET_WORDS > k {
        let Some(p) = first.checked_sub(1).map(|j| &tokens[j]) else {
            break;
        };
        let opener = !p.mid_sentence && p.flags & WORD != 0 && p.flags & (NAME | CITY) == 0;
        // Words of a name are joined by a space or a hyphen ("Karl-Marx-Allee").
        if !matches!(&text[p.end..tokens[first].start], " " | "-")
            || !p.capital
            || p.digit
            || opener
            || p.flags & (NOT_STREET | CUES | NEVER_ALONE) != 0
        {
            break;
        }
        first -= 1;
    }
    first
}

/// Where the house number at `tokens[k]` starts, with the parts joined to it.
fn number_start(text: &str, tokens: &[Token], k: usize) -> usize {
    // Parts joined by a hyphen or a slash: "631-635 George Street", "14/2 MG Road", and the
    // three parts of Indian house numbers ("12-2-417").
    let mut first = k;
    while first + 2 > k {
        let Some(p) = first.checked_sub(1).map(|j| &tokens[j]) else {
            break;
        };
        if !matches!(&text[p.end..tokens[first].start], "-" | "/")
            || !house_number(&text[p.start..p.end])
        {
            break;
        }
        first -= 1;
    }
    tokens[first].start
}

/// "2nd", "21st", "8th": an ordinal, as roads are named.
fn is_ordinal(word: &str) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && ["st", "nd", "rd", "th"]
            .iter()
            .any(|suffix| word[digits..].eq_ignore_ascii_case(suffix))
}

/// "12", "12B", "1-3" but not the ordinal "8th" of "8th Avenue".
fn house_number(word: &str) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && word.len() - digits <= 1
}

/// The end of a German postcode after the house number at `tokens[i]` (or its second part,
/// "4-5"): five digits after a comma or a space, then the end of the text, punctuation or
/// a capitalized town ("Alt-Moabit 99, 10559 Berlin").
fn postcode_after_number(text: &str, tokens: &[Token], i: usize) -> Option<usize> {
    let second = tokens.get(i + 1).filter(|t| {
        t.digit
            && matches!(&text[tokens[i].end..t.start], "-" | "/")
            && house_number(&text[t.start..t.end])
    });
    let last = if second.is_some() { i + 1 } else { i };
    let p = tokens.get(last + 1)?;
    let gap = &text[tokens[last].end..p.start];
    let five = postcode(text, p) && p.end - p.start == 5;
    let then = tokens.get(last + 2);
    let ends = then.is_none_or(|t| t.capital || text[p.end..t.start].trim() != "");
    (five && matches!(gap, ", " | " ") && ends).then_some(p.end)
}

/// The first word of hyphen-joined capitalized words that end at `tokens[k]` ("Alt" of
/// "Alt-Moabit").
fn hyphened_start(text: &str, tokens: &[Token], mut k: usize) -> usize {
    while k > 0 && tokens[k - 1].capital && &text[tokens[k - 1].end..tokens[k].start] == "-" {
        k -= 1;
    }
    k
}

/// Evidence that a word reads as a proper name here: capitalized in text that has case,
/// or listed (`listed`) in text without case.
fn proper(t: &Token, case: Case, listed: bool) -> bool {
    match case {
        Case::Mixed => t.capital,
        Case::None => listed,
    }
}

fn adjacent(a: &Token, b: &Token) -> bool {
    b.start - a.end <= MAX_GAP
}

/// Where the name of a facility ending in a facility word at `tokens[i]` starts: the run
/// of proper words before it ("Apollo Hospital", "St Mary's Hospital").
fn facility_start(text: &str, tokens: &[Token], i: usize, case: Case) -> Option<usize> {
    let mut k = i;
    let mut named = false;
    // A generic facility word ("centre") in text without case needs a listed name before it.
    let generic = case == Case::None && tokens[i].flags & FACILITY_NAME != 0;
    // In capitals (a nursing note), words of facility names make a name ("ADMITTED FROM
    // MERCY MEDICAL CENTER"): such notes name the places patients come from, while "the
    // general hospital" of lowercase chat is any one.
    let shouted = case == Case::None && tokens[i].capital;
    let lowest = i.saturating_sub(MAX_STREET_WORDS);
    while k > lowest {
        let prev = &tokens[k - 1];
        if prev.clitic && k >= 2 {
            // The "s" of "St. Mary's Hospital".
            k -= 1;
            continue;
        }
        let listed = prev.flags & (NAME | CITY | FACILITY_NAME) != 0 || prev.flags & WORD == 0;
        // People type names of places in lowercase too ("o'hare international airport"):
        // in text with case a lowercase word is taken when a list knows it as a name and
        // English does not, or as a word of facility names.
        let lowercase_name = prev.flags & (NAME | CITY | PLACE_CODE) != 0 && prev.flags & WORD == 0;
        let lowercase = case == Case::Mixed
            && !prev.capital
            && (lowercase_name || prev.flags & FACILITY_NAME != 0);
        // No comma or sentence break inside the name ("Music, Theater", "good. What
        // theatre"), but the period of "St." and "Mt.".
        let gap = &text[prev.end..tokens[k].start];
        let joined = !gap.contains(',') && (!gap.contains('.') || prev.flags & FACILITY_NAME != 0);
        // A capital that only starts a sentence says nothing ("What theatre").
        let opener = !prev.mid_sentence && prev.flags & WORD != 0 && prev.flags & NAME == 0;
        let ok = adjacent(prev, &tokens[k])
            && joined
            && !opener
            && prev.flags & (NOT_STREET | CUES) == 0
            && !prev.digit
            && (proper(prev, case, listed) || lowercase);
        if !ok {
            break;
        }
        k -= 1;
        let listed_name = prev.flags & (NAME | CITY) != 0 && prev.flags & WORD == 0;
        if prev.flags & FACILITY_NAME == 0 && (!lowercase || lowercase_name) && !generic
            || generic && listed_name
            || shouted && prev.flags & FACILITY_NAME != 0
            || case == Case::Mixed && prev.capital
        {
            named = true;
        }
    }
    named.then(|| tokens[k].start)
}

/// A city (or county) starting at `tokens[i]`, with the end of its span and the score.
fn place(text: &str, tokens: &[Token], i: usize, case: Case) -> Option<(usize, f32)> {
    let t = &tokens[i];
    let (end, f, phrase) = if t.phrase_flags & CITY != 0 {
        (t.phrase_end, t.phrase_flags, true)
    } else if t.flags & CITY != 0 {
        (t.end, t.flags, false)
    } else if (t.flags | t.phrase_flags) & CITY_SHORT != 0 && t.capital && case == Case::Mixed {
        let end = if t.phrase_flags & CITY_SHORT != 0 {
            t.phrase_end
        } else {
            t.end
        };
        return Some((end, SCORE_ALONE));
    } else if let Some(found) = prefixed_place(tokens, i, case) {
        return Some(found);
    } else if t.flags & PLACE_CODE != 0 {
        // "ORD-2026-740260": part of an identifier, not an airport.
        let joined = |at: Option<&u8>| at.is_some_and(|&b| matches!(b, b'-' | b'_' | b'/'));
        let bytes = text.as_bytes();
        if joined(bytes.get(t.end)) && bytes.get(t.end + 1).is_some_and(u8::is_ascii_digit)
            || t.start > 0 && joined(bytes.get(t.start - 1))
        {
            return None;
        }
        let cued = t.cued & (PLACE_CUE | PLACE_STRONG_CUE) != 0;
        let fires = match case {
            Case::Mixed => all_capitals(text, t),
            Case::None => cued,
        };
        return fires.then_some((t.end, SCORE_ALONE));
    } else if t.cued & PLACE_STRONG_CUE != 0
        && case == Case::Mixed
        && t.capital
        && t.flags & (WORD | NEVER_ALONE) == 0
    {
        // "I live in Xyzville": a capitalized unknown word after a strong place cue.
        return Some((t.end, SCORE_CUED));
    } else if t.cued & PLACE_STRONG_CUE != 0
        && case == Case::None
        && t.flags & (WORD | NAME | NEVER_ALONE | CUES) == 0
        && !t.digit
        && t.end - t.start > MIN_UNKNOWN
        && !inflected(t, text)
    {
        // "i live in koramangala": in text without case, an unknown word no list holds
        // and that reads as no English word.
        return Some((t.end, SCORE_CUED));
    } else if t.cued & PLACE_CUE != 0
        && case == Case::Mixed
        && t.capital
        && t.mid_sentence
        && t.flags & (WORD | NAME | NEVER_ALONE | CUES) == 0
        && !t.digit
        && t.end - t.start > MIN_UNKNOWN
        && !tokens
            .get(i + 1)
            .is_some_and(|n| adjacent(t, n) && n.capital)
        // "from SSRIs", "from Googleing": an acronym or an inflected word, not a town.
        && !text[t.start + 1..t.end].bytes().any(|b| b.is_ascii_uppercase())
        && !inflected(t, text)
    {
        // "the weather in Montara": one capitalized word no list knows, after a place cue.
        return Some((t.end, SCORE_WEAK));
    } else if t.cued & PLACE_CUE != 0
        && case == Case::None
        && t.flags & (WORD | NAME | NEVER_ALONE | CUES) == 0
        && !t.digit
        && t.end - t.start >= MIN_UNKNOWN_PLACE
        && !t.apostrophe
        && !inflected(t, text)
    {
        // "THE PHARMACY IN VELACHERY", "called from hadapsar": in text without case, a
        // word no list holds and that reads as no English word, after a place cue. Longer
        // than the abbreviations of wards that follow the same cues ("TO PACU", "IN NICU").
        return Some((t.end, SCORE_WEAK));
    } else {
        return None;
    };
    // Months, weekdays and the like share names with towns ("March", "Nov"); after a cue
    // ("from Nov 5", "moved to March 4") they are dates, not places.
    if !phrase && f & NEVER_ALONE != 0 {
        return None;
    }
    if t.cued & PLACE_STRONG_CUE != 0 {
        return Some((end, SCORE_CUED));
    }
    let word = !phrase && f & WORD != 0;
    if t.cued & PLACE_CUE != 0 && (proper(t, case, !word) || phrase || !word) {
        return Some((end, SCORE_PAIR));
    }
    let named = !phrase && f & (GIVEN | NEVER_ALONE) != 0;
    if case == Case::Mixed && t.capital && !word && !named {
        return Some((end, SCORE_ALONE));
    }
    // "Sydney, Australia": a region after it makes a place of a city spelt like a name.
    let regioned = area_tail(text, tokens, end, case, false) > end;
    (regioned && proper(t, case, !word)).then_some((end, SCORE_PAIR))
}

/// A person's name around `tokens[i]`: the first and last word of it and the score.
fn person(text: &str, tokens: &[Token], i: usize, case: Case) -> Option<(usize, usize, f32)> {
    let t = &tokens[i];
    if t.digit || t.apostrophe && tokens.get(i + 1).is_some_and(|n| n.clitic && !is_s(n)) {
        // "Don't", "I'll": a contraction, not a name.
        return None;
    }
    let never = t.flags & NEVER_ALONE != 0;
    let word = t.flags & WORD != 0;
    let given = t.flags & GIVEN != 0;
    let named = t.flags & NAME != 0;
    let everyday = t.flags & EVERYDAY != 0;
    let capital = t.capital && case == Case::Mixed;
    let len = t.end - t.start;
    // An unlisted word taken as a name on a cue alone: no English word, no cue word itself.
    let unknown = !word && !named && t.flags & (CUES | NEVER_ALONE) == 0 && len >= MIN_UNKNOWN;
    // In text without case an unknown word must not look like an inflected English word
    // either ("PT AMBULATED", "PT TOLERATED"): names seldom end so.
    let unknown = unknown && (case == Case::Mixed || !inflected(&tokens[i], text));
    // "my name is grace" (end of message) but not "hi will you": an everyday name after a
    // strong cue counts in text without case when no ordinary word follows it.
    let alone_or_named = tokens.get(i + 1).is_none_or(|n| {
        !adjacent(t, n) || n.flags & WORD == 0 || n.flags & SURNAME != 0 && n.flags & EVERYDAY == 0
    });
    let place_cued = t.cued & (PLACE_CUE | PLACE_STRONG_CUE) != 0 && t.flags & CITY != 0;
    let next = tokens.get(i + 1).filter(|n| adjacent(t, n));
    // After a capitalized English word: a title's words ("A Faithful Man"), where a
    // surname before a given name ("Auer Patience") is no English word.
    let titled = t.mid_sentence
        && i.checked_sub(1).is_some_and(|k| {
            let p = &tokens[k];
            p.capital && p.flags & WORD != 0 && adjacent(p, t)
        });
    let pair = given && !never && next.is_some_and(|n| surname_after(t, n, case));
    // Right after a title or another strong cue, a name may have two letters ("Dr. Xu",
    // "DR VO"), which the lists leave out.
    let short = len == 2 && !word && !named && t.flags & (CUES | NEVER_ALONE) == 0;
    let strong_cued = t.cued & PERSON_STRONG_CUE != 0
        && match case {
            Case::Mixed => capital && (named || unknown || short),
            Case::None => {
                named && (!word || given && (!everyday || alone_or_named)) || unknown || short
            }
        };
    // Right after kin ("SISTER MARK", "my friend hope").
    let kin = i
        .checked_sub(1)
        .is_some_and(|k| tokens[k].flags & KIN != 0 && adjacent(&tokens[k], t));
    let relation_cued = t.cued & PERSON_RELATION != 0
        && match case {
            Case::Mixed => capital && (given || named && !word || unknown) || given && !word,
            Case::None => {
                named && (!word || given && (!everyday || kin && t.flags & AUXILIARY == 0))
                    || unknown && len > MIN_UNKNOWN
            }
        };
    let score = if never {
        return None;
    } else if strong_cued || relation_cued {
        SCORE_CUED
    } else if pair && proper(t, case, true) {
        SCORE_PAIR
    } else if !given || place_cued {
        return None;
    } else if !word {
        // A listed given name that is no English word: a name wherever it stands, unless
        // lowercase in text that has case and nothing supports it.
        if case == Case::Mixed && !t.capital && t.cued & PERSON_CUE == 0 {
            return None;
        }
        SCORE_ALONE
    } else if capital
        && (t.cued & PERSON_CUE != 0
            || t.mid_sentence && !everyday && !next.is_some_and(|n| n.capital) && !titled)
    {
        // "Will", "Grace": capitalized inside a sentence, or after a cue; not in a title.
        SCORE_WEAK
    } else {
        return None;
    };
    let mut last = i;
    while last < i + 1 + MAX_NAME_EXTRA {
        let (cur, Some(n)) = (&tokens[last], tokens.get(last + 1)) else {
            break;
        };
        // A middle initial ("Adam E. Pollock").
        let initial = n.end - n.start == 1
            && n.capital
            && tokens.get(last + 2).is_some_and(|m| adjacent(n, m));
        // After a cue the surname may be one no list knows ("my name is ananya adeyemi",
        // "NIECE MEI XU").
        let unknown_surname = score == SCORE_CUED
            && &text[cur.end..n.start] == " "
            && n.flags & (WORD | NEVER_ALONE | CUES) == 0
            && !n.digit
            && n.end - n.start >= 2
            && proper(n, case, true);
        if !adjacent(cur, n)
            || !(initial
                || unknown_surname
                || hyphened(text, cur, n)
                || surname_after(cur, n, case))
        {
            break;
        }
        last += 1;
    }
    if tokens[last].end - tokens[last].start == 1 {
        // A trailing initial without a surname after it is no part of the name.
        last -= 1;
    }
    let mut first = i;
    if let Some(p) = i.checked_sub(1).map(|k| &tokens[k]) {
        let surname_first = p.flags & SURNAME != 0
            && p.flags & (WORD | NEVER_ALONE | CUES) == 0
            && proper(p, case, true)
            && adjacent(p, t);
        if surname_first || hyphened(text, p, t) {
            first -= 1;
        }
    }
    Some((first, last, score))
}

/// The part of a name after a hyphen ("MIN-JI", "Al-Sayed", "Smith-Jones"): a short part,
/// or one that is no English word ("well-known" is none).
fn hyphened(text: &str, a: &Token, b: &Token) -> bool {
    let part = |t: &Token| {
        !t.digit
            && t.flags & (CUES | CONDITION | MEDICATION) == 0
            && (t.end - t.start <= 3 || t.flags & WORD == 0)
    };
    &text[a.end..b.start] == "-" && part(a) && part(b)
}

/// The end of a drug name with its release suffix ("Effexor XR").
fn extend_drug(tokens: &[Token], i: usize, end: usize) -> usize {
    let k = tokens.partition_point(|t| t.start < end);
    match tokens.get(k) {
        Some(n) if n.flags & MED_SUFFIX != 0 && n.start - end == 1 && k > i => n.end,
        _ => end,
    }
}

/// The start of a condition with the severity and feeling words before it ("severe
/// depression", "feeling very depressed"), at most MAX_NAME_EXTRA + 1 of them.
fn extend_condition(tokens: &[Token], i: usize) -> usize {
    let mut first = i;
    while first + MAX_NAME_EXTRA + 1 > i {
        match first.checked_sub(1).map(|k| &tokens[k]) {
            // One space between: "feeling, anger" is a list, not a feeling of anger.
            Some(p) if p.flags & CONDITION_MODIFIER != 0 && tokens[first].start == p.end + 1 => {
                first -= 1
            }
            _ => break,
        }
    }
    tokens[first].start
}

/// Ends like an inflected English word ("-ed", "-ing", "-ly", "-tion").
fn inflected(t: &Token, text: &str) -> bool {
    let w = text[t.start..t.end].to_ascii_lowercase();
    ["ed", "ing", "ly", "tion"].iter().any(|s| w.ends_with(s))
}

/// "St. Helena", "Mount Shasta": a place prefix and a proper word after it that a list
/// holds as a city, or any proper word after a place cue ("in St. Kilda").
fn prefixed_place(tokens: &[Token], i: usize, case: Case) -> Option<(usize, f32)> {
    let t = &tokens[i];
    if t.flags & PLACE_PREFIX == 0 {
        return None;
    }
    let n = tokens.get(i + 1).filter(|n| adjacent(t, n))?;
    // A lowercase particle may stand between ("Bosque de Chapultepec").
    let n = if n.flags & PARTICLE != 0 && !n.capital {
        tokens.get(i + 2).filter(|m| adjacent(n, m))?
    } else {
        n
    };
    let city = (n.flags | n.phrase_flags) & CITY != 0;
    let cued = t.cued & (PLACE_CUE | PLACE_STRONG_CUE) != 0;
    let unknown = case == Case::Mixed && n.flags & (WORD | CUES | NEVER_ALONE) == 0;
    let fires =
        proper(t, case, true) && proper(n, case, true) && !n.digit && (city || cued && unknown);
    let end = if n.phrase_flags & CITY != 0 {
        n.phrase_end
    } else {
        n.end
    };
    fires.then_some((end, if cued { SCORE_PAIR } else { SCORE_ALONE }))
}

/// Four to six digits and nothing else: a postcode ("75008", "94118").
fn postcode(text: &str, t: &Token) -> bool {
    let digits = &text[t.start..t.end];
    (4..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Every letter of the word a capital ("SFO", "OR"), and more than one letter.
fn all_capitals(text: &str, t: &Token) -> bool {
    let w = &text[t.start..t.end];
    w.len() > 1 && !w.bytes().any(|b| b.is_ascii_lowercase())
}

/// Where a place or an address ending at `end` really ends: what follows it, separated by
/// a comma or a space, when it is a region ("Portland, OR", "Sydney, Australia") or a
/// postcode after a region ("CA 94118"); after an address (`towns`) also its town
/// ("835 Turk Street, Fresno") and a postcode alone ("1 Rue Bayard, 75008").
fn area_tail(text: &str, tokens: &[Token], mut end: usize, case: Case, towns: bool) -> usize {
    let mut k = tokens.partition_point(|t| t.start < end);
    let mut parts = 0;
    while let Some(t) = tokens.get(k) {
        let gap = &text[end..t.start];
        // " - " separates parts of an address as a comma does ("71 - Copacabana").
        let dash = towns && gap == " - ";
        if gap.is_empty()
            || gap.len() > MAX_GAP
            || !dash && gap.bytes().any(|b| b != b' ' && b != b',')
        {
            break;
        }
        // A town also follows its postcode ("50200 Kuala Lumpur").
        let after_postcode = parts > 0 && postcode(text, &tokens[k - 1]);
        // "IL 62704": a ZIP after a state code is the US ZIP pattern's finding.
        let after_code = parts > 0
            && tokens[k - 1].flags & REGION_CODE != 0
            && all_capitals(text, &tokens[k - 1]);
        let comma = gap.contains(',') || dash || after_postcode;
        let last = if t.phrase_flags & REGION != 0 && (comma || proper(t, case, true)) {
            tokens.partition_point(|n| n.start < t.phrase_end) - 1
        } else if postcode(text, t)
            // Right after a town only a five or six digit code, which no year is
            // ("Hyderabad 500028", "Seattle, 98101").
            && (towns || parts > 0 || t.end - t.start >= 5)
            && !after_code
        {
            // With a ZIP+4 extension ("92037-1234").
            match tokens.get(k + 1) {
                Some(n) if &text[t.end..n.start] == "-" && postcode(text, n) => k + 1,
                _ => k,
            }
        } else if t.flags & REGION != 0 && (comma || parts > 0 && proper(t, case, true))
            || t.flags & REGION_CODE != 0
                && match case {
                    // "Sacramento, Ca": capitalized after a comma, unless it reads as a
                    // small word ("Portland, Or").
                    Case::Mixed => {
                        all_capitals(text, t)
                            || comma
                                && t.capital
                                && t.flags & (NOT_STREET | NEVER_ALONE | CUES | PARTICLE) == 0
                                && t.end - t.start == 2
                                && !tokens
                                    .get(k + 1)
                                    .is_some_and(|n| adjacent(t, n) && n.capital)
                    }
                    Case::None => comma && t.flags & WORD == 0,
                }
        {
            // A region, or its code ("Australia", "OR").
            k
        } else if towns
            && (comma
                // "im at 6037 meadowlark ln scranton": in text without case a listed town
                // that reads as no word may follow its street without a comma.
                || case == Case::None
                    && parts == 0
                    && t.flags & CITY != 0
                    && t.flags & (WORD | NEVER_ALONE) == 0)
        {
            let Some(last) = town(text, tokens, k, case) else {
                break;
            };
            last
        } else {
            break;
        };
        end = tokens[last].end;
        k = last + 1;
        parts += 1;
    }
    end
}

/// The last word of a town starting at `tokens[k]` after an address: a listed city, or
/// capitalized words no list holds as ordinary words ("Baulkham Hills", "Cape Town City
/// Centre") in text that has case.
fn town(text: &str, tokens: &[Token], k: usize, case: Case) -> Option<usize> {
    let t = &tokens[k];
    // Place cues may be part of a town's name ("Cape Town City Centre"), others not.
    let plain = |n: &Token| {
        n.flags & (PERSON_STRONG_CUE | PERSON_RELATION | PERSON_CUE | NEVER_ALONE | NOT_STREET) == 0
            && !n.digit
    };
    let mut last = if t.phrase_flags & CITY != 0 {
        tokens.partition_point(|n| n.start < t.phrase_end) - 1
    } else if t.flags & CITY != 0 && proper(t, case, true)
        || case == Case::Mixed && t.capital && t.flags & WORD == 0 && plain(t)
        // A capitalized word that ends the sentence, even an English one: "47 Mission
        // Street, Mysore."
        || case == Case::Mixed
            && t.capital
            && plain(t)
            && t.flags & CUES == 0
            && text[t.end..].bytes().next().is_none_or(|b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
    {
        k
    } else {
        return None;
    };
    // More capitalized words of the same town, up to a region or a comma.
    while case == Case::Mixed && last < k + 1 + MAX_NAME_EXTRA {
        let Some(n) = tokens.get(last + 1) else { break };
        let same = &text[tokens[last].end..n.start] == " ";
        if !same || !n.capital || !plain(n) || (n.flags | n.phrase_flags) & REGION != 0 {
            break;
        }
        last += 1;
    }
    Some(last)
}

fn is_s(t: &Token) -> bool {
    t.end - t.start == 1 && t.clitic
}

/// Whether `n` continues the name ending in `prev` as its surname (or middle name).
fn surname_after(prev: &Token, n: &Token, case: Case) -> bool {
    // A verb is no surname, whatever the surname lists hold ("my husband tom has been",
    // "Angel Has Fallen").
    if n.digit || n.flags & (NEVER_ALONE | CUES | CONDITION | MEDICATION | AUXILIARY) != 0 {
        return false;
    }
    let listed = n.flags & NAME != 0;
    let word = n.flags & WORD != 0;
    match case {
        Case::Mixed => n.capital && (listed || !word),
        Case::None => {
            // After a word that is no given name, a surname that is also an English word
            // is the next word of the sentence ("dr nowak gave me").
            if word && prev.flags & GIVEN == 0 {
                return false;
            }
            let both_words = word && prev.flags & WORD != 0;
            let common_pair = prev.flags & COMMON_GIVEN != 0
                && n.flags & SURNAME != 0
                && (prev.flags | n.flags) & EVERYDAY == 0;
            listed && (!both_words || common_pair)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(String, String)> {
        let d = builtin();
        let mut out = Vec::new();
        d.detect(text, &mut DictScratch::default(), &mut out);
        out.sort_by_key(|f| (f.start, f.end));
        out.iter()
            .map(|f| (f.entity.to_string(), text[f.start..f.end].to_string()))
            .collect()
    }

    fn has(text: &str, entity: &str, value: &str) -> bool {
        let found = find(text);
        let ok = found.iter().any(|(e, v)| e == entity && v == value);
        if !ok {
            eprintln!("{text:?}: {found:?}");
        }
        ok
    }

    /// Asserts that each text yields its value as `entity`, naming the text that fails.
    fn finds_each(entity: &str, cases: &[(&str, &str)]) {
        for (text, value) in cases {
            assert!(has(text, entity, value), "{text}");
        }
    }

    fn none_of(text: &str, entity: &str) -> bool {
        let found = find(text);
        let ok = found.iter().all(|(e, _)| e != entity);
        if !ok {
            eprintln!("{text:?}: {found:?}");
        }
        ok
    }

    #[test]
    fn names_after_strong_cues_even_unlisted() {
        assert!(has(
            "Hi, I'm told my name is Priya Raghavan.",
            "PERSON",
            "Priya Raghavan"
        ));
        assert!(has(
            "Please ask Dr. Okonkwo-Bassey",
            "PERSON",
            "Okonkwo-Bassey"
        ));
        assert!(has("my name is grace", "PERSON", "grace"));
        assert!(has("Thanks,\nXiomara", "PERSON", "Xiomara"));
        assert!(none_of("my name is not important", "PERSON"));
        assert!(none_of("Thanks, Great job", "PERSON"));
        // A contraction typed without its apostrophe is no unknown name.
        assert!(none_of("thanks, thats all", "PERSON"));
    }

    /// Hyphenated names whole, two-letter names after a title, and short surnames no list
    /// knows after a cued name.
    #[test]
    fn hyphenated_and_short_names() {
        finds_each(
            "PERSON",
            &[
                ("DAUGHTER MIN-JI LIM AT BEDSIDE.", "MIN-JI LIM"),
                ("ATIVAN HELD PER DR AL-SAYED.", "AL-SAYED"),
                ("Next appointment with Dr. Xu.", "Xu"),
                ("DR VO PRESCRIBED PANTOPRAZOLE", "VO"),
                ("POA IS NIECE MEI XU.", "MEI XU"),
                ("MY MOTHER NGOZI EZE IS 103 YEARS OLD", "NGOZI EZE"),
                ("pt seen by dr baptiste. hx epilepsy", "baptiste"),
            ],
        );
        for text in [
            "my son is well-known",
            "PT NON-COMPLIANT WITH MEDS",
            "DR TO SEE PT IN AM",
        ] {
            assert!(none_of(text, "PERSON"), "{text}");
        }
    }

    #[test]
    fn listed_given_names_without_cues() {
        assert!(has(
            "Share the location with Svetlana.",
            "PERSON",
            "Svetlana"
        ));
        assert!(has("Dorothy will pick it up", "PERSON", "Dorothy"));
        assert!(has("send 20 dollars to diego", "PERSON", "diego"));
        assert!(none_of("The weather is fine today.", "PERSON"));
    }

    #[test]
    fn common_word_names_need_context() {
        assert!(none_of("Will you book it? I hope so.", "PERSON"));
        assert!(none_of("Grace period ends in May.", "PERSON"));
        assert!(none_of("i will mark it, bill me later", "PERSON"));
        assert!(has("my daughter Grace books them", "PERSON", "Grace"));
        assert!(has("I paid Bill yesterday", "PERSON", "Bill"));
        assert!(has("Will Thompson called", "PERSON", "Will Thompson"));
        assert!(none_of("See you in May", "PERSON"));
    }

    #[test]
    fn first_last_pairs_and_reversed() {
        assert!(has("Call John Smith tomorrow", "PERSON", "John Smith"));
        assert!(has("How about Garcia Daniel?", "PERSON", "Garcia Daniel"));
        assert!(has(
            "a psychologist called Adam E. Pollock",
            "PERSON",
            "Adam E. Pollock"
        ));
    }

    #[test]
    fn all_caps_and_lowercase_notes() {
        let note = "PT JOHN SMITH 92 YO M C/O CHEST PAIN. DAUGHTER MARY AT BEDSIDE. HX HTN, COPD.";
        assert!(has(note, "PERSON", "JOHN SMITH"));
        assert!(has(note, "PERSON", "MARY"));
        assert!(has(note, "CONDITION", "CHEST PAIN"));
        assert!(none_of(
            "PT AMBULATED WITH WALKER, SOB ON EXERTION.",
            "PERSON"
        ));
        assert!(none_of(
            "i will mark the date, may rose to the occasion",
            "PERSON"
        ));
        let lower = "pt seen by dr patel, wife susan present. lives in springfield.";
        assert!(has(lower, "PERSON", "patel"));
        assert!(has(lower, "PERSON", "susan"));
        assert!(has(lower, "LOCATION", "springfield"));
    }

    #[test]
    fn places() {
        assert!(has("I live in Orinda now", "LOCATION", "Orinda"));
        assert!(has("a table in Corte Madera", "LOCATION", "Corte Madera"));
        assert!(has("I moved to Xyzville last year", "LOCATION", "Xyzville"));
        assert!(has(
            "appointments at Apollo Hospital Chennai",
            "LOCATION",
            "Apollo Hospital"
        ));
        assert!(has(
            "appointments at Apollo Hospital Chennai",
            "LOCATION",
            "Chennai"
        ));
        assert!(none_of("I went to the hospital", "LOCATION"));
        assert!(none_of(
            "That was a nice reading of the mobile plan",
            "LOCATION"
        ));
    }

    #[test]
    fn street_addresses() {
        assert!(has(
            "We are at 835 Turk Street.",
            "ADDRESS",
            "835 Turk Street."
        ));
        assert!(has(
            "ride to 947 Branham Lane # C, right?",
            "ADDRESS",
            "947 Branham Lane # C"
        ));
        assert!(has(
            "LIVES AT 12 OAK ST APT 4B WITH SON",
            "ADDRESS",
            "12 OAK ST APT 4B"
        ));
        assert!(has("520 8th Ave. - parking", "ADDRESS", "520 8th Ave."));
        assert!(none_of("it is 2 hours down the road", "ADDRESS"));
        assert!(none_of("3 kids on the way", "ADDRESS"));
    }

    #[test]
    fn conditions_and_medications() {
        let t = "I'm Priya, diabetic since 2015, on metformin 500mg for type 2 diabetes";
        assert!(has(t, "CONDITION", "diabetic"));
        assert!(has(t, "MEDICATION", "metformin"));
        assert!(has(t, "CONDITION", "type 2 diabetes"));
        assert!(has(
            "Lexapro helped my panic attacks",
            "MEDICATION",
            "Lexapro"
        ));
        assert!(has(
            "Lexapro helped my panic attacks",
            "CONDITION",
            "panic attacks"
        ));
        assert!(has("HX OF COPD AND DEPRESSION", "CONDITION", "DEPRESSION"));
        assert!(none_of("The report was ready on time.", "CONDITION"));
        assert!(none_of("The report was ready on time.", "MEDICATION"));
    }

    /// Cities under the names people still use ("Bangalore" for Bengaluru) are places, in
    /// text without case too.
    #[test]
    fn former_city_names() {
        finds_each(
            "LOCATION",
            &[
                ("I moved to Bangalore last year", "Bangalore"),
                ("my mother will drive me from mysore", "mysore"),
                ("BORN IN BOMBAY, NOW IN GURGAON", "GURGAON"),
            ],
        );
        // With no cue, text without case gives no reason to read a place.
        assert!(none_of("i love bombay sapphire", "LOCATION"));
    }

    /// After a strong place cue, an address runs over its comma-separated parts (as Indian
    /// addresses are written) up to its town, region and postcode, and no further.
    #[test]
    fn cued_addresses_in_parts() {
        finds_each(
            "ADDRESS",
            &[
                (
                    "my address is Flat 402, Sunshine Apartments, Andheri West, Mumbai 400053",
                    "Flat 402, Sunshine Apartments, Andheri West, Mumbai 400053",
                ),
                (
                    "my address is 45, 2nd Cross, Indiranagar, Bangalore 560038",
                    "45, 2nd Cross, Indiranagar, Bangalore 560038",
                ),
                (
                    "she lives at 12 Oak Road, Springfield, John said",
                    "12 Oak Road, Springfield",
                ),
                ("my address is 22 Baker Street, Thanks", "22 Baker Street"),
                (
                    "the address is 260 Park Lake Circle B.",
                    "260 Park Lake Circle B",
                ),
            ],
        );
    }

    /// A five or six digit postcode right after a town is part of it; a year is not.
    #[test]
    fn postcodes_after_towns() {
        finds_each(
            "LOCATION",
            &[
                (
                    "lives at H.No. 12-2-417, Gudimalkapur, Hyderabad 500028",
                    "Hyderabad 500028",
                ),
                ("I'm in Seattle, 98101", "Seattle, 98101"),
                ("we met in Boston 2019", "Boston"),
            ],
        );
    }

    /// Care homes and practices are named like hospitals; the words alone are not places.
    #[test]
    fn care_facilities() {
        let note = "ADMITTED FROM MAPLEWOOD ASSISTED LIVING. PCP AT RIVERSIDE FAMILY MEDICINE.";
        finds_each(
            "LOCATION",
            &[
                (note, "MAPLEWOOD ASSISTED LIVING"),
                (note, "RIVERSIDE FAMILY MEDICINE"),
                (
                    "my mom moved into Sunrise Senior Living last year",
                    "Sunrise Senior Living",
                ),
            ],
        );
        assert!(none_of(
            "Do you offer assisted living or primary care?",
            "LOCATION"
        ));
    }

    /// Clinical abbreviations are conditions; those with another common reading are not
    /// listed ("MI", "CAD", "TIA").
    #[test]
    fn clinical_abbreviations() {
        let note = "PMH: CHF, DM2, HTN, ESRD; s/p NSTEMI, now in a-fib";
        for abbreviation in ["CHF", "DM2", "HTN", "ESRD", "NSTEMI", "a-fib"] {
            assert!(has(note, "CONDITION", abbreviation), "{abbreviation}");
        }
        // A hand-written entry keeps its slash (source lists' slashes are left out).
        assert!(has("diagnosed with ME/CFS in 2019", "CONDITION", "ME/CFS"));
        assert!(none_of(
            "I drove 5 mi to pay 20 CAD, then met Tia in Lansing, MI",
            "CONDITION"
        ));
    }

    /// Nationality and language adjectives that are also names take a cue or a surname to
    /// be one.
    #[test]
    fn origins_are_no_names_alone() {
        for text in [
            "I want French subtitles please",
            "I feel like Thai food",
            "Try the German beer",
            "Fetch me something Thai.",
            "I prefer to see it with French subtitles.",
        ] {
            assert!(none_of(text, "PERSON"), "{text}");
        }
        finds_each(
            "PERSON",
            &[
                ("my name is Thai", "Thai"),
                ("Mr. French called", "French"),
                ("Thai Nguyen called back", "Thai Nguyen"),
            ],
        );
    }

    /// Names with accents are found by their letters ("Lucía" as "lucia"); a word with
    /// other non-ASCII characters is left as it is.
    #[test]
    fn accented_names() {
        finds_each(
            "PERSON",
            &[
                ("send it to Lucía Castellanos, please", "Lucía Castellanos"),
                ("I'm Zoë", "Zoë"),
                ("I met Chloé yesterday", "Chloé"),
                ("Renée Müller is my doctor", "Renée Müller"),
            ],
        );
        assert!(has("Émile called from Zürich", "LOCATION", "Zürich"));
        let mut out = [0; MAX_WORD];
        let fold = |w: &str, out: &mut [u8; MAX_WORD]| {
            fold_accents(w.as_bytes(), out).map(|n| String::from_utf8(out[..n].to_vec()).unwrap())
        };
        assert_eq!(fold("Straße", &mut out).as_deref(), Some("Strasse"));
        assert_eq!(
            fold("ÀÇÉÑÖÜÝàçéñöüýÿ", &mut out).as_deref(),
            Some("acenouyacenouyy")
        );
        assert_eq!(fold("Æsir", &mut out), None);
        assert_eq!(fold("東京", &mut out), None);
        assert!(none_of("the café was naïve", "PERSON"));
    }

    /// A given name that is an English word, capitalized after a capitalized English word,
    /// is part of a title; after a surname no list reads as English it is a name.
    #[test]
    fn titles_are_no_names() {
        for text in [
            "I want to watch A Faithful Man tonight",
            "play Give Me Liberty with subtitles",
            "play The Zombie Song in the kitchen",
        ] {
            assert!(none_of(text, "PERSON"), "{text}");
        }
        finds_each(
            "PERSON",
            &[
                ("an appointment with Auer Patience at 2 pm", "Auer Patience"),
                ("Please ask Patience to call", "Patience"),
            ],
        );
    }

    /// Symptoms and everyday illnesses in patients' words, which ICD-10-CM titles name
    /// otherwise; their other senses are not taken.
    #[test]
    fn symptoms_in_lay_words() {
        finds_each(
            "CONDITION",
            &[
                ("I've been vomiting since last night", "vomiting"),
                ("she has strep throat again", "strep throat"),
                ("fever and a dry cough for three days", "fever"),
                ("fever and a dry cough for three days", "dry cough"),
                ("Mild upset stomach and heartburn.", "Mild upset stomach"),
                ("Mild upset stomach and heartburn.", "heartburn"),
                ("THIS GAVE ME FOOD POISONING", "FOOD POISONING"),
            ],
        );
        assert!(none_of(
            "Cough up the fee and don't make a rash decision",
            "CONDITION"
        ));
    }

    #[test]
    fn more_address_shapes() {
        assert!(has("at 1 Rue Bayard now", "ADDRESS", "1 Rue Bayard"));
        assert!(has(
            "the venue is 245 Charles E Young Drive East.",
            "ADDRESS",
            "245 Charles E Young Drive East."
        ));
        assert!(has(
            "send it to 9 Elm Drive, Fresno please",
            "ADDRESS",
            "9 Elm Drive, Fresno"
        ));
        assert!(has(
            "at 1 Rue Bayard, 75008",
            "ADDRESS",
            "1 Rue Bayard, 75008"
        ));
        assert!(has(
            "12 Oak St, Fresno 93721",
            "ADDRESS",
            "12 Oak St, Fresno 93721"
        ));
        assert!(has("12 Oak St, 3 times", "ADDRESS", "12 Oak St"));
        assert!(none_of("I have 3 the same", "ADDRESS"));
    }

    #[test]
    fn apostrophes_and_inflections() {
        assert!(has("Dr. O'Connor will see you", "PERSON", "O'Connor"));
        assert!(has("pt seen by dr o'connor today", "PERSON", "o'connor"));
        assert!(none_of("Don't worry, I'll be there.", "PERSON"));
        assert!(has(
            "admitted to St. Mary's Hospital last night",
            "LOCATION",
            "St. Mary's Hospital"
        ));
        assert!(none_of("PT TOLERATED DIET WELL", "PERSON"));
        assert!(has("PT OLUWASEUN ADMITTED", "PERSON", "OLUWASEUN"));
    }

    #[test]
    fn drug_suffixes_and_condition_modifiers() {
        assert!(has("I take Effexor XR daily", "MEDICATION", "Effexor XR"));
        assert!(has(
            "years of severe depression",
            "CONDITION",
            "severe depression"
        ));
        assert!(has("no more panic attacks", "CONDITION", "panic attacks"));
        assert!(none_of("I take the bus daily", "MEDICATION"));
    }

    #[test]
    fn named_places_and_short_city_names() {
        assert!(has(
            "pick it up at Heathrow Airport",
            "LOCATION",
            "Heathrow Airport"
        ));
        assert!(has("leaving from SF tomorrow", "LOCATION", "SF"));
        assert!(none_of("the airport was busy", "LOCATION"));
        assert!(none_of("la la land", "LOCATION"));
    }

    #[test]
    fn address_with_town_region_postcode_and_units() {
        assert!(has(
            "1 Columbia Court, Baulkham Hills New South Wales 2153, Australia",
            "ADDRESS",
            "1 Columbia Court, Baulkham Hills New South Wales 2153, Australia"
        ));
        assert!(has(
            "100 Masonic Avenue, San Francisco, CA 94118.",
            "ADDRESS",
            "100 Masonic Avenue, San Francisco, CA"
        ));
        assert!(has(
            "1003 Coast Boulevard, La Jolla, California 92037-1234, USA",
            "ADDRESS",
            "1003 Coast Boulevard, La Jolla, California 92037-1234, USA"
        ));
        assert!(has(
            "29 East Allen Street 2nd Floor",
            "ADDRESS",
            "29 East Allen Street 2nd Floor"
        ));
        assert!(has(
            "855 El Camino Real Building #1 Suite #3",
            "ADDRESS",
            "855 El Camino Real Building #1 Suite #3"
        ));
        assert!(has(
            "at 205 5th Street D, ok",
            "ADDRESS",
            "205 5th Street D"
        ));
        assert!(has(
            "631-635 George Street",
            "ADDRESS",
            "631-635 George Street"
        ));
        finds_each(
            "ADDRESS",
            &[
                (
                    "I stay at 14/2 MG Road, Bangalore",
                    "14/2 MG Road, Bangalore",
                ),
                ("lives at 12-2-417 Main Road", "12-2-417 Main Road"),
                ("on 2024/05/03 5 Oak St", "5 Oak St"),
            ],
        );
        assert!(has("1400 A Street", "ADDRESS", "1400 A Street"));
        assert!(has("it's 3900 Broadway.", "ADDRESS", "3900 Broadway."));
        assert!(has(
            "9 ELM DRIVE, FRESNO. HX OF COPD",
            "ADDRESS",
            "9 ELM DRIVE, FRESNO"
        ));
        // What follows an address is no part of it unless it reads as a place.
        assert!(has("12 Oak Street, and thanks", "ADDRESS", "12 Oak Street"));
        assert!(has("12 Oak Street I think", "ADDRESS", "12 Oak Street"));
        assert!(none_of("3 a street away", "ADDRESS"));
        assert!(none_of("We saw 2 broadway shows", "ADDRESS"));
    }

    #[test]
    fn regions_and_codes_after_places() {
        assert!(has("a flight to Portland, OR", "LOCATION", "Portland, OR"));
        assert!(has("in Seattle WA now", "LOCATION", "Seattle WA"));
        assert!(has(
            "visiting Sydney, Australia",
            "LOCATION",
            "Sydney, Australia"
        ));
        assert!(has("flying into SFO tonight", "LOCATION", "SFO"));
        assert!(has("I want to go to New York", "LOCATION", "New York"));
        assert!(has("meet in Chi-town", "LOCATION", "Chi-town"));
        assert!(has("moving to seattle, wa", "LOCATION", "seattle, wa"));
        assert!(has("from Portland, or from Salem", "LOCATION", "Portland"));
        assert!(none_of("from Portland, or from Salem", "PERSON"));
        assert!(none_of("Sydney, can you call me", "LOCATION"));
        assert!(none_of("the sfo of it", "LOCATION"));
        assert!(none_of(
            "order ORD-2026-740260 was charged twice",
            "LOCATION"
        ));
        assert!(has("the SFO-LAX flight", "LOCATION", "SFO"));
        assert!(none_of("Sfo is no code", "LOCATION"));
    }

    #[test]
    fn facility_names_in_lowercase_and_across_breaks() {
        assert!(has(
            "I land at o'hare international airport",
            "LOCATION",
            "o'hare international airport"
        ));
        assert!(has(
            "pick me up at Salesforce Transit Center",
            "LOCATION",
            "Salesforce Transit Center"
        ));
        assert!(none_of("the international airport", "LOCATION"));
        assert!(none_of("aadhaar centre timings are 9 to 5", "LOCATION"));
        assert!(has(
            "ADMITTED FROM LAKEVIEW CLINIC WITH ASTHMA",
            "LOCATION",
            "LAKEVIEW CLINIC"
        ));
        assert!(none_of(
            "Yes, that sounds good. What station is it?",
            "LOCATION"
        ));
        assert!(none_of("How about Music, Center stage?", "LOCATION"));
    }

    #[test]
    fn streets_named_first_and_places_with_prefixes() {
        assert!(has(
            "Rua Domingos Ferreira, 71 - Copacabana",
            "ADDRESS",
            "Rua Domingos Ferreira, 71 - Copacabana"
        ));
        assert!(has(
            "116 Rue du Temple, 75003",
            "ADDRESS",
            "116 Rue du Temple, 75003"
        ));
        assert!(has(
            "at 10944 San Pablo Avenue # 800 called Civic Plaza",
            "ADDRESS",
            "10944 San Pablo Avenue # 800"
        ));
        assert!(none_of("Via Roma, 12 people came", "ADDRESS"));
        assert!(has(
            "45, Tengkat Tong Shin, Bukit Bintang, 50200 Kuala Lumpur",
            "ADDRESS",
            "45, Tengkat Tong Shin, Bukit Bintang, 50200 Kuala Lumpur"
        ));
        assert!(has(
            "It's at 555 East El Camino Real, for $2,650,000.",
            "ADDRESS",
            "555 East El Camino Real"
        ));
        assert!(none_of("Take 5 East Bay trains", "ADDRESS"));
        assert!(has(
            "a Psychologist in St. Helena instead",
            "LOCATION",
            "St. Helena"
        ));
        assert!(has("visiting Portola Valley", "LOCATION", "Portola Valley"));
        assert!(has("the weather in Montara today", "LOCATION", "Montara"));
        assert!(none_of("the weather in the Valley", "LOCATION"));
        assert!(none_of("withdrawal from SSRIs is bad", "LOCATION"));
        assert!(none_of("I found out from Googleing it", "LOCATION"));
        assert!(none_of("I saw it in March", "LOCATION"));
        assert!(none_of("St. Jude is a saint", "LOCATION"));
    }

    #[test]
    fn feelings_and_lay_conditions() {
        assert!(has(
            "I was feeling very depressed",
            "CONDITION",
            "feeling very depressed"
        ));
        assert!(has("constant worry and anger", "CONDITION", "anger"));
        assert!(has(
            "it gave me intrusive thoughts",
            "CONDITION",
            "intrusive thoughts"
        ));
        assert!(has("my mood, anger and sadness", "CONDITION", "anger"));
        assert!(none_of("my mood, so what", "CONDITION"));
        assert!(none_of("I feel great about the order", "CONDITION"));
    }

    #[test]
    fn everyday_names_after_kin_in_text_without_case() {
        assert!(has(
            "SEEN BY DR OKAFOR. SON BILL TO CALL WITH UPDATES.",
            "PERSON",
            "BILL"
        ));
        assert!(has("lives w friend hope in fresno", "PERSON", "hope"));
        assert!(none_of("my son will call you back", "PERSON"));
        assert!(none_of("i hope it rains, bill me later", "PERSON"));
        assert!(none_of("it's summer, i'm frank about it", "PERSON"));
        // A verb after the name is no surname, whatever the surname lists hold.
        assert!(has(
            "my husband tom has been having panic attacks",
            "PERSON",
            "tom"
        ));
        assert!(has("WIFE JANE HAS DEMENTIA", "PERSON", "JANE"));
        assert!(none_of("we watched Angel Has Fallen last night", "PERSON"));
    }

    #[test]
    fn streets_before_their_number() {
        assert!(has(
            "Ich wohne in der Hauptstraße 5, 10115 Berlin.",
            "ADDRESS",
            "Hauptstraße 5, 10115 Berlin"
        ));
        // A unit written before the number.
        finds_each(
            "ADDRESS",
            &[
                (
                    "address: Flat 3, 22 Baker Street, London",
                    "Flat 3, 22 Baker Street, London",
                ),
                ("we are 3, 22 Baker Street", "22 Baker Street"),
                ("a room at 45 Park Lane for 7 days", "45 Park Lane"),
            ],
        );
        // A street of any name (here a Berlin quarter's) when a postcode follows its number.
        finds_each(
            "ADDRESS",
            &[
                ("a house at Alt-Moabit 99, 10559.", "Alt-Moabit 99, 10559"),
                (
                    "at Alt-Reinickendorf 4-5 13407",
                    "Alt-Reinickendorf 4-5 13407",
                ),
                (
                    "a house at Borsigturm 1, 13507 Berlin",
                    "Borsigturm 1, 13507",
                ),
            ],
        );
        for text in [
            "Order 12, 10559 units",
            "We flew Delhi 2, 11000 miles",
            "Moabit 99, 10559 and 4",
        ] {
            assert!(none_of(text, "ADDRESS"), "{text}");
        }
        // Names joined by hyphens.
        assert!(has(
            "I live at Karl-Marx-Allee 34, 10178 Berlin",
            "ADDRESS",
            "Karl-Marx-Allee 34, 10178 Berlin"
        ));
        assert!(has(
            "Our office is at Berliner Straße 12 in Dresden.",
            "ADDRESS",
            "Berliner Straße 12"
        ));
        assert!(has(
            "We are on Keizersgracht 123 now",
            "ADDRESS",
            "Keizersgracht 123"
        ));
        // An English word, a count after the number, a version: no street.
        assert!(none_of("join the Brigade 5 times", "ADDRESS"));
        assert!(has(
            "walk down Oak Street 3 times a day",
            "ADDRESS",
            "Oak Street"
        ));
        assert!(none_of(
            "after updating to Android 9 I can't log in",
            "ADDRESS"
        ));
        // A lowercase street with no suffix, after a long house number, and a tower unit.
        assert!(has(
            "share the location 1355 broadway with Sam",
            "ADDRESS",
            "1355 broadway"
        ));
        assert!(none_of("We saw 200 broadway shows", "ADDRESS"));
        assert!(has(
            "at 12 Oak Street Tower B, ok",
            "ADDRESS",
            "12 Oak Street Tower B"
        ));
    }

    #[test]
    fn house_numbers_after_address_cues() {
        assert!(has(
            "the address is 14 Upper Kloofnek, Durban.",
            "ADDRESS",
            "14 Upper Kloofnek, Durban"
        ));
        assert!(has(
            "my flat is located at 3 Old Mill Yard",
            "ADDRESS",
            "3 Old Mill Yard"
        ));
        assert!(none_of("the meeting moved to 1 July 2024", "ADDRESS"));
        assert!(none_of("the address is 3 pm sharp", "ADDRESS"));
        // A unit's "no" before its number, and numbered parts ("Sector 15").
        assert!(has(
            "my address is House no 45, Sector 15, Gurgaon, Haryana 122001",
            "ADDRESS",
            "House no 45, Sector 15, Gurgaon, Haryana 122001"
        ));
        assert!(has("i live in koramangala", "LOCATION", "koramangala"));
        assert!(has(
            "i live in koramangala, bangalore",
            "LOCATION",
            "koramangala, bangalore"
        ));
        assert!(none_of("i live in fear of the dentist", "LOCATION"));
        // After a weak cue, a longer unknown word in text without case.
        assert!(has(
            "THE PHARMACY IN VELACHERY SAYS IT IS OUT OF STOCK",
            "LOCATION",
            "VELACHERY"
        ));
        assert!(has("son called from hadapsar", "LOCATION", "hadapsar"));
        // Suffixes of localities, counties of the UK and Ireland, and a town right after
        // its street in text without case.
        assert!(has(
            "ADM NOTE: 88 YO PT FROM BORIVALI WEST, DX PTSD",
            "LOCATION",
            "BORIVALI WEST"
        ));
        assert!(none_of("ADM NOTE: 88 YO PT FROM HOME", "ADDRESS"));
        assert!(has("Ruth here from Lancashire.", "LOCATION", "Lancashire"));
        assert!(has(
            "im at 6037 meadowlark ln scranton if u need it",
            "ADDRESS",
            "6037 meadowlark ln scranton"
        ));
        for text in [
            "PT TRANSFERRED TO PACU IN STABLE CONDITION",
            "i went from freaking out to couldn't care less",
            "SEEN IN CLINIC TODAY",
        ] {
            assert!(none_of(text, "LOCATION"), "{text}");
        }
        assert!(has(
            "my address is H.No. 12, Phase 2, Mohali",
            "ADDRESS",
            "H.No. 12, Phase 2, Mohali"
        ));
        assert!(none_of("my house no longer has 3 rooms", "ADDRESS"));
    }

    #[test]
    fn named_streets_without_a_number() {
        assert!(has(
            "she lives on Victoria Street now",
            "ADDRESS",
            "Victoria Street"
        ));
        assert!(has("we drove down Harlow Road", "ADDRESS", "Harlow Road"));
        assert!(none_of("open it in Google Drive", "ADDRESS"));
        assert!(none_of("The Street Food festival was fun", "ADDRESS"));
        assert!(none_of("the street was busy", "ADDRESS"));
    }

    #[test]
    fn towns_after_addresses_and_residences() {
        assert!(has(
            "send it to 47 Mission Street, Mysore.",
            "ADDRESS",
            "47 Mission Street, Mysore"
        ));
        assert!(has(
            "send it to 12 Oak Street, Thanks.",
            "ADDRESS",
            "12 Oak Street"
        ));
        assert!(has("pt lives w sister ananya in cork.", "LOCATION", "cork"));
        assert!(none_of("pt was in reading group today.", "LOCATION"));
        assert!(none_of("pt lives alone, in march moved", "LOCATION"));
    }

    #[test]
    fn venues_places_with_suffixes_and_state_codes() {
        assert!(has(
            "pick me up at Lakeshore Aquarium",
            "LOCATION",
            "Lakeshore Aquarium"
        ));
        assert!(none_of("the aquarium was closed", "LOCATION"));
        assert!(has(
            "a ride to Brandt Concert Hall please",
            "LOCATION",
            "Brandt Concert Hall"
        ));
        assert!(!has(
            "The show is at the Brandt Concert Hall tonight.",
            "LOCATION",
            "Brandt Concert Hall"
        ));
        assert!(has(
            "dinner in Jersey City tonight",
            "LOCATION",
            "Jersey City"
        ));
        assert!(has("in Fresno city council news", "LOCATION", "Fresno"));
        assert!(has(
            "a cab to Bosque de Chapultepec",
            "LOCATION",
            "Bosque de Chapultepec"
        ));
        assert!(none_of("the lake de-icer is broken", "LOCATION"));
        assert!(has("from Boston to Fresno, Ca.", "LOCATION", "Fresno, Ca"));
        assert!(has("from Portland, Or from Salem", "LOCATION", "Portland"));
    }

    #[test]
    fn inability_clauses_are_conditions() {
        assert!(has(
            "I could not sleep at all, and it was bad",
            "CONDITION",
            "could not sleep at all"
        ));
        assert!(has(
            "I couldn't get out of bed for days because of it",
            "CONDITION",
            "couldn't get out of bed for days"
        ));
        assert!(has(
            "I had trouble sleeping",
            "CONDITION",
            "trouble sleeping"
        ));
        assert!(has(
            "I had no desire to see anyone, not even my kids",
            "CONDITION",
            "no desire to see anyone"
        ));
        assert!(none_of("I have no wish to see the bill", "CONDITION"));
        assert!(none_of("I could not find my order", "CONDITION"));
        assert!(none_of(
            "after the update I can't log into my account",
            "CONDITION"
        ));
    }

    #[test]
    fn spaced_hyphens_heads_and_lay_symptoms() {
        assert!(has(
            "sunk into self - loathing again",
            "CONDITION",
            "self - loathing"
        ));
        assert!(none_of("at the self - service kiosk", "CONDITION"));
        assert!(has(
            "with huge stress levels lately",
            "CONDITION",
            "huge stress levels"
        ));
        assert!(none_of("the levels are fine", "CONDITION"));
        assert!(has("the nausea and headaches", "CONDITION", "nausea"));
        assert!(has("the nausea and headaches", "CONDITION", "headaches"));
        assert!(none_of("the weather is sunny", "CONDITION"));
    }

    /// Brand and lay names that the drug sources leave out are listed by hand.
    #[test]
    fn lay_drug_names() {
        finds_each(
            "MEDICATION",
            &[
                ("started on Percocet after surgery", "Percocet"),
                ("PT ON SYNTHROID DAILY", "SYNTHROID"),
                ("i forgot my insulin at home", "insulin"),
                ("she is on birth control pills", "birth control pills"),
                ("my bp meds make me dizzy", "bp meds"),
                ("I was put on a statin", "statin"),
            ],
        );
        assert!(none_of("i took the bus to work", "MEDICATION"));
    }

    /// In capitals, words of facility names make a facility's name; in lowercase chat they
    /// do not.
    #[test]
    fn facility_names_in_capitals() {
        finds_each(
            "LOCATION",
            &[
                (
                    "ADMITTED FROM MERCY MEDICAL CENTER WITH PTSD.",
                    "MERCY MEDICAL CENTER",
                ),
                ("SEEN BY DR SMITH AT MERCY HOSPITAL", "MERCY HOSPITAL"),
            ],
        );
        assert!(none_of("i went to the general hospital", "LOCATION"));
        assert!(none_of("WENT TO THE HOSPITAL", "LOCATION"));
    }

    /// Diagnoses as patients name them: a site and a kind of condition, an injury and a
    /// body part, a site before a listed condition, and ICD-10-CM titles once their leading
    /// "unspecified" is gone.
    #[test]
    fn sites_kinds_and_injuries_are_conditions() {
        finds_each(
            "CONDITION",
            &[
                ("she has a kidney infection again", "kidney infection"),
                ("PT WITH HX OF THYROID NODULES", "THYROID NODULES"),
                ("his gambling addiction got worse", "gambling addiction"),
                ("i have a broken wrist", "broken wrist"),
                ("a torn meniscus in the left knee", "torn meniscus"),
                ("diagnosed with liver cirrhosis", "liver cirrhosis"),
                ("history of atrial fibrillation", "atrial fibrillation"),
                (
                    "I'VE HAD ASTHMA EXACERBATION FOR 10 YEARS",
                    "ASTHMA EXACERBATION",
                ),
                ("S/P ORIF FOR LUMBAR DISC HERNIATION.", "DISC HERNIATION"),
                ("she had measles as a child", "measles"),
            ],
        );
        for text in [
            "he pulled back from the deal",
            "the payment failure was fixed",
            "back issues with my order",
            "a broken link on the page",
            "I love fatty food",
            "there were food issues with my order",
            "memory issues on my phone",
        ] {
            assert!(none_of(text, "CONDITION"), "{text}");
        }
    }

    /// Addresses written from the flat or block to the town or PIN, in any case.
    #[test]
    fn units_with_parts_up_to_a_town_are_addresses() {
        finds_each(
            "ADDRESS",
            &[
                (
                    "PT RESIDES AT D-354, GANGA APARTMENTS, AUNDH, PUNE - 411007. HX HTN",
                    "D-354, GANGA APARTMENTS, AUNDH, PUNE - 411007",
                ),
                (
                    "seen at home (C-959, Prestige Towers, Mylapore, Chennai - 600004) today",
                    "C-959, Prestige Towers, Mylapore, Chennai - 600004",
                ),
                (
                    "address is no. 9, 2nd main, 2nd cross, indiranagar, bengaluru 560038. ok",
                    "no. 9, 2nd main, 2nd cross, indiranagar, bengaluru 560038",
                ),
                (
                    "House No. 292, Sector 18, Powai, Mumbai 400076",
                    "House No. 292, Sector 18, Powai, Mumbai 400076",
                ),
                (
                    "send it to Flat 14, 45 The Paddocks, Luton please",
                    "Flat 14, 45 The Paddocks, Luton",
                ),
                (
                    "SOO-AH JUNG, FLAT 10B, SILVER OAK RESIDENCY, KAROL BAGH, NEW DELHI 110005",
                    "FLAT 10B, SILVER OAK RESIDENCY, KAROL BAGH, NEW DELHI 110005",
                ),
            ],
        );
        for text in [
            "see unit 2, page 5, chapter 3 of the manual",
            "order no. 5, reading glasses, london fog jacket",
            "we had room 5, then we went to Paris",
            "unit 4, then on to london",
        ] {
            assert!(none_of(text, "ADDRESS"), "{text}");
        }
    }

    /// Drug and condition names with two letters swapped or one too many, as patients
    /// type them; listed words and short words are never tried.
    #[test]
    fn misspelt_drugs_and_conditions() {
        finds_each(
            "MEDICATION",
            &[
                ("last time the dr gave me doenpezil", "doenpezil"),
                ("i take tlyenol for it", "tlyenol"),
                ("loved Seratraline", "Seratraline"),
            ],
        );
        assert!(has("my derpression is worse", "CONDITION", "derpression"));
        for text in [
            "my husband is a carpenter",
            "the printer is offline",
            "i love pickleball",
        ] {
            assert!(none_of(text, "MEDICATION"), "{text}");
            assert!(none_of(text, "CONDITION"), "{text}");
        }
        // After a surname, an English word that is also a surname is the sentence going on.
        assert!(has("dr nowak gave me doenpezil", "PERSON", "nowak"));
    }

    /// MeSH names of diseases that ICD-10-CM titles put otherwise; its inverted entry terms
    /// and short abbreviations are not listed.
    #[test]
    fn mesh_names_are_conditions() {
        finds_each(
            "CONDITION",
            &[
                ("CT SHOWED A SUBDURAL HEMATOMA", "SUBDURAL HEMATOMA"),
                ("my dad was diagnosed with glioblastoma", "glioblastoma"),
                (
                    "admitted with community-acquired pneumonia",
                    "community-acquired pneumonia",
                ),
                ("history of ischemic stroke", "ischemic stroke"),
                // Abbreviations with no other reading, from the lay list.
                ("ONC: PT W/ NSCLC, C3D1", "NSCLC"),
                ("FOLLOW-UP OF C DIFF.", "C DIFF"),
            ],
        );
        for text in [
            "the CAD price went up",
            "a foreign body of work",
            "send it to MS Jones",
            "my body weight is fine",
        ] {
            assert!(none_of(text, "CONDITION"), "{text}");
        }
    }
}
