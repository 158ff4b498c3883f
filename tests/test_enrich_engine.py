"""ankidigest.enrich on the embedded data: lemmas, variants, redirects, IPA, senses."""

from __future__ import annotations

import pytest

from ankidigest.enrich import Enricher, Enrichment
from ankidigest.enrich.dictionary import Lookup, MemoryDictionary, spelling_variants
from ankidigest.enrich.entry import Entry, from_fields
from ankidigest.enrich.levels import band
from ankidigest.enrich.phonetic import to_ipa


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


def run(enricher: Enricher, sentence: str, term: str) -> Enrichment:
    start = sentence.index(term)
    result = enricher.enrich(term, sentence, start, start + len(term))
    assert result is not None, term
    return result


@pytest.mark.parametrize(
    ("sentence", "term", "lemma"),
    [
        ("A bomb attack shattered much of the building.", "shattered", "shatter"),
        (
            "Troops were sent for training and acclimatising at bases.",
            "acclimatising",
            "acclimatise",
        ),
        ("They are cobelligerents in the war.", "cobelligerents", "cobelligerent"),
        ("Sergei Lavrov shrugged off Rutte's comments.", "shrugged off", "shrug off"),
        ("He has been mugging up with a guide.", "mugging up", "mug up"),
        ("It comes with a quid pro quo.", "quid pro quo", "quid pro quo"),
        ("Keep the US at bay.", "at bay", "at bay"),
        ("Its most proactive position to date.", "to date", "to date"),
        ("Troops will have been vetted for reliability.", "vetted", "vet"),
        ("Large quantities of ammunition.", "quantities", "quantity"),
    ],
)
def test_lemma(enricher: Enricher, sentence: str, term: str, lemma: str) -> None:
    assert run(enricher, sentence, term).lemma == lemma


def test_stem_as_a_verb_glosses_stop_not_stalk(enricher: Enricher) -> None:
    result = run(enricher, "His troops were struggling to stem the offensive.", "stem")
    first = result.gloss.split("\n")[0]
    assert result.pos == "verb"
    assert first.startswith("vt.") and ("阻止" in first.split(",")[0] or "遏制" in first)


def test_stem_as_a_noun(enricher: Enricher) -> None:
    result = run(enricher, "The stem of the plant broke.", "stem")
    assert result.pos == "noun" and "茎" in result.gloss.split("\n")[0]


def test_form_as_written_gives_the_sense(enricher: Enricher) -> None:
    result = run(enricher, "Forces will have been vetted for political reliability.", "vetted")
    assert (
        result.gloss.split("\n")[0]
        .split(",")[0]
        .endswith(("审查", "审查（某人过去的记录、资格等）"))
    )
    hampered = run(enricher, "The order was being hampered by forces.", "hampered")
    assert "妨碍" in hampered.gloss.split("\n")[0]


def test_poised_is_an_adjective_after_be(enricher: Enricher) -> None:
    result = run(enricher, "The regime is poised to send more troops.", "poised")
    assert result.pos == "adj" and "作好准备的" in result.gloss.split("\n")[0]


def test_gloss_is_concise(enricher: Enricher) -> None:
    result = run(enricher, "The stem of the plant broke.", "stem")
    assert len(result.gloss.split("\n")) <= 3
    assert all(len(line.split(", ")) <= 4 for line in result.gloss.split("\n"))


def test_british_form_redirect_takes_target_data(enricher: Enricher) -> None:
    result = run(enricher, "Troops need time for acclimatising.", "acclimatising")
    assert "适应" in result.gloss and "主英" not in result.gloss
    assert result.phonetic and "ә" not in result.phonetic


def test_levels_band_and_ipa(enricher: Enricher) -> None:
    result = run(enricher, "His troops were struggling to stem the offensive.", "stem")
    assert "cet4" in result.levels and result.levels.index("cet4") < result.levels.index("gre")
    assert result.frequency is not None and result.band == band(result.frequency)
    assert band(4000) == "top5k" and band(15000) == "top20k" and band(90000) == "rare"
    assert band(None) is None


def test_unknown_term_gives_none(enricher: Enricher) -> None:
    assert enricher.enrich("qzxvbnk", "a qzxvbnk here", 2, 9) is None


def test_deterministic(enricher: Enricher) -> None:
    sentence = "Romania scrambled two fighter jets after drones breached its airspace."
    first = [run(enricher, sentence, t) for t in ("scrambled", "breached")]
    again = [run(Enricher(), sentence, t) for t in ("scrambled", "breached")]
    assert first == again


@pytest.mark.parametrize(
    ("raw", "ipa"),
    [
        ("ә'klaimәtaiz", "əˈklaimətaiz"),
        (",kәubi'lidʒәrәnt", "ˌkəubiˈlidʒərənt"),
        ("'æklɪmeɪt; ə'klaɪmət", "ˈæklɪmeɪt"),
        (".æklai'meiʃәn", "ˌæklaiˈmeiʃən"),
        ("/'klæsis/", "ˈklæsis"),
        ("әb'^ɔ:n", "əbˈɡɔːn"),
    ],
)
def test_ipa(raw: str, ipa: str) -> None:
    assert to_ipa(raw) == ipa


def test_spelling_variants() -> None:
    assert "acclimatize" in spelling_variants("acclimatise")
    assert "acclimatise" in spelling_variants("acclimatize")
    assert "color" in spelling_variants("colour")
    assert "analyze" in spelling_variants("analyse")
    assert "theater" in spelling_variants("theatre")
    assert "traveled" in spelling_variants("travelled")


def test_variant_lookup_and_redirect_in_memory() -> None:
    us = from_fields(
        ["realize", "ˈriəlaiz", "v. understand", "vt. 认识到, 实现", "cet4", "", "900"]
    )
    brit = from_fields(["realise", "", "", "v. <主英>=realize"])
    lookup = Lookup([MemoryDictionary([us, brit])])
    entry = lookup.exact("realise")
    assert isinstance(entry, Entry)
    assert entry.word == "realise" and entry.translations[0].text.startswith("认识到")
    assert entry.tags == ("cet4",)
    only_us = Lookup([MemoryDictionary([us])]).find("realise")
    assert only_us is not None and only_us.word == "realize"
