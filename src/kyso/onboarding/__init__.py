"""Onboarding: a customer's registration for a certificate, from the ID card to the signed
acceptance record (docs/ONBOARDING.md)."""
