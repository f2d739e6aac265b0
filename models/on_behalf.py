"""How an answer staff entered for a tenant came to us, so it reads as theirs but not by them.

A tenant who phones, writes or comes to the office is recorded like one who texted: the
answer's ``channel`` names how it came (one of these) and ``entered_by_staff_id`` who typed
it in. The tenant's own later answer replaces it and clears who entered it, as with poll
votes (models.polls.VoteSource).
"""

from __future__ import annotations

from enum import StrEnum


class EntrySource(StrEnum):
    PAPER = "paper"
    PHONE = "phone"  # the tenant phoned and staff took the answer down
    IN_PERSON = "in_person"  # at the office or a drop-in


class OnBehalfError(ValueError):
    """An entry for a tenant that cannot be: the reason is for the staff member."""
