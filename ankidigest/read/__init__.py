"""Read: a post's bytes -> text -> a ``Document``.

``decode`` turns bytes into clean text (encodings, line ends, a clear error for the
rest); ``frontmatter`` splits off the YAML header; ``containers`` unwraps syntax that
mistune does not know (admonitions, tabs, Obsidian blocks) with every line kept;
``markdown`` (with its ``fastinline`` fast path) gives mistune's AST with each
block's offset; ``walker`` walks that tree into sections, articles and sentences,
``flatten`` and ``linebreaks`` turning each prose block into plain text with the
offsets of its marked spans. Whether a marked span is a term is asked of ``terms``.
mistune's dict tokens never leave this package.
"""
