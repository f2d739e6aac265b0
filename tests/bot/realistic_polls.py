"""The longest realistic values for the polls texts, for the 2-SMS check."""

VALUES: dict[str, str] = {}
