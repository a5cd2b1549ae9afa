"""``python -m ccsdesk`` runs the same entry point as the ``ccsdesk`` command."""

import sys

from ccsdesk.cli.main import main

sys.exit(main())
