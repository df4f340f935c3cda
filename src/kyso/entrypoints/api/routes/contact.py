"""The support desk's contact, as the operator set it (``support_phone``, ``support_email``):
public, so a customer locked out, logged out or recovering an account can still call."""

from __future__ import annotations

import re

from fastapi import APIRouter, Response
from pydantic import BaseModel

from kyso.entrypoints.api.deps import ContainerDep

router = APIRouter(prefix="/api/v1", tags=["system"])


class ContactOut(BaseModel):
    phone: str | None = None  # as the operator wrote it, to show
    tel: str | None = None  # the same number for a tel: link (digits and a leading +)
    email: str | None = None


def dialable(phone: str) -> str:
    """``1900 54 54 54`` → ``1900545454``; ``+84 (24) 3.123`` → ``+84243123``."""
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


@router.get("/contact", response_model=ContactOut)
def contact(container: ContainerDep, response: Response) -> ContactOut:
    """Where the support desk answers (nothing set: both null)."""
    s = container.settings
    response.headers["Cache-Control"] = "public, max-age=300"
    return ContactOut(phone=s.support_phone, tel=dialable(s.support_phone) if s.support_phone
                      else None, email=s.support_email)
