"""Baseline B: the least an SMS webhook can do, served the same way as doorstep.

Parse Twilio's form, one insert, one select by phone number, commit, answer
with empty TwiML. It uses doorstep's engine settings (SQLite WAL and BEGIN
IMMEDIATE), so the difference measured is doorstep's work, not the database's.
Run by gunicorn as ``bench.baseline_app:create_app()``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, Response, request
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text, select

from models.db import make_engine

metadata = MetaData()
received = Table(
    "bench_received",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sid", String(64), nullable=False),
    Column("phone", String(64), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def create_app() -> Flask:
    engine = make_engine(os.environ["DATABASE_URL"])
    app = Flask(__name__)

    @app.post("/webhooks/twilio/sms")
    def inbound_sms() -> Response:
        form = request.form.to_dict()
        with engine.begin() as connection:
            connection.execute(
                received.insert().values(
                    sid=form["MessageSid"],
                    phone=form["From"],
                    body=form.get("Body", ""),
                    received_at=datetime.now(UTC),
                )
            )
            connection.execute(
                select(received.c.id)
                .where(received.c.phone == form["From"])
                .order_by(received.c.id.desc())
                .limit(1)
            ).first()
        return Response(EMPTY_TWIML, mimetype="application/xml")

    return app
