"""Write: the pages of ``--site DIR``: a page per post (the preview of its cards with a
link to download its deck) and an index of every post's deck.

Everything from a post (titles, dates, file names) is escaped, every link is a
relative link to a file of the folder (names from ``file_name``: ASCII letters, digits,
'-', '_' and '.', so a Jekyll, Hugo or MkDocs site can copy the folder as it is), and
each page has the preview's Content-Security-Policy (no script, nothing loaded).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote

from ankidigest.model import NoteSpec
from ankidigest.write.cards import cards
from ankidigest.write.preview import Marks, page

MARKER = ".ankidigest-site"  # in every folder --site writes: it may be replaced
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_RESERVED = {"index", "con", "prn", "aux", "nul"}

INDEX_CSS = """\
body { margin: 0; background: #eef0f3; color: #1d1d1f; font: 15px/1.45 -apple-system,
  "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; }
main { max-width: 46em; margin: 0 auto; padding: 0.8em; }
h1 { font-size: 1.3em; }
.ad-deck-row { background: #fff; border-radius: 8px; padding: 0.6em 0.8em; margin: 0 0 0.7em; }
.ad-deck-row h2 { font-size: 1.05em; margin: 0 0 0.2em; }
.ad-deck-row p { margin: 0.2em 0; color: #555; }
.ad-deck-row a.ad-deck { display: inline-block; padding: 0.2em 0.8em; border-radius: 1em;
  background: #0a58ca; color: #fff; text-decoration: none; }
"""


@dataclass(frozen=True)
class SitePost:
    """One post of the site: its page and deck file names, title, date and counts."""

    name: str  # the file name without extension: NAME.html, NAME.apkg
    title: str
    date: str | None
    notes: int
    cards: int


def file_name(stem: str, taken: set[str]) -> str:
    """A file name (no extension) for a post: its stem with every other character
    than A-Z a-z 0-9 _ . - as '-', never hidden or reserved, unique in ``taken``
    (case-insensitively: -2, -3, ...), which it is added to."""
    base = _UNSAFE.sub("-", stem).strip("-.")[:80] or "post"
    if base.lower() in _RESERVED:
        base = f"{base}-post"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name.lower())
    return name


def card_count(notes: Iterable[NoteSpec]) -> int:
    return sum(len(cards(n.fields)) for n in notes)


def post_page(post: SitePost, notes: Sequence[NoteSpec], summary: Sequence[str]) -> str:
    """The post's page: its cards as the preview shows them, and its deck to download.
    Only the post's file name is shown, never the folder it is in on the author's disk."""
    deck = f"{post.name}.apkg"
    shown = [replace(n, path=os.path.basename(n.path)) for n in notes]
    return page(shown, summary, Marks(), download=(quote(deck), deck), title=post.title)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def index_page(posts: Sequence[SitePost], title: str = "Anki decks") -> str:
    """The index: each post's title (a link to its page), date, cards and deck."""
    total = sum(p.cards for p in posts)
    out = [
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        f"<title>{_e(title)}</title>\n<style>\n{INDEX_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_e(title)}</h1>\n<p>{len(posts)} {'deck' if len(posts) == 1 else 'decks'}, "
        f"{total} {'card' if total == 1 else 'cards'}. Download a deck and open it with Anki; "
        "a newer download of the same deck updates your cards and keeps your progress.</p>\n"
    ]
    for post in posts:
        date = f" · {_e(post.date)}" if post.date else ""
        page_link, deck = quote(f"{post.name}.html"), quote(f"{post.name}.apkg")
        out.append(
            f'<section class="ad-deck-row" data-cards="{post.cards}">'
            f'<h2><a href="{_e(page_link)}">{_e(post.title)}</a></h2>\n'
            f"<p>{post.cards} {'card' if post.cards == 1 else 'cards'} of {post.notes} "
            f"notes{date}</p>\n"
            f'<p><a class="ad-deck" href="{_e(deck)}" download>{_e(post.name)}.apkg</a></p>'
            "</section>\n"
        )
    out.append("</main>\n</body></html>\n")
    return "".join(out)
