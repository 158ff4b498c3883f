"""Write: ``NoteSpec``s -> an .apkg, a .json file or standard output, atomically.

``apkg`` writes the Anki package (genanki's schema and our own note and card rows,
so each note keeps its own ``mod``), ``zipout`` the deterministic deflated zip,
``jsonout`` the JSON list, and ``atomic`` makes every file appear whole or not at
all: a temporary file beside the target, then a rename.
"""
