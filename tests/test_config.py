"""The config file: ankidigest.toml or [tool.ankidigest], found upward; the command
line wins; --print-config says where each value came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ankidigest.cli import build_parser, main
from ankidigest.config import NOT_IN_CONFIG, settable

POST = "#### [An article](https://example.com/a)\n\nThe envoy was **adamant**.\n"


def _blog(tmp_path: Path, config: str, name: str = "pyproject.toml") -> Path:
    """A blog repository: the config at its root, a post two folders down."""
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / name).write_text(config, encoding="utf-8")
    posts = tmp_path / "_posts" / "2025"
    posts.mkdir(parents=True)
    (posts / "post.md").write_text(POST, encoding="utf-8")
    return posts / "post.md"


def _notes(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main([*args, "--no-enrich", "-o", "-", "-q"]) == 0
    notes: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return notes


PYPROJECT = """\
[project]
name = "my-blog"

[tool.ankidigest]
deck = "English::{title}"
tags = ["english", "news"]
group = "sentence"
"""


def test_pyproject_table_sets_options_and_the_command_line_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _blog(tmp_path, PYPROJECT)
    (note,) = _notes(capsys, str(post))
    assert str(note["deck"]).startswith("English::")
    assert {"english", "news"} <= set(note["tags"])  # type: ignore[arg-type]
    assert note["cloze"] == "The envoy was {{c1::adamant}}."
    (note,) = _notes(capsys, str(post), "--deck", "Mine", "--tag", "cli", "--group", "term")
    assert note["deck"] == "Mine"
    assert "cli" in note["tags"] and "english" not in note["tags"]  # type: ignore[operator]


def test_ankidigest_toml_found_from_a_folder_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _blog(tmp_path, 'deck = "Fixed"\ntag = "one"\n', name="ankidigest.toml")
    (note,) = _notes(capsys, str(post.parent.parent))
    assert note["deck"] == "Fixed" and "one" in note["tags"]  # type: ignore[operator]


def test_no_config_above_the_repository_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ankidigest.toml").write_text('deck = "Outside"\n', encoding="utf-8")
    post = _blog(tmp_path / "blog", "[project]\nname = 'x'\n")
    (note,) = _notes(capsys, str(post))
    assert note["deck"] != "Outside"


def test_print_config_shows_values_and_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = _blog(tmp_path, PYPROJECT + "quiet = true\n")
    assert main(["--print-config", str(post), "--tag", "cli", "-v"]) == 0
    out = capsys.readouterr().out.splitlines()
    where = f"{tmp_path / 'pyproject.toml'} [tool.ankidigest]"
    assert out[0] == f"# config file: {where}"
    assert f'deck = "English::{{title}}"  # {where}' in out
    assert f'group = "sentence"  # {where}' in out
    assert 'tags = ["cli"]  # command line' in out
    assert "verbose = true  # command line" in out
    assert "quiet = false  # default" in out  # -v silences the file's quiet
    assert 'terms = "bold"  # default' in out
    assert "# jobs is not set  # default" in out


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('dek = "x"', "unknown key 'dek' (did you mean 'deck'?)"),
        ('group = "word"', "argument --group: invalid choice: 'word'"),
        ("jobs = 'many'", "argument -j/--jobs: invalid int value: 'many'"),
        ('output = "x.apkg"', "'output' belongs on the command line of each run"),
        ('quiet = "yes"', "quiet must be true or false"),
        ('deck = ["a", "b"]', "deck takes one value, not a list"),
        ("deck = ", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    post = _blog(tmp_path, config + "\n", name="ankidigest.toml")
    assert main([str(post), "-o", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"ankidigest: error: {tmp_path / 'ankidigest.toml'}: "), err
    assert message in err
    assert not (tmp_path / "x.json").exists()


def test_settable_options_come_from_the_parser() -> None:
    """Every long option of the parser can go in a config file, but the few that
    belong to one run; a new option needs no change in config.py."""
    parser = build_parser()
    keys = settable(parser)
    assert {"deck", "tags", "group", "terms", "encoding", "jobs", "quiet"} <= set(keys)
    assert not {"output", "check", "previous", "dry-run", "version", "help"} & set(keys)
    parser.add_argument("--some-new-option", metavar="VALUE")
    assert "some-new-option" in settable(parser)
    longs = {a.dest for a in parser._actions if any(s.startswith("--") for s in a.option_strings)}
    assert longs - NOT_IN_CONFIG == {a.dest for a in settable(parser).values()}
