"""The longest realistic values for the events texts, for the 2-SMS check."""

VALUES: dict[str, str] = {}
