"""The command line's parser: usage errors on one line, with a "did you mean" for a
mistyped option, worked out from whatever options the parser has.

Nothing here knows the options themselves: ``cli.build_parser`` adds them, and every
helper reads them back from the parser, so a new option gets suggestions (and a
place in the config file and shell completion) without touching this module.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``ankidigest: error: …``.

    ``context`` starts every message (``config.apply`` sets it to the config file's
    path while it parses the file's values)."""

    context = ""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(unknown_message(self, extras))
        assert isinstance(parsed, argparse.Namespace)
        return parsed

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` (no usage block) and exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {self.context}{message}\n")


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    """Every ``--long`` option string of the parser, in the order they were added."""
    return [s for action in parser._actions for s in action.option_strings if s.startswith("--")]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped ``word``, if one is close enough."""
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_message(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """What is wrong with arguments the parser did not recognise, in one line."""
    unknown = [e.split("=", 1)[0] for e in extras if e.startswith("-") and e != "-"]
    if not unknown:
        return f"unexpected argument {extras[0]!r} (ankidigest --help shows the usage)"
    options = long_options(parser)
    parts = []
    for option in dict.fromkeys(unknown):
        guess = suggest("--" + option.lstrip("-"), options)
        hint = f"did you mean {guess}?" if guess else "ankidigest --help lists the options"
        parts.append(f"unknown option {option} ({hint})")
    return "; ".join(parts)


def fail(parser: argparse.ArgumentParser, message: str) -> int:
    """Report a usage problem found after parsing the way the parser reports its own;
    return the exit code instead of exiting."""
    try:
        parser.error(message)
    except SystemExit as exc:
        return int(exc.code or EXIT_USAGE)
    return EXIT_USAGE  # pragma: no cover - error() always exits


_BASH = """\
# ankidigest completion for bash; made by `ankidigest --completion bash` from its options.
_ankidigest() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
    case $prev in
{cases}
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "{options}" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -o bashdefault -F _ankidigest ankidigest
"""
_ZSH = """\
# ankidigest completion for zsh (through zsh's bash completion layer).
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
"""


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """A bash or zsh completion script for every option the parser has: choices
    complete to their values, other values and inputs to file names."""
    cases = []
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0:
            continue
        names = "|".join(action.option_strings)
        if action.choices:
            words = " ".join(str(c) for c in action.choices)
            reply = f'COMPREPLY=($(compgen -W "{words}" -- "$cur"))'
        elif action.type is int:
            reply = "COMPREPLY=()"
        else:
            reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
        cases.append(f"        {names}) {reply}; return ;;")
    options = " ".join(s for a in parser._actions for s in a.option_strings)
    script = _BASH.format(cases="\n".join(cases), options=options)
    return _ZSH + script if shell == "zsh" else script
