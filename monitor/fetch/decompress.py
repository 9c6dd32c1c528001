"""Content-Encoding (gzip, deflate, br) decoded chunk by chunk under a size cap.

Why not httpx's own decoding: it hands each raw chunk to the decompressor
whole, so a 1.6 KB brotli body becomes gigabytes in one call before any size
check can see it. Here every decompressor call is bounded (`max_length` for
zlib, `output_buffer_limit` for brotli), and the cap counts decoded bytes, so
memory stays near the cap whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import brotli

STEP = 64 * 1024  # decoded bytes produced per decompressor call
ACCEPT_ENCODING = "gzip, deflate, br"


class BodyTooLarge(Exception):
    pass


class DecodeFailed(Exception):
    pass


Stage = Callable[[bytes], Iterator[bytes]]


class _Zlib:
    """gzip or deflate; "deflate" sent raw, without the zlib header, is accepted too."""

    def __init__(self, wbits: int) -> None:
        self.wbits, self.first = wbits, True
        self.d = zlib.decompressobj(wbits)

    def __call__(self, data: bytes) -> Iterator[bytes]:
        if self.first and data and self.wbits == zlib.MAX_WBITS and data[0] & 0x0F != 8:
            self.d = zlib.decompressobj(-zlib.MAX_WBITS)
        self.first = self.first and not data
        try:
            out = self.d.decompress(data, STEP)
            while True:
                if out:
                    yield out
                # A full step may leave output inside zlib even with no input left.
                if not self.d.unconsumed_tail and len(out) < STEP:
                    return
                out = self.d.decompress(self.d.unconsumed_tail, STEP)
        except zlib.error as exc:
            raise DecodeFailed(str(exc)) from exc


def _brotli_stage() -> Stage:
    d = brotli.Decompressor()
    if not hasattr(d, "can_accept_more_data"):
        raise DecodeFailed("brotli >= 1.2 is needed to decode br bodies safely")

    def run(data: bytes) -> Iterator[bytes]:
        try:
            out = d.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if d.can_accept_more_data() or d.is_finished():
                    return
                out = d.process(b"", output_buffer_limit=STEP)
        except brotli.error as exc:
            raise DecodeFailed(str(exc)) from exc

    return run


def _stage(coding: str) -> Stage | None:
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if coding == "br":
        return _brotli_stage()
    if coding in ("identity", ""):
        return None
    raise DecodeFailed(f"unsupported Content-Encoding {coding!r}")


def _through(stages: list[Stage], data: bytes) -> Iterator[bytes]:
    if not stages:
        yield data
        return
    for piece in stages[0](data):
        yield from _through(stages[1:], piece)


async def decoded(
    raw: AsyncIterator[bytes], content_encoding: str | None, cap: int, declared: str | None
) -> bytes:
    """The body decoded (encodings applied in reverse order), at most `cap` bytes."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    stages = [s for c in reversed(codings) if (s := _stage(c)) is not None]
    chunks: list[bytes] = []
    size = 0
    async for chunk in raw:
        for piece in _through(stages, chunk):
            size += len(piece)
            if size > cap:
                raise BodyTooLarge(_too_large(cap, stages, declared))
            chunks.append(piece)
    if stages:
        for piece in _through(stages, b""):  # flush what the decoders hold
            size += len(piece)
            if size > cap:
                raise BodyTooLarge(_too_large(cap, stages, declared))
            chunks.append(piece)
    return b"".join(chunks)


def _too_large(cap: int, stages: list[Stage], declared: str | None) -> str:
    if not stages:
        return f"body too large: more than {cap} bytes"
    return (
        f"body over {cap} bytes after decompression "
        f"(declared Content-Length {declared or 'none'}, compressed)"
    )
