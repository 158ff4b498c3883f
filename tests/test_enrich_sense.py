"""Sense rules: in-line re-ranking by the English senses, taxonomic items, -ing as a noun."""

from __future__ import annotations

from ankidigest.enrich import Enricher
from ankidigest.enrich.entry import NOUN, VERB, Entry, Sense
from ankidigest.enrich.rerank import Bridge, order_items
from ankidigest.enrich.sense import choose_glosses, context_pos


def _bridge(words: dict[str, str]) -> Bridge:
    def find(word: str) -> Entry | None:
        text = words.get(word)
        return Entry(word, translations=(Sense(NOUN, "n.", text),)) if text else None

    return Bridge(find)


def _entry(*definitions: str) -> Entry:
    return Entry("w", definitions=tuple(Sense(NOUN, "n", d) for d in definitions))


def test_half_a_sense_of_support_keeps_the_dictionary_order() -> None:
    # "quarrel" names one of the two characters of 争吵: support 0.5, not enough to move it.
    bridge = _bridge({"quarrel": "争"})
    items = ["房间", "争吵"]
    assert order_items(items, NOUN, [_entry("a loud quarrel")], bridge) == items


def test_a_whole_sense_of_support_moves_an_unsupported_first_item() -> None:
    bridge = _bridge({"quarrel": "争吵"})
    items = ["房间", "争吵"]
    assert order_items(items, NOUN, [_entry("a loud quarrel")], bridge) == ["争吵", "房间"]


def test_taxonomic_item_goes_last() -> None:
    items = ["鼠李属植物", "猫科动物", "看护", "金属"]
    assert order_items(items, NOUN, [], None) == ["看护", "金属", "鼠李属植物", "猫科动物"]


def test_taxonomic_item_alone_stays() -> None:
    assert order_items(["鼠李属植物", "蔷薇科植物"], NOUN, [], None) == [
        "鼠李属植物",
        "蔷薇科植物",
    ]


def test_medic_is_not_a_plant() -> None:
    sentence = "The convoy carried a medic and two engineers."
    start = sentence.index("medic")
    result = Enricher().enrich("medic", sentence, start, start + 5)
    assert result is not None
    assert "植物" not in result.gloss.split("\n")[0].split(",")[0]


def _pos(sentence: str, term: str) -> tuple[str, ...]:
    start = sentence.index(term)
    return context_pos(term, sentence, start, start + len(term), "", frozenset({VERB, NOUN}))


def test_ing_between_a_modifier_and_a_noun_is_a_noun() -> None:
    assert _pos("Unions sought improved bargaining rights.", "bargaining")[0] == NOUN
    assert _pos("It needs renewed fencing work in spring.", "fencing")[0] == NOUN


def test_ing_after_have_and_a_participle_stays_a_verb() -> None:
    # After "have" + a participle the -ing word is a verb again ("have started building").
    assert _pos("The firm has cut spending sharply.", "spending")[0] == VERB
    assert _pos("They have started building homes.", "building")[0] == VERB


def test_a_frame_with_a_gap_gives_way_to_a_word() -> None:
    items = ["划线于…下", "强调"]
    assert order_items(items, VERB, [], None) == ["强调", "划线于…下"]
    items = ["认为某事属于某人", "归于"]
    assert order_items(items, VERB, [], None) == ["归于", "认为某事属于某人"]


def test_a_note_in_brackets_is_not_a_frame() -> None:
    items = ["审查（某人过去的记录）", "调查"]
    assert order_items(items, VERB, [], None) == items


def test_a_bare_character_gives_way_to_a_word_that_holds_it() -> None:
    assert order_items(["渠", "沟渠", "战壕"], NOUN, [], None) == ["沟渠", "战壕", "渠"]
    # no other item holds it: the dictionary's order stands
    assert order_items(["垫", "丛", "衬边"], NOUN, [], None) == ["垫", "丛", "衬边"]


def test_only_frames_keep_their_order() -> None:
    items = ["把...归于", "认为...是"]
    assert order_items(items, VERB, [], None) == items


def test_a_noun_line_of_adjectives_is_not_the_noun() -> None:
    form = Entry(
        "mercenaries",
        translations=(Sense(NOUN, "n.", "雇用的, 为钱的, 唯利是图的"),),
    )
    lemma = Entry("mercenary", translations=(Sense(NOUN, "n.", "雇佣兵, 唯利是图者"),))
    gloss, pos = choose_glosses((NOUN,), form, lemma)
    assert pos == NOUN
    assert gloss.split("\n")[0] == "n. 雇佣兵, 唯利是图者"
