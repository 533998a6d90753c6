"""The account: login throttling, two-step verification (TOTP and recovery codes) and sessions; and
accounts managed in the app — invitations by e-mail (`invitations`), roles given and ended by the
samordnare (`roles`), and the page "Användare och behörigheter" (`manage_views`, `selectors`)."""
