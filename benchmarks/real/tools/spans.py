"""List every bold span of an excerpt with a candidate sentence, to label by hand.

Usage: python spans.py ID          (prints L<line>#<k> [term] :: candidate sentence)
       python spans.py ID --build  (reads labels/ID.spec, writes ID.json)

The candidate sentence comes from a small splitter written for labelling (not
the walker): it only saves typing; every decision and every sentence is read
and, where the splitter is wrong, overridden by hand in the spec.

Spec lines:  L<line>#<k> c|d|n [family] [= sentence override]
  c  a card (family optional: long_clause, fragment_line, o2a_example, table_cell ...)
  d  don't care
  n  not a card (family: explanation, label, headword, whole_line, heading, cjk,
     exam_marker, code, other)
  default c|d|n [family]   applies to spans the spec does not name
  source-from L<line> <url|none>   cards from that line on have that source
  (on a span line, '@ <url>' gives that card's source)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
HTML_BOLD = re.compile(r"<(b|strong)(?:\s[^>]*)?>(.+?)</\1>")


def bolds(line: str):
    """The bold spans of a line: markdown ones first, then <b>/<strong> ones."""
    yield from BOLD.finditer(line)
    yield from HTML_BOLD.finditer(line)


CJKRUN = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2e80-\u2fdf][^A-Za-z\x00]*?(?=[A-Za-z\x00]|$)"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2e80-\u2fdf]")
SPLIT = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


def strip_md(s: str) -> str:
    s = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", s)
    s = re.sub(r"</?(u|b|mark|strong|em|i|br)(\s[^>]*)?/?>", "", s)
    s = s.replace("**", "").replace("==", "")
    s = re.sub(r"(?<![A-Za-z0-9])__(?=\S)|(?<=\S)__(?![A-Za-z0-9])", "", s)
    s = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)", r"\1", s)
    s = re.sub(r"(?<![\w])_(?=\S)([^_]+?)(?<=\S)_(?!\w)", r"\1", s)
    s = s.replace("`", "")
    s = s.replace("\\", "")
    return re.sub(r"\s+", " ", s).strip()


def units(lines: list[str]):
    """Yield (first_line_no, [line_nos], text) for prose units, skipping fences."""
    fence = None
    buf: list[int] = []

    def flush():
        if buf:
            yield buf[0], list(buf), "\n".join(lines[i - 1] for i in buf)
        buf.clear()

    for no, line in enumerate(lines, 1):
        st = line.strip()
        if fence:
            if st.startswith(fence):
                fence = None
            yield no, [no], None  # code
            continue
        if st.startswith("```") or st.startswith("~~~"):
            yield from flush()
            fence = st[:3]
            yield no, [no], None
            continue
        starts_block = not st or re.match(r"^(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||:::|!!!|---)", st)
        if starts_block:
            yield from flush()
            if st:
                buf.append(no)
                if re.match(r"^(#{1,6}\s|\||:::|!!!|---)", st):
                    yield from flush()
            continue
        buf.append(no)
        if line.endswith("  ") or line.endswith("\\"):
            yield from flush()
    yield from flush()


def candidate(unit_text: str, first_line: str, term_at: int) -> str:
    text = unit_text
    # the table cell or the line-level block that holds the term
    if first_line.lstrip().startswith("|"):
        cells = text.split("|")
        pos = 0
        for cell in cells:
            if pos <= term_at <= pos + len(cell):
                text, term_at = cell, term_at - pos
                break
            pos += len(cell) + 1
    prefix = re.match(r"^[ \t]*((>[ \t]*)*)([-*+][ \t]+|\d+[.)][ \t]+)?(\[[ xX]\][ \t]+)?", text)
    cut = prefix.end() if prefix else 0
    text, term_at = text[cut:], term_at - cut
    # glosses and translations in another script are not part of the sentence
    marked = text[:term_at] + "\x00" + text[term_at:]
    marked = re.sub(
        r"(\*\*|__)?[（(【\[]?(\*\*|__)?(" + CJKRUN + r")+(\*\*|__)?[）)】\]]?(\*\*|__)?",
        " ",
        marked,
    )
    marked = re.sub(r"[（(【\[]\s*[）)】\]]", " ", marked)
    at = marked.index("\x00")
    seg = marked.replace("\x00", "")
    # sentence split on the raw segment, then strip markdown
    pieces, pos = [], 0
    for m in SPLIT.finditer(seg):
        pieces.append((pos, m.start() + len(m.group(0).rstrip())))
        pos = m.end()
    pieces.append((pos, len(seg)))
    chosen = next((seg[a:b] for a, b in pieces if a <= at < b), seg)
    out = strip_md(chosen)
    out = re.sub(r"^(Example|e\.g\.|eg\.)\s*:?\s*", "", out, flags=re.I)
    out = re.sub(r"\s+-$", "", out)
    return out.strip(" (（【")


def spans(ident: str):
    md = HERE / f"{ident}.md"
    lines = md.read_text(encoding="utf-8").split("\n")
    for first, nos, text in units(lines):
        if text is None:
            for m in bolds(lines[first - 1]):
                yield first, m, strip_md(m.group(2)), "(code)", lines[first - 1]
            continue
        offset = 0
        for no in nos:
            line = lines[no - 1]
            for m in bolds(line):
                yield (
                    no,
                    m,
                    strip_md(m.group(2)),
                    candidate(text, lines[first - 1], offset + m.start()),
                    line,
                )
            offset += len(line) + 1


def listing(ident: str) -> None:
    count: dict[int, int] = {}
    for no, _m, term, sent, _line in spans(ident):
        count[no] = count.get(no, 0) + 1
        print(f"L{no}#{count[no]} [{term}] :: {sent}")


def build(ident: str) -> None:
    spec = (HERE / "labels" / f"{ident}.spec").read_text(encoding="utf-8")
    rules, default = {}, None
    sections: list[tuple[int, str | None]] = []
    for raw in spec.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("default "):
            default = line.split()[1:]
            continue
        if line.startswith("source-from "):
            _, at, url = line.split(maxsplit=2)
            sections.append((int(at.lstrip("L")), None if url == "none" else url))
            continue
        head, _, override = line.partition(" = ")
        src = None
        if " @ " in override:
            override, _, src = override.partition(" @ ")
        elif " @ " in head:
            head, _, src = head.partition(" @ ")
        parts = head.split()
        rules[parts[0]] = (parts[1:], override.strip() or None, src.strip() if src else None)
    terms, dont, nots = [], [], []
    count: dict[int, int] = {}
    seen = set()
    for no, _m, term, sent, _line in spans(ident):
        count[no] = count.get(no, 0) + 1
        key = f"L{no}#{count[no]}"
        seen.add(key)
        if key in rules:
            what, override, src = rules[key]
        elif default:
            what, override, src = default, None, None
        else:
            raise SystemExit(f"{ident}: {key} [{term}] has no label")
        kind, family = what[0], (what[1] if len(what) > 1 else None)
        sentence = override or sent
        row = {"term": term, "sentence": sentence, "line": no}
        if family:
            row["family"] = family
        if kind == "c":
            governing = [u for at, u in sorted(sections) if at <= no]
            src = src or (governing[-1] if governing else None)
            row["source"] = src
            terms.append(row)
        elif kind == "d":
            dont.append(row)
        elif kind == "n":
            nots.append(row)
        else:
            raise SystemExit(f"{ident}: {key}: unknown label {kind}")
    unknown = set(rules) - seen
    if unknown:
        raise SystemExit(f"{ident}: spec names spans that do not exist: {sorted(unknown)}")
    out = {"terms": terms, "dont_care": dont, "not_cards": nots}
    (HERE / f"{ident}.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{ident}.json: {len(terms)} cards, {len(dont)} don't care, {len(nots)} not cards")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--build":
        build(sys.argv[1])
    else:
        listing(sys.argv[1])
