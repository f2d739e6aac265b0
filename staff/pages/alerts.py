"""Resolving a staff alert from the console, for each page that lists alerts."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from models.mystery_shopping import resolve_alert
from staff.context import clock, sessions
from staff.lookup import LARGEST_ID
from staff.pages.inspection_forms import ConfirmForm


def resolve_from_form(alert_id: int, *, kind: str, what: str, back_to: str) -> ResponseReturnValue:
    """Mark the alert resolved after the confirm button, then back to the page's alerts."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        found = 0 < alert_id <= LARGEST_ID
        alert = resolve_alert(db, alert_id, now=clock()(), kind=kind) if found else None
        if alert is None:
            abort(404, f"There is no {what} alert number {alert_id}.")
    flash("Alert marked resolved.", "info")
    return redirect(url_for(back_to, _anchor="alerts"))
