"""Notes: ``Document``s -> ``NoteSpec``s, the final fields of every Anki note.

``build`` makes each note (fields, guid, deck, tags), ``cloze`` writes a sentence
with its terms as ``{{cN::...}}`` deletions, and ``notetype`` holds our one cloze
note type: frozen fields, stable ids, templates and CSS. Nothing here reads files or
knows about earlier exports; ``update`` sets each note's ``mod`` afterwards.
"""
