"""The customer's SmartOTP app (``kyso app``): talks to a kyso server, keeps the token here.

    client.py       the typed HTTP client; errors translated once (errors.py)
    state.py        the device state file (0600, atomic); the seed only ever PIN-locked
    token.py        codes from the locked seed + PIN + clock offset (TOTP, OCRA)
    account.py      login, logout, status, OTP method and its lock
    enrol.py        register, forgot PIN (SMS codes with resend)
    codes.py        giải pháp 1 and 2, sync, resync, PIN change
    transactions.py giải pháp 3: confirm, reject, contact change
    ui.py           the port to the person; console.py its terminal adapter; views.py output
    context.py      the composition root of one command; i18n.py + messages.py the words
"""
