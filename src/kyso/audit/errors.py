"""Audit errors::

    Conflict ── ChainBroken     the trail was altered, cut, reordered or extended

:class:`ChainBroken` names the first record at which verification fails and the kind of
breach (:class:`Breach`), in Vietnamese and English.
"""

from __future__ import annotations

from enum import StrEnum

from kyso.errors import Conflict

__all__ = ["Breach", "ChainBroken"]


class Breach(StrEnum):
    """How the chain is broken at the named record."""

    ALTERED = "altered"
    """The record's stored hash does not match its content."""
    REMOVED = "removed"
    """The record is missing: the sequence jumps over it."""
    REORDERED = "reordered"
    """The record sits at the wrong place: out of sequence, or moved to another number."""
    UNLINKED = "unlinked"
    """The record is intact but chained to a hash other than the previous record's."""
    TRUNCATED = "truncated"
    """The trail ends before the head: the record and any after it were removed."""
    BEYOND_HEAD = "beyond_head"
    """The record lies after the head: it was added without going through the chain."""
    HEAD_MISMATCH = "head_mismatch"
    """The head's hash is not the last record's: the last record was rewritten."""
    UNREADABLE = "unreadable"
    """The stored record cannot be decoded into an event."""
    MISSING = "missing"
    """A checkpoint saw the trail longer: the records from here on were cut or wiped."""
    REWRITTEN = "rewritten"
    """A checkpoint saw another hash at this record: the trail was rewritten with the key."""
    BAD_CHECKPOINT = "bad_checkpoint"
    """A checkpoint line is malformed or not signed by kyso's seal."""


_EN = {
    Breach.ALTERED: "altered — its hash does not match its content",
    Breach.REMOVED: "removed — the sequence skips it",
    Breach.REORDERED: "reordered — it is not where the chain puts it",
    Breach.UNLINKED: "unlinked — it does not chain to the record before it",
    Breach.TRUNCATED: "truncated — the trail ends before the head",
    Breach.BEYOND_HEAD: "beyond the head — it was added outside the chain",
    Breach.HEAD_MISMATCH: "the head does not match the last record",
    Breach.UNREADABLE: "unreadable — the stored record is malformed",
    Breach.MISSING: "missing — a checkpoint saw records that are gone (cut or wiped)",
    Breach.REWRITTEN: "rewritten — a checkpoint saw another hash for it",
    Breach.BAD_CHECKPOINT: "a checkpoint is malformed or not signed by kyso's seal",
}

_VI = {
    Breach.ALTERED: "bị sửa đổi — mã băm không khớp với nội dung",
    Breach.REMOVED: "bị xóa — dãy số thứ tự bỏ qua bản ghi này",
    Breach.REORDERED: "bị đổi thứ tự — bản ghi không nằm đúng vị trí trong chuỗi",
    Breach.UNLINKED: "bị tách chuỗi — không nối với bản ghi liền trước",
    Breach.TRUNCATED: "bị cắt cụt — nhật ký kết thúc trước bản ghi đầu chuỗi",
    Breach.BEYOND_HEAD: "nằm sau đầu chuỗi — được thêm vào ngoài chuỗi",
    Breach.HEAD_MISMATCH: "đầu chuỗi không khớp với bản ghi cuối cùng",
    Breach.UNREADABLE: "không đọc được — bản ghi lưu trữ bị hỏng",
    Breach.MISSING: "bị mất — điểm kiểm tra đã thấy các bản ghi nay không còn "
                    "(bị cắt hoặc bị xóa sạch)",
    Breach.REWRITTEN: "bị viết lại — điểm kiểm tra đã thấy mã băm khác cho bản ghi này",
    Breach.BAD_CHECKPOINT: "điểm kiểm tra sai định dạng hoặc không có chữ ký của con dấu kyso",
}


class ChainBroken(Conflict):
    """Verification failed at record ``seq`` for ``reason``; ``detail`` says what was seen."""

    code = "audit_chain_broken"
    vi = "Nhật ký kiểm toán không toàn vẹn tại bản ghi số {seq}: {reason_vi}."
    en = "The audit trail is broken at record {seq}: {reason_en}."

    def __init__(self, seq: int, reason: Breach, detail: str | None = None) -> None:
        self.seq = seq
        self.reason = reason
        super().__init__(detail, seq=seq, reason_vi=_VI[reason], reason_en=_EN[reason])
