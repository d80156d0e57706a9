"""The hashtag stance lexicon: which hashtags mark pro-IS or anti-IS tweets, with their sources.

A lexicon is a small CSV with columns ``term, stance, language, source, confidence``. The bundled
one (``data/lexicon/stance_lexicon.csv``, versioned in its ``datapackage.json``) holds the two
examples the AP gave (#Caliphate mostly on pro-IS accounts, #Daesh mostly on anti-IS ones, story
of 2016-07-09) and a few more, each either cited or marked ``ASSUMPTION: ...`` in ``source`` so the
app can show it as such. Users may pass or upload their own.

Terms match *whole hashtags* after ``normalise``: a term with or without ``#``, in any case, with
or without underscores, and Arabic with or without diacritics, tatweel or variant letter forms
all meet. Free text is never matched: the explorer reads hashtags, not tweets.
"""

from __future__ import annotations

import hashlib
import io
import json
import pathlib
import re
import unicodedata
from dataclasses import dataclass

from explorer import paths
from explorer.errors import InputError

LEXICON_DIR = paths.LEXICON_DIR
DEFAULT_LEXICON = LEXICON_DIR / "stance_lexicon.csv"
COLUMNS = ("term", "stance", "language", "source", "confidence")
ASSUMPTION_PREFIX = "ASSUMPTION"

# Arabic marks that change pronunciation, not the word: harakat and tanwin (064B-065F, which
# includes hamza above/below as combining marks), Quranic annotation signs, superscript alef.
_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
# Letter variants people type interchangeably: alef with hamza/madda/wasla -> bare alef, hamza on
# waw/ya -> the carrier, ta marbuta -> ha, alef maqsura and Persian ya -> Arabic ya.
_AR_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u0624": "\u0648",  # waw with hamza
        "\u0626": "\u064a",  # ya with hamza
        "\u0629": "\u0647",  # ta marbuta
        "\u0649": "\u064a",  # alef maqsura
        "\u06cc": "\u064a",  # Persian ya
    }
)
# Separators inside a hashtag or term: '#', '_', spaces, zero-width (non-)joiners.
_SEPARATORS = re.compile("[#_\\s\u200c\u200d]+")
_STANCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def normalise(term: str) -> str:
    """The matching key of a hashtag or lexicon term.

    NFKC (so presentation forms and full-width letters become plain letters), case-folded,
    Arabic tatweel and diacritics removed, Arabic letter variants unified, and ``#``,
    underscores and spaces dropped.

    Parameters
    ----------
    term
        A hashtag (with or without ``#``) or a lexicon term.

    Returns
    -------
    str
        The key; two spellings of the same hashtag give the same key.

    Examples
    --------
    >>> normalise("#Islamic_State") == normalise("islamicstate")
    True
    >>> normalise("#الدولـــة_الإسلامية") == normalise("الدولة الاسلاميه")
    True
    """
    s = unicodedata.normalize("NFKC", str(term)).casefold()
    s = s.replace(_TATWEEL, "")
    s = _AR_MARKS.sub("", s)
    s = s.translate(_AR_LETTERS)
    s = _SEPARATORS.sub("", s)
    # Dropping a separator can leave a letter next to a combining mark that NFKC kept apart
    # ("R\u00b8" -> "r \u0327" -> "r\u0327"): compose again so the key is stable.
    return unicodedata.normalize("NFC", s)


@dataclass(frozen=True)
class LexiconEntry:
    """One lexicon row; ``key`` is ``normalise(term)``."""

    term: str
    stance: str
    language: str
    source: str
    confidence: float
    key: str

    @property
    def assumption(self) -> bool:
        """True when the row is the project's assumption rather than a cited finding."""
        return self.source.strip().upper().startswith(ASSUMPTION_PREFIX)


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon: its rows, where it came from and its version."""

    entries: tuple[LexiconEntry, ...]
    version: str
    sha256: str
    name: str = "stance_lexicon"

    @property
    def stances(self) -> tuple[str, ...]:
        """The stances in the lexicon, sorted (each becomes ``n_<stance>`` columns)."""
        return tuple(sorted({e.stance for e in self.entries}))

    def stance_of(self, hashtag: str) -> str | None:
        """The stance a hashtag marks, or None."""
        key = normalise(hashtag)
        for e in self.entries:
            if e.key == key:
                return e.stance
        return None

    def keys(self) -> dict[str, str]:
        """Normalised key -> stance (what the ingest SQL joins on)."""
        return {e.key: e.stance for e in self.entries}

    def describe(self) -> dict:
        """JSON-ready summary for a results sidecar: version, checksum, terms and their sources."""
        return {
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "stances": list(self.stances),
            "n_terms": len(self.entries),
            "n_assumptions": sum(e.assumption for e in self.entries),
            "terms": [
                {
                    "term": e.term,
                    "stance": e.stance,
                    "language": e.language,
                    "source": e.source,
                    "confidence": e.confidence,
                    "assumption": e.assumption,
                }
                for e in self.entries
            ],
        }

    def to_csv(self) -> str:
        """The lexicon as CSV text (for download and editing in the app)."""
        import csv

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for e in self.entries:
            w.writerow([e.term, e.stance, e.language, e.source, f"{e.confidence:g}"])
        return buf.getvalue()


def load_lexicon(source=None, *, name: str | None = None) -> Lexicon:
    """Read and validate a lexicon.

    Parameters
    ----------
    source
        None (the bundled lexicon), a path, CSV bytes or text, or a DataFrame with the columns
        ``term, stance, language, source, confidence``.
    name
        A label for the results (default: the file name or ``user_lexicon``).

    Returns
    -------
    Lexicon

    Raises
    ------
    InputError
        Missing columns, an empty term, a stance that is not a short lower-case name, a
        confidence outside 0..1, or one hashtag given two different stances.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> lex.stance_of("#DAESH"), lex.stance_of("caliphate")
    ('anti', 'pro')
    """
    import pandas as pd

    version = None
    if source is None:
        source = DEFAULT_LEXICON
        version = _bundled_version()
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        raw = df.to_csv(index=False).encode("utf-8")
        label = name or "user_lexicon"
    else:
        if isinstance(source, str | pathlib.Path) and not _looks_like_csv_text(source):
            path = pathlib.Path(source)
            try:
                found = path.is_file()
            except (OSError, ValueError):  # a name too long for the file system, a NUL byte
                found = False
            if not found:
                raise InputError(
                    f"Lexicon file {str(path)!r} not found: give a CSV with columns "
                    f"{', '.join(COLUMNS)}."
                )
            raw = path.read_bytes()
            label = name or path.stem
        else:
            raw = source.encode("utf-8") if isinstance(source, str) else bytes(source)
            label = name or "user_lexicon"
        try:
            df = pd.read_csv(
                io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(
                f"The lexicon could not be read as UTF-8 CSV ({type(exc).__name__}): save it as "
                f"CSV with the header {','.join(COLUMNS)}."
            ) from None
    sha = hashlib.sha256(raw).hexdigest()
    entries = _validate(df)
    return Lexicon(entries=entries, version=version or f"user-{sha[:12]}", sha256=sha, name=label)


def _looks_like_csv_text(source) -> bool:
    return isinstance(source, str) and ("\n" in source or source.startswith("term,"))


def _bundled_version() -> str:
    try:
        meta = json.loads((LEXICON_DIR / "datapackage.json").read_text(encoding="utf-8"))
        return str(meta.get("version", "unversioned"))
    except (OSError, ValueError):
        return "unversioned"


def _validate(df) -> tuple[LexiconEntry, ...]:
    df = df.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"The lexicon lacks column(s) {', '.join(missing)}: it needs "
            f"{', '.join(COLUMNS)} (see data/lexicon/stance_lexicon.csv)."
        )
    if len(df) == 0:
        raise InputError("The lexicon has no rows: add at least one term with its stance.")
    entries, seen = [], {}
    for i, row in enumerate(df[list(COLUMNS)].itertuples(index=False), start=2):
        term, stance, language, source, conf = (str(v).strip() for v in row)
        key = normalise(term)
        if not key:
            raise InputError(f"Lexicon line {i}: the term is empty; give a hashtag such as #Daesh.")
        stance = stance.lower()
        if not _STANCE_NAME.match(stance):
            raise InputError(
                f"Lexicon line {i}: stance {stance!r} must be a short lower-case name such as "
                "pro or anti (letters, digits, underscores)."
            )
        try:
            c = float(conf) if conf else float("nan")
        except ValueError:
            c = float("nan")
        if not 0.0 <= c <= 1.0:
            raise InputError(f"Lexicon line {i}: confidence {conf!r} must be a number from 0 to 1.")
        if not source:
            raise InputError(
                f"Lexicon line {i} ({term}): give a source, or write 'ASSUMPTION: why' in the "
                "source column."
            )
        if key in seen and seen[key][0] != stance:
            raise InputError(
                f"Lexicon lines {seen[key][1]} and {i} give the same hashtag ({term}) two "
                f"stances ({seen[key][0]}, {stance}): keep one."
            )
        if key in seen:
            continue
        seen[key] = (stance, i)
        entries.append(LexiconEntry(term, stance, language, source, c, key))
    return tuple(entries)
