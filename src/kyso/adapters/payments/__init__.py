"""Payment gateways: the VNPay 2.1.0 merchant adapter and the built-in sandbox that plays
VNPay's side of the same protocol."""

from kyso.adapters.payments.sandbox import SandboxBank, SandboxPayment
from kyso.adapters.payments.vnpay import VnpayGateway, hash_data, secure_hash

__all__ = ["SandboxBank", "SandboxPayment", "VnpayGateway", "hash_data", "secure_hash"]
