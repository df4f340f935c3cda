"""The sandbox child's jail: what a PDF that takes over the parser can still do.

Applied by the child once its imports are done, before it reads the first file, in two
layers (each where the kernel offers it; the child reports which it got and the parent logs
a missing one):

- **Landlock** (:mod:`landlock`): files can be read only beneath the Python installation,
  the kyso package and the system's libraries (``/usr``, ``/lib*``) and a few files of
  ``/etc`` that libraries read, and read and written only in the child's own folder (where
  the server links the file it works on, and its scratch files go); nothing can be
  written, created, removed or executed anywhere else. ``/proc`` is closed too
  (``/proc/self/environ`` still holds the server's environment, ``KYSO_*`` variables
  included). ``KYSO_HOME`` — the master key, the file key store, the SQLite database — is
  out of reach, as long as it is not put beneath one of those places.
- **seccomp** (:mod:`pyseccomp`, libseccomp): no socket of any family (no network, and no
  connection to PostgreSQL's UNIX socket; ``socketpair`` stays, a pair joined to nothing
  outside, which asyncio's loop needs), no ``execve``, no new process (``clone`` without
  ``CLONE_THREAD``; ``clone3`` answers ENOSYS so that threads fall back to ``clone``), no
  ``ptrace``, no reading or writing another process's memory, no signal to another process.

With ``no_new_privs`` set by either, nothing executed later could gain privileges. The pipe
to the parent, opened before, keeps working: it is the child's only way out.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["LAYERS", "confine", "readable_roots"]

LAYERS = ("landlock", "seccomp")

_SYSTEM = ("/usr", "/lib", "/lib64", "/etc/ssl", "/etc/localtime", "/etc/ld.so.cache",
           "/etc/fonts")  # not /proc: /proc/self/environ is still the server's environment
_CLONE_THREAD = 0x00010000


def readable_roots() -> list[str]:
    """Where the child may still read: the interpreter, the installed packages, kyso."""
    import kyso

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(kyso.__file__).resolve().parent)}
    roots.update(p for p in sys.path if p and Path(p).is_dir() and "site-packages" in p)
    return sorted(r for r in roots | set(_SYSTEM) if os.path.exists(r))


def confine(readable: Iterable[str], writable: Iterable[str] = ()) -> list[str]:
    """Jail the calling process (single-threaded: both layers bind the calling thread and
    what it starts later): read-only beneath ``readable``, read and write (files only)
    beneath ``writable``. Returns the layers applied, in :data:`LAYERS` order."""
    sys.dont_write_bytecode = True  # a later import must not try to write __pycache__
    syscalls = _seccomp_filter()  # first: finding libseccomp runs ldconfig, which Landlock stops
    applied = []
    if _landlock(readable, writable):
        applied.append("landlock")
    if syscalls is not None and _load(syscalls):
        applied.append("seccomp")
    return applied


def _landlock(readable: Iterable[str], writable: Iterable[str]) -> bool:
    try:
        from landlock import FSAccess, Ruleset
        from landlock.plumbing import landlock_abi_version

        abi = landlock_abi_version()
        if abi < 1:
            return False
        rules = Ruleset()  # every file-system right the kernel knows is handled: denied
        for root in readable:
            is_dir = os.path.isdir(root)
            rights = FSAccess.READ_FILE | (FSAccess.READ_DIR if is_dir else FSAccess(0))
            rules.allow(root, rules=rights)
        scratch = (FSAccess.READ_FILE | FSAccess.READ_DIR | FSAccess.WRITE_FILE
                   | FSAccess.MAKE_REG | FSAccess.REMOVE_FILE
                   | (FSAccess.TRUNCATE if abi >= 3 else FSAccess(0)))
        for root in writable:
            rules.allow(root, rules=scratch)
        rules.apply()
    except Exception:  # no Landlock in this kernel, or a refused rule: not jailed by it
        return False
    return True


def _seccomp_filter() -> Any:
    try:
        import pyseccomp as seccomp

        refuse = seccomp.ERRNO(errno.EACCES)
        jail = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for name in ("socket", "execve", "execveat", "fork", "vfork", "ptrace",
                     "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd"):
            jail.add_rule(refuse, name)
        jail.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # glibc then uses clone
        jail.add_rule(refuse, "clone",
                      seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))  # a process
        me = os.getpid()
        for name in ("kill", "tgkill", "tkill"):
            jail.add_rule(refuse, name, seccomp.Arg(0, seccomp.NE, me))
    except Exception:  # no libseccomp here: not jailed by it
        return None
    return jail


def _load(syscalls: Any) -> bool:
    try:
        syscalls.load()
    except Exception:
        return False
    return True
