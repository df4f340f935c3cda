"""A customer's history: every transaction, signature, payment and signature-count change."""
