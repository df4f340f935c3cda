"""Untrusted PDFs read in child processes with limits (:class:`ProcessSandbox`)."""

from kyso.adapters.sandbox.pool import ProcessSandbox, SandboxLimits

__all__ = ["ProcessSandbox", "SandboxLimits"]
