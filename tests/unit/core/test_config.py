from pathlib import Path

import pytest

from kyso.config import ConfigError, load_settings


def test_defaults() -> None:
    s = load_settings({})
    assert s.mode == "development" and s.public_base_url == "http://127.0.0.1:8000"
    assert s.sqlalchemy_url.startswith("sqlite:///") and s.otp_ttl_seconds == 300


def test_environment_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kyso.toml").write_text('otp_resend_seconds = 30\npublic_base_url = "https://ca.example.vn/"\n')
    monkeypatch.setenv("KYSO_HOME", str(tmp_path))
    monkeypatch.setenv("KYSO_OTP_TTL_SECONDS", "120")
    s = load_settings()
    assert s.otp_ttl_seconds == 120 and s.otp_resend_seconds == 30
    assert s.public_base_url == "https://ca.example.vn"


def test_unknown_keys_fail_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="KYSO_OTP_TTL"):
        load_settings({"KYSO_OTP_TTL": "5"})
    (tmp_path / "kyso.toml").write_text("no_such_key = 1\n")
    monkeypatch.setenv("KYSO_HOME", str(tmp_path))
    with pytest.raises(ConfigError, match="no_such_key"):
        load_settings()


def test_invalid_values_fail() -> None:
    with pytest.raises(ConfigError):
        load_settings({}, otp_ttl_seconds=600)  # at most five minutes
    with pytest.raises(ConfigError):
        load_settings({}, public_base_url="ftp://x")


def test_secrets_masked() -> None:
    s = load_settings({}, smtp_password="s3cr3t-pw", sms_gateway_token="tok-123")
    assert "s3cr3t-pw" not in repr(s) and "tok-123" not in str(s.model_dump())


def test_production_refuses_development_defaults() -> None:
    with pytest.raises(ConfigError, match="https"):
        load_settings({}, mode="production", email_backend="smtp", sms_backend="http",
                      sms_gateway_url="https://sms.example.vn")
    with pytest.raises(ConfigError, match="local"):
        load_settings({}, mode="production", public_base_url="https://ca.example.vn")
    vnpay = {"payment_gateway": "vnpay", "vnpay_tmn_code": "KYSO0001",
             "vnpay_hash_secret": "S3CRETS3CRETS3CRETS3CRETS3CRET12"}
    with pytest.raises(ConfigError, match="sandbox"):
        load_settings({}, mode="production", public_base_url="https://ca.example.vn",
                      email_backend="smtp", sms_backend="http",
                      sms_gateway_url="https://sms.example.vn")
    ok = load_settings({}, mode="production", public_base_url="https://ca.example.vn",
                       email_backend="smtp", smtp_starttls=True, sms_backend="http",
                       sms_gateway_url="https://sms.example.vn",
                       master_key_file="/run/secrets/kyso-master.key", **vnpay)
    assert ok.mode == "production"
