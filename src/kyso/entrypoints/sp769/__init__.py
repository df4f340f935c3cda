"""The SP769-style relying-party API (``/sca/sp769/v1``)."""

from kyso.entrypoints.sp769.routes import router

__all__ = ["router"]
