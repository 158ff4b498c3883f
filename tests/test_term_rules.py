"""Rules of issue 15 that the golden cases do not pin on their own: where a cut gloss
leaves the terms, CJK full stops, and the reasons --check prints."""

from __future__ import annotations

from ankidigest.read.spans import cut_out
from ankidigest.read.walker import walk
from ankidigest.terms.sentences import sentence_spans


def test_cut_glosses_leave_each_term_at_its_offsets() -> None:
    doc = walk("The **oven** **烤箱** and the **stove**（**炉子**） were hot.\n")
    (sentence,) = doc.sentences
    assert sentence.text == "The oven and the stove were hot."
    assert [sentence.text[t.start : t.end] for t in sentence.terms] == ["oven", "stove"]
    assert "烤箱" in sentence.paragraph.text  # the context keeps the gloss
    assert [s.text for s in doc.skips] == ["烤箱", "炉子"]


def test_cut_out_moves_offsets_past_each_cut() -> None:
    text = "ab XX cd YY ef"
    said, moved = cut_out(text, 0, len(text), [(2, 5), (8, 11)], [(0, 2), (6, 8), (12, 14)])
    assert said == "ab cd ef"
    assert [said[s:e] for s, e in moved] == ["ab", "cd", "ef"]


def test_an_unmarked_gloss_stays_in_the_sentence() -> None:
    (sentence,) = walk("He **skimped**(节省) on materials.\n").sentences
    assert sentence.text == "He skimped(节省) on materials."


def test_cjk_full_stops_end_sentences() -> None:
    text = "中文句子里的词语。第二句有生词！"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["中文句子里的词语。", "第二句有生词！"]


def test_bold_inside_chinese_text_is_skipped_with_its_reason() -> None:
    doc = walk("中文句子里的**词语**。用介词 <b>on</b> 表示表面。\n")
    assert not doc.sentences
    assert {s.text: "another script" in s.reason for s in doc.skips} == {"词语": True, "on": True}


def test_a_long_clause_inside_a_sentence_is_a_term_but_a_whole_sentence_is_not() -> None:
    doc = walk(
        "I believe **the opposite is true in the long run**, as the data show.\n\n"
        "**The data show it plainly.**\n"
    )
    assert [t.text for s in doc.sentences for t in s.terms] == [
        "the opposite is true in the long run"
    ]
    assert [s.reason for s in doc.skips] == [
        "bold is the whole line or list item, not a word in a sentence"
    ]
