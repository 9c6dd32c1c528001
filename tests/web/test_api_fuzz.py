"""Input outside the schema gets a 4xx, never a 5xx: the JSON API, the Atom feeds and
the pages, served by uvicorn on a loopback port over a populated database, on
SQLite and PostgreSQL.

Why both backends: they fail differently on the same bad input. SQLite overflows
on an id above 2^63 - 1; PostgreSQL already on a version number above 2^31 - 1
(`versions.seq` is INTEGER) and on any NUL byte in a string. Each used to be a
500; the bounds now sit in the OpenAPI schema, so the fuzzer below learns them
from `/api/openapi.json` and checks the server keeps them.

Two halves: schemathesis generates requests from the schema (valid ones and,
in negative mode, invalid ones) with a bounded, derandomized budget per
operation; then explicit cases pin the inputs the issue named (huge and
negative integers, NUL and other control characters in every string parameter,
garbled and forged cursors, very long strings) to a 4xx whose body names the
parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from conftest import _pg_schema_url
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from web_support import Dataset, build, serving

from monitor.store import Store
from monitor.store.catalog import encode_cursor
from monitor.web import create_app
from monitor.web.params import MAX_CURSOR, MAX_ID, MAX_QUERY, MAX_SEQ, MAX_VALUES

EXAMPLES = 25  # per operation and generation mode: ~1200 requests per backend
HUGE = "99999999999999999999999"  # the issue's example: above BIGINT and SQLite INTEGER
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f"]


@dataclass
class Target:
    base: str
    store: Store
    data: Dataset

    def get(self, path: str, params: Any = None) -> httpx.Response:
        with httpx.Client(base_url=self.base, timeout=30) as c:
            return c.get(path, params=params)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The whole app (API, feeds, pages) over the web tests' dataset, once per backend:
    three pipeline cycles are slow, and every test here only reads."""
    pg = _pg_schema_url() if request.param == "postgresql" else None
    url = next(pg) if pg else f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'monitor.db'}"
    store = Store(url)
    try:
        data = build(store)
        with serving(create_app(data.config, store)) as base:
            yield Target(base, store, data)
    finally:
        store.close()
        if pg:
            pg.close()


# --- the schema states the bounds -------------------------------------------------------


def _schemas(parameter: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a parameter's schema (FastAPI writes `X | None` as
    anyOf), array items included."""
    schema = parameter["schema"]
    out = []
    for alt in schema.get("anyOf", [schema]):
        if alt.get("type") == "null":
            continue
        out.append(alt)
        if alt.get("type") == "array":
            out.append(alt["items"])
    return out


def test_schema_bounds_every_parameter(target: Target) -> None:
    """Every integer has a range the database can hold, every string a length and a
    pattern or an enum, every list a count: a new parameter without bounds fails here
    before a fuzzer finds the 500."""
    spec = target.get("/api/openapi.json").json()
    seen = 0
    for path, methods in spec["paths"].items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                where = f"{path} {parameter['in']}:{parameter['name']}"
                for schema in _schemas(parameter):
                    seen += 1
                    kind = schema.get("type")
                    if kind == "integer":
                        assert schema["minimum"] >= 0 and schema["maximum"] <= MAX_ID, where
                    elif kind == "string" and "enum" not in schema and "format" not in schema:
                        assert schema["maxLength"] <= MAX_CURSOR, where
                        assert "pattern" in schema, where
                    elif kind == "array":
                        assert schema["maxItems"] <= MAX_VALUES, where
    assert seen > 40
    doc = spec["paths"]["/api/documents/{doc_id}/versions/{seq}/text"]["get"]["parameters"]
    paths = [p for p in doc if p["in"] == "path"]
    bounds = {p["name"]: (p["schema"]["minimum"], p["schema"]["maximum"]) for p in paths}
    assert bounds == {"doc_id": (1, 2**63 - 1), "seq": (1, 2**31 - 1)}


# --- schemathesis ----------------------------------------------------------------------


def test_schemathesis_finds_no_server_error(target: Target) -> None:
    """Valid and invalid requests for every operation of /api/openapi.json: no 5xx, and
    each answer matches the response schema (422s are FastAPI's validation shape)."""
    schema = schemathesis.openapi.from_url(
        f"{target.base}/api/openapi.json", config=schemathesis.Config(), timeout=30
    )
    failures: list[str] = []
    operations = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            # an operation without parameters (/api/themes) has no invalid request
            modes = [GenerationMode.POSITIVE]
            if any(True for _ in operation.iter_parameters()):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                try:
                    _fuzz(operation, mode, target.base, session)
                # report every operation, not only the first; schemathesis raises a
                # FailureGroup, a BaseExceptionGroup that `except Exception` misses
                except (Exception, BaseExceptionGroup) as exc:
                    failures.append(f"{operation.label} [{mode.value}]: {exc}"[:3000])
    assert operations >= 12, operations
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, mode: GenerationMode, base: str, session: requests.Session) -> None:
    """One operation, one generation mode, a fixed number of derandomized examples.
    Shrinking stays on: a failure is reported as its smallest request."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,  # no .hypothesis/ directory in the work tree
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(base_url=base, session=session, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()


# --- explicit cases: the API ---------------------------------------------------------------


def _loc(response: httpx.Response) -> list[list[Any]]:
    """The `loc` of every error in a 422 body."""
    return [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        (f"/api/documents/{HUGE}", ["path", "doc_id"]),
        (f"/api/documents/{2**63}", ["path", "doc_id"]),
        ("/api/documents/-1", ["path", "doc_id"]),
        ("/api/documents/0", ["path", "doc_id"]),
        (f"/api/documents/{HUGE}/versions", ["path", "doc_id"]),
        (f"/api/documents/1/versions/{2**31}/text", ["path", "seq"]),
        (f"/api/documents/1/versions/{HUGE}/text", ["path", "seq"]),
        ("/api/documents/1/versions/-5/text", ["path", "seq"]),
        (f"/api/documents/{HUGE}/versions/1/text", ["path", "doc_id"]),
        (f"/api/documents/1/diff?to={2**31}", ["query", "to"]),
        (f"/api/documents/1/diff?from={HUGE}", ["query", "from"]),
        ("/api/documents/1/diff?from=-1", ["query", "from"]),
        (f"/api/documents?limit={HUGE}", ["query", "limit"]),
        ("/api/documents?limit=-1", ["query", "limit"]),
        (f"/api/changes?limit={HUGE}", ["query", "limit"]),
        (f"/api/sources?days={HUGE}", ["query", "days"]),
        (f"/api/trends?weeks={HUGE}", ["query", "weeks"]),
        (f"/api/alerts?limit={HUGE}", ["query", "limit"]),
        (f"/feeds/documents.atom?limit={HUGE}", ["query", "limit"]),
        (f"/feeds/changes.atom?limit={HUGE}", ["query", "limit"]),
    ],
)
def test_huge_and_negative_integers_are_a_422_naming_the_parameter(
    target: Target, path: str, loc: list[str]
) -> None:
    response = target.get(path)
    assert response.status_code == 422, (path, response.status_code, response.text[:300])
    assert loc in _loc(response), response.text[:300]


def test_the_largest_ids_the_database_holds_are_simply_not_found(target: Target) -> None:
    """The bound is the column's, not lower: the largest id is a valid question (404)."""
    doc = target.data.ids["treaty"]
    for path in (
        f"/api/documents/{MAX_ID}",
        f"/api/documents/{MAX_ID}/versions",
        f"/api/documents/{MAX_ID}/diff",
        f"/api/documents/{doc}/versions/{MAX_SEQ}/text",
        f"/api/documents/{doc}/diff?to={MAX_SEQ}",
    ):
        response = target.get(path)
        assert response.status_code == 404, (path, response.status_code, response.text[:300])
        assert "no " in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/documents", "/api/changes"])
@pytest.mark.parametrize("name", ["source", "theme", "q", "cursor"])
def test_control_characters_in_string_parameters_are_a_422(
    target: Target, path: str, name: str
) -> None:
    for char in CONTROLS:
        response = target.get(path, [(name, f"ab{char}c")])
        assert response.status_code == 422, (name, repr(char), response.text[:300])
        assert any(loc[:2] == ["query", name] for loc in _loc(response)), response.text[:300]
        if name != "cursor":  # the cursor's pattern names the alphabet instead
            assert f"U+{ord(char):04X}" in response.text


@pytest.mark.parametrize("feed", ["/feeds/documents.atom", "/feeds/changes.atom"])
@pytest.mark.parametrize("name", ["source", "theme"])
def test_control_characters_in_feed_parameters_are_a_422(
    target: Target, feed: str, name: str
) -> None:
    for char in CONTROLS:
        response = target.get(feed, [(name, "akorda"), (name, f"x{char}")])
        assert response.status_code == 422, (name, repr(char), response.text[:300])
        assert ["query", name, 1] in _loc(response)


def test_a_search_may_hold_tabs_and_line_breaks(target: Target) -> None:
    """Whitespace controls in free text are whitespace (a pasted query), not an error."""
    for path in ("/api/documents", "/api/changes"):
        assert target.get(path, {"q": "соглашение\tо\r\nсотрудничестве"}).status_code == 200


def _forged(*payload: Any) -> str:
    return encode_cursor(list(payload))


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/api/documents", "!!!"),
        ("/api/documents", "garbage"),
        ("/api/documents", "A" * (MAX_CURSOR + 1)),
        ("/api/documents", "e30"),  # {} : not a list
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00+00:00", 2**63)),
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00+00:00", 10**30)),
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00+00:00", True)),
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00+00:00", 1.5)),
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00", 1)),  # naive
        ("/api/documents", _forged("recent", "0001-01-01T00:00:00+05:00", 1)),  # year 0
        ("/api/documents", _forged("recent", 20260101, 1)),
        ("/api/documents", _forged("recent", "2026-01-01T00:00:00+00:00", 1, 2)),
        ("/api/documents?sort=title", _forged("title", "a\x00b", 1)),
        ("/api/documents?sort=title", _forged("title", None, 1)),
        ("/api/changes", "!!!"),
        ("/api/changes", "garbage"),
        ("/api/changes", _forged("events", "2026-01-01T00:00:00+00:00", 2**63)),
        ("/api/changes", _forged("events", "2026-01-01T00:00:00", 1)),
        ("/api/changes", _forged("events", "9999-12-31T23:59:59-05:00", 1)),  # year 10000
        ("/api/changes", _forged("events", ["x"], 1)),
        ("/api/changes", _forged("recent", "2026-01-01T00:00:00+00:00", 1)),  # another list
    ],
)
def test_garbled_and_forged_cursors_are_a_422(target: Target, path: str, cursor: str) -> None:
    response = target.get(path, {"cursor": cursor})
    assert response.status_code == 422, (cursor[:80], response.status_code, response.text[:300])
    assert ["query", "cursor"] in _loc(response)


def test_relevance_cursors_must_hold_a_finite_rank(target: Target) -> None:
    for rank in ("x", None, True, 1e308 * 10):
        cursor = _forged("relevance", rank, 1)
        response = target.get("/api/documents", {"q": "соглашение", "cursor": cursor})
        assert response.status_code == 422, (rank, response.text[:300])


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/api/documents", {"q": "а" * (MAX_QUERY + 1)}, ["query", "q"]),
        ("/api/changes", {"q": "а" * (MAX_QUERY + 1)}, ["query", "q"]),
        ("/api/documents", {"source": "s" * 201}, ["query", "source", 0]),
        ("/api/changes", {"theme": "t" * 201}, ["query", "theme", 0]),
        ("/feeds/changes.atom", {"source": "s" * 201}, ["query", "source", 0]),
        ("/api/documents", [("source", "akorda")] * (MAX_VALUES + 1), ["query", "source"]),
        ("/api/documents", {"since": "0001-01-01T00:00:00+05:00"}, ["query", "since"]),
        ("/api/changes", {"until": "9999-12-31T23:59:59-05:00"}, ["query", "until"]),
        ("/api/changes", {"since": "2026-02-01", "until": "2026-01-01"}, ["query", "until"]),
        ("/api/documents", {"theme": "nope"}, ["query", "theme"]),
        ("/feeds/documents.atom", {"theme": "nope"}, ["query", "theme"]),
        ("/api/documents", {"sort": "relevance"}, ["query", "sort"]),
    ],
)
def test_long_and_out_of_range_values_are_a_422(
    target: Target, path: str, params: Any, loc: list[Any]
) -> None:
    response = target.get(path, params)
    assert response.status_code == 422, (path, response.status_code, response.text[:300])
    assert loc in _loc(response), response.text[:300]


# --- explicit cases: the pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "named"),
    [
        (f"/documents/{HUGE}", None, 404, ""),
        ("/documents/-1", None, 404, ""),
        (f"/documents/{HUGE}/diff", None, 404, ""),
        (f"/documents/1/versions/{HUGE}/raw", None, 404, ""),
        (f"/documents/1/versions/{2**31}/raw", None, 404, ""),
        ("/documents/{treaty}/diff", {"to": str(2**31)}, 400, "to"),
        ("/documents/{treaty}/diff", {"from": HUGE}, 400, "from"),
        ("/documents/{treaty}/diff", {"to": "9" * 5000}, 400, "to"),
        ("/documents", {"limit": HUGE}, 400, "limit"),
        ("/documents", {"cursor": "garbage"}, 400, "cursor"),
        (
            "/documents",
            {"cursor": _forged("recent", "2026-01-01T00:00:00+00:00", 2**63)},
            400,
            "cursor",
        ),
        ("/documents", {"cursor": "A" * (MAX_CURSOR + 1)}, 400, "cursor"),
        ("/documents", {"q": "а" * (MAX_QUERY + 1)}, 400, "q"),
        ("/documents", {"since": "0001-01-01", "tz": "Asia/Almaty"}, 400, "since"),
        ("/documents", {"until": "9999-12-31", "tz": "America/New_York"}, 400, "until"),
        ("/alerts", {"requeued": HUGE}, 400, "requeued"),
        ("/themes", {"weeks": HUGE}, 400, "weeks"),
    ],
)
def test_pages_answer_bad_numbers_and_cursors_with_a_4xx_page(
    target: Target, path: str, params: Any, status: int, named: str
) -> None:
    response = target.get(path.format(**target.data.ids), params)
    assert response.status_code == status, (path, response.status_code, response.text[-500:])
    assert "text/html" in response.headers["content-type"]
    if named:  # the message names the parameter, quoted (and HTML-escaped)
        assert f"query parameter &#39;{named}&#39;" in response.text, response.text[-800:]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/documents",
        "/documents/{treaty}",
        "/documents/{treaty}/diff",
        "/sources",
        "/themes",
        "/alerts",
    ],
)
@pytest.mark.parametrize(
    "name", ["q", "source", "theme", "kind", "event", "sort", "cursor", "since", "lang", "tz", "to"]
)
def test_control_characters_in_page_parameters_are_a_400_naming_it(
    target: Target, path: str, name: str
) -> None:
    for char in ("\x00", "\x1b", "\x85"):
        response = target.get(path.format(**target.data.ids), [(name, f"x{char}y")])
        assert response.status_code == 400, (path, name, repr(char), response.status_code)
        assert f"&#39;{name}&#39;" in response.text and f"U+{ord(char):04X}" in response.text


def test_a_page_search_may_hold_a_tab(target: Target) -> None:
    assert target.get("/documents", {"q": "соглашение\tо"}).status_code == 200
