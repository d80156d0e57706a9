"""The stance lexicon: normalisation (Arabic and Latin), the bundled file, user lexicons."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.errors import InputError
from explorer.tweets.lexicon import DEFAULT_LEXICON, LEXICON_DIR, load_lexicon, normalise

# Pairs that must normalise to the same key, each exercising one rule.
SAME = [
    ("#Daesh", "daesh"),  # '#' and case
    ("#DAESH", "#daesh"),
    ("#Islamic_State", "#IslamicState"),  # underscores
    ("Islamic State", "#islamic_state"),  # spaces in a term
    ("＃ＤＡＥＳＨ", "#daesh"),  # full-width: NFKC
    ("#Straße", "#STRASSE"),  # case folding, not just lower()
    ("#دَاعِش", "#داعش"),  # harakat
    ("#داعـــش", "#داعش"),  # tatweel
    ("#أمة", "#امه"),  # alef with hamza above, ta marbuta
    ("#إسلام", "#اسلام"),  # alef with hamza below
    ("#آمين", "#امين"),  # alef with madda
    ("#ٱلله", "#الله"),  # alef wasla
    ("#مؤمن", "#مومن"),  # hamza on waw
    ("#رئيس", "#رييس"),  # hamza on ya
    ("#مصطفى", "#مصطفي"),  # alef maqsura
    ("#فارسی", "#فارسي"),  # Persian ya
    ("#ﺩﺍﻋﺶ", "#داعش"),  # presentation forms: NFKC
    ("#الدولة_الإسلامية", "الدولـة الاسلاميه"),  # several rules at once
    ("#Daesh_داعش", "#daeshداعش"),  # mixed script
    ("#ا\u0654مة", "#أمة"),  # decomposed hamza above
    ("#داع\u200cش", "#داعش"),  # zero-width non-joiner
]
DIFFERENT = [
    ("#Daesh", "#Daeshbad"),
    ("#caliphate", "#caliphate_news"),
    ("#داعش", "#دولة"),
    ("#ISIS", "#ISIL"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_normalise_unifies_variants(a, b):
    assert normalise(a) == normalise(b)
    assert normalise(a) != ""


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_normalise_keeps_different_hashtags_apart(a, b):
    assert normalise(a) != normalise(b)


def test_normalise_exact_keys():
    assert normalise("#Islamic_State") == "islamicstate"
    assert normalise("#الدولة_الإسلامية") == "الدولهالاسلاميه"
    # Diacritics go, letters stay: three letters, nothing else.
    assert normalise("#دَاعِشٌ") == "داعش"


@given(st.text(max_size=30))
def test_normalise_is_idempotent_and_ignores_hash_and_underscores(s):
    k = normalise(s)
    assert normalise(k) == k
    assert normalise("#" + s) == k
    assert "_" not in k and "#" not in k


def test_bundled_lexicon_cites_the_ap_examples():
    lex = load_lexicon()
    assert set(lex.stances) == {"anti", "pro"}
    assert lex.stance_of("#Caliphate") == "pro"
    assert lex.stance_of("#daesh") == "anti"
    assert lex.stance_of("#DAE_SH") == "anti"
    assert lex.stance_of("#دَاعِـــش") == "anti"
    assert lex.stance_of("#caliphate_news") is None
    cited = [e for e in lex.entries if not e.assumption]
    assert {e.key for e in cited} == {"caliphate", "daesh"}
    for e in cited:
        assert "2016-07-09" in e.source and "AP-01" in e.source and "Associated Press" in e.source
    # Every other row says it is an assumption, in the source column itself.
    for e in lex.entries:
        if e not in cited:
            assert e.source.startswith("ASSUMPTION:")
        assert 0 <= e.confidence <= 1
        assert e.language in ("en", "ar")


def test_bundled_lexicon_descriptor_matches_file():
    meta = json.loads((LEXICON_DIR / "datapackage.json").read_text(encoding="utf-8"))
    res = meta["resources"][0]
    assert res["path"] == DEFAULT_LEXICON.name
    assert res["sha256"] == hashlib.sha256(DEFAULT_LEXICON.read_bytes()).hexdigest()
    assert [f["name"] for f in res["schema"]["fields"]] == [
        "term",
        "stance",
        "language",
        "source",
        "confidence",
    ]
    lex = load_lexicon()
    assert lex.version == meta["version"] and meta["version"].count(".") == 2
    d = lex.describe()
    assert d["n_assumptions"] == sum(t["assumption"] for t in d["terms"]) == len(lex.entries) - 2


def test_user_lexicon_from_bytes_dataframe_and_roundtrip(tmp_path):
    text = "term,stance,language,source,confidence\n#Foo_Bar,neutral,en,ASSUMPTION: test,0.5\n"
    a = load_lexicon(text.encode())
    b = load_lexicon(pd.read_csv(_write(tmp_path, text)))
    assert a.stances == b.stances == ("neutral",)
    assert a.stance_of("foobar") == "neutral"
    assert a.version.startswith("user-") and a.entries[0].assumption
    again = load_lexicon(a.to_csv().encode())
    assert again.entries == a.entries


def _write(tmp_path, text):
    p = tmp_path / "lex.csv"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("term,stance\n#a,pro\n", "lacks column(s) language, source, confidence"),
        ("term,stance,language,source,confidence\n", "no rows"),
        ("term,stance,language,source,confidence\n#a,Pro Stance,en,x,0.5\n", "short lower-case"),
        ("term,stance,language,source,confidence\n#a,pro,en,x,1.5\n", "from 0 to 1"),
        ("term,stance,language,source,confidence\n#a,pro,en,x,high\n", "from 0 to 1"),
        ("term,stance,language,source,confidence\n#,pro,en,x,0.5\n", "term is empty"),
        ("term,stance,language,source,confidence\n#a,pro,en,,0.5\n", "ASSUMPTION"),
        (
            "term,stance,language,source,confidence\n#Daesh,anti,en,x,0.5\n#DAE_SH,pro,en,y,0.5\n",
            "two stances",
        ),
    ],
)
def test_bad_lexicons_are_refused_with_the_fix(text, needle):
    with pytest.raises(InputError) as err:
        load_lexicon(text.encode())
    assert needle in str(err.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_lexicon(tmp_path / "nope.csv")
