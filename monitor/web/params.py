"""Bounds and checks of request parameters, shared by the JSON API, the Atom feeds
and the pages.

Every value a request carries reaches a SQL statement, so it is held to what the
database can store *before* it gets there: an id above BIGINT, a version number
above PostgreSQL's INTEGER or a NUL byte in a string make the driver fail, and a
failure there is a 500 where the client sent something wrong. The bounds are
stated in the parameters' types, so `/api/openapi.json` documents them and a
client (or a fuzzer) learns the limits from the schema; the checks give a 422
whose `loc` names the parameter, in FastAPI's own error shape.

The pages parse their query leniently by hand and keep their own convention (a
400 page naming the parameter), through `check_page_query` and `page_int`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, Field

from monitor.store.catalog import MAX_BIGINT, MAX_INT, control_char

MAX_ID = MAX_BIGINT  # ids are BIGINT (PostgreSQL) or INTEGER (SQLite): both 64-bit signed
MAX_SEQ = MAX_INT  # version numbers are INTEGER: 32-bit on PostgreSQL
MAX_IDENT = 200  # a source or theme id
MAX_QUERY = 500  # a full-text search
# A cursor holds the sort key of the last row: a title sort carries the whole title
# (or URL), base64 of its UTF-8, so a long Russian title makes a cursor of thousands.
MAX_CURSOR = 8192
MAX_VALUES = 1000  # repeated values of one parameter (every source of a catalogue)

# The same rules as `control_char`, as JSON Schema patterns (ECMA 262 and Python agree
# on this syntax), so the schema says what the validators below refuse.
NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
NO_CONTROLS_BUT_SPACE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]*$"  # urlsafe base64, as `encode_cursor` writes it


def _printable(value: str) -> str:
    """Refuse control characters: PostgreSQL cannot store NUL, and none belongs in an id."""
    if (found := control_char(value)) is not None:
        raise ValueError(f"control character {found} is not allowed")
    return value


def _printable_text(value: str) -> str:
    """Like `_printable`, but a search pasted with tabs or line breaks is still a search."""
    if (found := control_char(value, allow_space=True)) is not None:
        raise ValueError(f"control character {found} is not allowed")
    return value


Ident = Annotated[
    str,
    Field(max_length=MAX_IDENT, json_schema_extra={"pattern": NO_CONTROLS}),
    AfterValidator(_printable),
]
"""A source or theme id as a query value."""

SearchText = Annotated[
    str,
    Field(max_length=MAX_QUERY, json_schema_extra={"pattern": NO_CONTROLS_BUT_SPACE}),
    AfterValidator(_printable_text),
]
"""A full-text search as a query value."""

Cursor = Annotated[str, Field(max_length=MAX_CURSOR, pattern=CURSOR_PATTERN)]
"""An opaque cursor: only what `encode_cursor` can have written gets to the store."""

DocId = Annotated[int, Path(ge=1, le=MAX_ID, description="a document id")]
Seq = Annotated[int, Path(ge=1, le=MAX_SEQ, description="a version number, from 1")]
AlertId = Annotated[int, Path(ge=1, le=MAX_ID, description="an alert id")]


def invalid(name: str, message: str, value: Any = None, where: str = "query") -> Exception:
    """A 422 in FastAPI's validation shape, naming the parameter: the same body as a
    failed type check, so a client reads one kind of error whatever refused it."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (where, name), "msg": message, "input": value}]
    )


def utc(value: datetime | None, name: str) -> datetime | None:
    """Times without a zone are taken as UTC (the store refuses naive datetimes); a
    time whose UTC equivalent falls outside years 1-9999 is a 422, not an overflow."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise invalid(
            name, "out of range: the time in UTC must fall in years 1 to 9999", str(value)
        ) from None


# --- pages -------------------------------------------------------------------------------

PAGE_FREE_TEXT = frozenset({"q"})  # may hold tabs and line breaks
PAGE_VALUE_LENGTH = {"q": MAX_QUERY}  # as long as the API allows
MAX_PAGE_VALUE = MAX_CURSOR  # any other value: the longest is a cursor
MAX_PAGE_VALUES = MAX_VALUES


def check_page_query(request: Request) -> None:
    """A router dependency of the pages: every query value is bounded in length and free
    of control characters, or the page is a 400 naming the parameter. The pages read
    `request.query_params` by hand, so this is the one place that sees them all."""
    items = request.query_params.multi_items()
    if len(items) > MAX_PAGE_VALUES:
        raise HTTPException(400, f"too many query parameters (at most {MAX_PAGE_VALUES})")
    for name, value in items:
        shown = _shown(name)
        if control_char(name) is not None:
            raise HTTPException(400, f"query parameter {shown}: a control character in its name")
        longest = PAGE_VALUE_LENGTH.get(name, MAX_PAGE_VALUE)
        if len(value) > longest:
            raise HTTPException(400, f"query parameter {shown}: at most {longest} characters")
        found = control_char(value, allow_space=name in PAGE_FREE_TEXT)
        if found is not None:
            raise HTTPException(400, f"query parameter {shown}: control character {found}")


def page_int(value: str | None, name: str, high: int = MAX_ID) -> int | None:
    """A whole number from a page's query, 0..high; None when absent or empty."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:  # also a number of more than 4300 digits
        raise HTTPException(400, f"query parameter {_shown(name)}: not a number") from None
    if not 0 <= number <= high:
        raise HTTPException(400, f"query parameter {_shown(name)}: out of range (0 to {high})")
    return number


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted for an error message: escaped (repr) and cut short."""
    text = repr(value[:limit])
    return text + ("…" if len(value) > limit else "")
