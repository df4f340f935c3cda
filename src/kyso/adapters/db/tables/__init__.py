"""All tables, one module per area, sharing one ``MetaData``.

Import this package (not an area module) to get every table registered.
"""

from kyso.adapters.db.tables import (  # noqa: F401  (registers tables)
    accounts,
    audit,
    billing,
    blobs,
    csc,
    documents,
    keys,
    multisign,
    notify,
    onboarding,
    otp,
    pki,
    quota,
    recovery,
    relying,
    signing,
    throttle,
    verify,
)
from kyso.adapters.db.tables.base import metadata

__all__ = ["metadata"]
