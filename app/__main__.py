"""``python -m app`` is the same as the ``framework-advisor`` command."""

from app.cli import main

main()
