"""The export time: the ``mod`` a changed note gets, so that Anki takes it.

Anki updates a note only when the incoming ``mod`` is strictly newer than its own,
and a note the user edited in Anki carries the time of that edit. So a note whose
content changed is stamped with the export time (rounded up to the next second:
strictly newer than any edit made before the export), not the post file's time.
``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/)
overrides the clock, for byte-identical builds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from ankidigest.errors import UsageError

ENV = "SOURCE_DATE_EPOCH"


def export_time(environ: Mapping[str, str] | None = None) -> int:
    """``SOURCE_DATE_EPOCH`` when set (a UsageError when it is not a whole number of
    seconds), else the clock's next whole second."""
    value = (os.environ if environ is None else environ).get(ENV)
    if value is None or value == "":
        return int(time.time()) + 1
    text = value.strip()
    if not text.isdigit() or not text.isascii() or int(text) >= 1 << 53:
        raise UsageError(f"{ENV} must be a whole number of seconds since 1970, not {value!r}")
    return int(text)
