"""Billing: what a certificate may sign, and what customers buy.

The quota ledger (:mod:`kyso.billing.ledger`) is an append-only record per credential of
credits, unlimited terms, reservations, consumptions and releases; the balance is derived
from it. The signing path reserves before it signs and commits or releases after.
"""
