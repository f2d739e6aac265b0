"""What the console pages share: local times, CSV downloads, tidy form input, paging."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from flask import Blueprint, Response, request
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from staff.context import zone

PAGE_SIZE = 50
LAST_PAGE = 100_000  # far beyond any real list; keeps OFFSET inside what databases accept
Row = TypeVar("Row")
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as staff read it: '3 Mar 2026, 10:00' in the landlord's time zone."""
    if moment is None:
        return ""
    local = moment.astimezone(zone())
    return f"{local.day} {local:%b %Y, %H:%M}"


def iso_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def use_time_filters(blueprint: Blueprint) -> None:
    blueprint.add_app_template_filter(local_time, "local_time")
    blueprint.add_app_template_filter(iso_time, "iso_time")


def tidy(text: str | None) -> str | None:
    """Typed text without control characters or runs of spaces (PostgreSQL refuses NUL)."""
    if text is None:
        return None
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())


def page_number() -> int:
    """The ``page`` asked for, 1 when missing or nonsense."""
    asked = request.args.get("page", 1, type=int) or 1
    return min(max(asked, 1), LAST_PAGE)


def last_page(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (tenants type these).

    Phone numbers such as +447700900123 are left alone: a number is no formula.
    """
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    digits = text[1:].replace(" ", "")
    return text[:1] in "+-" and digits.isdigit()


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheets open names such as Łukasz as UTF-8
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class CheckboxList(SelectMultipleField):
    """A choice of several, shown as a list of tick boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
