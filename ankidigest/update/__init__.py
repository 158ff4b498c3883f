"""Update: compare fresh notes with the previous export, so a re-import updates cards.

``prior`` reads an earlier package back (zipfile + sqlite3); ``reconcile`` gives
each note its ``mod`` (kept when unchanged, newer when changed) and the report of
new, changed, unchanged and removed notes; ``sentence_match`` lets an edited
sentence keep its note under ``--group sentence``. This is where review history is
protected: read docs/DESIGN.md ("Updates") before changing it.
"""
