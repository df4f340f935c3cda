"""The app's composition root: where the state lives, which server, which language, and the
clock — built once per command."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import httpx

from kyso.app import messages as m
from kyso.app.client import KysoClient
from kyso.app.errors import AppError, NoToken
from kyso.app.state import DeviceState, StateStore, StoredToken, default_home
from kyso.app.token import device_kdf, device_time
from kyso.app.ui import Ui
from kyso.otp.device import DeviceKdf

__all__ = ["DEFAULT_SERVER", "AppContext", "resolve_server"]

DEFAULT_SERVER: Final = "http://127.0.0.1:8000"


def resolve_server(option: str | None, environ: Mapping[str, str],
                   state: DeviceState) -> str:
    """``--server``, else ``KYSO_APP_SERVER``, else the stored one, else the local default."""
    server = option or environ.get("KYSO_APP_SERVER") or state.server or DEFAULT_SERVER
    if not server.startswith(("http://", "https://")):
        raise AppError(m.BAD_SERVER_URL, server=server)
    return server.rstrip("/")


@dataclass
class AppContext:
    store: StateStore
    state: DeviceState
    server: str
    ui: Ui
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    transport: httpx.BaseTransport | None = None
    clock: Callable[[], float] = time.time

    @classmethod
    def create(cls, ui: Ui, *, server: str | None = None,
               environ: Mapping[str, str] | None = None,
               transport: httpx.BaseTransport | None = None,
               clock: Callable[[], float] = time.time) -> AppContext:
        env = dict(os.environ if environ is None else environ)
        store = StateStore(default_home(env))
        state = store.load()
        return cls(store, state, resolve_server(server, env, state), ui, env, transport, clock)

    def client(self) -> KysoClient:
        """A client for this server, carrying the session only if it was made there."""
        session = self.state.session_for(self.server)
        return KysoClient(self.server, session=session.token if session else None,
                          lang=self.ui.lang, transport=self.transport)

    def save(self, **changes: object) -> DeviceState:
        self.state = self.state.update(**changes)
        self.store.save(self.state)
        return self.state

    def now(self) -> float:
        """This device's best idea of the server's time."""
        return device_time(self.state.clock_offset, self.clock)

    def stamp(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="seconds")

    def require_token(self) -> StoredToken:
        if self.state.token is None:
            raise NoToken()
        return self.state.token

    def kdf(self) -> DeviceKdf:
        return device_kdf(self.environ)
