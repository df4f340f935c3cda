"""The device's state file: ``$KYSO_APP_HOME/state.json``, mode 0600, replaced atomically.

It holds the server URL, this device's random id, the session token, the SmartOTP seed
*locked* by the SmartOTP PIN (salt + masked bytes + KDF cost, no verifier) with the token's
parameters, the clock offset and the support desk last published by the server. Never the
plain seed, never a PIN.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from kyso.app import messages as m
from kyso.app.errors import AppError
from kyso.otp.device import DeviceKdf, LockedSeed
from kyso.otp.oath import OathParams
from kyso.secrets import Secret

__all__ = ["DeviceState", "KnownDesk", "Session", "StateStore", "StoredToken", "default_home"]

FORMAT: Final = 1
FILE_NAME: Final = "state.json"


def default_home(environ: Mapping[str, str]) -> Path:
    """``KYSO_APP_HOME``, else ``~/.config/kyso-app``."""
    home = environ.get("KYSO_APP_HOME")
    return Path(home) if home else Path.home() / ".config" / "kyso-app"


@dataclass(frozen=True)
class Session:
    server: str
    login: str
    token: Secret
    expires_at: str


@dataclass(frozen=True)
class StoredToken:
    """The token as the device keeps it: the seed stays locked until a PIN opens it."""

    token_id: str
    seed: LockedSeed = field(repr=False)
    params: OathParams
    ocra_suite: str
    activated_at: str


@dataclass(frozen=True)
class KnownDesk:
    """The support desk as ``server`` last published it (``GET /contact``), kept so that the
    app can still say whom to call when the server cannot be reached."""

    server: str
    phone: str | None = None
    tel: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class DeviceState:
    device_id: str
    server: str | None = None
    session: Session | None = None
    token: StoredToken | None = None
    clock_offset: float = 0.0
    synced_at: str | None = None
    desk: KnownDesk | None = None

    def session_for(self, server: str) -> Session | None:
        """The session, only when it belongs to ``server`` (a token never goes elsewhere)."""
        return self.session if self.session and self.session.server == server else None

    def desk_for(self, server: str) -> KnownDesk | None:
        """The desk last heard from ``server`` (another server's desk is not this one's)."""
        return self.desk if self.desk and self.desk.server == server else None

    def update(self, **changes: Any) -> DeviceState:
        return replace(self, **changes)


class StateStore:
    """Reads and writes one state file; a missing file is a fresh device with a new id."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.path = home / FILE_NAME

    def load(self) -> DeviceState:
        if not self.path.exists():
            state = DeviceState(device_id=str(uuid.uuid4()))
            self.save(state)
            return state
        try:
            return _from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AppError(m.STATE_DAMAGED, path=self.path, reason=type(exc).__name__) from None

    def save(self, state: DeviceState) -> None:
        data = json.dumps(_to_json(state), indent=2, ensure_ascii=False).encode("utf-8")
        try:
            _write_atomic(self.path, data)
        except OSError as exc:
            raise AppError(m.STATE_UNWRITABLE, path=self.path, reason=exc.strerror) from None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a 0600 temporary file beside ``path``, flush it to disk, then rename over it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _token_json(t: StoredToken) -> dict[str, Any]:
    kdf = t.seed.kdf
    return {"token_id": t.token_id, "activated_at": t.activated_at,
            "locked_seed": {"salt": _b64(t.seed.salt), "masked": _b64(t.seed.masked),
                            "kdf": {"time_cost": kdf.time_cost, "memory_kib": kdf.memory_kib,
                                    "parallelism": kdf.parallelism}},
            "algorithm": t.params.algorithm, "digits": t.params.digits,
            "period": t.params.step, "ocra_suite": t.ocra_suite}


def _token_from(d: dict[str, Any]) -> StoredToken:
    locked = d["locked_seed"]
    seed = LockedSeed(_unb64(locked["salt"]), _unb64(locked["masked"]),
                      DeviceKdf(**locked["kdf"]))
    params = OathParams(algorithm=d["algorithm"], digits=d["digits"], step=d["period"])
    return StoredToken(d["token_id"], seed, params, d["ocra_suite"], d["activated_at"])


def _session_json(s: Session) -> dict[str, Any]:
    return {"server": s.server, "login": s.login, "token": s.token.reveal(),
            "expires_at": s.expires_at}


def _session_from(d: dict[str, Any]) -> Session:
    return Session(d["server"], d["login"], Secret(d["token"]), d["expires_at"])


def _to_json(s: DeviceState) -> dict[str, Any]:
    return {"format": FORMAT, "device_id": s.device_id, "server": s.server,
            "session": _session_json(s.session) if s.session else None,
            "token": _token_json(s.token) if s.token else None,
            "clock_offset": s.clock_offset, "synced_at": s.synced_at,
            "desk": vars(s.desk) if s.desk else None}


def _from_json(d: dict[str, Any]) -> DeviceState:
    if d.get("format") != FORMAT:
        raise ValueError("unknown format")
    return DeviceState(device_id=str(d["device_id"]), server=d.get("server"),
                       session=_session_from(d["session"]) if d.get("session") else None,
                       token=_token_from(d["token"]) if d.get("token") else None,
                       clock_offset=float(d.get("clock_offset", 0.0)),
                       synced_at=d.get("synced_at"),
                       desk=KnownDesk(**d["desk"]) if d.get("desk") else None)
