"""The webhook worker's thread, for ``kyso serve`` and ``kyso worker``."""

from __future__ import annotations

import threading

from kyso.bootstrap import Container

__all__ = ["start_webhook_worker"]


def start_webhook_worker(container: Container, stop: threading.Event) -> threading.Thread:
    """Settle due SP769 requests and deliver webhooks until ``stop`` is set."""
    worker = container.webhook_worker()
    thread = threading.Thread(target=worker.run_forever,
                              args=(stop, container.settings.outbox_poll_seconds),
                              name="kyso-webhooks", daemon=True)
    thread.start()
    return thread
