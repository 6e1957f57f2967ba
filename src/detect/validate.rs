//! Checksum and structure validators named by patterns. A pattern's regex finds candidates;
//! these throw out the ones a real identifier could not be, which is what keeps order
//! numbers and timestamps from being redacted as cards or accounts.

/// A validator receives the matched text (separators included) and says whether it is real.
pub type Validator = fn(&str) -> bool;

/// Looks a validator up by the name used in pattern files.
pub fn by_name(name: &str) -> Option<Validator> {
    Some(match name {
        "luhn" => luhn,
        "payment_card" => payment_card,
        "iban" => iban,
        "verhoeff" => verhoeff,
        "nhs_number" => nhs_number,
        "aba_routing" => aba_routing,
        "us_ssn" => us_ssn,
        "us_itin" => us_itin,
        "uk_nino" => uk_nino,
        "npi" => npi,
        "imei" => imei,
        "medicare_mbi" => medicare_mbi,
        "phone" => phone,
        "money_amount" => money_amount,
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

/// The digits of `s` as values when there are exactly `n` of them.
fn exact_digits<const N: usize>(s: &str) -> Option<[u32; N]> {
    let mut out = [0; N];
    let mut count = 0;
    for d in digits(s) {
        *out.get_mut(count)? = d;
        count += 1;
    }
    (count == N).then_some(out)
}

/// Payment cards: a length the networks issue, a first digit that belongs to a card
/// network for that length (ISO/IEC 7812 major industry identifiers 1-6), and Luhn. The
/// prefix check keeps Luhn-valid epoch timestamps and long order numbers out.
pub fn payment_card(s: &str) -> bool {
    let count = digits(s).count();
    let first = digits(s).next().unwrap_or(0);
    let issued = match count {
        13 => first == 4,
        14 => first == 3,
        15 => matches!(first, 1..=3),
        16 => matches!(first, 2..=6),
        17..=19 => matches!(first, 3..=6),
        _ => false,
    };
    issued && luhn(s)
}

/// Verhoeff dihedral-group check (Aadhaar's last digit).
pub fn verhoeff(s: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 8, 7, 6, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0usize;
    let mut count = 0;
    for (i, d) in digits(s).rev().enumerate() {
        c = usize::from(D[c][usize::from(P[i % 8][d as usize])]);
        count += 1;
    }
    count >= 2 && c == 0
}

/// NHS number: ten digits, weights 10..2 on the first nine, mod 11; a remainder giving
/// check 10 is never issued.
pub fn nhs_number(s: &str) -> bool {
    let Some(d) = exact_digits::<10>(s) else {
        return false;
    };
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

/// ABA routing transit number: weights 3-7-1 mod 10, and a first pair in a Federal Reserve
/// range (00-12, 21-32 thrift, 61-72 electronic, 80 traveller's cheques).
pub fn aba_routing(s: &str) -> bool {
    let Some(d) = exact_digits::<9>(s) else {
        return false;
    };
    let prefix = d[0] * 10 + d[1];
    let in_range = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8];
    in_range && sum % 10 == 0
}

/// Area, group and serial of a nine-digit US taxpayer number.
fn ssn_parts(s: &str) -> Option<(u32, u32, u32)> {
    let d = exact_digits::<9>(s)?;
    Some((
        d[0] * 100 + d[1] * 10 + d[2],
        d[3] * 10 + d[4],
        d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8],
    ))
}

/// US SSN structure (SSA): no area 000, 666 or 900-999, no group 00, no serial 0000.
pub fn us_ssn(s: &str) -> bool {
    ssn_parts(s).is_some_and(|(area, group, serial)| {
        area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    })
}

/// US ITIN structure (IRS): area 9xx and a group in 50-65, 70-88, 90-92 or 94-99.
pub fn us_itin(s: &str) -> bool {
    ssn_parts(s).is_some_and(|(area, group, _)| {
        area >= 900 && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
    })
}

/// UK National Insurance number prefix rules (HMRC National Insurance Manual NIM39110):
/// neither letter D, F, I, Q, U or V, no O second, and never BG, GB, KN, NK, NT, TN or ZZ;
/// six digits; an optional suffix A-D.
pub fn uk_nino(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let (prefix, rest) = match compact.len() {
        8 | 9 => compact.split_at(2),
        _ => return false,
    };
    let (number, suffix) = rest.split_at(6);
    let letter_ok = |b: u8, extra: &[u8]| {
        b.is_ascii_uppercase() && !b"DFIQUV".contains(&b) && !extra.contains(&b)
    };
    letter_ok(prefix[0], b"")
        && letter_ok(prefix[1], b"O")
        && !matches!(
            prefix,
            b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ"
        )
        && number.iter().all(u8::is_ascii_digit)
        && suffix.iter().all(|b| (b'A'..=b'D').contains(b))
}

/// NPI (CMS): ten digits whose Luhn check covers the card-issuer prefix 80840.
pub fn npi(s: &str) -> bool {
    let Some(d) = exact_digits::<10>(s) else {
        return false;
    };
    let mut prefixed = String::with_capacity(15);
    prefixed.push_str("80840");
    prefixed.extend(d.iter().map(|&x| char::from(b'0' + x as u8)));
    luhn(&prefixed)
}

/// IMEI: fifteen digits with a Luhn check digit (3GPP TS 23.003).
pub fn imei(s: &str) -> bool {
    exact_digits::<15>(s).is_some() && luhn(s)
}

/// Medicare Beneficiary Identifier (CMS format): eleven characters, position 1 a digit 1-9,
/// 2, 5, 8 and 9 letters, 4, 7, 10 and 11 digits, 3 and 6 either; letters never S, L, O, I,
/// B or Z.
pub fn medicare_mbi(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b'-' && *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() != 11 {
        return false;
    }
    let letter = |b: u8| b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b);
    compact.iter().enumerate().all(|(i, &b)| match i {
        0 => (b'1'..=b'9').contains(&b),
        1 | 4 | 7 | 8 => letter(b),
        3 | 6 | 9 | 10 => b.is_ascii_digit(),
        _ => letter(b) || b.is_ascii_digit(),
    })
}

/// Phone numbers: between 8 and 15 digits (E.164's maximum), so short codes and long
/// reference numbers that share a phone's punctuation are left alone.
pub fn phone(s: &str) -> bool {
    (8..=15).contains(&digits(s).count())
}

/// Amounts of money, less the US retirement plans named like amounts ("my 401k" is no
/// 401 thousand).
pub fn money_amount(s: &str) -> bool {
    let compact: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    !matches!(compact.as_str(), "401k" | "403b" | "457b")
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
    fn payment_card_needs_an_issued_prefix() {
        // Test numbers published by Stripe and PayPal for Visa 13/16, Amex, Diners, JCB.
        for valid in [
            "4222222222222",
            "4111111111111111",
            "3782 822463 10005",
            "30569309025904",
            "3530111333300000",
            "2223003122003222",
        ] {
            assert!(payment_card(valid), "{valid}");
        }
        // Luhn-valid, but no network issues these lengths with these first digits.
        for invalid in [
            "1700000000008",
            "9111111111111111",
            "79927398713",
            "4111111111111112",
        ] {
            assert!(!payment_card(invalid), "{invalid}");
        }
    }

    #[test]
    fn verhoeff_published_examples() {
        // Rosetta Code "Verhoeff algorithm": 236 -> 3, 12345 -> 1, 123456789012 -> 0; and
        // UIDAI's published authentication test UIDs.
        for valid in [
            "2363",
            "123451",
            "1234567890120",
            "9999 9999 0019",
            "999941057058",
        ] {
            assert!(verhoeff(valid), "{valid}");
        }
        for invalid in ["2364", "123459", "1234567890129", "2345 6789 0123", "7"] {
            assert!(!verhoeff(invalid), "{invalid}");
        }
    }

    #[test]
    fn nhs_number_published_examples() {
        // NHS Data Dictionary example 943 476 5919 and Wikipedia's 401 023 2137.
        for valid in ["943 476 5919", "4010232137"] {
            assert!(nhs_number(valid), "{valid}");
        }
        // 1234567890 has remainder giving check digit 10: never issued.
        for invalid in ["943 476 5918", "4010232138", "1234567890", "943476591"] {
            assert!(!nhs_number(invalid), "{invalid}");
        }
    }

    #[test]
    fn aba_routing_published_examples() {
        // Federal Reserve Bank of Boston 011000015, JPMorgan Chase 021000021, and
        // Wikipedia's example 111000025.
        for valid in ["011000015", "021000021", "111000025"] {
            assert!(aba_routing(valid), "{valid}");
        }
        // 123456789 fails the checksum; 500000005 passes it but 50 is no Fed district.
        for invalid in ["123456789", "011000016", "500000005", "02100002"] {
            assert!(!aba_routing(invalid), "{invalid}");
        }
    }

    #[test]
    fn us_ssn_and_itin_structure() {
        // 078-05-1120 (the Woolworth wallet card) and 219-09-9999 (SSA's sample card) were
        // printed by their issuers as examples; the invalid ones break one SSA rule each.
        for valid in ["078-05-1120", "219 09 9999", "123456789"] {
            assert!(us_ssn(valid), "{valid}");
        }
        for invalid in [
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(!us_ssn(invalid), "{invalid}");
        }
        // IRS ITIN format: 9XX-7X-XXXX and the other published group ranges.
        for valid in ["912-70-1234", "900-50-0000", "999 94 1111"] {
            assert!(us_itin(valid), "{valid}");
        }
        for invalid in ["912-69-1234", "912-93-1234", "812-70-1234", "078-05-1120"] {
            assert!(!us_itin(invalid), "{invalid}");
        }
    }

    #[test]
    fn uk_nino_prefix_rules() {
        // HMRC NIM39110. QQ 12 34 56 C is HMRC's own dummy number, chosen because Q is
        // never issued.
        for valid in ["AB 12 34 56 C", "ab123456c", "JG103759A", "AB123456"] {
            assert!(uk_nino(valid), "{valid}");
        }
        for invalid in [
            "QQ 12 34 56 C",
            "GB123456A",
            "ZZ123456D",
            "AO123456A",
            "AB123456E",
            "AB12345C",
        ] {
            assert!(!uk_nino(invalid), "{invalid}");
        }
    }

    #[test]
    fn npi_and_imei_published_examples() {
        // CMS "NPI check digit" worked example: 123456789 gets check digit 3.
        assert!(npi("1234567893"));
        assert!(!npi("1234567890"));
        assert!(!npi("123456789"));
        // Wikipedia's IMEI example 49-015420-323751-8.
        assert!(imei("49-015420-323751-8"));
        assert!(!imei("49-015420-323751-9"));
        assert!(!imei("4111111111111111"));
    }

    #[test]
    fn medicare_mbi_published_examples() {
        // CMS "Understanding the MBI" format example 1EG4-TE5-MK73.
        for valid in ["1EG4-TE5-MK73", "1eg4te5mk73"] {
            assert!(medicare_mbi(valid), "{valid}");
        }
        // First character 0, an S in a letter position, a letter in a digit position.
        for invalid in [
            "0EG4-TE5-MK73",
            "1SG4-TE5-MK73",
            "1EG4-TE5-MKA3",
            "1EG4-TE5-MK7",
        ] {
            assert!(!medicare_mbi(invalid), "{invalid}");
        }
    }

    #[test]
    fn money_amount_is_not_a_retirement_plan() {
        assert!(money_amount("$85,000"));
        assert!(money_amount("120k"));
        assert!(!money_amount("401k"));
        assert!(!money_amount("401K"));
    }

    #[test]
    fn phone_digit_counts() {
        assert!(phone("+44 20 7946 0958"));
        assert!(phone("(415) 555-0132"));
        assert!(!phone("+1 555 01"));
        assert!(!phone("+44 20 7946 0958 1234 5678"));
    }

    #[test]
    fn unknown_validator_is_none() {
        assert!(by_name("luhn").is_some());
        assert!(by_name("nope").is_none());
    }
}
