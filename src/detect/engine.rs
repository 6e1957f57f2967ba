//! The detection engine: every pattern compiled once, one pass over each text.
//!
//! One lazy DFA over all patterns tells in one walk over a text which patterns can match it;
//! only those run their own regex to find where. Chat messages mostly hold no PII, so most
//! texts cost a single automaton pass however many patterns are loaded.
//!
//! The DFA is `regex_automata`'s hybrid one, driven directly: `regex::RegexSet` builds the
//! same automaton but gives up on it when a union of many patterns keeps creating states,
//! and falls back to an NFA simulation about 50 times slower (measured with
//! `benches/detect.rs`). Driven directly, it never gives up, and its caches of built states
//! are pooled in the detector so that every worker thread starts warm. It is built from
//! widened patterns (see `widen`): only their candidates matter, and a smaller automaton
//! reads faster.
//!
//! Most identifiers are long numbers, and most chat messages hold few digits or none. So
//! there is one automaton per bound of [`TIER_DIGITS`], over the patterns that can match
//! with fewer digits than the bound, used for texts with fewer digits than that, and one over
//! all patterns for the rest. The smaller the automaton, the faster it runs.
//!
//! Many patterns (a bare nine-digit number, a date) fire only near a context word. Each
//! automaton also matches any of those words, so such a pattern is a candidate only in a
//! text that holds one: number-heavy messages with no such word skip their regexes.

use super::dictionary::{DictScratch, Dictionaries};
use super::pattern::{PatternError, SourcedPattern};
use super::validate::{self, Validator};
use super::widen::widen;
use aho_corasick::automaton::Automaton;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, MatchKind, StartKind};
use regex::Regex;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::{Input, PatternID};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

/// One piece of PII found in a text: byte offsets into that text.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub entity: Arc<str>,
    pub score: f32,
    /// The id of the pattern (or list) that found it.
    pub source: Arc<str>,
}

struct CompiledPattern {
    id: Arc<str>,
    entity: Arc<str>,
    regex: Regex,
    value_group: Option<usize>,
    validator: Option<Validator>,
    score: f32,
    context: Option<CompiledContext>,
    /// The fewest ASCII digits a match holds: a text with fewer cannot match.
    min_digits: usize,
}

impl CompiledPattern {
    /// False for a pattern none of whose matches can reach the score floor: under it with
    /// no context words to raise it, or still under it once they have (a negative boost
    /// included). Only patterns that can fire are candidates of a text.
    fn can_fire(&self, min_score: f32) -> bool {
        match &self.context {
            None => self.score >= min_score,
            Some(c) => {
                self.score + c.boost >= min_score
                    && (self.score >= min_score || !c.words.is_empty())
            }
        }
    }
}

struct CompiledContext {
    /// Indexes into the detector's context-word automaton.
    words: Vec<usize>,
    window: usize,
    boost: f32,
    negative: Vec<usize>,
    negative_window: usize,
    /// Types of dictionary findings that count as context words.
    entities: Vec<Arc<str>>,
}

impl CompiledContext {
    /// Whether a finding of one of `entities` lies in the window around `start..end`.
    fn entity_near(&self, candidates: &[Finding], start: usize, end: usize) -> bool {
        let (lo, hi) = (
            start.saturating_sub(self.window),
            end.saturating_add(self.window),
        );
        candidates
            .iter()
            .any(|c| c.start < hi && c.end > lo && self.entities.contains(&c.entity))
    }
}

/// Options the detector is built with (from the `[detect]` configuration).
#[derive(Debug, Clone, Default)]
pub struct DetectorOptions {
    pub min_score: f32,
    pub disable: Vec<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

pub struct Detector {
    /// `tiers[i]`: the patterns a text with fewer than `TIER_DIGITS[i]` digits can match;
    /// the last: all patterns.
    tiers: Vec<Tier>,
    patterns: Vec<CompiledPattern>,
    context_words: Option<aho_corasick::dfa::DFA>,
    allow: HashSet<String>,
    deny: Option<AhoCorasick>,
    deny_entity: Arc<str>,
    min_score: f32,
    dictionaries: Option<Arc<Dictionaries>>,
    /// The types of dictionary findings that some pattern takes as context.
    context_entities: Vec<Arc<str>>,
}

/// Digit counts that bound the automata: no digit (prose), fewer than five (times, prices,
/// counts), and more.
const TIER_DIGITS: [usize; 2] = [1, 5];

/// One automaton over some of the patterns, and over their context words.
struct Tier {
    dfa: DFA,
    /// Index into the detector's patterns of each of the automaton's first patterns.
    patterns: Vec<usize>,
    /// For each of `patterns` that fires only near a context word, the automaton's pattern
    /// that matches any of those words: a match counts only with one in the text.
    gates: Vec<Option<PatternID>>,
    /// For each of `patterns`, whether a dictionary finding may stand for its words.
    entity_gated: Vec<bool>,
    /// Whether a search for any match goes before the walk.
    screen: bool,
    /// Warm DFA caches of scratches that were dropped, for the next ones.
    caches: Arc<Mutex<Vec<Cache>>>,
}

impl Tier {
    /// `screens[i]`: the widened pattern `i`; `gate_words[i]`: the widened context words
    /// pattern `i` needs near a match to fire, if it needs one.
    fn new(
        screens: &[Hir],
        gate_words: &[Option<Hir>],
        entity_gated: &[bool],
        patterns: Vec<usize>,
        screen: bool,
    ) -> Result<Tier, String> {
        let mut all: Vec<&Hir> = patterns.iter().map(|&i| &screens[i]).collect();
        let mut gates = Vec::with_capacity(patterns.len());
        for &i in &patterns {
            gates.push(gate_words[i].as_ref().map(|words| {
                all.push(words);
                PatternID::must(all.len() - 1)
            }));
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(thompson::WhichCaptures::None)
                    .utf8(false),
            )
            .build_many_from_hir(&all)
            .map_err(|e| e.to_string())?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(regex_automata::MatchKind::All)
                    .cache_capacity(DFA_CACHE_BYTES)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(Tier {
            dfa,
            entity_gated: patterns.iter().map(|&i| entity_gated[i]).collect(),
            patterns,
            gates,
            screen,
            caches: Arc::default(),
        })
    }

    /// The scratch's lease on this tier's caches, taking one from the pool if it holds none.
    fn lease<'s>(&self, slot: &'s mut Option<Lease>) -> &'s mut Lease {
        if !slot
            .as_ref()
            .is_some_and(|l| Arc::ptr_eq(&l.pool, &self.caches))
        {
            let cache = self
                .caches
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            *slot = Some(Lease {
                pool: self.caches.clone(),
                cache: Some(cache.unwrap_or_else(|| self.dfa.create_cache())),
                hits: Bits::new(self.dfa.pattern_len()),
                memo: MatchMemo::default(),
            });
        }
        slot.as_mut().expect("lease just filled")
    }

    /// Appends to `out` the detector's index of every pattern that matches somewhere in
    /// `text`, leaving out those that need a context word when none of theirs is in the
    /// text; false when the automaton quit on this text.
    /// With `entities`, a dictionary finding in the text stands for the words of the
    /// patterns whose context names its type.
    fn scan(
        &self,
        text: &str,
        slot: &mut Option<Lease>,
        out: &mut Vec<usize>,
        entities: bool,
    ) -> bool {
        let lease = self.lease(slot);
        let cache = lease
            .cache
            .as_mut()
            .expect("a lease holds its cache until dropped");
        // Most texts with few digits match nothing: the crate's search stopping at the
        // first match state settles those fastest, and the walk runs only after a hit.
        // Texts with many digits nearly always hold a match, so they go straight to the walk.
        if self.screen {
            match self
                .dfa
                .try_search_fwd(cache, &Input::new(text).earliest(true))
            {
                Ok(None) => return true,
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
        if !self.walk(text, cache, &mut lease.memo, &mut lease.hits) {
            return false;
        }
        let hits = &lease.hits;
        for (w, &word) in hits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                let hit = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                let Some(&index) = self.patterns.get(hit) else {
                    return true;
                };
                if self.gates[hit].is_none_or(|gate| hits.contains(gate))
                    || entities && self.entity_gated[hit]
                {
                    out.push(index);
                }
            }
        }
        true
    }

    /// Fills `hits` with every automaton pattern that matches somewhere in `text`, in one
    /// walk over its bytes; false when the automaton quit. Only the set is wanted, not where
    /// the matches are, so this is the crate's overlapping search without its stop and
    /// restart at each match, which cost more than the walk on short texts full of digits.
    fn walk(&self, text: &str, cache: &mut Cache, memo: &mut MatchMemo, hits: &mut Bits) -> bool {
        hits.clear();
        let bytes = text.as_bytes();
        let Ok(mut state) = self.dfa.start_state_forward(cache, &Input::new(text)) else {
            return false;
        };
        let mut last_match = None;
        let mut at = 0;
        loop {
            if state.is_tagged() {
                if state.is_match() {
                    self.record(cache, state, &mut last_match, memo, hits);
                } else if state.is_quit() {
                    return false;
                } else if state.is_dead() {
                    return true;
                }
                let Some(&byte) = bytes.get(at) else {
                    break;
                };
                let Ok(next) = self.dfa.next_state(cache, state, byte) else {
                    return false;
                };
                state = next;
                at += 1;
                continue;
            }
            // The crate's fast path: transitions between untagged states need no checks.
            let mut prev = state;
            while let Some(&byte) = bytes.get(at) {
                prev = state;
                state = self.dfa.next_state_untagged(cache, state, byte);
                at += 1;
                if state.is_tagged() {
                    break;
                }
            }
            if state.is_unknown() {
                let Ok(next) = self.dfa.next_state(cache, prev, bytes[at - 1]) else {
                    return false;
                };
                state = next;
            }
            if !state.is_tagged() && at == bytes.len() {
                break;
            }
        }
        match self.dfa.next_eoi_state(cache, state) {
            Ok(end) if end.is_match() => {
                self.record(cache, end, &mut last_match, memo, hits);
                true
            }
            Ok(end) => !end.is_quit(),
            Err(_) => false,
        }
    }

    /// Adds the patterns of match state `state` to `hits`, unless it was the last one added.
    fn record(
        &self,
        cache: &Cache,
        state: LazyStateID,
        last_match: &mut Option<(LazyStateID, usize)>,
        memo: &mut MatchMemo,
        hits: &mut Bits,
    ) {
        // A cleared cache reuses state ids: the same id after a clear is another state.
        let key = Some((state, cache.clear_count()));
        if *last_match == key {
            return;
        }
        *last_match = key;
        for &pattern in memo.patterns(&self.dfa, cache, state) {
            hits.insert(pattern);
        }
    }
}

/// The patterns of every match state a cache has reached, looked up by state: reading them
/// out of the state itself costs more, and a run of digits passes through a match state
/// at nearly every byte.
#[derive(Default)]
struct MatchMemo {
    /// The cache's clear count the memo was filled under: a cleared cache reuses state ids.
    clear_count: usize,
    spans: HashMap<LazyStateID, (u32, u32), BuildHasherDefault<StateIdHasher>>,
    patterns: Vec<PatternID>,
}

impl MatchMemo {
    fn patterns(&mut self, dfa: &DFA, cache: &Cache, state: LazyStateID) -> &[PatternID] {
        if self.clear_count != cache.clear_count() {
            self.clear_count = cache.clear_count();
            self.spans.clear();
            self.patterns.clear();
        }
        let patterns = &mut self.patterns;
        let &mut (start, end) = self.spans.entry(state).or_insert_with(|| {
            let start = patterns.len();
            patterns.extend(
                (0..dfa.match_len(cache, state)).map(|i| dfa.match_pattern(cache, state, i)),
            );
            (start as u32, patterns.len() as u32)
        });
        &self.patterns[start as usize..end as usize]
    }
}

/// State ids are distinct integers already, where the default hasher would cost more than
/// the lookup saves. They are multiples of the transition table's stride, so one multiply
/// leaves the low bits (which pick the bucket) all zero: the high half is folded into them.
#[derive(Default)]
struct StateIdHasher(u64);

impl Hasher for StateIdHasher {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

/// The fewest ASCII digits any match of `hir` holds.
fn min_digits(hir: &Hir) -> usize {
    let digit_class = |ranges: &mut dyn Iterator<Item = (u32, u32)>| {
        let mut any = false;
        for (lo, hi) in ranges {
            if lo < u32::from(b'0') || hi > u32::from(b'9') {
                return 0;
            }
            any = true;
        }
        usize::from(any)
    };
    match hir.kind() {
        HirKind::Literal(lit) => lit.0.iter().filter(|b| b.is_ascii_digit()).count(),
        HirKind::Class(Class::Unicode(c)) => {
            digit_class(&mut c.iter().map(|r| (u32::from(r.start()), u32::from(r.end()))))
        }
        HirKind::Class(Class::Bytes(c)) => {
            digit_class(&mut c.iter().map(|r| (u32::from(r.start()), u32::from(r.end()))))
        }
        HirKind::Repetition(r) => r.min as usize * min_digits(&r.sub),
        HirKind::Capture(c) => min_digits(&c.sub),
        HirKind::Concat(parts) => parts.iter().map(min_digits).sum(),
        HirKind::Alternation(alts) => alts.iter().map(min_digits).min().unwrap_or(0),
        HirKind::Empty | HirKind::Look(_) => 0,
    }
}

/// The longest match of `p` that starts where `m` does and ends at one of `m`'s inner
/// separators and passes the validator, for an `m` that fails it. Greedy groups take in what
/// follows a value: a card's expiry ("4242 4242 4242 4242 03/29"), the next number.
fn shorter_valid<'t>(
    p: &CompiledPattern,
    valid: Validator,
    text: &'t str,
    m: regex::Match<'t>,
) -> Option<regex::Match<'t>> {
    let bytes = text.as_bytes();
    (m.start() + 1..m.end())
        .rev()
        .filter(|&i| {
            matches!(bytes[i], b' ' | b'-' | b'.' | b'/') && bytes[i - 1].is_ascii_alphanumeric()
        })
        .find_map(|i| {
            let shorter = p.regex.find_at(&text[..i], m.start())?;
            (shorter.start() == m.start() && shorter.end() == i && valid(shorter.as_str()))
                .then_some(shorter)
        })
}

/// The ASCII digits in `text`, counted in blocks small enough for byte-wide SIMD lanes.
fn count_digits(text: &str) -> usize {
    text.as_bytes()
        .chunks(255)
        .map(|block| {
            let n = block
                .iter()
                .fold(0u8, |n, b| n + u8::from(b.wrapping_sub(b'0') < 10));
            usize::from(n)
        })
        .sum()
}

/// Scratch space reused across texts so detection allocates little per message.
#[derive(Default)]
pub struct Scratch {
    candidates: Vec<Finding>,
    context_hits: Vec<(usize, usize)>,
    matched: Vec<usize>,
    /// One lease per tier of the last detector used.
    leases: Vec<Option<Lease>>,
    dictionary: DictScratch,
}

/// A DFA cache borrowed from a detector's pool, given back when the scratch is dropped.
struct Lease {
    pool: Arc<Mutex<Vec<Cache>>>,
    cache: Option<Cache>,
    hits: Bits,
    memo: MatchMemo,
}

/// The patterns of an automaton that matched a text, as bits. `regex_automata::PatternSet`
/// keeps a flag per pattern, and clearing and reading all of them for every text cost 35%
/// more instructions per number-heavy message (2,886 against 2,143, cachegrind).
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn clear(&mut self) {
        self.0.fill(0);
    }

    fn insert(&mut self, pattern: PatternID) {
        let i = pattern.as_usize();
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, pattern: PatternID) -> bool {
        let i = pattern.as_usize();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn iter(&self) -> std::slice::Iter<'_, u64> {
        self.0.iter()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(cache) = self.cache.take() {
            self.pool
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(cache);
        }
    }
}

/// Bytes of built DFA states one cache may hold before it is cleared and refilled.
const DFA_CACHE_BYTES: usize = 32 << 20;

impl Detector {
    pub fn new(
        patterns: &[SourcedPattern],
        options: &DetectorOptions,
    ) -> Result<Detector, PatternError> {
        let mut context_vocab: Vec<String> = Vec::new();
        let mut compiled = Vec::new();
        let mut screens = Vec::new();
        for p in patterns {
            let spec = &p.spec;
            if options.disable.iter().any(|d| d == &spec.id) {
                continue;
            }
            let invalid = |message: String| PatternError::Invalid {
                file: p.file.clone(),
                id: spec.id.clone(),
                message,
            };
            let regex = Regex::new(&spec.regex).map_err(|e| invalid(e.to_string()))?;
            let hir = regex_syntax::parse(&spec.regex).map_err(|e| invalid(e.to_string()))?;
            let validator = match &spec.validator {
                Some(name) => Some(
                    validate::by_name(name)
                        .ok_or_else(|| invalid(format!("unknown validator {name:?}")))?,
                ),
                None => None,
            };
            let mut vocab_ids = |words: &[String]| -> Vec<usize> {
                words
                    .iter()
                    .map(|w| {
                        let w = w.to_lowercase();
                        match context_vocab.iter().position(|x| *x == w) {
                            Some(i) => i,
                            None => {
                                context_vocab.push(w);
                                context_vocab.len() - 1
                            }
                        }
                    })
                    .collect()
            };
            let context = spec.context.as_ref().map(|c| CompiledContext {
                words: vocab_ids(&c.words),
                window: c.window,
                boost: c.boost,
                negative: vocab_ids(&c.negative),
                negative_window: c.negative_window,
                entities: c.entities.iter().map(|e| Arc::from(e.as_str())).collect(),
            });
            compiled.push(CompiledPattern {
                id: spec.id.as_str().into(),
                entity: spec.entity.as_str().into(),
                value_group: regex.capture_names().position(|n| n == Some("v")),
                regex,
                validator,
                score: spec.score,
                context,
                min_digits: min_digits(&hir),
            });
            screens.push(widen(&hir));
        }
        let set_error = |message: String| PatternError::Invalid {
            file: "(all)".into(),
            id: "(set)".into(),
            message,
        };
        // A pattern that needs a context word to fire is live only with one in the text,
        // or, if a dictionary finding can stand for the word, with one of those.
        let gate_words: Vec<Option<Hir>> = compiled
            .iter()
            .map(|p| {
                let ctx = p.context.as_ref().filter(|_| p.score < options.min_score)?;
                let words: Vec<String> = ctx
                    .words
                    .iter()
                    .map(|&w| regex_syntax::escape(&context_vocab[w]))
                    .collect();
                let words = format!("(?i-u:{})", words.join("|"));
                Some(regex_syntax::parse(&words).map(|hir| widen(&hir)))
            })
            .map(Option::transpose)
            .collect::<Result<_, _>>()
            .map_err(|e| set_error(e.to_string()))?;
        let entity_gated: Vec<bool> = compiled
            .iter()
            .map(|p| p.context.as_ref().is_some_and(|c| !c.entities.is_empty()))
            .collect();
        let mut context_entities: Vec<Arc<str>> = compiled
            .iter()
            .filter_map(|p| p.context.as_ref())
            .flat_map(|c| c.entities.iter().cloned())
            .collect();
        context_entities.sort();
        context_entities.dedup();
        let mut tiers = Vec::new();
        for bound in TIER_DIGITS.into_iter().chain([usize::MAX]) {
            // A pattern that cannot reach the score floor even near its words never fires.
            let members = (0..compiled.len())
                .filter(|&i| {
                    compiled[i].min_digits < bound && compiled[i].can_fire(options.min_score)
                })
                .collect();
            let screen = bound < usize::MAX;
            tiers.push(
                Tier::new(&screens, &gate_words, &entity_gated, members, screen)
                    .map_err(set_error)?,
            );
        }
        let context_words = (!context_vocab.is_empty()).then(|| {
            aho_corasick::dfa::Builder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .start_kind(StartKind::Unanchored)
                .prefilter(false)
                .build(&context_vocab)
                .expect("context words build")
        });
        let deny = (!options.deny.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&options.deny)
                .expect("deny list builds")
        });
        Ok(Detector {
            tiers,
            patterns: compiled,
            context_words,
            allow: options.allow.iter().map(|s| s.to_lowercase()).collect(),
            deny,
            deny_entity: "DENY_LIST".into(),
            min_score: options.min_score,
            dictionaries: None,
            context_entities,
        })
    }

    /// Adds the dictionary detector (names, places, conditions, medications, addresses),
    /// whose findings go through the same allow list, score floor and overlap resolution.
    pub fn with_dictionaries(mut self, dictionaries: Arc<Dictionaries>) -> Detector {
        self.dictionaries = Some(dictionaries);
        self
    }

    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Finds PII in `text`, appending non-overlapping findings sorted by start to `out`.
    pub fn detect(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<Finding>) {
        scratch.candidates.clear();
        scratch.context_hits.clear();
        scratch.matched.clear();
        // The dictionaries run first: their findings are context of some patterns.
        if let Some(dictionaries) = &self.dictionaries {
            dictionaries.detect(text, &mut scratch.dictionary, &mut scratch.candidates);
            let mut k = 0;
            while k < scratch.candidates.len() {
                let c = &scratch.candidates[k];
                let allowed = !self.allow.is_empty()
                    && self.allow.contains(&text[c.start..c.end].to_lowercase());
                if allowed || c.score < self.min_score {
                    scratch.candidates.swap_remove(k);
                } else {
                    k += 1;
                }
            }
        }
        let digits = count_digits(text);
        let tier = TIER_DIGITS
            .iter()
            .position(|&bound| digits < bound)
            .unwrap_or(TIER_DIGITS.len());
        let Scratch {
            matched, leases, ..
        } = scratch;
        leases.resize_with(self.tiers.len(), || None);
        let entities = !self.context_entities.is_empty()
            && scratch
                .candidates
                .iter()
                .any(|c| self.context_entities.contains(&c.entity));
        if !self.tiers[tier].scan(text, &mut leases[tier], matched, entities) {
            // The widened patterns hold nothing the automaton could quit on; should it
            // fail all the same, every pattern that can fire runs.
            matched.clear();
            matched.extend(
                (0..self.patterns.len()).filter(|&i| self.patterns[i].can_fire(self.min_score)),
            );
        }
        // Context words are looked up once per text, for all candidates that use them.
        if matched.iter().any(|&i| self.patterns[i].context.is_some()) {
            self.scan_context(text, &mut scratch.context_hits);
        }
        for i in 0..scratch.matched.len() {
            let index = scratch.matched[i];
            let p = &self.patterns[index];
            if let Some(ctx) = &p.context {
                // A pattern scoring under the threshold fires only near one of its words:
                // with none anywhere in the text, its regex need not run.
                if p.score < self.min_score
                    && !scratch
                        .context_hits
                        .iter()
                        .any(|(word, _)| ctx.words.contains(word))
                    && !scratch
                        .candidates
                        .iter()
                        .any(|c| ctx.entities.contains(&c.entity))
                {
                    continue;
                }
            }
            self.run_pattern(index, text, scratch);
        }
        if let Some(deny) = &self.deny {
            for m in deny.find_iter(text) {
                if is_word_at(text, m.start(), m.end()) {
                    scratch.candidates.push(Finding {
                        start: m.start(),
                        end: m.end(),
                        entity: self.deny_entity.clone(),
                        score: 1.0,
                        source: self.deny_entity.clone(),
                    });
                }
            }
        }
        resolve_overlaps(&mut scratch.candidates, out);
    }

    fn run_pattern(&self, index: usize, text: &str, scratch: &mut Scratch) {
        let p = &self.patterns[index];
        match p.value_group {
            Some(group) => {
                for caps in p.regex.captures_iter(text) {
                    let m = caps
                        .get(group)
                        .unwrap_or_else(|| caps.get(0).expect("group 0 always matches"));
                    self.consider(p, m, scratch);
                }
            }
            None => {
                for m in p.regex.find_iter(text) {
                    let m = match p.validator {
                        Some(valid) if !valid(m.as_str()) => match shorter_valid(p, valid, text, m)
                        {
                            Some(shorter) => shorter,
                            None => continue,
                        },
                        _ => m,
                    };
                    self.consider(p, m, scratch);
                }
            }
        }
    }

    /// Validates, scores and records one match of pattern `p`, against the text's context
    /// hits when the pattern has context (they are scanned by then).
    fn consider(&self, p: &CompiledPattern, m: regex::Match<'_>, scratch: &mut Scratch) {
        if m.is_empty() {
            return;
        }
        if let Some(valid) = p.validator {
            if !valid(m.as_str()) {
                return;
            }
        }
        let mut score = p.score;
        if let Some(ctx) = &p.context {
            let lo = m.start().saturating_sub(ctx.window);
            let hi = m.end().saturating_add(ctx.window);
            let near = scratch
                .context_hits
                .iter()
                .any(|&(word, at)| at >= lo && at < hi && ctx.words.contains(&word))
                || !ctx.entities.is_empty()
                    && ctx.entity_near(&scratch.candidates, m.start(), m.end());
            if near {
                score += ctx.boost;
            }
            let neg_lo = m.start().saturating_sub(ctx.negative_window);
            let vetoed = scratch
                .context_hits
                .iter()
                .any(|&(word, at)| at >= neg_lo && at < m.start() && ctx.negative.contains(&word));
            if vetoed {
                return;
            }
        }
        if score < self.min_score {
            return;
        }
        if !self.allow.is_empty() && self.allow.contains(&m.as_str().to_lowercase()) {
            return;
        }
        scratch.candidates.push(Finding {
            start: m.start(),
            end: m.end(),
            entity: p.entity.clone(),
            score,
            source: p.id.clone(),
        });
    }

    /// Records every whole-word context word in the text once, for all patterns to share.
    ///
    /// The automaton is walked here rather than through the crate's overlapping search,
    /// whose bookkeeping between matches cost more than the walk: 3,469 instructions per
    /// number-heavy message of the detection benchmark with it, 3,375 without
    /// (cachegrind, structured patterns alone).
    fn scan_context(&self, text: &str, hits: &mut Vec<(usize, usize)>) {
        let Some(words) = &self.context_words else {
            return;
        };
        let mut state = words
            .start_state(Anchored::No)
            .expect("the context-word automaton is built unanchored");
        for (at, &byte) in text.as_bytes().iter().enumerate() {
            state = words.next_state(Anchored::No, state, byte);
            if words.is_special(state) && words.is_match(state) {
                let end = at + 1;
                for k in 0..words.match_len(state) {
                    let word = words.match_pattern(state, k);
                    let start = end - words.pattern_len(word);
                    if is_word_at(text, start, end) {
                        hits.push((word.as_usize(), start));
                    }
                }
            }
        }
    }
}

/// True when `text[start..end]` is not glued to letters or digits on either side.
pub fn is_word_at(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Keeps the best of overlapping candidates: higher score, then the longer span, then the
/// earlier start, then the pattern id, so the result never depends on pattern order in
/// memory. An email inside a URL is thus one finding, the URL.
fn resolve_overlaps(candidates: &mut [Finding], out: &mut Vec<Finding>) {
    // Scores are sums of decimal fractions: 0.8 + 0.1 must tie with 0.9, not beat it by
    // a rounding error, so they compare in thousandths.
    let rank = |f: &Finding| (f.score * 1000.0).round() as i64;
    candidates.sort_by(|a, b| {
        rank(b)
            .cmp(&rank(a))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.source.cmp(&b.source))
    });
    let first = out.len();
    for c in candidates.iter() {
        if out[first..]
            .iter()
            .all(|k| c.end <= k.start || c.start >= k.end)
        {
            out.push(c.clone());
        }
    }
    out[first..].sort_by_key(|f| f.start);
}

#[cfg(test)]
mod tests {
    use super::super::pattern::parse_file;
    use super::*;

    fn detector(toml: &str, options: DetectorOptions) -> Detector {
        Detector::new(&parse_file("test.toml", toml).unwrap(), &options).unwrap()
    }

    fn find(d: &Detector, text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        d.detect(text, &mut Scratch::default(), &mut out);
        out.iter()
            .map(|f| (f.entity.to_string(), text[f.start..f.end].to_string()))
            .collect()
    }

    const GATED: &str = r#"
[[pattern]]
id = "ssn_bare"
entity = "US_SSN"
regex = '(?-u:\b)\d{9}(?-u:\b)'
score = 0.3
context = { words = ["ssn", "social security"], window = 30, boost = 0.4 }

[[pattern]]
id = "card"
entity = "CREDIT_CARD"
regex = '(?-u:\b)\d(?:[ -]?\d){12,18}(?-u:\b)'
validator = "luhn"
score = 0.9
"#;

    fn opts() -> DetectorOptions {
        DetectorOptions {
            min_score: 0.5,
            ..Default::default()
        }
    }

    #[test]
    fn context_gates_weak_patterns() {
        let d = detector(GATED, opts());
        assert_eq!(find(&d, "order 123456789 shipped"), vec![]);
        assert_eq!(
            find(&d, "my SSN is 123456789"),
            vec![("US_SSN".into(), "123456789".into())]
        );
        assert_eq!(
            find(&d, "my SSNs 123456789"),
            vec![],
            "context words match whole words only"
        );
    }

    #[test]
    fn negative_words_just_before_drop_a_match() {
        let toml = r#"
[[pattern]]
id = "acct"
entity = "BANK_ACCOUNT"
regex = '(?-u:\b)\d{8}(?-u:\b)'
score = 0.3
context = { words = ["account"], negative = ["order"], negative_window = 10 }
"#;
        let d = detector(toml, opts());
        assert_eq!(
            find(&d, "account 12345678"),
            vec![("BANK_ACCOUNT".into(), "12345678".into())]
        );
        assert_eq!(find(&d, "my account: order 12345678"), vec![]);
        assert_eq!(
            find(&d, "order shipped, account 12345678"),
            vec![("BANK_ACCOUNT".into(), "12345678".into())],
            "a negative word further back than its window does not count"
        );
    }

    #[test]
    fn validators_reject_look_alikes() {
        let d = detector(GATED, opts());
        assert_eq!(
            find(&d, "card 4111 1111 1111 1111 ok"),
            vec![("CREDIT_CARD".into(), "4111 1111 1111 1111".into())]
        );
        assert_eq!(find(&d, "card 4111 1111 1111 1112 ok"), vec![]);
        assert_eq!(
            find(&d, "card 4111 1111 1111 1111 12 28"),
            vec![("CREDIT_CARD".into(), "4111 1111 1111 1111".into())],
            "a greedy match failing its check is retried shorter"
        );
    }

    #[test]
    fn overlaps_keep_higher_score_then_longer() {
        let toml = r#"
[[pattern]]
id = "url"
entity = "URL"
regex = 'https?://\S+'
score = 0.8
[[pattern]]
id = "email"
entity = "EMAIL"
regex = '[a-z]+@[a-z]+\.com'
score = 0.8
"#;
        let d = detector(toml, opts());
        assert_eq!(
            find(&d, "see http://x.com/?to=ann@ex.com"),
            vec![("URL".into(), "http://x.com/?to=ann@ex.com".into())]
        );
        assert_eq!(
            find(&d, "mail ann@ex.com"),
            vec![("EMAIL".into(), "ann@ex.com".into())]
        );
    }

    #[test]
    fn boosted_scores_tie_with_equal_plain_scores() {
        let toml = r#"
[[pattern]]
id = "short"
entity = "SHORT"
regex = '[0-9]{4} [0-9]{4}'
score = 0.8
context = { words = ["number"], boost = 0.1 }
[[pattern]]
id = "long"
entity = "LONG"
regex = '[0-9]{4} [0-9]{4} [0-9]{4}'
score = 0.9
"#;
        let d = detector(toml, opts());
        assert_eq!(
            find(&d, "number 1234 5678 9012"),
            vec![("LONG".into(), "1234 5678 9012".into())]
        );
    }

    #[test]
    fn value_group_limits_the_span_and_allow_deny_lists_apply() {
        let toml = r#"
[[pattern]]
id = "mrn"
entity = "MRN"
regex = 'MRN:? (?P<v>\d{6})'
"#;
        let d = detector(
            toml,
            DetectorOptions {
                min_score: 0.5,
                allow: vec!["000000".into()],
                deny: vec!["Project Falcon".into()],
                ..Default::default()
            },
        );
        assert_eq!(
            find(&d, "MRN: 123456"),
            vec![("MRN".into(), "123456".into())]
        );
        assert_eq!(find(&d, "MRN: 000000"), vec![]);
        assert_eq!(
            find(&d, "about project falcon today"),
            vec![("DENY_LIST".into(), "project falcon".into())]
        );
    }

    #[test]
    fn min_digits_counts_what_every_match_needs() {
        let count = |re: &str| min_digits(&regex_syntax::parse(re).unwrap());
        assert_eq!(count(r"(?-u:\d{3}-\d{2})"), 5);
        // A Unicode \d may match digits that are not ASCII, so it guarantees none.
        assert_eq!(count(r"\d{3}"), 0);
        assert_eq!(count(r"(?-u:\b)(?:[0-9][ -]?){12,18}[0-9]"), 13);
        assert_eq!(count(r"(?-u:a(?:\d{2}|[0-9]{4})7)"), 3);
        assert_eq!(count(r"[0-9a-f]{2}:\w+"), 0);
        assert_eq!(count(r"(?P<v>\d{6})?x"), 0);
    }

    #[test]
    fn texts_with_few_or_many_digits_see_their_patterns() {
        let d = detector(GATED, opts());
        // Under five digits only a few-digit automaton runs: the card cannot be
        // there, and a card in a longer text is still found.
        assert_eq!(find(&d, "ssn 12 34"), vec![]);
        assert_eq!(
            find(&d, "ssn 123456789 or card 4111 1111 1111 1111"),
            vec![
                ("US_SSN".into(), "123456789".into()),
                ("CREDIT_CARD".into(), "4111 1111 1111 1111".into())
            ]
        );
    }

    #[test]
    fn one_scratch_serves_several_detectors_and_unicode_boundaries_hold() {
        let unicode = r#"
[[pattern]]
id = "word"
entity = "WORD"
regex = '\bnaïve\b'
"#;
        let a = detector(GATED, opts());
        let b = detector(unicode, opts());
        let mut scratch = Scratch::default();
        for _ in 0..2 {
            let mut out = Vec::new();
            a.detect("card 4111 1111 1111 1111", &mut scratch, &mut out);
            b.detect("a naïve idea", &mut scratch, &mut out);
            let entities: Vec<&str> = out.iter().map(|f| &*f.entity).collect();
            assert_eq!(entities, ["CREDIT_CARD", "WORD"]);
        }
        // The screening automaton drops Unicode word boundaries; the pattern's own regex
        // still applies them.
        assert_eq!(find(&b, "une naïveté"), vec![]);
        assert_eq!(
            find(&b, "très naïve."),
            vec![("WORD".into(), "naïve".into())]
        );
    }

    #[test]
    fn disabled_patterns_and_bad_patterns() {
        let d = detector(
            GATED,
            DetectorOptions {
                disable: vec!["card".into()],
                ..opts()
            },
        );
        assert_eq!(d.pattern_count(), 1);
        let bad = parse_file("b.toml", "[[pattern]]\nid='x'\nentity='X'\nregex='('\n").unwrap();
        assert!(Detector::new(&bad, &opts()).is_err());
        let bad = parse_file(
            "b.toml",
            "[[pattern]]\nid='x'\nentity='X'\nregex='a'\nvalidator='zzz'\n",
        )
        .unwrap();
        let err = Detector::new(&bad, &opts()).err().unwrap().to_string();
        assert!(err.contains("zzz"), "{err}");
    }
}
