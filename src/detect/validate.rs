//! Checksum and structure validators named by patterns. A pattern's regex finds candidates;
//! these throw out the ones a real identifier could not be, which is what keeps order
//! numbers and timestamps from being redacted as cards or accounts.

/// A validator receives the matched text (separators included) and says whether it is real.
pub type Validator = fn(&str) -> bool;

/// Looks a validator up by the name used in pattern files.
pub fn by_name(name: &str) -> Option<Validator> {
    Some(match name {
        "luhn" => luhn,
        "iban" => iban,
        _ => return None,
    })
}

/// The ASCII digits of `s`, as values, skipping separators.
fn digits(s: &str) -> impl DoubleEndedIterator<Item = u32> + '_ {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
}

/// Luhn mod 10 (ISO/IEC 7812): payment cards, IMEI, NPI with its prefix.
pub fn luhn(s: &str) -> bool {
    let mut sum = 0;
    let mut count = 0;
    for (i, d) in digits(s).rev().enumerate() {
        count += 1;
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    count >= 2 && sum % 10 == 0
}

/// IBAN lengths per country (ISO 13616 registry).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// IBAN: the country's length and the ISO 7064 mod-97 check.
pub fn iban(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() < 15 || !compact[..2].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    let country = std::str::from_utf8(&compact[..2]).unwrap_or("");
    match IBAN_LENGTHS.iter().find(|(c, _)| *c == country) {
        Some(&(_, len)) if len == compact.len() => {}
        _ => return false,
    }
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut rem: u32 = 0;
    for &b in rearranged {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_published_examples() {
        // Test card numbers published by card networks and payment processors.
        for valid in [
            "4111 1111 1111 1111",
            "5555-5555-5555-4444",
            "378282246310005",
            "6011111111111117",
            "79927398713",
        ] {
            assert!(luhn(valid), "{valid}");
        }
        for invalid in [
            "4111 1111 1111 1112",
            "79927398710",
            "1234567812345678",
            "0",
        ] {
            assert!(!luhn(invalid), "{invalid}");
        }
    }

    #[test]
    fn iban_published_examples() {
        // Examples from the ISO 13616 / SWIFT IBAN registry.
        for valid in [
            "DE89 3704 0044 0532 0130 00",
            "GB82 WEST 1234 5698 7654 32",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91ABNA0417164300",
            "CH9300762011623852957",
        ] {
            assert!(iban(valid), "{valid}");
        }
        for invalid in [
            "DE89 3704 0044 0532 0130 01",
            "GB82 WEST 1234 5698 7654 3",
            "XX89 3704 0044 0532 0130 00",
            "DE89370400440532013000000",
        ] {
            assert!(!iban(invalid), "{invalid}");
        }
    }

    #[test]
    fn unknown_validator_is_none() {
        assert!(by_name("luhn").is_some());
        assert!(by_name("nope").is_none());
    }
}
