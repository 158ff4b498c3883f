"""Look-up links: dictionary, pronunciation and usage-search sites, never a source.

A learner puts ``[YouGlish](https://youglish.com/...)`` or ``[🔊](https://dictionary.
cambridge.org/...)`` next to an example; such a link is dropped from the sentence
(unless its text is a word of the sentence) and never names the article.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Sites learners link to look a word up, hear it or see it used: never a source.
LOOKUP_HOSTS = (
    "youglish.com",
    "dictionary.cambridge.org",
    "cn.bing.com/dict",
    "bing.com/dict",
    "merriam-webster.com",
    "oxfordlearnersdictionaries.com",
    "collinsdictionary.com",
    "dictionary.com",
    "thesaurus.com",
    "vocabulary.com",
    "ldoceonline.com",
    "wiktionary.org",
    "urbandictionary.com",
    "youdao.com",
    "iciba.com",
    "forvo.com",
    "playphrase.me",
    "ludwig.guru",
    "thefreedictionary.com",
    "etymonline.com",
    "translate.google.",
    "deepl.com",
    "howjsay.com",
    "macmillandictionary.com",
)
# Speed: one search for all the hosts, not a loop over them (each link, each heading).
_HOSTS = re.compile("|".join(re.escape("." + host) for host in LOOKUP_HOSTS))
_LOOKUP_LABEL = re.compile(
    r"youglish|cambridge|bing|dict|oxford|longman|collins|merriam|webster|wiktionary|"
    r"youdao|forvo|pronunc|listen|audio|usage|example|translate|deepl|词典|发音|例句|查",
    re.I,
)


def is_lookup(url: str) -> bool:
    """True when ``url`` points at a dictionary, pronunciation or usage-search site."""
    parts = urlsplit(url.strip())
    where = (parts.netloc.lower().removeprefix("www.") + parts.path.lower()).lstrip("/")
    # A host at the start or after a dot: "." + host inside "." + where.
    return _HOSTS.search("." + where) is not None


def droppable(url: str, label: str) -> bool:
    """A look-up link is dropped unless its text is a word of the sentence."""
    if not is_lookup(url):
        return False
    return not re.search(r"[^\W\d_]", label) or bool(_LOOKUP_LABEL.search(label))
