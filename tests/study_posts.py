"""A second post that meets again some words of the user's post (war-news.md), in other
forms and later articles: what --group lemma joins and --order sorts."""

from __future__ import annotations

from pathlib import Path

# (form here, the lemma it shares with a bolded word of war-news.md)
REPEATED = {
    "dismisses": "dismiss",
    "fragile": "fragile",
    "stockpile": "stockpile",
    "lethal": "lethal",
    "recruited": "recruit",
}
SECOND = """---
title: "Later news"
date: 2025-02-20
---

#### [2025-02-10 Talks stall as both sides dig in](https://example.com/news/talks-stall)

The minister **dismisses** the proposal as a stunt.

The ceasefire remains **fragile** after a week of shelling.

Both armies **recruited** volunteers from abroad.

#### [2025-02-18 Europe counts its shells](https://example.com/news/shells)

Europe must rebuild its **stockpile** of artillery shells.

Drones have become the most **lethal** weapon on the front.

The talks reached an **impasse** on Tuesday.
"""
ADDED = "\n\nThe general **dismissed** reports of a breakthrough.\n"


def write_second(folder: Path, *, added: bool = False) -> Path:
    path = folder / "later-news.md"
    path.write_text(SECOND + (ADDED if added else ""), encoding="utf-8")
    return path
