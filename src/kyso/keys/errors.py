"""Errors of the key store.

Each one also subclasses the *kind* of failure from :mod:`kyso.errors`, so the HTTP layer
maps it to a status without knowing about keys::

    KeyStoreError            (KysoError, 500)
    ├── UnsupportedAlgorithm (InvalidInput, 400)
    ├── InvalidDigest        (InvalidInput, 400)
    ├── KeyNotFound          (NotFound, 404)
    ├── KeyUnreadable        (500) sealed under another master key, or altered
    └── BackendUnavailable   (Unavailable, 503)

Messages never carry key material or PINs; ``detail`` holds a short technical reason.
"""

from __future__ import annotations

from kyso.errors import InvalidInput, KysoError, NotFound, Unavailable

__all__ = [
    "BackendUnavailable",
    "InvalidDigest",
    "KeyNotFound",
    "KeyStoreError",
    "KeyUnreadable",
    "UnsupportedAlgorithm",
]


class KeyStoreError(KysoError):
    code = "key_store_error"
    vi = "Lỗi kho khóa ký."
    en = "Signing key store error."


class UnsupportedAlgorithm(KeyStoreError, InvalidInput):
    code = "unsupported_algorithm"
    vi = "Thuật toán không được hỗ trợ."
    en = "The algorithm is not supported."


class InvalidDigest(KeyStoreError, InvalidInput):
    code = "invalid_digest"
    vi = "Giá trị băm không hợp lệ."
    en = "The digest is not valid."


class KeyNotFound(KeyStoreError, NotFound):
    code = "key_not_found"
    vi = "Không tìm thấy khóa ký."
    en = "The signing key was not found."


class KeyUnreadable(KeyStoreError):
    code = "key_unreadable"
    vi = "Không thể mở khóa ký: khóa chính không khớp hoặc dữ liệu khóa đã bị thay đổi."
    en = "The signing key cannot be opened: wrong master key, or the key data was altered."


class BackendUnavailable(KeyStoreError, Unavailable):
    code = "key_store_unavailable"
    vi = "Kho khóa ký tạm thời không khả dụng."
    en = "The signing key store is temporarily unavailable."
