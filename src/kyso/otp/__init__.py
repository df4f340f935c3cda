"""One-time passwords: OATH (HOTP, TOTP, OCRA), out-of-band codes, the SmartOTP token."""
