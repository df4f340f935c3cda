"""``python -m kyso``."""

from kyso.entrypoints.cli.launch import main

main()
