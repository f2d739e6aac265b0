"""Console pages: areas (estates). Their names are what tenants type to sign up, and
their postcode prefixes let a tenant answer with a postcode instead."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wtforms import IntegerField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models.console import area_named, areas_with_tenant_counts
from models.staff import StaffRole
from models.tenants import Area
from staff.auth import require_role
from staff.context import sessions
from staff.lookup import or_404
from staff.pages.common import csv_download, tidy

blueprint = Blueprint("areas", __name__, url_prefix="/staff/areas")

MOST_HOMES = 100_000
# A postcode district (KY8), sector (KY8 3) or whole postcode (KY8 3AB).
POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?(?: ?[0-9](?:[A-Z]{2})?)?$")
EXPORT_HEADER = ("name", "postcode_prefixes", "homes", "tenants")
TAKEN = "There is already an area called {name}. Choose another name."


def postcode_prefixes(text: str | None) -> str:
    """'ky8, KY8 3 ,' as 'KY8, KY8 3'; a ValidationError naming any that are not postcodes."""
    found = [" ".join(part.upper().split()) for part in (text or "").split(",")]
    found = [part for part in found if part]
    wrong = [part for part in found if not POSTCODE_PREFIX.match(part)]
    if wrong:
        raise ValidationError(
            f"These are not the start of a postcode: {', '.join(wrong)}. "
            "Use a form such as KY8 or KY8 3, separated by commas."
        )
    return ", ".join(dict.fromkeys(found))


class AreaForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[tidy],
        validators=[DataRequired("Enter the area's name."), Length(max=120)],
    )
    postcode_prefixes = StringField("Postcode prefixes", validators=[Length(max=400)])
    homes = IntegerField(
        "Number of homes",
        validators=[
            InputRequired("Enter the number of homes, or 0 if you do not know."),
            NumberRange(min=0, max=MOST_HOMES, message=f"Enter a number from 0 to {MOST_HOMES}."),
        ],
    )

    def validate_postcode_prefixes(self, field: StringField) -> None:
        field.data = postcode_prefixes(field.data)


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    with sessions()() as db:
        return render_template("pages/areas.html", areas=areas_with_tenant_counts(db)[0])


@blueprint.get("/export.csv")
@require_role(StaffRole.VIEWER)
def export() -> ResponseReturnValue:
    with sessions()() as db:
        rows = [
            [area.name, area.postcode_prefixes, area.homes, tenants]
            for area, tenants in areas_with_tenant_counts(db)[0]
        ]
    return csv_download("areas.csv", EXPORT_HEADER, rows)


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def add() -> ResponseReturnValue:
    form = AreaForm(data={"homes": 0})
    try:
        with sessions().begin() as db:
            if not form.validate_on_submit() or name_taken(db, form):
                return render_template("pages/area_form.html", form=form, area=None), status(form)
            area = Area(name=form.name.data)
            fill(area, form)
            db.add(area)
    except IntegrityError:  # added at the same moment by someone else
        form.name.errors = [TAKEN.format(name=form.name.data)]
        return render_template("pages/area_form.html", form=form, area=None), 422
    flash(f"Added {area.name}.", "info")
    return redirect(url_for("areas.index"))


@blueprint.route("/<int:area_id>/edit", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def edit(area_id: int) -> ResponseReturnValue:
    try:
        with sessions().begin() as db:
            area = or_404(db, Area, area_id, "area")
            form = AreaForm(obj=area)
            if not form.validate_on_submit() or name_taken(db, form, other_than=area.id):
                return render_template("pages/area_form.html", form=form, area=area), status(form)
            fill(area, form)
    except IntegrityError:  # renamed at the same moment by someone else
        form.name.errors = [TAKEN.format(name=form.name.data)]
        return render_template("pages/area_form.html", form=form, area=area), 422
    flash(f"Saved {area.name}.", "info")
    return redirect(url_for("areas.index"))


def name_taken(db: Session, form: AreaForm, *, other_than: int | None = None) -> bool:
    if area_named(db, form.name.data or "", other_than=other_than) is None:
        return False
    form.name.errors = [TAKEN.format(name=form.name.data)]
    return True


def fill(area: Area, form: AreaForm) -> None:
    area.name = form.name.data or area.name
    area.postcode_prefixes = form.postcode_prefixes.data or ""
    area.homes = form.homes.data or 0


def status(form: AreaForm) -> int:
    return 422 if form.errors else 200
