"""Backups of a kyso deployment: the manifest of the parts, and the key material sealed for
an offline key (``kyso backup`` / ``kyso restore``; docs/OPERATIONS.md)."""
