"""What can go wrong with a backup or a restore.

::

    BackupError
     ├── KeyNotOpened        the passphrase or identity key does not open the sealed keys
     ├── PartCorrupted       a part's SHA-256 is not the manifest's, or a part is missing
     ├── ManifestInvalid     not a kyso backup, an unknown format, or an altered manifest
     ├── TargetNotEmpty      the restore target (home, database, key file) holds something
     └── RestoreFailed       the restored data does not reach the head the manifest names
"""

from __future__ import annotations

__all__ = ["BackupError", "KeyNotOpened", "ManifestInvalid", "PartCorrupted", "RestoreFailed",
           "TargetNotEmpty"]


class BackupError(Exception):
    """A backup or a restore cannot go on; the message says why (for an operator)."""


class KeyNotOpened(BackupError):
    pass


class PartCorrupted(BackupError):
    pass


class ManifestInvalid(BackupError):
    pass


class TargetNotEmpty(BackupError):
    pass


class RestoreFailed(BackupError):
    pass
