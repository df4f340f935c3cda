"""SQL repositories of the notify area: the outbox and the in-app notifications.

They work inside the caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from kyso.adapters.db.tables.base import UtcDateTime
from kyso.adapters.db.tables.notify import notifications, outbox
from kyso.notify.model import Channel, DeliveryStatus, Notification, OutboundMessage

__all__ = ["SqlNotificationRepository", "SqlOutboxRepository"]


class SqlOutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, message: OutboundMessage) -> None:
        self._conn.execute(insert(outbox).values(id=message.id, **_outbox_values(message)))

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboundMessage]:
        """Lease the due messages. ``SKIP LOCKED`` on PostgreSQL lets concurrent workers take
        disjoint batches; SQLite has one writer at a time (``BEGIN IMMEDIATE``)."""
        ids = list(self._conn.scalars(_due(now, limit)))
        if not ids:
            return []
        claimed = outbox.c.id.in_(ids)
        self._conn.execute(update(outbox).where(claimed).values(leased_until=lease_until))
        rows = self._conn.execute(select(outbox).where(claimed).order_by(*_DUE_ORDER))
        return [_message(row) for row in rows.mappings()]

    def any_due(self, now: datetime) -> bool:
        return self._conn.scalars(_pending(now).limit(1)).first() is not None

    def save(self, message: OutboundMessage) -> None:
        """Store the message's new state and release its lease."""
        self._conn.execute(
            update(outbox)
            .where(outbox.c.id == message.id)
            .values(leased_until=None, **_outbox_values(message))
        )

    def get(self, message_id: str) -> OutboundMessage | None:
        row = self._conn.execute(select(outbox).where(outbox.c.id == message_id)).mappings()
        found = row.first()
        return _message(found) if found is not None else None

    def recent(self, limit: int) -> Sequence[OutboundMessage]:
        rows = self._conn.execute(
            select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id.desc()).limit(limit)
        )
        return [_message(row) for row in rows.mappings()]


class SqlNotificationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, notification: Notification) -> None:
        n = notification
        self._conn.execute(
            insert(notifications).values(
                id=n.id,
                account_id=n.account_id,
                title=n.title,
                body=n.body,
                created_at=n.created_at,
                read_at=n.read_at,
                title_en=n.title_en,
                body_en=n.body_en,
            )
        )

    def for_account(self, account_id: str, limit: int, offset: int) -> list[Notification]:
        rows = self._conn.execute(
            select(notifications)
            .where(notifications.c.account_id == account_id)
            .order_by(notifications.c.created_at.desc(), notifications.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [Notification(**row) for row in rows.mappings()]

    def unread_count(self, account_id: str) -> int:
        count = self._conn.scalar(
            select(func.count())
            .select_from(notifications)
            .where(notifications.c.account_id == account_id, notifications.c.read_at.is_(None))
        )
        return int(count or 0)

    def mark_read(self, account_id: str, notification_id: str | None, at: datetime) -> int:
        """With an id: 1 when the account owns it (already read keeps its first ``read_at``),
        else 0. With ``None``: how many unread notifications were marked."""
        mine = notifications.c.account_id == account_id
        if notification_id is None:
            stmt = update(notifications).where(mine, notifications.c.read_at.is_(None))
            return self._conn.execute(stmt.values(read_at=at)).rowcount
        stmt = update(notifications).where(mine, notifications.c.id == notification_id)
        read_at = func.coalesce(notifications.c.read_at, literal(at, UtcDateTime()))
        return self._conn.execute(stmt.values(read_at=read_at)).rowcount


_DUE_ORDER = (outbox.c.next_attempt_at, outbox.c.id)


def _pending(now: datetime) -> Select[tuple[str]]:
    """Ids of pending messages due by ``now`` and not leased."""
    return select(outbox.c.id).where(
        outbox.c.status == DeliveryStatus.PENDING.value,
        outbox.c.next_attempt_at <= now,
        or_(outbox.c.leased_until.is_(None), outbox.c.leased_until <= now),
    )


def _due(now: datetime, limit: int) -> Select[tuple[str]]:
    """Ids of pending messages due by ``now`` and not leased, oldest first, locked."""
    return (_pending(now).order_by(*_DUE_ORDER).limit(limit)
            .with_for_update(skip_locked=True))  # rendered as nothing on SQLite


def _outbox_values(m: OutboundMessage) -> dict[str, Any]:
    return {
        "channel": m.channel.value,
        "recipient": m.recipient,
        "account_id": m.account_id,
        "purpose": m.purpose,
        "sealed_body": m.sealed_body,
        "status": m.status.value,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at,
        "created_at": m.created_at,
        "sent_at": m.sent_at,
        "last_error": m.last_error,
        "delivered_locally": m.delivered_locally,
    }


def _message(row: RowMapping) -> OutboundMessage:
    values = dict(row)
    values.pop("leased_until")
    values["channel"] = Channel(values["channel"])
    values["status"] = DeliveryStatus(values["status"])
    values["sealed_body"] = bytes(values["sealed_body"]) if values["sealed_body"] else None
    return OutboundMessage(**values)
