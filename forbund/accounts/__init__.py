"""The account: login throttling, two-step verification (TOTP and recovery codes) and sessions."""
