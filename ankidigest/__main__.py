"""``python -m ankidigest``: the same CLI as the ``ankidigest`` command."""

import sys

from ankidigest.cli import main

if __name__ == "__main__":
    sys.exit(main())
