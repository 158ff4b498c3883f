"""Terms: is a marked span in a block of prose a word the learner wants to learn?

Pure functions over plain text, no markdown: ``sentences`` splits text into
sentences; ``translation`` finds glosses in another script; ``lookup`` and
``sources`` tell dictionary links from article links; ``rules`` judges one span in
its sentence, ``wordlists`` the span that opens a word-list or dictionary line, and
``classify`` puts them together for a block; ``reasons`` holds the skip reasons that
``--verbose`` and ``--check`` print. Kept apart from ``read`` so that these rules
can be tested, measured and changed without a parser in the way.
"""
