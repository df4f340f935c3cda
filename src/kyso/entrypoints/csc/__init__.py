"""The CSC API v2 (Cloud Signature Consortium) at ``/csc/v2/``, for relying parties and
independent CSC clients (pyHanko's ``CSCSigner`` among them)."""

from __future__ import annotations

from fastapi import APIRouter

from kyso.entrypoints.csc import auth, credentials, documents, oauth2, signatures
from kyso.entrypoints.csc.errors import CscRoute, NotImplementedMethod

__all__ = ["router"]

router = APIRouter(prefix="/csc/v2", tags=["csc"], route_class=CscRoute)
# signatures first: routes are matched in order (twice: to pick, then to handle), and
# signHash, the hot path, walked the twelve routes of auth, oauth2 and credentials first;
# the paths are disjoint, so the order changes nothing else
for _module in (signatures, auth, oauth2, credentials, documents):
    router.include_router(_module.router)


@router.post("/{method:path}", include_in_schema=False)
def not_implemented(method: str) -> None:
    """A method name the spec does not define (or kyso does not know)."""
    raise NotImplementedMethod(method=method)
