"""``python -m kyso``."""

from kyso.entrypoints.cli.main import main

main()
