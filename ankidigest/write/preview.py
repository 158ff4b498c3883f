"""Write: NoteSpecs -> one self-contained HTML page with every card, front and back.

Each card is rendered by ``cards.py`` with our templates and CSS, as Anki shows it,
grouped by post and article, with the run's summary at the top and the new and
changed notes marked. The page holds no script at all, and its Content-Security-
Policy forbids any (and any fetch: it loads nothing), so even a bug in the escaping
could not run code. Night mode and "only new and changed" are checkboxes styled
with CSS (``:checked ~``): our card CSS's ``.night_mode`` rules are repeated under
the night-mode checkbox.

Field values are HTML already and checked (only ``<b>``, ``</b>``, ``<br>``) before
anything is written; every other text on the page is escaped here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ankidigest.model import NoteSpec
from ankidigest.notes.notetype import CSS, FIELD_INDEX
from ankidigest.sanitize import no_surrogates
from ankidigest.write.atomic import write_atomic
from ankidigest.write.cards import cards

NIGHT = "#ad-night:checked ~ .ad-page"
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")

PAGE_CSS = """\
html, body { margin: 0; padding: 0; }
.ad-toggle { position: absolute; opacity: 0; pointer-events: none; }
.ad-page { min-height: 100vh; padding: 0.8em; box-sizing: border-box; background: #eef0f3;
  color: #1d1d1f; font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "PingFang SC", "Microsoft YaHei", sans-serif; }
.ad-summary { max-width: 62em; margin: 0 auto 1em; }
.ad-summary h1 { font-size: 1.3em; margin: 0.2em 0; }
.ad-summary p { margin: 0.3em 0; }
.ad-switches label { display: inline-block; margin: 0.3em 0.4em 0 0; padding: 0.25em 0.8em;
  border: 1px solid #999; border-radius: 1em; cursor: pointer; user-select: none; }
#ad-night:checked ~ .ad-page label[for="ad-night"],
#ad-only:checked ~ .ad-page label[for="ad-only"] { background: #0a58ca; border-color: #0a58ca;
  color: #fff; }
.ad-post, .ad-removed-list { max-width: 62em; margin: 0 auto 1.5em; }
.ad-post > h2 { font-size: 1.15em; margin: 0.8em 0 0.2em; }
.ad-post > h2 small, .ad-article > h3 small { font-weight: normal; color: #666; }
.ad-article > h3 { font-size: 1em; margin: 1em 0 0.4em; }
.ad-article > h3 a { color: inherit; }
.ad-note { margin: 0 0 0.9em; padding: 0.5em; border-radius: 8px; background: #fff;
  border-left: 4px solid transparent; }
.ad-note.ad-new { border-left-color: #198754; }
.ad-note.ad-changed { border-left-color: #fd7e14; }
.ad-note.ad-removed { border-left-color: #dc3545; }
.ad-head { font-size: 0.85em; color: #555; margin-bottom: 0.3em; }
.ad-mark { display: inline-block; padding: 0 0.5em; margin-right: 0.4em; border-radius: 0.8em;
  color: #fff; font-weight: bold; font-size: 0.9em; }
.ad-new .ad-mark { background: #198754; }
.ad-changed .ad-mark { background: #fd7e14; }
.ad-removed .ad-mark { background: #dc3545; }
.ad-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(16em, 1fr));
  gap: 0.5em; }
.ad-side-name { font-size: 0.75em; color: #777; text-transform: uppercase; }
.ad-side .card { border: 1px solid #ddd; border-radius: 6px; padding: 0.3em; font-size: 16px; }
#ad-only:checked ~ .ad-page .ad-note:not(.ad-new):not(.ad-changed):not(.ad-removed),
#ad-only:checked ~ .ad-page .ad-article:not(:has(.ad-new, .ad-changed, .ad-removed)),
#ad-only:checked ~ .ad-page .ad-post:not(:has(.ad-new, .ad-changed, .ad-removed)) {
  display: none; }
#ad-night:checked ~ .ad-page { background: #121212; color: #ddd; }
#ad-night:checked ~ .ad-page .ad-note { background: #262626; }
#ad-night:checked ~ .ad-page .ad-head, #ad-night:checked ~ .ad-page small { color: #aaa; }
#ad-night:checked ~ .ad-page .ad-side .card { border-color: #444; }
.ad-download a.ad-deck { display: inline-block; padding: 0.3em 0.9em; border-radius: 1em;
  background: #0a58ca; color: #fff; text-decoration: none; }
#ad-night:checked ~ .ad-page a { color: #6ea8fe; }
#ad-night:checked ~ .ad-page .ad-download a.ad-deck { color: #fff; }
@media (max-width: 480px) { .ad-page { padding: 0.4em; } .ad-note { padding: 0.35em; } }
"""


def night_css(css: str = CSS) -> str:
    """The ``.night_mode X`` rules of the card CSS, under the night-mode checkbox."""
    out = []
    for m in _RULE.finditer(css):
        selectors = [s.strip() for s in m.group(1).split(",")]
        night = [NIGHT + s[len(".night_mode") :] for s in selectors if s.startswith(".night_mode ")]
        if night:
            out.append(f"{', '.join(night)} {{{m.group(2)}}}")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Marks:
    """Which notes the preview marks, by guid."""

    new: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()  # exported once more, tagged as removed

    def of(self, guid: str) -> str:
        for name in ("new", "changed", "removed"):
            if guid in getattr(self, name):
                return name
        return ""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str | None, text: str) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}">{_e(text)}</a>'
    return _e(text)


def _post_title(note: NoteSpec) -> str:
    title = html.unescape(note.fields[FIELD_INDEX["Post"]])
    return title or note.path or "(no post)"


def _note_html(note: NoteSpec, mark: str) -> Iterable[str]:
    made = cards(note.fields)
    label = f'<span class="ad-mark">{mark}</span>' if mark else ""
    css = f"ad-note ad-{mark}" if mark else "ad-note"
    where = f"{note.path}:{note.line}" if note.line else note.path
    yield (
        f'<article class="{css}" data-guid="{_e(note.guid)}"><div class="ad-head">{label}'
        f"<b>{_e(', '.join(note.terms))}</b> · {len(made)} "
        f"{'card' if len(made) == 1 else 'cards'} · {_e(where)}</div>\n"
    )
    for card in made:
        number = f"card{card.ordinal}"
        yield (
            f'<div class="ad-sides" data-card="{card.ordinal}">'
            f'<div class="ad-side ad-front"><div class="ad-side-name">Front {card.ordinal}</div>'
            f'<div class="card {number}">{card.front}</div></div>'
            f'<div class="ad-side ad-back"><div class="ad-side-name">Back {card.ordinal}</div>'
            f'<div class="card {number}">{card.back}</div></div></div>\n'
        )
    yield "</article>\n"


def page(
    notes: Sequence[NoteSpec],
    summary: Sequence[str],
    marks: Marks,
    removed: Sequence[NoteSpec] = (),
    download: tuple[str, str] | None = None,
    title: str = "",
) -> str:
    """The preview page. ``summary``: lines of plain text for the top; ``removed``:
    notes gone from the posts, listed at the end. ``download``: (relative link, file
    name) of the deck, for a page of ``--site`` (then no "only new and changed")."""
    count = sum(len(cards(n.fields)) for n in notes)
    marked = sum(1 for n in notes if marks.of(n.guid))
    out = [
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        f"<title>{_e(title or f'ankidigest preview: {count} cards')}</title>\n"
        f"<style>\n{CSS}{night_css()}"
        f"{PAGE_CSS}</style>\n</head>\n<body>\n"
        '<input type="checkbox" id="ad-night" class="ad-toggle">\n'
        '<input type="checkbox" id="ad-only" class="ad-toggle">\n'
        '<div class="ad-page">\n<header class="ad-summary">\n'
        f"<h1>{count} {'card' if count == 1 else 'cards'} of {len(notes)} notes</h1>\n"
    ]
    out.extend(f"<p>{_e(line)}</p>\n" for line in summary)
    only = f'<label for="ad-only">Only new and changed ({marked})</label>'
    if download is not None:
        href, name = download
        only = ""
        out.append(
            f'<p class="ad-download"><a class="ad-deck" href="{_e(href)}" download>Download '
            f"the deck <b>{_e(name)}</b></a> (open it with Anki) · "
            '<a href="index.html">all decks</a></p>\n'
        )
    out.append(
        f'<p class="ad-switches"><label for="ad-night">Night mode</label>{only}</p>\n</header>\n'
    )
    post = article = None
    for note in notes:
        this_post = (note.path, _post_title(note))
        this_article = (note.source, note.title, note.section)
        if this_post != post:
            if post is not None:
                out.append("</section>\n</section>\n")
            out.append(
                f'<section class="ad-post"><h2>{_e(this_post[1])} '
                f"<small>{_e(note.path)}</small></h2>\n"
            )
            post, article = this_post, None
        if this_article != article:
            if article is not None:
                out.append("</section>\n")
            title = note.title or note.section or "(no article)"
            date = f" <small>{_e(note.date)}</small>" if note.date else ""
            out.append(f'<section class="ad-article"><h3>{_link(note.source, title)}{date}</h3>\n')
            article = this_article
        out.extend(_note_html(note, marks.of(note.guid)))
    if post is not None:
        out.append("</section>\n</section>\n")
    if removed:
        out.append(
            '<section class="ad-removed-list"><h2>Gone from the posts (still in Anki)</h2>\n<ul>\n'
        )
        out.extend(
            f"<li>{_e(', '.join(n.terms))} <small>{_e(n.key)}</small></li>\n" for n in removed
        )
        out.append("</ul>\n</section>\n")
    out.append("</div>\n</body></html>\n")
    return "".join(out)


def write_preview(
    notes: Sequence[NoteSpec],
    path: str,
    summary: Sequence[str],
    marks: Marks,
    removed: Sequence[NoteSpec] = (),
) -> None:
    """Write the preview page to ``path`` atomically (UTF-8)."""
    text = page(notes, summary, marks, removed)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8
        text = no_surrogates(text)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    write_atomic(path, write)
