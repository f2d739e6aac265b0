"""The longest realistic values for the involvement texts, for the 2-SMS check."""

VALUES: dict[str, str] = {}
