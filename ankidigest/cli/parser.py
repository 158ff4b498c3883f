"""The command line's options, help text and exit codes (``build_parser``)."""

from __future__ import annotations

import argparse

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2

EPILOG = """\
The output format follows the extension: .apkg (an Anki package), .json (one
object per note), .txt or .csv (Anki's text import: File > Import; the same
guids as the package, so it updates the same notes; the note type must already
be in Anki, from any ankidigest .apkg), or '-' for JSON on standard output.

Re-importing a newer export updates the notes you already have: a note's
identity is its article URL, its term and the term's occurrence in that
article, never the sentence, so fixing a typo updates the card and keeps its
review history. When the output .apkg already exists (or --previous names an
earlier export, also one exported by Anki), each note is matched to its
earlier note by sentence (a corrected article URL or an unbolded earlier
occurrence keeps every card's history); notes whose content did not change
keep their time, so Anki leaves them, and your own edits to them, alone;
changed notes get the export time ($SOURCE_DATE_EPOCH, if set), so they win.
Import with Update notes: "If newer" (Anki's default); "Always" overwrites
your edits in Anki on every import.

Only bold inside a real sentence is a term: labels ("**Examples:**"), headwords
of a word list, bold that is the whole line or most of a sentence, bold in a
definition or a translation are skipped (-v says why). --check lists them, and
the problems worth fixing, without writing anything:

  ankidigest --check notes/        # exit 1 if it finds problems (pre-commit)

Options set once for a blog go in ankidigest.toml, or [tool.ankidigest] in
pyproject.toml (deck = "English::{title}", tags = ["english"], ...), found from
the inputs' folder upward; the command line wins. --print-config shows them.

exit codes:
  0  done (--check: no problems)
  1  input error (missing or unreadable post, no posts in a folder, no bold
     term to export) or output error; --check: problems found
  2  usage error (bad option, unknown output format, bad config file)
  130  interrupted (Ctrl-C); nothing was written (--watch: how it ends)
  141  standard output closed (e.g. '-o - | head'): nothing more is printed
  143  terminated (SIGTERM); nothing was written
"""


def build_parser() -> argparse.ArgumentParser:
    from ankidigest.usage import Parser
    from ankidigest.version import __version__

    parser = Parser(
        prog="ankidigest",
        description="Turn markdown reading notes into Anki cloze cards: "
        "each **bolded** word becomes a card of its sentence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="markdown posts, or folders searched recursively for *.md",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write: NAME.apkg, NAME.json, NAME.txt or NAME.csv (Anki's text "
        "import), or - for JSON on stdout (required unless --check or --preview)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list every skipped bold and why, and problems (bold crossing "
        "a sentence boundary, empty or one-letter bold, terms missing from their "
        "sentence, duplicate terms in an article); exit 1 if there are problems",
    )
    parser.add_argument(
        "--preview",
        metavar="FILE",
        help="also write FILE, an HTML page: every card, front and back as Anki shows it, by post "
        "and article, new and changed notes marked, a night-mode switch (no script). "
        "Without -o only the preview is written (compared with --previous, if given)",
    )
    parser.add_argument(
        "--site",
        metavar="DIR",
        help="also write DIR, decks to publish with a blog: per post NAME.apkg (its own "
        "deck; DIR/NAME.apkg of the last run is its prior export, so a reader's newer "
        "download updates their cards) and NAME.html (its cards, as --preview shows them, "
        "and a download link), and index.html; relative links, no script. Copy DIR into "
        "your Jekyll, Hugo or MkDocs site. Written atomically; DIR must be new, empty or "
        "an earlier --site. Without -o only the site is written",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="export (or --check) again each time a post is saved, until Ctrl-C; "
        "unchanged posts come from the cache",
    )
    parser.add_argument(
        "--terms",
        choices=("bold", "bold+highlight"),
        default="bold",
        help="what marks a term: bold only (default), or also ==highlight== and <mark>",
    )
    parser.add_argument(
        "--deck",
        metavar="NAME",
        help="deck name ('Parent::Child' nests; '{title}' is the post title). "
        "Default: the post's title; several posts: ankidigest::<title>",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="add TAG to every note (repeatable)",
    )
    parser.add_argument(
        "--group",
        choices=("term", "sentence", "lemma"),
        default="term",
        help="one note per bolded term (default); one note per sentence with one cloze per "
        "term; or one note per word (lemma) in its deck: one card, the newest sentence as "
        "the cloze, the word's other sentences and their articles on the back (several "
        "posts without --deck then share the deck 'ankidigest')",
    )
    parser.add_argument(
        "--order",
        choices=("post", "date", "date-newest", "frequency", "level"),
        default="post",
        help="the order Anki shows new cards in (each card's new-card position, 'due'): "
        "as written (default: its place in the export); by article date, oldest or newest "
        "first; common words first (frequency rank); or by exam level (zhongkao ... gre, "
        "common words first within one). Positions other than 'post' are absolute (a date, "
        "a rank), so a re-export gives each note the same one and a new note lands among "
        "its neighbours. Anki keeps the position of a new card as imported and never "
        "changes a card it already has: --order sets the order of cards new to Anki",
    )
    card = parser.add_argument_group("what the cards teach (offline, from the dictionary)")
    card.add_argument(
        "--hint",
        choices=("gloss", "first-letter", "pos", "none"),
        default="gloss",
        help="what the front shows in the gap: the Chinese gloss (default), the first "
        "letter, the part of speech, or nothing",
    )
    card.add_argument(
        "--no-enrich",
        action="store_true",
        help="leave Lemma, Definition, Pronunciation and Audio empty, and add no "
        "level::/freq:: tags (the dictionary is used by default)",
    )
    card.add_argument(
        "--dict",
        action="append",
        default=[],
        metavar="FILE",
        help="a dictionary to consult first: ECDICT .csv or StarDict .ifo (repeatable)",
    )
    card.add_argument(
        "--audio",
        action="store_true",
        help="add each word's pronunciation as MP3 (needs espeak-ng and lame)",
    )
    parser.add_argument(
        "--encoding",
        metavar="CODEC",
        help="read posts in this encoding (e.g. latin-1, cp1252, utf-16). "
        "Default: UTF-8, with or without BOM",
    )
    parser.add_argument(
        "--previous",
        metavar="FILE",
        help="the .apkg exported last time, to compare with (default: the output file, "
        "if it is an existing .apkg)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="report what is new, changed, unchanged and removed; write nothing",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="export (or --push) even when the output, --previous or Anki's notes were "
        "made with another --group: every note is then new, and the old notes stay in "
        "Anki beside them",
    )
    parser.add_argument(
        "--mark-removed",
        action="store_true",
        help="export notes gone from the posts once more, tagged ankidigest::removed "
        "(Anki never deletes notes on import)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="parse many posts in N processes (default: one per core; 1: no extra process)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="re-read every post instead of reusing the ones that did not change "
        "(cache: $ANKIDIGEST_CACHE_DIR, else $XDG_CACHE_HOME/ankidigest or ~/.cache/ankidigest)",
    )
    anki = parser.add_argument_group("straight into a running Anki (AnkiConnect)")
    anki.add_argument(
        "--push",
        action="store_true",
        help="send the notes straight into a running Anki through the AnkiConnect add-on: "
        "new notes are added, changed ones updated in place; your tags and review history "
        "stay, nothing is deleted. With -o, the file is written too",
    )
    anki.add_argument(
        "--anki-url",
        metavar="URL",
        help="where AnkiConnect listens (default http://127.0.0.1:8765)",
    )
    anki.add_argument(
        "--anki-key",
        metavar="KEY",
        help="AnkiConnect's API key, if you set one (better: $ANKIDIGEST_ANKI_KEY, "
        "which other users cannot see in the process list)",
    )
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every skipped bold and warning, and every new, changed (old -> new "
        "text of each field that differs), moved and removed note, with file:line",
    )
    talk.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print the options after the config file (ankidigest.toml, or [tool.ankidigest] "
        "in pyproject.toml, found from the inputs' folder upward) and where each came from",
    )
    parser.add_argument(
        "--completion",
        choices=("bash", "zsh"),
        help="print a shell completion script, e.g. "
        'eval "$(ankidigest --completion bash)" in ~/.bashrc',
    )
    parser.add_argument("--version", action="version", version=f"ankidigest {__version__}")
    return parser
