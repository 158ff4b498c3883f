"""A synthetic blog of reading notes, shaped like the first user's posts.

Each post has YAML front matter, a table-of-contents marker, a few sections
(``### ...``), articles under them (``#### [YYYY-MM-DD title](url)``) and
paragraphs of sentences with one to three bolded words or phrases each; about a
fifth of the paragraphs hold several sentences. Everything comes from one
``random.Random(seed)``, so the same seed and size give the same files.

The words are made-up syllables by default (no dictionary knows them: the enrichment's
miss path). ``words="english"`` draws them from the embedded dictionary instead, frequent
words for the prose and rarer ones for the bold terms, so that every term is looked up,
lemmatised and its senses ranked against a sentence of real words: what a learner's own
blog costs.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

_ONSETS = ("b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w")
_ONSETS += ("br", "cr", "dr", "gr", "pr", "tr", "st", "sp", "sh", "ch", "th", "pl", "cl")
_VOWELS = ("a", "e", "i", "o", "u", "ea", "ou", "ai", "io")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rk", "ng")
_SUFFIXES = ("", "", "", "ed", "ing", "ly", "ion", "ous", "ment", "able", "ness")
_SECTIONS = ("朝鲜参战", "战场局势", "和谈进展", "经济制裁", "外交动向", "国内政治")
_SITES = ("www.theguardian.com/world", "www.bbc.co.uk/news", "apnews.com/article")


def _word(rng: random.Random, longest: int) -> str:
    syllables = rng.randint(1, longest)
    word = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
    )
    return word + rng.choice(_SUFFIXES)


@dataclass(frozen=True)
class Corpus:
    folder: str
    files: tuple[str, ...]
    terms: int
    bytes: int


def english_words() -> tuple[list[str], list[str]]:
    """(frequent, rarer) English words of the embedded dictionary, by its BNC rank: the
    600 most frequent plain words, and those ranked 3,000 to 33,000 (a learner's words)."""
    from ankidigest.enrich.dictionary import embedded

    data = embedded()
    ranked = []
    for word in data.load().keys:
        if word.isalpha() and word.isascii() and len(word) > 1:
            entry = data.get(word)
            if entry is not None and entry.bnc and entry.redirect is None:
                ranked.append((entry.bnc, word))
    ranked.sort()
    return [w for _, w in ranked[:600]], [w for r, w in ranked if 3_000 <= r < 33_000]


class _Writer:
    def __init__(self, seed: int, words: str = "synthetic") -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        # Plain words are frequent; the learner's words are a larger, rarer set.
        if words == "english":
            self.common, self.vocab = english_words()
        else:
            self.common = [_word(rng, 2) for _ in range(600)]
            self.vocab = [_word(rng, 3) for _ in range(30_000)]

    def sentence(self, bolds: int) -> str:
        rng = self.rng
        words = [rng.choice(self.common) for _ in range(rng.randint(8, 20))]
        for slot in rng.sample(range(1, len(words)), bolds):
            phrase = " ".join(rng.choice(self.vocab) for _ in range(rng.choice((1, 1, 1, 2, 3))))
            words[slot] = f"**{phrase}**"
        for _ in range(rng.randint(0, 2)):  # commas and dashes
            i = rng.randrange(2, len(words) - 1)
            if not words[i].endswith("**"):
                words[i] += rng.choice((",", ",", " –"))
        if rng.random() < 0.15:
            words.insert(rng.randrange(1, len(words)), "“" + rng.choice(self.common) + "”")
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + rng.choice((".", ".", ".", "?", "!"))

    def post(self, index: int, budget: int) -> tuple[str, str, int]:
        """(file name, text, number of bolds) of one post holding about ``budget`` terms."""
        rng = self.rng
        month = 1 + index % 12
        day = 1 + index % 28
        year = 2020 + index // 336
        title = f"{year}年{month}月阅读摘选 {index}: " + " ".join(
            rng.choice(self.common) for _ in range(3)
        )
        lines = [
            "---",
            "layout: post",
            f'title:  "{title}"',
            f"date:   {year}-{month:02d}-{day:02d} 23:08:00 +0800",
            f"tags: [english, {rng.choice(self.common)}]",
            "---",
            "",
            "* 目录",
            "{:toc #markdown-toc}",
            "",
        ]
        terms = 0
        article = 0
        while terms < budget:
            lines += [f"### {rng.choice(_SECTIONS)} {index}-{article}", ""]
            for _ in range(rng.randint(2, 8)):
                article += 1
                head = " ".join(rng.choice(self.common) for _ in range(rng.randint(5, 12)))
                slug = "-".join(head.split()[:6])
                site = rng.choice(_SITES)
                url = f"https://{site}/{year}/{month:02d}/{day:02d}/{slug}-{index}-{article}"
                date = f"{year}-{month:02d}-{day:02d}"
                lines += [f"#### [{date} {head[:1].upper()}{head[1:]}]({url})", ""]
                for _ in range(rng.randint(3, 12)):
                    count = rng.choice((1, 1, 1, 2, 2, 3))
                    if rng.random() < 0.2:  # a multi-sentence paragraph
                        sentences = [self.sentence(count), self.sentence(rng.choice((0, 1)))]
                        count += sentences[1].count("**") // 2
                    else:
                        sentences = [self.sentence(count)]
                    lines += [" ".join(sentences), ""]
                    terms += count
                if terms >= budget:
                    break
        name = f"{year}-{month:02d}-{day:02d}-reading-{index:04d}.md"
        return name, "\n".join(lines), terms


def generate(
    folder: str, terms: int, seed: int = 1, per_post: int = 250, words: str = "synthetic"
) -> Corpus:
    """Write posts with about ``terms`` bolded terms in total (~``per_post`` each), of
    made-up words or (``words="english"``) of the embedded dictionary's words."""
    os.makedirs(folder, exist_ok=True)
    writer = _Writer(seed, words)
    files = []
    total = 0
    size = 0
    index = 0
    while total < terms:
        budget = min(terms - total, writer.rng.randint(per_post // 2, per_post * 3 // 2))
        name, text, count = writer.post(index, budget)
        path = os.path.join(folder, name)
        data = text.encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)
        files.append(path)
        total += count
        size += len(data)
        index += 1
    return Corpus(folder, tuple(files), total, size)


def edit_one(path: str, mtime: int) -> None:
    """Change one sentence of a post (a typo fix) and give it a newer mtime."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    at = text.index("**")
    at = text.rindex(" ", 0, at)
    text = text[:at] + " edited" + text[at:]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.utime(path, (mtime, mtime))
