"""The door of the public pages: when a request must answer a challenge, and checking answers.

Nobody is refused for a counter they may share with strangers (everyone behind one onion
service or proxy arrives from one address). A request is asked to work out a small sum drawn in
an image (django-simple-captcha, served from this host, no JavaScript) when

* its connection is over the door's rate (a POST counts, a GET only looks), the counter keyed
  by ``rotating_client_key``, a daily-rotating keyed hash, never by the address; or
* the screener has raised a flood flag for the door's channel (``santui.screening.flags``).

A challenge is single-use: the first answer given to it, right or wrong, uses it up, so a sum
cannot be guessed by trying each result in turn. Its record (``CaptchaStore``) holds the sum,
the result, a random key and an expiry time, nothing about the client.

Not a proof of work: it needs JavaScript, which declarants often have off, and its fallback
without JavaScript would be this challenge anyway. Neither stops a determined flood (a sum in an
image is read by a machine too): the main defence is screening the statements themselves, which
holds a flood for a person to decide (docs/screening.md). This only slows a flood down.
"""

from __future__ import annotations

import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from captcha.models import CaptchaStore
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from santui.intake.ratelimit import rotating_client_key
from santui.screening.flags import flood_active

logger = logging.getLogger(__name__)

KEY = re.compile(r"[0-9a-f]{40}")  # CaptchaStore.hashkey: a SHA-1 in hex
MAX_ANSWER = 16  # characters a typed answer may have (the results have at most three digits)


@dataclass(frozen=True)
class Door:
    group: str  # the rate counter's name
    rate_setting: str  # the setting that holds its rate (django-ratelimit syntax)
    flood_channel: str | None  # the channel whose flood flag asks for the challenge too


DECLARE = Door("santui.intake.declare", "SANTUI_DECLARE_RATE", "web")
RECEIPT = Door("santui.intake.receipt", "SANTUI_RECEIPT_RATE", None)


def challenge_needed(request: HttpRequest, door: Door) -> bool:
    """Whether ``request`` must answer a challenge to pass ``door``. A POST is counted against
    its connection; a GET only looks, so a form shows the challenge before it is sent. When the
    cache cannot be read (Redis down), the challenge is asked: never a refusal, never an error
    page for a counter."""
    try:
        over = is_ratelimited(
            request,
            group=door.group,
            key=rotating_client_key,
            rate=getattr(settings, door.rate_setting),
            increment=request.method == "POST",
        )
        flooded = door.flood_channel is not None and flood_active(channel=door.flood_channel)
    except Exception:  # any cache failure: the challenge, which needs no cache
        logger.warning("the door's counters are unreadable: asking for the challenge")
        return True
    return bool(over) or flooded


def challenge_new() -> str:
    """A new challenge; its key goes in the form, its image is /captcha/image/<key>/."""
    key: str = CaptchaStore.generate_key()
    return key


def challenge_live(key: object) -> bool:
    """Whether ``key`` names a challenge that can still be answered."""
    return (
        isinstance(key, str)
        and KEY.fullmatch(key) is not None
        and CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).exists()
    )


def normalize_answer(raw: str) -> str | None:
    """The typed result as ASCII digits, or None when it is not a number. Full-width digits
    (Chinese input methods) and other scripts' decimal digits are read as the digits they are."""
    if len(raw) > MAX_ANSWER:
        return None
    text = unicodedata.normalize("NFKC", raw).replace(" ", "").strip()
    if not text or not text.isdecimal():
        return None
    return str(int(text))  # int() reads the decimal digits of every script


def challenge_check(*, key: str, answer: str) -> Literal["pass", "wrong", "gone"]:
    """Check ``answer`` (ASCII digits) and use the challenge up, whatever the answer: "gone"
    when it has expired or was used already. Of two requests racing with one key, only the one
    whose DELETE removed the row may pass."""
    CaptchaStore.remove_expired()
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None:
        return "gone"
    deleted, _ = CaptchaStore.objects.filter(pk=store.pk).delete()
    if deleted != 1:
        return "gone"
    right = hmac.compare_digest(str(store.response).encode(), answer.encode())
    return "pass" if right else "wrong"
