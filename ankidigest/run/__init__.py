"""Run: one export of many posts, fast: the steps in order, both cores, the cache.

``export`` is the export run itself, its functions named after the steps in the
order they happen; ``jobs`` reads and builds the posts (looking each up in the
``cache`` first), on every core through ``parallel``; ``results`` is how a built
post travels between processes and the cache; ``reuse`` copies the posts a
re-export left unchanged straight from the previous package; ``progress`` draws
the CLI's progress bar.
"""
