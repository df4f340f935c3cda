"""Accounts: customers and staff, passwords, account PINs, sessions, roles."""
