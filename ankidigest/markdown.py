"""The mistune 3 parser, set up once, with each top-level block's source offset.

mistune's AST carries no positions. We subclass its block parser so that every
top-level token records where it starts (``_off``); the walker turns that into
a line number for messages. Nested tokens inherit their block's position.
"""

from __future__ import annotations

from typing import Any

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState

Token = dict[str, Any]


class _State(BlockState):
    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        new = not (last and last["type"] == "paragraph")
        super().add_paragraph(text)
        if new and self.parent is None:
            self.tokens[-1]["_off"] = self.cursor


class _Parser(BlockParser):
    state_cls = _State

    def parse_method(self, m: Any, state: BlockState) -> Any:
        before = len(state.tokens)
        result = super().parse_method(m, state)
        if state.parent is None:
            for token in state.tokens[before:]:
                token.setdefault("_off", m.start())
        return result


_MARKDOWN: mistune.Markdown | None = None


def parse(text: str) -> list[Token]:
    """Parse markdown into mistune's AST (a list of token dicts)."""
    global _MARKDOWN
    if _MARKDOWN is None:
        _MARKDOWN = mistune.Markdown(renderer=None, block=_Parser())
    tokens = _MARKDOWN(text)
    assert isinstance(tokens, list)
    return tokens
