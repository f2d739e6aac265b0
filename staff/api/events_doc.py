"""The events and RSVPs part of the OpenAPI document."""

from __future__ import annotations

from staff.api.openapi_parts import Schema

TAGS: tuple[str, ...] = ()


def paths() -> dict[str, Schema]:
    return {}


def schemas() -> dict[str, Schema]:
    return {}
