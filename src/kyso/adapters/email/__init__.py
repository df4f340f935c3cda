"""Email delivery adapters."""

from kyso.adapters.email.smtp import SmtpEmailSender, build_message

__all__ = ["SmtpEmailSender", "build_message"]
