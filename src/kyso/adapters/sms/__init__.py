"""SMS delivery adapters."""

from kyso.adapters.sms.http import HttpSmsSender

__all__ = ["HttpSmsSender"]
