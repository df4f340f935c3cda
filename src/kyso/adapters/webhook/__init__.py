"""Outgoing webhook calls to relying parties."""

from kyso.adapters.webhook.http import HttpWebhookSender

__all__ = ["HttpWebhookSender"]
