"""Lint notebooks: what ``ankidigest --check FILE...`` reports (the CLI only prints it).

A finding is either a *problem* (something the learner should fix: a bold that
crosses a sentence boundary, an empty or one-letter bold, a term missing from its
sentence, the same term twice in one article, malformed markup, broken front
matter) or a *skipped* bold with the reason it is not a term (a label, a headword,
...), listed so the learner can see what was left out. Problems make the check fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ankidigest.identity import article_scope, normalize_term
from ankidigest.model import Document
from ankidigest.terms.reasons import CROSSES, EMPTY, ONE_LETTER

PROBLEM_REASONS = frozenset({EMPTY, CROSSES})
_WHERE = re.compile(r"^(?P<path>.*?):(?P<line>\d+): (?P<message>.*)$")


@dataclass(frozen=True)
class Finding:
    """One line of the report: where, whether it is a problem, and what."""

    path: str
    line: int
    problem: bool
    message: str

    def __str__(self) -> str:
        kind = "problem" if self.problem else "skipped"
        return f"{self.path}:{self.line}: {kind}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    files: int

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.problem)

    @property
    def skipped(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.problem)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_paths(
    inputs: Iterable[str], terms: str = "bold", encoding: str | None = None
) -> CheckReport:
    """Read the posts named by ``inputs`` (files or folders) and check them."""
    from ankidigest.api import read_posts

    documents = read_posts(inputs, terms=terms, encoding=encoding)
    return CheckReport(tuple(check_documents(documents)), len(documents))


def check_documents(documents: Sequence[Document]) -> list[Finding]:
    """Every finding in ``documents``, in file and line order."""
    findings: list[Finding] = []
    for doc in documents:
        path = doc.post.path
        for warning in doc.warnings:
            m = _WHERE.match(warning)
            if m:
                findings.append(Finding(m["path"], int(m["line"]), True, m["message"]))
            else:
                findings.append(Finding(path, 1, True, warning))
        for skip in doc.skips:
            problem = skip.reason in PROBLEM_REASONS
            findings.append(Finding(path, skip.line, problem, f"{skip.text!r}: {skip.reason}"))
        findings.extend(_term_findings(doc))
    order = {doc.post.path: i for i, doc in enumerate(documents)}
    findings.sort(key=lambda f: (order.get(f.path, len(order)), f.line))
    return findings


def _term_findings(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    first: dict[tuple[str, str], int] = {}
    path = doc.post.path
    for sentence in doc.sentences:
        scope = article_scope(sentence.article, path, sentence.section)
        for term in sentence.terms:
            if sum(ch.isalnum() for ch in term.text) == 1:
                out.append(Finding(path, term.line, True, f"{term.text!r}: {ONE_LETTER}"))
            if sentence.text[term.start : term.end] != term.text or not term.text.strip():
                message = f"{term.text!r}: term missing from its sentence {sentence.text!r}"
                out.append(Finding(path, term.line, True, message))
            if sentence.article is None:
                continue  # word banks repeat a word in each of its examples, on purpose
            key = (scope, normalize_term(term.text))
            if key in first:
                message = (
                    f"{term.text!r}: duplicate term in this article (first at line "
                    f"{first[key]}); each occurrence is its own card"
                )
                out.append(Finding(path, term.line, True, message))
            else:
                first[key] = term.line
    return out
