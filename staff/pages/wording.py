"""Console pages: the bot's wording in each language, its drafts, and staff's changes.

Translations arrive as drafts; staff read them here, approve them as written, or
write their own. A save is stored (who and when) and used at once: in this process
straight after the commit, in every other one at its next refresh.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from bot import catalogue, wording
from models.audit import AuditAction
from models.staff import StaffRole
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, sessions
from staff.pages.common import use_time_filters

blueprint = Blueprint("wording", __name__, url_prefix="/staff/wording")
use_time_filters(blueprint)
LONGEST_TEXT = 1000  # typed; the two-SMS rule is what really limits an entry
REFRESHED_PATHS = ("/staff/", "/api/")


class WordingForm(FlaskForm):
    text = TextAreaField(
        "Text",
        validators=[Length(max=LONGEST_TEXT, message=f"Keep it under {LONGEST_TEXT} characters.")],
    )


@blueprint.before_app_request
def use_latest_wording() -> None:
    """Pages and previews show what tenants get now, whichever process saved it."""
    if request.path.startswith(REFRESHED_PATHS) and request.blueprint != "staff_static":
        with sessions()() as db:
            wording.refresh(db)


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    with sessions()() as db:
        return render_template("pages/wording.html", languages=wording.summaries(db))


@blueprint.get("/<language>")
@require_role(StaffRole.VIEWER)
def language_page(language: str) -> str:
    name = language_name(language)
    drafts_only = request.args.get("drafts") == "1"
    with sessions()() as db:
        entries = wording.entries_of(db, language)
    if drafts_only:
        entries = [entry for entry in entries if entry.status == "draft"]
    return render_template(
        "pages/wording_language.html",
        language=language,
        name=name,
        entries=entries,
        drafts_only=drafts_only,
    )


@blueprint.get("/<language>/<key>")
@require_role(StaffRole.VIEWER)
def entry_page(language: str, key: str) -> str:
    entry = find_entry(language, key)
    form = WordingForm(data={"text": entry.current})
    return render_entry(language, entry, form)


@blueprint.post("/<language>/<key>")
@require_role(StaffRole.OFFICER)
def change(language: str, key: str) -> ResponseReturnValue:
    """Save typed text, approve the catalogue's own as written, or go back to it."""
    entry = find_entry(language, key)
    form = WordingForm()
    action = request.form.get("action", "save")
    if not form.validate_on_submit():
        return render_entry(language, entry, form), 422
    try:
        text = chosen_text(action, entry, form.text.data or "")
        with sessions().begin() as db:
            wording.save(db, language, key, text, staff_id=current_user.id, now=clock()())
            note(db, AuditAction.WORDING_CHANGED, detail=f"{action} {language} {key}")
    except wording.WordingRefused as refused:
        form.text.errors = [str(refused)]
        return render_entry(language, entry, form), 422
    with sessions()() as db:
        wording.refresh(db)
    flash(DONE[action].format(key=key, name=language_name(language)), "info")
    return redirect(url_for("wording.language_page", language=language, _anchor=key))


DONE = {
    "save": "Saved {key} in {name}: tenants get it from now on.",
    "approve": "Approved {key} in {name} as written.",
    "restore": "{key} in {name} is back to the catalogue's wording.",
}


def chosen_text(action: str, entry: wording.Entry, typed: str) -> str | None:
    if action == "restore":
        return None
    if action == "approve":
        if entry.own is None:
            raise wording.WordingRefused("There is no translation to approve: write one.")
        return entry.own
    if action == "save":
        return typed
    abort(400, "Choose save, approve as written, or back to the catalogue.")


def language_name(language: str) -> str:
    if language not in catalogue.languages():
        abort(404, f"There is no wording in a language called {language}.")
    return catalogue.render(language, "language.name")


def find_entry(language: str, key: str) -> wording.Entry:
    language_name(language)
    with sessions()() as db:
        found = wording.entries_of(db, language, [key])
    if not found:
        abort(404, f"There is no entry {key}.")
    return found[0]


def render_entry(language: str, entry: wording.Entry, form: WordingForm) -> str:
    return render_template(
        "pages/wording_entry.html",
        language=language,
        name=language_name(language),
        entry=entry,
        form=form,
        placeholders=sorted(wording.placeholders(entry.english)),
    )
