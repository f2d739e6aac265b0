"""The longest realistic values for the broadcasts texts, for the 2-SMS check."""

VALUES: dict[str, str] = {}
