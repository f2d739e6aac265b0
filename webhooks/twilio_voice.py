"""Twilio Voice: a landline caller talks to the same engine and flows by pressing keys.

Twilio posts each step of the call here, signed as for SMS; what the call says next
goes back as TwiML (webhooks/voice_calls.py decides it).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from channels.twilio_voice import NotACall, parse_call
from webhooks.context import unavailable_when_database_is_down
from webhooks.twilio import require_signature
from webhooks.voice_calls import BadCallRequest, CallRequest, answer

blueprint = Blueprint("twilio_voice", __name__, url_prefix="/webhooks/twilio")
blueprint.before_request(require_signature)


@blueprint.post("/voice")
@unavailable_when_database_is_down
def call() -> Response:
    form = request.form.to_dict()
    try:
        call = parse_call(form)
    except NotACall as problem:
        abort(400, str(problem))
    step = CallRequest(
        call_id=call.call_id,
        number=call.number,
        args=request.args.to_dict(),
        digits=call.digits,
        recording_url=call.recording_url,
        answered_by=call.answered_by,
        raw=form,
    )
    try:
        said = answer(step, current_app.config["PUBLIC_URL"] + request.path)
    except BadCallRequest as problem:
        abort(400, str(problem))
    return Response(str(said), mimetype="application/xml")
