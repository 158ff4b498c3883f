"""YAML front matter: split it off a post and read the few keys we use.

Loading is safe (no tags that build objects), bounded in size, and refuses
aliases, so a hostile header cannot run code or expand into gigabytes. A broken
header is a warning, never a failure: the post still exports.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from typing import Any

MAX_FRONT_MATTER = 64 * 1024
_OPEN = re.compile(r"\A---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class FrontMatter:
    title: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    warning: str | None = None


def split(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, number of lines the header took).

    The body keeps the header's lines as blank lines so that line numbers
    in the body stay true to the file.
    """
    if not _OPEN.match(text):
        return None, text, 0
    close = _CLOSE.search(text, 4)
    if close is None:
        return None, text, 0
    header = text[4 : close.start()]
    end = close.end()
    nlines = text.count("\n", 0, end)
    return header, "\n" * nlines + text[end:], nlines


def parse(header: str) -> FrontMatter:
    """Read title, date, tags and categories from a YAML header (never raises)."""
    import yaml

    if len(header) > MAX_FRONT_MATTER:
        return FrontMatter(warning=f"front matter larger than {MAX_FRONT_MATTER} bytes, ignored")
    try:
        try:
            data = _load(header)
        except yaml.YAMLError:
            if "[[" not in header:
                raise
            data = _load(_quote_wikilinks(header))  # Obsidian: tags: [[a]], [[b]]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return FrontMatter(warning=f"front matter is not valid YAML{where}: {problem}; ignored")
    except RecursionError:
        return FrontMatter(warning="front matter nested too deeply; ignored")
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. date: 2024-02-30
        return FrontMatter(warning=f"front matter has a value YAML cannot read ({exc}); ignored")
    if data is None:
        return FrontMatter()
    if not isinstance(data, dict):
        return FrontMatter(warning="front matter is not a mapping; ignored")
    return FrontMatter(
        title=_text(data.get("title")),
        date=_date(data.get("date")),
        tags=_words(data.get("tags")),
        categories=_words(data.get("categories") or data.get("category")),
    )


def _load(text: str) -> Any:
    loader = _loader_class()(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


_WIKI_VALUE = re.compile(r"^(\s*[^\s:#][^:#]*:\s*)((?:\[\[[^\]\n]*\]\][\s,]*)+)$", re.M)
_WIKI_ITEM = re.compile(r"^(\s*-\s*)(\[\[[^\]\n]*\]\])\s*$", re.M)


def _quote_wikilinks(header: str) -> str:
    """Unquoted wikilinks ('key: [[a]], [[b]]', '- [[a]]') -> YAML strings."""

    def value(m: re.Match[str]) -> str:
        links = re.findall(r"\[\[[^\]\n]*\]\]", m.group(2))
        return m.group(1) + "[" + ", ".join(f'"{link}"' for link in links) + "]"

    return _WIKI_ITEM.sub(r'\1"\2"', _WIKI_VALUE.sub(value, header))


def _str(value: Any) -> str | None:
    """str(value), or None for an integer too long to write out (Python's limit)."""
    try:
        return str(value)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = (_str(value) or "").strip()
    return _unwikilink(text) or None


def _date(value: Any) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = re.match(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value)
        if m:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def _words(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list):
        return ()
    # 'tags: [[a]]' is valid YAML for a list holding a list: Obsidian meant a link.
    items = [i[0] if isinstance(i, list) and len(i) == 1 else i for i in items]
    out = []
    for item in items[:200]:
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            word = _unwikilink((_str(item) or "").strip())
            if word:
                out.append(word)
    return tuple(out)


def _unwikilink(text: str) -> str:
    """'[[Target|Alias]]' -> 'Alias', '[[Target]]' -> 'Target' (Obsidian front matter)."""
    return re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)


@functools.cache
def _loader_class() -> type:
    """A SafeLoader that refuses aliases; built on first use so importing stays cheap."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases are not allowed in front matter", None
                )
            return super().compose_node(parent, index)

    return NoAliasLoader
