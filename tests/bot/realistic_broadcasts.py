"""The longest realistic values for the broadcasts texts, for the 2-SMS check.

A notice is whatever staff write, and the console refuses one that will not fit 2 SMS
once framed; this is a typical volunteer-bank opportunity, short enough for a Polish
frame (UCS-2) too.
"""

VALUES: dict[str, str] = {
    "notice": "We need 2 helpers to set out chairs at Methil hall on Sat 12 Dec, 10am.",
}
