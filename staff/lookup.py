"""The row a console page or an API call names by its number, or a 404 saying there is none.

One rule for both doors: a number no row can have (0, or past what the database
holds) is simply not found, and ``lock`` holds the row until commit, so two staff
changing it at once queue up rather than both succeed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer columns; SQLite cannot even compare a larger one
Row = TypeVar("Row")


def or_404(
    session: Session, model: type[Row], number: int, what: str, *, lock: bool = False
) -> Row:
    row = None
    if 0 < number <= LARGEST_ID:
        table: Any = model
        query = select(model).where(table.id == number)
        row = session.scalar(query.with_for_update(of=table) if lock else query)
    if row is None:
        abort(404, f"There is no {what} number {number}.")
    return row
