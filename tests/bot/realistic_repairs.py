"""The longest realistic values for the repairs texts, for the 2-SMS check."""

VALUES: dict[str, str] = {}
