"""What an export returns: its Documents, its notes and the update report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ankidigest.model import Document, NoteSpec
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
