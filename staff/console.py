"""Wiring the staff side into the app: sign-in, pages, static files, the API."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask

from staff import api, auth
from staff.pages import (
    account,
    areas,
    audit,
    broadcasts,
    dashboard,
    events,
    inbox,
    inspection_photos,
    inspection_report,
    inspections,
    involvement,
    media,
    mystery_shopping,
    polls,
    repairs,
    tenant_data,
    tenants,
    users,
    wording,
)

SESSION_LIFETIME = timedelta(hours=8)


def init_app(app: Flask) -> None:
    app.config.update(
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["PUBLIC_URL"].startswith("https://"),
    )
    app.register_blueprint(
        Blueprint(
            "staff_static",
            __name__,
            static_folder="static",
            static_url_path="/staff/static",
            template_folder="templates",
        )
    )
    auth.init_app(app)
    for page in (
        dashboard,
        tenants,
        tenant_data,
        inbox,
        areas,
        inspections,
        inspection_report,
        inspection_photos,
        media,
        mystery_shopping,
        events,
        broadcasts,
        polls,
        repairs,
        involvement,
        wording,
        users,
        audit,
        account,
    ):
        app.register_blueprint(page.blueprint)
    api.init_app(app)
