"""Open data: /data/ describes every file, /data/<filename> serves one (docs/open-data.md).

The files are made by santui.tally.opendata, the same code as `santui export`, so they are
byte for byte what the command writes for the same integrated state. Small files are built
whole and cached with the page cache; the statements files are streamed (never held in memory,
so never stored in the cache: public_cache keeps only whole HttpResponses).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from santui.publish.caching import public_cache
from santui.tally.opendata import schemas
from santui.tally.opendata.datasets import consistent_read, snapshot
from santui.tally.opendata.package import file_bytes, file_chunks, is_known, media_type


@require_safe
@public_cache(params=())
def data_index(request: HttpRequest) -> HttpResponse:
    snap = snapshot()
    datasets = [
        {"dataset": d, "files": [schemas.FILES[d.filename(fmt)] for fmt in d.formats]}
        for d in schemas.DATASETS
    ]
    context = {
        "snap": snap,
        "datasets": datasets,
        "descriptor": schemas.DESCRIPTOR,
        "license": schemas.LICENSE,
        "k": settings.SANTUI_SUPPRESS_BELOW,
        "timezone": settings.SANTUI_REPORTING_TZ,
    }
    return render(request, "publish/data.html", context)


def _attachment(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a served file as a download. Outside the cache: it stores the content type only."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, filename: str) -> HttpResponseBase:
        response = view(request, filename=filename)
        header = content_disposition_header(as_attachment=True, filename=filename)
        if response.status_code == 200 and header:
            response["Content-Disposition"] = header
        return response

    return wrapped


# One streamed file per process at a time: each reads every published statement (seconds to
# minutes at scale), and a few at once would hold every worker thread while pages wait. Others
# get 503 with Retry-After. (Serving files from a periodic `santui export` would lift this.)
_STREAMS = threading.BoundedSemaphore(1)
RETRY_SECONDS = 60


class _OneAtATime:
    """Chunks of a streamed file; gives the process's stream slot back when the response is
    closed (Django closes it after sending, or when the client goes away, started or not)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._held = True

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        if self._held:
            self._held = False
            _STREAMS.release()


def _busy() -> HttpResponse:
    response = HttpResponse(
        "Another large file is being sent; try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


@require_safe
@_attachment
@public_cache(params=())
def data_file(request: HttpRequest, filename: str) -> HttpResponseBase:
    if not is_known(filename):
        raise Http404("no such file")
    file = schemas.FILES.get(filename)
    response: HttpResponseBase
    if file is not None and file.dataset.streamed:
        snap = snapshot()  # the statements below its size: the file is a function of the size
        if request.method != "GET":
            chunks: Iterable[bytes] = iter(())
        elif _STREAMS.acquire(blocking=False):
            chunks = _OneAtATime(file_chunks(filename, snap))
        else:
            return _busy()
        response = StreamingHttpResponse(chunks, content_type=media_type(filename))
    else:
        with consistent_read():
            content = file_bytes(filename, snapshot())
        response = HttpResponse(content, content_type=media_type(filename))
    return response
