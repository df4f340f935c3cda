"""``KYSO_HOME`` is private: the directory 0700, what kyso writes in it 0600.

It holds the master key, the SQLite database, the documents and the sealed onboarding
files. :func:`private_umask` makes every file and directory the process creates private
from then on (``kyso init``, ``serve`` and ``worker`` call it first); :func:`make_private`
takes group and other permissions off an existing home (``kyso init`` repairs one made by an
older kyso or by hand); :func:`check_home` refuses, in production, to start on a home whose
directory or top-level files others can open (what is below a 0700 directory is out of
their reach whatever its own mode), and in development returns what it found, to warn.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kyso.config import ConfigError, Settings

__all__ = ["HomeExposed", "check_home", "exposed", "make_private", "private_umask"]

_OTHERS = 0o077  # group and other: no bit at all


class HomeExposed(ConfigError):
    """Production refuses a ``KYSO_HOME`` that others can read."""


def private_umask() -> None:
    """Files and directories created by this process (and its children) are owner-only."""
    os.umask(_OTHERS)


def make_private(home: Path) -> list[Path]:
    """Create ``home`` 0700 if absent; take group/other bits off it and everything in it
    (symbolic links are left alone). Returns what was changed."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    changed = [p for p in [home, *_tree(home)] if _restrict(p)]
    return changed


def exposed(home: Path) -> list[Path]:
    """``home`` and its top-level entries that group or others have any permission on."""
    if not home.exists():
        return []
    return [p for p in [home, *home.iterdir()]
            if not p.is_symlink() and p.lstat().st_mode & _OTHERS]


def check_home(settings: Settings) -> list[Path]:
    """In production, raise :class:`HomeExposed` if others can open ``KYSO_HOME``;
    otherwise return the exposed paths (empty when private), for a warning."""
    found = exposed(settings.home)
    if found and settings.mode == "production":
        names = ", ".join(f"{p} ({_mode(p):o})" for p in found[:5])
        raise HomeExposed(f"KYSO_HOME must be private (0700, files 0600): {names}; "
                          "run `kyso init` to fix the modes")
    return found


def _tree(home: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(home):
        found += [Path(root, name) for name in (*dirs, *files)]
    return found


def _restrict(path: Path) -> bool:
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode) or not mode & _OTHERS:
        return False
    path.chmod(stat.S_IMODE(mode) & ~_OTHERS)
    return True


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)
