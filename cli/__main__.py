"""``python -m cli`` runs the ``cascade`` command."""

import sys

from cli.main import main

sys.exit(main())
