"""The longest realistic values for the polls texts, for the 2-SMS check.

A poll is refused on saving unless VOTE can ask it in 2 SMS, so the question and
options here are about the longest that pass that check together; the outcome is
the longest staff may publish (it is checked on saving too).
"""

VALUES: dict[str, str] = {
    "question": (
        "Rents must rise next April to pay for repairs. Which rise do you prefer for 2027/28?"
    ),
    "options": "1 3.5% with new kitchens\n2 4% with new windows\n3 3% and no new work",
    "closes": "Wed 30 Sep, 10:30",
    "choice": "3.5% rise with new kitchens in 2027",
    "polls": "1 Rents must rise next April to pay f...\n2 Should we open the Methil office on...",
    "outcome": (
        "Most of you chose a 3.5% rise with new kitchens, so rents go up 3.5% in April and "
        "kitchens in Methil are first."
    ),
}
