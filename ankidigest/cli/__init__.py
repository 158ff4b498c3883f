"""The command line: ``main`` parses the arguments (``parser``), runs an export or one
of the other modes (``modes``: --check, --push, --site) through the library API, and
prints a summary; ``say`` holds what the modes share. Only this package prints."""

from __future__ import annotations

from ankidigest.cli.main import main
from ankidigest.cli.parser import EXIT_INPUT, EXIT_OK, EXIT_USAGE, build_parser
from ankidigest.cli.say import report_lines

__all__ = ["EXIT_INPUT", "EXIT_OK", "EXIT_USAGE", "build_parser", "main", "report_lines"]
