"""C8 Channels in: e-mail to shared mailboxes (and later Open311 and telephony imports)."""
