"""The longest realistic values for the events texts, for the 2-SMS check."""

VALUES: dict[str, str] = {
    # a title (at most 60) and a venue (at most 80) as staff type them; both go by SMS
    "event": "Methil and Buckhaven summer fun day with a barbecue and games",
    "venue": "Methil Community Hall, Wellesley Road, next to the health centre car park",
    "deadline": "Wed 30 Sep, 10:30",
    "most": "10",
    "position": "12",
    "said": "Your answer now: waiting list. ",
    # the list as the flow fits it: four events (the most listed), titles shortened to fit 2 SMS
    "event_list": (
        "1 Summer fun day at..., Sat 4 Jul, 12:00 (waiting list)\n"
        "2 Monthly drop-in, Tue 7 Jul, 10:00 (coming)\n"
        "3 Litter pick on the..., Sat 11 Jul, 10:00 (not coming)\n"
        "4 Annual general..., Wed 30 Sep, 18:30 (waiting list)"
    ),
}
