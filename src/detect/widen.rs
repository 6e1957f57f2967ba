//! Wider versions of the patterns, for the automaton that screens texts.
//!
//! That automaton only says which patterns may match a text; each candidate then runs its own
//! regex. So it may match more than the patterns do where that makes the automaton smaller:
//! its transition table is read once per byte of every text, and on digit-heavy chat the
//! exact union of the library (142 byte classes, so 1 KiB of table per state, 2.8 MB of
//! states built) spent most of its time waiting for that table. Widened: 101 classes,
//! 0.5 KiB per state, 1.7 MB, and the same candidates on that corpus.
//!
//! The widened pattern matches wherever the pattern does, and:
//! - reads every byte of a non-ASCII character as one class, instead of the dozens of UTF-8
//!   ranges Unicode classes split into (a class holding non-ASCII characters becomes "its
//!   ASCII part, or a run of non-ASCII bytes", so that each character can still be one
//!   repetition of it);
//! - drops Unicode word boundaries, which the automaton could only guess at on non-ASCII
//!   text, quitting there for another engine (ASCII boundaries stay: they read the same
//!   bytes either way).
//!
//! - takes a repetition whose count may vary by `MAX_COUNTED_SPAN` or more (`{1,15}`,
//!   `{16,247}`) as having no upper bound. The automaton would otherwise count every run
//!   of such bytes up to the bound, in every state of every other pattern: the library's
//!   URL-scheme, e-mail domain and token lengths made the automaton over digit-free text
//!   2.6 times larger (325 KB of states built on the SGD dialogue turns, 127 KB without the
//!   wide bounds), and it no longer fit the core's fastest cache. Candidates stayed the same
//!   on every corpus measured.
//!
//! Folding letter case and merging digits as well were measured: they shrink the automaton
//! further, but digits are what tells a date or a card number from an order number, and the
//! extra candidates cost more than the smaller table saved.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Look, Repetition};

/// A pattern that matches wherever `hir` matches, over fewer byte classes (see the module
/// documentation). Byte-oriented: build its automaton without UTF-8 mode.
pub fn widen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::concat(
            literal
                .0
                .iter()
                .map(|&b| Hir::class(Class::Bytes(widen_bytes([(b, b)]))))
                .collect(),
        ),
        HirKind::Class(Class::Unicode(class)) => {
            let ascii = class
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (r.start() as u8, r.end().min('\x7f') as u8));
            let ascii = widen_bytes(ascii);
            let non_ascii = class.iter().any(|r| !r.end().is_ascii());
            let ascii = (ascii.iter().next().is_some()).then(|| Hir::class(Class::Bytes(ascii)));
            let non_ascii = non_ascii.then(non_ascii_run);
            Hir::alternation(ascii.into_iter().chain(non_ascii).collect())
        }
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(widen_bytes(
            class.iter().map(|r| (r.start(), r.end())),
        ))),
        HirKind::Look(look) => match look {
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode => Hir::empty(),
            _ => Hir::look(*look),
        },
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max.filter(|&max| max - r.min < MAX_COUNTED_SPAN),
            greedy: r.greedy,
            sub: Box::new(widen(&r.sub)),
        }),
        HirKind::Capture(c) => widen(&c.sub),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(widen).collect()),
        HirKind::Alternation(alternatives) => {
            Hir::alternation(alternatives.iter().map(widen).collect())
        }
    }
}

/// The widest range of counts (`max - min`) a widened repetition keeps its upper bound with.
/// Narrow ranges tell things apart (`\d{1,2}` of a day, `\d{2,4}` of a year); wide ones only
/// bound a run of letters or digits that is rare at that length anyway.
const MAX_COUNTED_SPAN: u32 = 8;

/// One or more non-ASCII bytes: any non-ASCII character, read byte by byte.
fn non_ascii_run() -> Hir {
    Hir::repetition(Repetition {
        min: 1,
        max: None,
        greedy: true,
        sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([
            ClassBytesRange::new(0x80, 0xff),
        ])))),
    })
}

/// The byte ranges, with all non-ASCII bytes if they hold any.
fn widen_bytes(ranges: impl IntoIterator<Item = (u8, u8)>) -> ClassBytes {
    let mut class = ClassBytes::empty();
    for (start, end) in ranges {
        if start.is_ascii() {
            class.push(ClassBytesRange::new(start, end.min(0x7f)));
        }
        if !end.is_ascii() {
            class.push(ClassBytesRange::new(0x80, 0xff));
        }
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::nfa::thompson::{self, pikevm::PikeVM};

    /// The widened pattern's matcher, built the way the detector builds its automaton.
    fn wide(pattern: &str) -> impl Fn(&str) -> bool {
        let hir = regex_syntax::parse(pattern).unwrap();
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().utf8(false))
            .build_from_hir(&widen(&hir))
            .unwrap();
        let vm = PikeVM::new_from_nfa(nfa).unwrap();
        move |text| vm.is_match(&mut vm.create_cache(), text)
    }

    #[test]
    fn widened_patterns_match_more_but_never_less() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                r"(?-u:\b)[2-9]\d{2}-\d{4}(?-u:\b)",
                &["555-0132"],
                &["55-0132", "123-4567"],
            ),
            (
                r"[A-Z]{5}[0-9]{4}[A-Z]",
                &["ABCDE1234F"],
                &["ABCD1234F", "abcde1234f"],
            ),
            (r"(?i)password", &["PassWord"], &["pass word"]),
            // A non-ASCII character is one repetition (or more: a superset still).
            (r"\w{3}", &["abc", "été", "日本語"], &["ab"]),
            (r"naïve", &["naïve", "naéve"], &["naeve"]),
            // A Unicode boundary is dropped (more matches); an ASCII one is kept.
            (r"\bcat\b", &["cat", "concatenate"], &["ca t"]),
            (r"(?-u:\b)cat(?-u:\b)", &["a cat!"], &["concatenate"]),
            (r"^\d+$", &["123"], &["a123"]),
            // A narrow count keeps its upper bound (a wide one: see below).
            (r"(?-u:\b)\d{1,2}/", &["12/"], &["123/"]),
        ];
        for (pattern, matching, rejected) in cases {
            let exact = regex::Regex::new(pattern).unwrap();
            let wide = wide(pattern);
            for text in *matching {
                assert!(wide(text), "{pattern} on {text}");
            }
            for text in *rejected {
                assert!(!exact.is_match(text) && !wide(text), "{pattern} on {text}");
            }
        }
    }

    #[test]
    fn wide_counts_lose_their_upper_bound() {
        let pattern = r"(?-u:\b)[a-z]{1,9}:";
        let long = "averylongscheme:";
        assert!(!regex::Regex::new(pattern).unwrap().is_match(long));
        assert!(wide(pattern)(long));
        assert!(!wide(pattern)("1:"));
    }

    /// Every example of the built-in library that a pattern matches, its widened pattern
    /// matches too; and the library's union needs far fewer byte classes widened.
    #[test]
    fn builtin_patterns_widen_to_supersets() {
        let patterns = crate::detect::pattern::builtin().unwrap();
        for p in &patterns {
            let exact = regex::Regex::new(&p.spec.regex).unwrap();
            let wide = wide(&p.spec.regex);
            let examples = p
                .spec
                .examples
                .matches
                .iter()
                .chain(&p.spec.examples.reject);
            for text in examples.chain(patterns.iter().flat_map(|q| &q.spec.examples.matches)) {
                if exact.is_match(text) {
                    assert!(wide(text), "{} on an example", p.spec.id);
                }
            }
        }
        let hirs: Vec<Hir> = patterns
            .iter()
            .map(|p| regex_syntax::parse(&p.spec.regex).unwrap())
            .collect();
        let classes = |hirs: &[Hir], utf8: bool| {
            thompson::Compiler::new()
                .configure(thompson::Config::new().utf8(utf8))
                .build_many_from_hir(hirs)
                .unwrap()
                .byte_classes()
                .alphabet_len()
        };
        let widened: Vec<Hir> = hirs.iter().map(widen).collect();
        let (exact, wide) = (classes(&hirs, true), classes(&widened, false));
        assert!(
            wide * 4 < exact * 3,
            "{wide} byte classes widened, {exact} exact"
        );
    }
}
