"""``python -m impact …`` runs the ``impact`` command."""

from impact.cli import main

main()
