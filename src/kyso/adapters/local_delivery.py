"""The development inbox: email and SMS that never leave this machine.

Each message becomes one line on the console (``[dev inbox] SMS to +849…: …``) — this is how
``make run`` shows one-time codes — and the outbox keeps its sealed body so that the dev inbox
page can show it too. Production mode refuses this backend (see :mod:`kyso.config`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from kyso.notify.ports import EmailContent

__all__ = ["LocalDelivery"]


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class LocalDelivery:
    """Both an ``EmailSender`` and an ``SmsSender``; ``echo`` receives one line per message."""

    delivers_locally = True  # the outbox worker keeps the bodies of what it delivered

    def __init__(self, echo: Callable[[str], None] = _to_stderr) -> None:
        self._echo = echo

    def send_email(self, to: str, content: EmailContent) -> None:
        self._echo(
            f"[dev inbox] email to {to}: {_one_line(content.subject)} | {_one_line(content.text)}"
        )

    def send_sms(self, to: str, text: str) -> None:
        self._echo(f"[dev inbox] SMS to {to}: {_one_line(text)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
