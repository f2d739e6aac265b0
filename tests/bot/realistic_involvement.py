"""The longest realistic values for the involvement texts, for the 2-SMS check."""

VALUES: dict[str, str] = {
    "role": "Tenants' association",
    "about": (
        "Mystery shoppers tell us each month, in 5-10 minutes by text, how our services treated "
        "them."
    ),
}
