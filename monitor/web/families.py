"""Document families in the web UI and the JSON API: `/families`, `/families/{id}`
(members, divergences, two copies compared point by point), and
`/api/families[/{id}]`. The Atom feed of divergences is in feeds.py.

Two copies are aligned by their numbered points («Статья 5» ↔ «5-бап» ↔
"Article 5" all read as point 5). In one language a differing point shows as a
word diff; across languages the paragraphs stand side by side and the numbers
one has and the other lacks are marked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from monitor.analysis.divergence import describe_divergence
from monitor.analysis.facts import Fact, missing, read
from monitor.analysis.families import point_texts, same_text
from monitor.diff import diff_words
from monitor.store import MemberRow
from monitor.web.context import render, store_of, view_for
from monitor.web.params import DocId, page_int

router = APIRouter()
Frags = list[tuple[int, str]]  # (op, text): 1 inserted, -1 deleted, 2 marked, 0 plain


@dataclass(frozen=True)
class PointRow:
    point: str  # "" for a text without numbered points
    left: Frags
    right: Frags
    differs: bool


def _marked(text: str, spans: list[Fact]) -> Frags:
    """The text with the facts the other side lacks marked (op 2)."""
    out: Frags = []
    at = 0
    for fact in sorted(spans, key=lambda f: f.start):
        out += [(0, text[at : fact.start]), (2, text[fact.start : fact.end])]
        at = fact.end
    out.append((0, text[at:]))
    return [f for f in out if f[1]]


def compare(a: str, b: str, same_language: bool) -> list[PointRow]:
    """The two texts point by point, in the order of the first: in one language a
    word diff; across languages the numbers, dates and names one side lacks."""
    pa, pb = point_texts(a), point_texts(b)
    if not pa and not pb:
        pa, pb = {"": a}, {"": b}
    all_a, all_b = (None, None) if same_language else (read(a), read(b))
    rows = []
    for point in dict.fromkeys([*pa, *pb]):
        x, y = pa.get(point, ""), pb.get(point, "")
        if same_language:
            differs = not same_text(x, y)
            ops = diff_words(x, y) if differs else [(0, x)]
            old = [(op, t) for op, t in ops if op != 1]
            new = [(op, t) for op, t in ops if op != -1]
            rows.append(PointRow(point, old, new, differs))
        else:
            fx, fy = read(x), read(y)
            only_x, only_y = missing(fx, fy, all_b), missing(fy, fx, all_a)
            differs = bool(only_x or only_y) or not x or not y
            rows.append(PointRow(point, _marked(x, only_x), _marked(y, only_y), differs))
    return rows


def _pick(members: list[MemberRow], request: Request) -> tuple[MemberRow, MemberRow] | None:
    """The two members to compare: `?a=&b=`, else the original and the first other
    official member (else the first other one)."""
    by_id = {m.document_id: m for m in members}
    a = by_id.get(page_int(request.query_params.get("a"), "a") or 0)
    b = by_id.get(page_int(request.query_params.get("b"), "b") or 0)
    if a and b and a is not b:
        return a, b
    if len(members) < 2:
        return None
    first = next((m for m in members if m.relation == "original"), members[0])
    others = [m for m in members if m is not first and m.relation != "quotation"] or [
        m for m in members if m is not first
    ]
    official = [m for m in others if m.official]
    return first, (official or others)[0]


@router.get("/families", response_class=HTMLResponse)
def families_page(request: Request) -> Response:
    view = view_for(request)
    store = store_of(request)
    return render(
        request,
        view,
        "families.html",
        current="nav.families",
        families=store.families(),
        divergences=store.divergences(limit=20),
        describe=describe_divergence,
    )


@router.get("/families/{family_id}", response_class=HTMLResponse)
def family_page(request: Request, family_id: DocId) -> Response:
    view = view_for(request)
    store = store_of(request)
    family = store.family(family_id)
    if family is None:
        raise HTTPException(404, view.t("error.not_found"))
    members = store.family_members(family_id)
    pair = _pick(members, request)
    rows: list[PointRow] = []
    if pair:
        a, b = pair
        rows = compare(
            store.latest_text(a.document_id), store.latest_text(b.document_id), a.lang == b.lang
        )
    show_all = request.query_params.get("all") == "1"
    return render(
        request,
        view,
        "family.html",
        current="nav.families",
        family=family,
        members=members,
        pair=pair,
        rows=rows if show_all else [r for r in rows if r.differs],
        differing=sum(r.differs for r in rows),
        total=len(rows),
        show_all=show_all,
        divergences=store.divergences(family_id=family_id),
        describe=describe_divergence,
    )


# --- JSON API ----------------------------------------------------------------------


class MemberOut(BaseModel):
    document_id: int
    relation: str
    linked_to: int | None
    score: float
    reasons: dict[str, Any]
    url: str
    title: str | None
    source_id: str
    lang: str
    official: bool
    first_seen_at: datetime
    last_changed_at: datetime | None
    joined_at: datetime


class DivergenceOut(BaseModel):
    id: int
    family_id: int
    document_id: int
    kind: str
    detail: dict[str, Any]
    created_at: datetime
    event_id: int | None = None


class FamilyOut(BaseModel):
    id: int
    original_id: int
    created_at: datetime
    members: int
    languages: list[str]
    title: str | None


class FamilyDetailOut(FamilyOut):
    member_list: list[MemberOut]
    divergences: list[DivergenceOut]


def _member(m: MemberRow) -> MemberOut:
    data = asdict(m)
    data.pop("family_id")
    return MemberOut(**data)


@router.get("/api/families", response_model=list[FamilyOut], tags=["families"])
def api_families(request: Request) -> list[FamilyOut]:
    """Families of documents carrying one text, newest first."""
    return [FamilyOut(**asdict(f)) for f in store_of(request).families()]


@router.get("/api/families/{family_id}", response_model=FamilyDetailOut, tags=["families"])
def api_family(request: Request, family_id: DocId) -> FamilyDetailOut:
    """A family: its members (source, language, relation, first seen, last change)
    and its divergences."""
    store = store_of(request)
    family = store.family(family_id)
    if family is None:
        raise HTTPException(404, "no such family")
    return FamilyDetailOut(
        **asdict(family),
        member_list=[_member(m) for m in store.family_members(family_id)],
        divergences=[DivergenceOut(**asdict(d)) for d in store.divergences(family_id=family_id)],
    )
