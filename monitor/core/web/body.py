"""Reading a response body under a cap on its decoded size, so a gzip bomb stops at the cap."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import httpx

from monitor.core.web.wording import FetchFailure

# Only what we decode ourselves with zlib under the size cap (see CappedDecoder).
ACCEPT_ENCODING = "gzip, deflate"


class CappedDecoder:
    """Incremental gzip/deflate decoding that never produces more than asked for.

    httpx decodes each network chunk in full before handing it over, so one 64 KB chunk of a gzip bomb can
    become tens of megabytes; zlib's max_length keeps memory at the cap instead.
    """

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        # gzip: wbits 16+; deflate: zlib-wrapped as the RFC says, raw deflate as many servers send.
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if not self._deflate else zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._z.decompress(data, max_length)
        except zlib.error:
            if not (self._deflate and self._first):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, max_length)
        self._first = False
        return out

    def flush(self) -> bytes:
        return self._z.flush()


def read_capped_body(response: httpx.Response, cap: int, check_time: Callable[[], object]) -> bytes:
    """The decoded body of a streamed response, at most `cap` bytes.

    Args:
        response: a response opened with stream=True.
        cap: the most decoded bytes accepted.
        check_time: called before each chunk; raises to stop a slow drip at the total deadline.

    Raises:
        FetchFailure: "too_large" past the cap, "undecodable" for a broken gzip or deflate stream.
    """
    too_large = FetchFailure("too_large")
    encodings = [
        e.strip().lower() for e in response.headers.get("content-encoding", "").split(",") if e.strip()
    ]
    encodings = [e for e in encodings if e != "identity"]
    decoder: CappedDecoder | None = None
    chunks: Iterator[bytes]
    if not encodings:
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise too_large
        chunks = response.iter_raw()
    elif len(encodings) == 1 and encodings[0] in ("gzip", "x-gzip", "deflate"):
        decoder = CappedDecoder("deflate" if encodings[0] == "deflate" else "gzip")
        chunks = response.iter_raw()
    else:
        # An encoding we did not ask for: let httpx decode it (or pass it through); the cap still holds.
        chunks = response.iter_bytes()

    body = bytearray()
    try:
        for chunk in chunks:
            check_time()
            data = decoder.decode(chunk, cap - len(body) + 1) if decoder is not None else chunk
            body += data
            if len(body) > cap:
                raise too_large
        if decoder is not None:
            body += decoder.flush()
            if len(body) > cap:
                raise too_large
    except zlib.error as exc:
        raise FetchFailure("undecodable", encoding=encodings[0], error=str(exc)) from exc
    return bytes(body)
