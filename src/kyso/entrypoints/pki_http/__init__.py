"""The PKI's public HTTP endpoints: CA certificates, CRLs, OCSP and RFC 3161 time stamps."""

from kyso.entrypoints.pki_http.routes import router

__all__ = ["router"]
