"""Render our card templates for one note of an .apkg into HTML pages, for screenshots.

    python scripts/render_card.py war.apkg stem docs/   # card-front.html, card-back.html, ...

A small renderer for the template subset we use ({{Field}}, {{#F}}/{{^F}}...{{/F}},
{{cloze:Text}} with hints, [sound:...] as a play button), not Anki's own; the README's
screenshots are these pages in headless Chromium at phone width.
"""

from __future__ import annotations

import html
import re
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ankidigest.notes.notetype import BACK, CSS, FIELD_NAMES, FRONT

_SECTION = re.compile(r"\{\{([#^])(\w+)\}\}(.*?)\{\{/\2\}\}", re.S)
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^}]*))?\}\}", re.S)
_SOUND = re.compile(r"\[sound:[^\]]+\]")
_PLAY = '<span class="replay-button soundLink" aria-label="Play">▶</span>'


def render(template: str, fields: dict[str, str], back: bool) -> str:
    def section(m: re.Match[str]) -> str:
        filled = bool(fields.get(m.group(2), "").strip())
        return m.group(3) if filled == (m.group(1) == "#") else ""

    while _SECTION.search(template):
        template = _SECTION.sub(section, template)

    def cloze(m: re.Match[str]) -> str:
        if back:
            return f'<span class="cloze">{m.group(2)}</span>'
        return f'<span class="cloze">[{m.group(3) or "..."}]</span>'

    out = template.replace("{{cloze:Text}}", _CLOZE.sub(cloze, fields["Text"]))
    for name, value in fields.items():
        out = out.replace("{{" + name + "}}", value)
    return _SOUND.sub(_PLAY, out)


def page(body: str, night: bool) -> str:
    card = "card nightMode" if night else "card"
    extra = (
        ".replay-button { display: inline-block; width: 1.5em; height: 1.5em; "
        "line-height: 1.5em; text-align: center; border-radius: 50%; background: #e6eefc; "
        "color: #0a58ca; font-size: 0.8em; vertical-align: middle; }\n"
        ".nightMode .replay-button { background: #2b3a55; color: #6ea8fe; }\n"
        "body { margin: 0; } .card { min-height: 100vh; padding: 12px; box-sizing: border-box; }"
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}\n{extra}</style></head>"
        f'<body class="{"nightMode" if night else ""}">'
        f'<div class="{card}">{body}</div></body></html>'
    )


def main() -> int:
    apkg, term, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(apkg) as z:
            z.extract("collection.anki2", tmp)
        db = sqlite3.connect(str(Path(tmp) / "collection.anki2"))
        rows = [r[0].split("\x1f") for r in db.execute("SELECT flds FROM notes")]
        db.close()
    fields = next(
        dict(zip(FIELD_NAMES, r, strict=True)) for r in rows if html.unescape(r[1]) == term
    )
    out.mkdir(parents=True, exist_ok=True)
    front = render(FRONT, fields, back=False)
    back = render(BACK, fields, back=True)
    for name, body, night in (
        ("card-front", front, False),
        ("card-back", back, False),
        ("card-front-night", front, True),
        ("card-back-night", back, True),
    ):
        (out / f"{name}.html").write_text(page(body, night), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
