"""Exam levels from ECDICT tags and a frequency band from its COCA/BNC ranks."""

from __future__ import annotations

from .entry import Entry

# Tag -> display name, in the order a Chinese learner meets the exams.
EXAMS = (
    ("zk", "zhongkao"),
    ("gk", "gaokao"),
    ("cet4", "cet4"),
    ("cet6", "cet6"),
    ("ky", "kaoyan"),
    ("ielts", "ielts"),
    ("toefl", "toefl"),
    ("gre", "gre"),
)
BANDS = ((5000, "top5k"), (10000, "top10k"), (20000, "top20k"))


def levels(entry: Entry | None) -> tuple[str, ...]:
    """Exam names of the entry's tags, in ``EXAMS`` order (unknown tags dropped)."""
    if entry is None:
        return ()
    tags = set(entry.tags)
    return tuple(name for tag, name in EXAMS if tag in tags)


def frequency(entry: Entry | None) -> int | None:
    """The entry's rank in COCA (``frq``), else in the BNC; None when it has neither."""
    if entry is None:
        return None
    return entry.frq or entry.bnc


def band(rank: int | None) -> str | None:
    """``top5k``/``top10k``/``top20k`` for a rank within them, ``rare`` beyond, None unranked."""
    if rank is None:
        return None
    for limit, name in BANDS:
        if rank <= limit:
            return name
    return "rare"
