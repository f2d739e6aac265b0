"""Twilio's webhooks: inbound SMS and delivery status, each signed by Twilio.

The signature is checked against the public URL (what Twilio signed), not the
URL Flask saw behind a proxy. A bad or missing signature gets 403 and changes
nothing. Replies ready within the request go back as TwiML; a retry of the same
MessageSid gets an empty response.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.outbox import opted_out_at_provider
from channels.twilio_sms import parse_form
from channels.twilio_voice import CALL_OUTCOMES
from models.messages import OutboundRecord, OutboxStatus, apply_provider_status
from models.tenants import InvalidPhoneNumber, normalise_phone
from webhooks.context import clock, receiver, sessions, unavailable_when_database_is_down

blueprint = Blueprint("twilio", __name__, url_prefix="/webhooks/twilio")
OPT_OUT_ERROR = "21610"
LONGEST_SID = 64


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
    form = request.form.to_dict()
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sid or not form.get("From") or len(sid) > LONGEST_SID:
        abort(400, "MessageSid and From are required")
    try:
        address = normalise_phone(form["From"])
    except InvalidPhoneNumber:
        address = form["From"][:64]  # a short code or sender id: keep it as Twilio gave it
    received = receiver().receive(parse_form(form, address), inline_status=OutboxStatus.SENT)
    twiml = MessagingResponse()
    status_url = current_app.config["PUBLIC_URL"] + "/webhooks/twilio/status"
    for reply in received.inline:
        twiml.message(reply.body, action=f"{status_url}?ref={reply.id}", method="POST")
    return Response(str(twiml), mimetype="application/xml")


@blueprint.post("/status")
@unavailable_when_database_is_down
def delivery_status() -> tuple[str, int]:
    sid = request.form.get("MessageSid") or request.form.get("CallSid") or ""
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus") or ""
    error_code = request.form.get("ErrorCode") or None
    call_status = request.form.get("CallStatus", "")
    if call_status in CALL_OUTCOMES:  # a notice phoned to a landline: answered, or not
        status = CALL_OUTCOMES[call_status]
        error_code = error_code or (None if call_status == "completed" else call_status)
    if not sid or not status:
        abort(400, "MessageSid and MessageStatus are required")
    with sessions().begin() as session:
        row = _outbound_for(session, sid, request.args.get("ref", ""))
        if row is not None:
            now = clock()()
            apply_provider_status(row, status, error_code=error_code, now=now)
            if error_code == OPT_OUT_ERROR:
                opted_out_at_provider(session, row, code=error_code, now=now)
    return "", 204


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
