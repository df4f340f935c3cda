"""kyso — remote digital signing with a SmartOTP soft token."""

__version__ = "0.1.0"
