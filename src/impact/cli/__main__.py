"""``python -m impact.cli …`` runs the ``impact`` command."""

from impact.cli import main

main()
