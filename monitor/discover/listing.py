"""HTML listing pages: document links by a CSS selector, following the
next-page link up to `depth` pages."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup

from monitor.config import ListingSpec
from monitor.discover.base import Candidate, Discoverer, PollResult, register
from monitor.extract.decode import DecodeError, decode_body


def parse_listing(
    html: str, base_url: str, links: str, next_selector: str | None
) -> tuple[list[Candidate], str | None]:
    soup = BeautifulSoup(html, "lxml")
    candidates = [
        Candidate(url=urljoin(base_url, str(a["href"]).strip()), title=a.get_text(" ", strip=True))
        for a in soup.select(links)
        if a.get("href")
    ]
    next_url = None
    if next_selector:
        tag = soup.select_one(next_selector)
        if tag is not None and tag.get("href"):
            next_url = urljoin(base_url, str(tag["href"]).strip())
    return candidates, next_url


@register
class ListingDiscoverer(Discoverer[ListingSpec]):
    type = "listing"

    async def poll(self) -> PollResult:
        result = PollResult()
        url: str | None = self.spec.url
        visited: set[str] = set()
        while url and url not in visited and result.pages < self.spec.depth:
            visited.add(url)
            fetched = await self.fetcher.fetch(url)
            result.pages += 1
            if fetched.error or fetched.body is None:
                result.error = f"listing {url}: {fetched.error}"
                break
            try:
                html, _ = decode_body(fetched.body, fetched.content_type)
            except DecodeError as exc:
                result.error = f"listing {url}: {exc}"
                break
            found, url = parse_listing(
                html, fetched.final_url or url, self.spec.links, self.spec.next
            )
            result.candidates.extend(found)
        return result
