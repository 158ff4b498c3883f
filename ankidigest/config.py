"""Options a blog sets once, in a file: ``ankidigest.toml``, or a ``[tool.ankidigest]``
table in ``pyproject.toml``, found from the inputs' folder upward.

Keys are the command line's long options without the dashes (``deck``, ``group``,
``mark-removed``; an option given more than once takes a list and may be written in
the plural: ``tags = ["english"]``). Which options may be set is read from the parser:
every ``--long`` option except the ones in ``NOT_IN_CONFIG`` (what one run writes,
reads or asks), so a new option can be set in the file with no change here. A value
goes through the parser like the command line's, so it is checked the same way;
an option given on the command line replaces the file's value.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ankidigest.usage import suggest

CONFIG_FILE = "ankidigest.toml"
PYPROJECT = "pyproject.toml"
# Options that belong to one run, never to a file (by dest).
NOT_IN_CONFIG = frozenset(
    {
        "help",
        "version",
        "inputs",
        "output",
        "check",
        "previous",
        "dry_run",
        "print_config",
        "completion",
    }
)
COMMAND_LINE = "command line"
DEFAULT = "default"


class ConfigError(Exception):
    """A config file that cannot be used; the message names it (one line)."""


@dataclass
class Settings:
    """The options after the config file: where the file is, and where each value
    came from (dest -> the file's path, COMMAND_LINE or DEFAULT)."""

    args: argparse.Namespace
    path: str | None = None
    sources: dict[str, str] = field(default_factory=dict)


def settable(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """key -> action, for every option a config file may set."""
    keys: dict[str, argparse.Action] = {}
    for action in parser._actions:
        longs = [s for s in action.option_strings if s.startswith("--")]
        if (
            not longs
            or action.dest in NOT_IN_CONFIG
            or (action.nargs == 0 and not _is_flag(action))
        ):
            continue
        keys[key_of(action)] = action
    return keys


def key_of(action: argparse.Action) -> str:
    """The key an option has in a config file: ``--tag`` (repeatable) is ``tags``."""
    name = next(s for s in action.option_strings if s.startswith("--"))[2:]
    if isinstance(action, argparse._AppendAction) and not name.endswith("s"):
        return name + "s"
    return name


def _is_flag(action: argparse.Action) -> bool:
    return isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))


def find_config(start: str) -> tuple[str, dict[str, Any]] | None:
    """The nearest config at or above the folder ``start``: (its path, its table).

    In each folder, ``ankidigest.toml`` first, then a ``pyproject.toml`` holding a
    ``[tool.ankidigest]`` table (one without it is passed over). The search stops at
    the top of a git repository (a folder holding ``.git``) or of the file system.
    """
    for folder in _upward(os.path.abspath(start)):
        path = os.path.join(folder, CONFIG_FILE)
        if os.path.isfile(path):
            return path, _read_toml(path)
        path = os.path.join(folder, PYPROJECT)
        if os.path.isfile(path):
            table = _read_toml(path).get("tool", {}).get("ankidigest")
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{path}: [tool.ankidigest] must be a table")
                return f"{path} [tool.ankidigest]", table
        if os.path.exists(os.path.join(folder, ".git")):
            return None
    return None


def _upward(folder: str) -> Iterator[str]:
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _read_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def start_folder(inputs: Sequence[str]) -> str:
    """Where the search for a config file starts: the folder of the inputs (their
    common folder when there are several), else the current folder."""
    folders = [p if os.path.isdir(p) else os.path.dirname(p) or "." for p in inputs]
    if not folders:
        return "."
    try:
        return os.path.commonpath([os.path.abspath(f) for f in folders])
    except ValueError:  # on different drives (Windows)
        return folders[0]


def tokens(parser: argparse.ArgumentParser, table: dict[str, Any], where: str) -> list[str]:
    """The config table as command-line arguments, so the parser checks the values."""
    keys = settable(parser)
    argv: list[str] = []
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        action = keys.get(key) or keys.get(key + "s")
        if action is None and key.replace("-", "_") in NOT_IN_CONFIG:
            raise ConfigError(f"{where}: {raw_key!r} belongs on the command line of each run")
        if action is None:
            guess = suggest(key, keys)
            hint = f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(keys)}"
            raise ConfigError(f"{where}: unknown key {raw_key!r} ({hint})")
        option = next(s for s in action.option_strings if s.startswith("--"))
        if _is_flag(action):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {raw_key} must be true or false")
            argv += [option] if value else []
            continue
        values = value if isinstance(value, list) else [value]
        if len(values) != 1 and not isinstance(action, argparse._AppendAction):
            raise ConfigError(f"{where}: {raw_key} takes one value, not a list")
        for item in values:
            if isinstance(item, (dict, list, bool)):
                raise ConfigError(f"{where}: {raw_key} must be a string or a number")
            argv += [f"{option}={item}"]
    return argv


def _explicit(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict[str, Any]:
    """dest -> value of only the options ``argv`` gives (no defaults)."""
    saved = [(action, action.default) for action in parser._actions]
    try:
        for action, _ in saved:
            action.default = argparse.SUPPRESS
        return vars(parser.parse_args(argv))
    finally:
        for action, default in saved:
            action.default = default


def apply(
    parser: argparse.ArgumentParser, argv: Sequence[str], args: argparse.Namespace
) -> Settings:
    """``args`` (parsed from ``argv``) with the nearest config file's values added for
    every option the command line did not give."""
    given = _explicit(parser, argv)
    keys = settable(parser)
    settings = Settings(args, sources={a.dest: DEFAULT for a in keys.values()})
    settings.sources.update({dest: COMMAND_LINE for dest in given if dest in settings.sources})
    found = find_config(start_folder(args.inputs))
    if found is None:
        return settings
    where, table = found
    settings.path = where
    context = getattr(parser, "context", None)
    if context is not None:  # usage.Parser: its errors then name the file
        parser.context = f"{where}: "  # type: ignore[attr-defined]
    try:
        from_file = _explicit(parser, tokens(parser, table, where))
    finally:
        if context is not None:
            parser.context = context  # type: ignore[attr-defined]
    # An option the command line gives also silences the file's options that cannot go
    # with it (argparse's mutually exclusive groups: -v beats a file's quiet = true).
    for group in parser._mutually_exclusive_groups:
        if any(a.dest in given for a in group._group_actions):
            for action in group._group_actions:
                from_file.pop(action.dest, None)
    for dest, value in from_file.items():
        if dest not in given:
            setattr(args, dest, value)
            settings.sources[dest] = where
    for key, value in table.items():  # a key set to false names no option: still the file's
        flag = keys.get(key.replace("_", "-"))
        if flag is not None and flag.dest not in given and value is False:
            settings.sources[flag.dest] = where
    return settings


def describe(parser: argparse.ArgumentParser, settings: Settings) -> list[str]:
    """``--print-config``: each settable option as a TOML line, with where it came from."""
    lines = [f"# config file: {settings.path or 'none found'}"]
    for key, action in settable(parser).items():
        value = getattr(settings.args, action.dest, None)
        source = settings.sources.get(action.dest, DEFAULT)
        if value is None:
            lines.append(f"# {key} is not set  # {source}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}  # {source}")
    return lines
