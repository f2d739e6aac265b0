"""The event form: what, who for, when (typed on the London clock), where, and how many.

Times are typed as the clock on the wall shows them and stored in UTC; a time the
clocks skip or repeat gets a form error (see inspection_forms.utc_from_local). A
monthly drop-in is typed once with the number of months it repeats for. A role the
member may not see is not offered, and kept when they change the event (staff.pages.audiences).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from models.audiences import Audience
from models.events import (
    LONGEST_NOTES,
    LONGEST_TITLE,
    LONGEST_VENUE,
    MOST_MONTHS,
    MOST_PARTY,
    Event,
    EventDetails,
    EventKind,
)
from models.tenants import Area
from staff.pages.audiences import AudienceRoles
from staff.pages.common import CheckboxList, tidy
from staff.pages.inspection_forms import utc_from_local

KIND_LABELS: dict[str, str] = {
    EventKind.COMMUNITY: "Community event",
    EventKind.DROP_IN: "Drop-in session",
    EventKind.SKIP_DAY: "Skip day",
    EventKind.LITTER_PICK: "Litter pick",
    EventKind.AGM: "AGM",
    EventKind.FOCUS_GROUP: "Focus group",
    EventKind.OTHER: "Other",
}
LARGEST_CAPACITY = 100_000


class EventForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[tidy],
        validators=[
            DataRequired("Enter the event's title."),
            Length(max=LONGEST_TITLE, message=f"Keep the title to {LONGEST_TITLE} characters."),
        ],
    )
    kind = SelectField("Kind", validators=[InputRequired("Choose the kind of event.")])
    everyone = BooleanField("Everyone")
    areas = CheckboxList("Areas", coerce=int)
    roles = AudienceRoles("Tenants with these roles")
    day = DateField("Date", validators=[InputRequired("Enter the date of the event.")])
    at = TimeField("Start time", validators=[InputRequired("Enter the time it starts.")])
    until = TimeField("End time", validators=[InputRequired("Enter the time it ends.")])
    venue = StringField(
        "Venue",
        filters=[tidy],
        validators=[
            DataRequired("Enter where it is."),
            Length(max=LONGEST_VENUE, message=f"Keep the venue to {LONGEST_VENUE} characters."),
        ],
    )
    capacity = IntegerField(
        "Places (people)",
        validators=[Optional(), NumberRange(1, LARGEST_CAPACITY, "At least 1, or leave empty.")],
    )
    rsvp_day = DateField("Answers by (date)", validators=[Optional()])
    rsvp_at = TimeField("Answers by (time)", validators=[Optional()])
    most_per_party = IntegerField(
        "Most people per answer, including the tenant",
        default=1,
        validators=[
            InputRequired("Enter 1 if tenants may not bring guests."),
            NumberRange(1, MOST_PARTY, f"From 1 (no guests) to {MOST_PARTY}."),
        ],
    )
    repeat_months = IntegerField(
        "Repeat monthly for (months)",
        default=1,
        validators=[Optional(), NumberRange(1, MOST_MONTHS, f"From 1 to {MOST_MONTHS} months.")],
    )
    notes = TextAreaField("Notes for staff", validators=[Length(max=LONGEST_NOTES)])
    call_landlines = BooleanField(
        "Phone landline-only tenants: the invitation, reminders and changes (press 1 to answer)"
    )
    kept_audience: Audience | None = None  # a list of tenants (from the API) the form cannot show
    kept_roles: frozenset[str] = frozenset()  # roles of the audience this member may not see

    def offer(self, areas: list[Area], *, sees_shoppers: bool) -> None:
        self.kind.choices = [SelectChoice(value, label) for value, label in KIND_LABELS.items()]
        self.areas.choices = [SelectChoice(area.id, area.name) for area in areas]
        self.roles.offer(sees_shoppers)

    def details(self, zone: ZoneInfo) -> EventDetails | None:
        """The event as typed, in UTC, or None with the errors put on the fields."""
        audience = self._audience()
        starts_at = self._moment(self.at, zone)
        ends_at = self._moment(self.until, zone)
        rsvp_by = self._deadline(zone)
        if audience is None or starts_at is None or ends_at is None or rsvp_by is False:
            return None
        if ends_at <= starts_at:
            self.until.errors = [*self.until.errors, "The event must end after it starts."]
            return None
        if isinstance(rsvp_by, datetime) and rsvp_by > starts_at:
            self.rsvp_day.errors = [*self.rsvp_day.errors, "Answers must close before it starts."]
            return None
        return EventDetails(
            title=self.title.data or "",
            kind=self.kind.data or EventKind.OTHER,
            audience=audience,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=self.venue.data or "",
            capacity=self.capacity.data,
            rsvp_by=rsvp_by if isinstance(rsvp_by, datetime) else None,
            most_per_party=self.most_per_party.data or 1,
            notes=self.notes.data or "",
            call_landlines=bool(self.call_landlines.data),
        )

    def _audience(self) -> Audience | None:
        roles = frozenset(self.roles.data or ()) | self.kept_roles
        if not (self.everyone.data or self.areas.data or roles):
            if self.kept_audience is not None:
                return self.kept_audience
            self.areas.errors = [*self.areas.errors, "Choose everyone, some areas or some roles."]
            return None
        return Audience(
            everyone=bool(self.everyone.data),
            area_ids=frozenset(self.areas.data or ()),
            roles=roles,
        )

    def _moment(self, field: TimeField, zone: ZoneInfo) -> datetime | None:
        if self.day.data is None or field.data is None:
            return None
        try:
            return utc_from_local(self.day.data, field.data, zone)
        except ValidationError as problem:
            field.errors = [*field.errors, str(problem)]
            return None

    def _deadline(self, zone: ZoneInfo) -> datetime | bool | None:
        """The RSVP deadline; None when not given, False when it cannot be."""
        if self.rsvp_day.data is None:
            return None
        at = self.rsvp_at.data or (datetime.min + timedelta(hours=23, minutes=59)).time()
        try:
            return utc_from_local(self.rsvp_day.data, at, zone)
        except ValidationError as problem:
            self.rsvp_at.errors = [*self.rsvp_at.errors, str(problem)]
            return False

    @classmethod
    def for_event(cls, event: Event, zone: ZoneInfo) -> EventForm:
        start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
        deadline = event.rsvp_by.astimezone(zone) if event.rsvp_by else None
        audience = event.audience
        return cls(
            data={
                "title": event.title,
                "kind": event.kind,
                "everyone": audience.everyone,
                "areas": sorted(audience.area_ids),
                "roles": sorted(audience.roles),
                "day": start.date(),
                "at": start.time().replace(tzinfo=None),
                "until": end.time().replace(tzinfo=None),
                "venue": event.venue,
                "capacity": event.capacity,
                "rsvp_day": deadline.date() if deadline else None,
                "rsvp_at": deadline.time().replace(tzinfo=None) if deadline else None,
                "most_per_party": event.most_per_party,
                "notes": event.notes,
                "call_landlines": event.call_landlines,
            }
        )


class AttendanceForm(FlaskForm):
    came = CheckboxList("Came", coerce=int)
