"""A version's text as a reader reads it: paragraphs, with the treaty's numbered
points («17.», «Статья 5», «5-бап», "Article 5") as anchors to link to
(`/documents/42#art-5`, `#p-17`), the same labels the change summaries name."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.analysis.summary_places import paragraphs
from monitor.analysis.summary_points import Points


@dataclass(frozen=True)
class Paragraph:
    text: str
    anchor: str  # an id unique on the page: the point's, else "para-N"
    label: str | None  # the point it starts ("Статья 5", "п. 17"), if any


def readable(text: str) -> list[Paragraph]:
    spans = paragraphs(text)
    points = Points(text, spans)
    by_start = {p.start: (k, p) for k, p in enumerate(points.points)}
    used: set[str] = set()
    out: list[Paragraph] = []
    for n, span in enumerate(spans, start=1):
        found = by_start.get(span.start)
        anchor, label = f"para-{n}", None
        if found is not None:
            _, point = found
            if point.style != "item":
                anchor = f"art-{point.number}"
            elif point.parent is not None:
                anchor = f"art-{points.points[point.parent].number}-p-{point.number}"
            else:
                anchor = f"p-{point.number}"
            label = point.label
            if anchor in used:  # a text that numbers twice keeps unique ids
                anchor = f"{anchor}-{n}"
        used.add(anchor)
        out.append(Paragraph(text[span.start : span.end].strip(), anchor, label))
    return out
