"""Why a marked span is not a term: the reasons shown by ``--verbose`` and ``--check``."""

from __future__ import annotations

EMPTY = "empty bold"
ONE_LETTER = "one-letter bold"  # a term, but --check reports it
NO_WORD = "bold holds no word (a number, date or symbol)"
LABEL = "a label (bold followed by a colon), not a term"
HEADWORD = "a headword of a word list or dictionary entry, not a sentence"
WHOLE = "bold is the whole line or list item, not a word in a sentence"
WHOLE_SENTENCE = "bold is the whole sentence, not a word in it"
WORD_LIST = "the line holds only bold words, not a sentence"
DEFINITION = "bold inside a definition or gloss, not in an example sentence"
TRANSLATION = "bold inside a translation"
PATTERN = "a grammar pattern (sb/sth, '...', '+'), not a word of the sentence"
CLAUSE = "bold spans most of the sentence or a whole clause"
CROSSES = "bold crosses a sentence boundary"
EMPHASIS = "emphasis on a common word (not, never, five...), not a vocabulary term"
FRAGMENT = "a short phrase or collocation, not a sentence"
META = "a question or note about the word, not a use of it"
