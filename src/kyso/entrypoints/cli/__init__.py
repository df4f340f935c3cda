"""The ``kyso`` command line."""
