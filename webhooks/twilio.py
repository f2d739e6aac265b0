"""Twilio's webhooks: inbound SMS and delivery status, each signed by Twilio.

The signature is checked against the public URL (what Twilio signed), not the
URL Flask saw behind a proxy. A bad or missing signature gets 403 and changes
nothing. Replies ready within the request go back as TwiML; a retry of the same
MessageSid gets an empty response.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.call_retries import call_again, waiting_to_call_again
from bot.outbox import opted_out_at_provider
from channels.twilio_sms import NotAnSms, parse_form
from channels.twilio_status import NotAReport, parse_status
from models.messages import OutboundRecord, OutboxStatus, apply_provider_status
from models.tenants import InvalidPhoneNumber, normalise_phone
from webhooks.context import clock, receiver, sessions, unavailable_when_database_is_down

blueprint = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")


def _signed_by_twilio() -> bool:
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = current_app.config["PUBLIC_URL"] + request.full_path.rstrip("?")
    return bool(RequestValidator(token).validate(url, request.form.to_dict(), signature))


@blueprint.before_request
def require_signature() -> None:
    if not _signed_by_twilio():
        abort(403, "missing or bad X-Twilio-Signature")


@blueprint.post("/sms")
@unavailable_when_database_is_down
def inbound_sms() -> Response:
    try:
        message = parse_form(request.form.to_dict(), address=_address)
    except NotAnSms as exc:
        abort(400, str(exc))
    received = receiver().receive(message, inline_status=OutboxStatus.SENT)
    twiml = MessagingResponse()
    status_url = current_app.config["PUBLIC_URL"] + "/webhooks/twilio/status"
    for reply in received.inline:
        twiml.message(reply.body, action=f"{status_url}?ref={reply.id}", method="POST")
    return Response(str(twiml), mimetype="application/xml")


def _address(sender: str) -> str:
    try:
        return normalise_phone(sender)
    except InvalidPhoneNumber:
        return sender[:64]  # a short code or sender id: keep it as Twilio gave it


@blueprint.post("/status")
@unavailable_when_database_is_down
def delivery_status() -> tuple[str, int]:
    try:
        report = parse_status(request.form.to_dict())
    except NotAReport as problem:
        abort(400, str(problem))
    with sessions().begin() as session:
        row = _outbound_for(session, report.provider_id, request.args.get("ref", ""))
        if row is not None and not waiting_to_call_again(row):
            now = clock()()
            if not _called_again(row, report.error_code, now):
                apply_provider_status(row, report.status, error_code=report.error_code, now=now)
            if report.opted_out:
                opted_out_at_provider(session, row, code=report.error_code or "", now=now)
    return "", 204


def _called_again(row: OutboundRecord, error_code: str | None, now: datetime) -> bool:
    """A notice call that was busy or rang out goes back in the queue while tries are left."""
    return call_again(
        row,
        error_code=error_code,
        now=now,
        window=receiver().settings.sending_window,
        most_attempts=current_app.config["CALL_ATTEMPTS"],
    )


def _outbound_for(session: Session, sid: str, ref: str) -> OutboundRecord | None:
    """The row a report is about: by our reference (TwiML replies), else by Twilio's id."""
    if ref.isdigit():
        row = session.get(OutboundRecord, int(ref), with_for_update=True)
        if row is not None and row.provider_id in (None, sid):
            row.provider_id = sid
            return row
    return session.scalar(
        select(OutboundRecord).where(OutboundRecord.provider_id == sid).with_for_update()
    )
