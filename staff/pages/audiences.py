"""Who an event, a notice or a poll is for, as the console offers and describes it.

One set of role names for the three forms and their pages. A role the member may not
see (the mystery-shopper role, without the admin's leave: staff.shoppers) is neither
offered nor accepted, and an audience holding it says only that it holds a role not
shown to them: those who answered are named on the same pages.
"""

from __future__ import annotations

from wtforms import Form, SelectChoice, ValidationError

from models.audiences import Audience
from models.tenants import Role
from staff.pages.common import CheckboxList
from staff.shoppers import audience_roles_shown, audience_roles_withheld, hidden_roles

ROLE_LABELS: dict[str, str] = {
    Role.VOLUNTEER_BANK: "Volunteer bank",
    Role.MYSTERY_SHOPPER: "Mystery shoppers",
    Role.RESIDENT_INSPECTOR: "Resident inspectors",
    Role.VOICES: "Resident VOICES",
    Role.TRA_REP: "Tenants' and residents' association reps",
    Role.MEMBER: "Shareholding members",
    Role.BOARD_OBSERVER: "Board observers",
}
NOT_YOURS = "Only staff an admin lets see mystery shoppers may choose that role."


class AudienceRoles(CheckboxList):
    """The roles an audience is chosen by; call ``offer`` before the form is validated."""

    hidden: frozenset[str] = frozenset()

    def offer(self, sees_shoppers: bool) -> None:
        self.hidden = hidden_roles(sees_shoppers)
        self.choices = [
            SelectChoice(role, label)
            for role, label in ROLE_LABELS.items()
            if role not in self.hidden
        ]

    def pre_validate(self, form: Form) -> None:
        """A hidden role sent anyway gets the reason, not "not a valid choice"."""
        if set(self.data or ()) & self.hidden:
            raise ValidationError(NOT_YOURS)
        super().pre_validate(form)


def describe(audience: Audience, area_names: dict[int, str], *, sees_shoppers: bool) -> str:
    """The audience in words, for the page of what it was chosen for."""
    if audience.tenant_ids:
        count = len(audience.tenant_ids)
        return f"A list of {count} {'tenant' if count == 1 else 'tenants'}"
    if audience.everyone:
        return "Everyone registered"
    where = ", ".join(area_names.get(n, f"area {n}") for n in sorted(audience.area_ids))
    where = f" in {where}" if where else ""
    if not audience.roles:
        return f"Everyone{where}"
    return f"Tenants{where}{_with_roles(audience, sees_shoppers)}"


def _with_roles(audience: Audience, sees_shoppers: bool) -> str:
    shown = set(audience_roles_shown(audience, sees_shoppers))
    labels = [label for role, label in ROLE_LABELS.items() if role in shown]
    withheld = audience_roles_withheld(audience, sees_shoppers)
    if labels and withheld:
        return f" with a role: {', '.join(labels)}, or one not shown to you"
    if withheld:
        return " with a role not shown to you"
    return f" with a role: {', '.join(labels)}"
