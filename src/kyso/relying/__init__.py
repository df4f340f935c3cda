"""Relying parties and the SP769-style confirm-in-app signing API (Decision 769/QĐ-BTTTT).

A relying party (a public-service portal, a broker) authenticates with ``sp_id`` and
``sp_password``, reads a customer's certificates, and asks for signatures over SHA-256
digests. Each sign request is a transaction the customer confirms in the app with a code
bound to the request's details; once confirmed, one detached CMS per file is made through
the SAD-checked signing path, and the relying party polls the status or gets a webhook.
"""
