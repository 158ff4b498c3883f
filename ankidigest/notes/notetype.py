"""The ankidigest note type: frozen fields, stable ids, templates and CSS.

Anki identifies a note type by its id and treats any change to the field list
as a new note type, after which no existing note can be updated again. So the
field list below is decided once, for every feature we plan (lemma,
definition, translation, pronunciation, audio, image), and must never be
reordered, renamed or extended. Templates and CSS may change: bump
``NOTETYPE_MOD`` when they do, so that Anki takes the new version.
"""

from __future__ import annotations

from typing import Any

MODEL_ID = 1_731_904_467
MODEL_NAME = "ankidigest cloze"
# When the templates or CSS below last changed (seconds since the epoch). Anki
# updates a note type only if the incoming one is newer, so a user's own template
# edits survive until we ship a new template.
NOTETYPE_MOD = 1_796_256_000  # 2026-12-03 00:00 UTC; never in the future

# (name, stable field id). Never reorder, rename or add: see the module docstring.
FIELDS: tuple[tuple[str, int], ...] = (
    ("Text", 7_316_100_001),
    ("Term", 7_316_100_002),
    ("Lemma", 7_316_100_003),
    ("Definition", 7_316_100_004),
    ("Translation", 7_316_100_005),
    ("Pronunciation", 7_316_100_006),
    ("Audio", 7_316_100_007),
    ("Image", 7_316_100_008),
    ("Context", 7_316_100_009),
    ("Source", 7_316_100_010),
    ("URL", 7_316_100_011),
    ("Date", 7_316_100_012),
    ("Section", 7_316_100_013),
    ("Post", 7_316_100_014),
    ("Key", 7_316_100_015),
)
FIELD_NAMES: tuple[str, ...] = tuple(name for name, _ in FIELDS)
FIELD_INDEX: dict[str, int] = {name: i for i, name in enumerate(FIELD_NAMES)}
TEMPLATE_ID = 7_316_200_001
SORT_FIELD = FIELD_INDEX["Term"]

_SOURCE_LINE = (
    '<div class="ad-source">{{#URL}}<a href="{{URL}}">{{Source}}</a>{{/URL}}'
    "{{^URL}}{{Source}}{{/URL}}"
    '{{#Date}}<span class="ad-date"> · {{Date}}</span>{{/Date}}</div>'
)

# The front: the sentence with the term hidden (its hint in place of "[...]").
FRONT = (
    '<div class="ad-card">\n'
    '<div class="ad-text">{{cloze:Text}}</div>\n'
    '<div class="ad-source">{{Source}}'
    '{{#Date}}<span class="ad-date"> · {{Date}}</span>{{/Date}}</div>\n'
    "</div>"
)

# The back teaches: the word (lemma, IPA, audio button), then the Definition field, whose
# first line is a caption (part of speech · exam levels · frequency band, styled by
# ::first-line), its fitting Chinese line in bold, other senses and English below; the
# sentence's translation, the paragraph, the article link. No JavaScript.
BACK = (
    '<div class="ad-card">\n'
    '<div class="ad-text">{{cloze:Text}}</div>\n'
    '<div class="ad-word"><span class="ad-lemma">{{#Lemma}}{{Lemma}}{{/Lemma}}'
    "{{^Lemma}}{{Term}}{{/Lemma}}</span>"
    '{{#Pronunciation}} <span class="ad-pron">{{Pronunciation}}</span>{{/Pronunciation}}'
    '{{#Audio}} <span class="ad-audio">{{Audio}}</span>{{/Audio}}</div>\n'
    '{{#Definition}}<div class="ad-def">{{Definition}}</div>{{/Definition}}\n'
    '{{#Translation}}<div class="ad-trans">{{Translation}}</div>{{/Translation}}\n'
    '{{#Image}}<div class="ad-image">{{Image}}</div>{{/Image}}\n'
    '{{#Context}}<div class="ad-context">{{Context}}</div>{{/Context}}\n'
    f"{_SOURCE_LINE}\n"
    '{{#Section}}<div class="ad-section">{{Section}}</div>{{/Section}}\n'
    "</div>"
)

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 20px; line-height: 1.5;
  text-align: left; color: #1d1d1f; background: #fdfdfd; }
.ad-card { max-width: 40em; margin: 0 auto; padding: 0.5em; overflow-wrap: anywhere; }
.ad-text { font-size: 1.15em; }
.cloze { font-weight: bold; color: #0a58ca; }
.ad-word { margin-top: 0.9em; padding-top: 0.6em; border-top: 1px solid #ddd; }
.ad-lemma { font-size: 1.3em; font-weight: bold; }
.ad-pron { color: #555; font-family: "Charis SIL", "Doulos SIL", "Noto Sans", "DejaVu Sans",
  sans-serif; }
.ad-def { margin-top: 0.3em; }
.ad-def::first-line { font-size: 0.75em; color: #666; letter-spacing: 0.02em; }
.ad-def b { color: #0a58ca; }
.ad-trans { margin-top: 0.6em; color: #555; }
.ad-source, .ad-section { margin-top: 0.8em; font-size: 0.75em; color: #666; }
.ad-source a { color: inherit; }
.ad-context { margin-top: 0.8em; padding-left: 0.7em; border-left: 3px solid #ccc;
  font-size: 0.85em; color: #444; }
.ad-context b { color: inherit; }
.ad-image img { max-width: 100%; height: auto; }
.nightMode.card, .night_mode .card, .card.nightMode { color: #e8e8e8; background: #1e1e1e; }
.nightMode .cloze, .night_mode .cloze, .nightMode .ad-def b, .night_mode .ad-def b {
  color: #6ea8fe; }
.nightMode .ad-word, .night_mode .ad-word { border-top-color: #444; }
.nightMode .ad-pron, .night_mode .ad-pron, .nightMode .ad-trans, .night_mode .ad-trans {
  color: #bbb; }
.nightMode .ad-def::first-line, .night_mode .ad-def::first-line { color: #aaa; }
.nightMode .ad-source, .nightMode .ad-section, .night_mode .ad-source,
.night_mode .ad-section { color: #aaa; }
.nightMode .ad-context, .night_mode .ad-context { color: #ccc; border-left-color: #555; }
@media (max-width: 480px) { .card { font-size: 18px; } .ad-card { padding: 0.2em; } }
"""


def genanki_model() -> Any:
    """A fresh genanki Model (genanki mutates models, so never share one)."""
    import genanki

    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name, "id": fid} for name, fid in FIELDS],
        templates=[{"name": "Cloze", "qfmt": FRONT, "afmt": BACK, "id": TEMPLATE_ID}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
        sort_field_index=SORT_FIELD,
    )
