"""The documents world (a CA, customers with SmartOTP and signatures) serves the history."""

from tests.integration.documents.conftest import customer, world

__all__ = ["customer", "world"]
