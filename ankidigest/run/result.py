"""What an export returns: its Documents, its notes and the update report; or the error
for posts that give no note at all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ankidigest.errors import NothingToExport
from ankidigest.model import Document, NoteSpec
from ankidigest.run.posts import Documents
from ankidigest.update.reconcile import UpdateReport


@dataclass(frozen=True)
class ExportResult:
    # From export(): a sequence that unpickles a cached post's Document only when asked
    # for it (the counts below need none).
    documents: Sequence[Document]
    # From export(): a sequence that loads a reused post's notes only when asked for.
    notes: Sequence[NoteSpec]
    report: UpdateReport = field(default_factory=lambda: UpdateReport(None))
    warnings: tuple[str, ...] = ()

    @property
    def articles(self) -> int:
        return self._totals()[0]

    @property
    def terms(self) -> int:
        return self._totals()[1]

    @property
    def skipped(self) -> int:
        return self._totals()[2]

    def _totals(self) -> tuple[int, int, int]:
        """(articles, terms, skipped), without unpickling export()'s lazy Documents."""
        from ankidigest.run.posts import Documents

        docs = self.documents
        if isinstance(docs, Documents):
            return docs.articles, docs.terms, docs.skipped
        return (
            sum(d.articles for d in docs),
            sum(d.term_count for d in docs),
            sum(len(d.skips) for d in docs),
        )


def nothing_to_export(files: Sequence[str], documents: Documents) -> NothingToExport:
    """The error for posts that give no note at all: an empty deck helps no one."""
    skipped = documents.skipped
    where = files[0] if len(files) == 1 else f"{len(files)} posts"
    if skipped:
        bold = "the bold span was" if skipped == 1 else f"all {skipped} bold spans were"
        why = f"{bold} skipped (--check or -v says why)"
    elif len(files) == 1 and is_empty(files[0]):
        why = "the file is empty"
    else:
        why = "no bold words; mark each new word in its sentence as **word**"
    return NothingToExport(where, f"nothing to export: {why}; nothing was written", documents)


def is_empty(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return not fh.read(4096).strip()
    except OSError:
        return False
