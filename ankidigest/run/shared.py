"""Posts that share an occurrence scope (an article URL in two posts): found, and built
together so that a repeated term's occurrences run on from post to post."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ankidigest.model import NoteSpec
from ankidigest.notes.build import BuildOptions, build_notes
from ankidigest.run.posts import Documents

if TYPE_CHECKING:
    from ankidigest.run.jobs import PostInfo


def shared_posts(posts: Sequence[PostInfo]) -> set[int]:
    """The posts that share an occurrence scope with another post."""
    owners: dict[str, list[int]] = {}
    for i, post in enumerate(posts):
        for scope in post.scopes:
            owners.setdefault(scope, []).append(i)
    return {i for owned in owners.values() if len(owned) > 1 for i in owned}


def build_together(
    documents: Documents, together: set[int], options: BuildOptions, sizes: Sequence[int]
) -> dict[int, list[NoteSpec]]:
    """post index -> its notes, for the posts that share a scope: built together, in
    file order, so that a repeated term's occurrences run on from post to post as in
    ``build_notes`` of every post (the other posts' scopes are their own, so they do
    not change the numbers). ``options``: those each post is built alone with, which
    give the deck it gets among all the posts. ``sizes``: each post's number of notes."""
    if not together:
        return {}
    order = sorted(together)
    docs = [documents[i] for i in order]
    notes = build_notes(docs, options)
    out: dict[int, list[NoteSpec]] = {}
    at = 0
    for i in order:
        out[i] = notes[at : at + sizes[i]]
        at += sizes[i]
    return out
