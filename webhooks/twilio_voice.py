"""Twilio Voice: a landline caller talks to the same engine and flows by pressing keys.

Twilio posts each step of the call here, signed as for SMS; what the call says next
goes back as TwiML (webhooks/voice_calls.py decides it).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from webhooks.context import unavailable_when_database_is_down
from webhooks.twilio import LONGEST_SID, require_signature
from webhooks.voice_calls import BadCallRequest, CallRequest, answer

blueprint = Blueprint("twilio_voice", __name__, url_prefix="/webhooks/twilio")
blueprint.before_request(require_signature)


@blueprint.post("/voice")
@unavailable_when_database_is_down
def call() -> Response:
    form = request.form
    sid = form.get("CallSid", "")
    outbound = form.get("Direction", "").startswith("outbound")  # a notice we phoned
    number = form.get("To" if outbound else "From", "")
    if not sid or len(sid) > LONGEST_SID or not number:
        abort(400, "CallSid and From are required")
    step = CallRequest(
        call_id=sid,
        number=number,
        args=request.args.to_dict(),
        digits=form.get("Digits", ""),
        recording_url=form.get("RecordingUrl", ""),
        raw=form.to_dict(),
    )
    try:
        said = answer(step, current_app.config["PUBLIC_URL"] + request.path)
    except BadCallRequest as problem:
        abort(400, str(problem))
    return Response(str(said), mimetype="application/xml")
