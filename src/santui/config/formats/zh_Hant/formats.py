"""Django's zh_Hant formats, with numbers grouped by three as CLDR's zh locales do (Django's own
have no thousands separator, so 435,000,000 would read 435000000)."""

from django.conf.locale.zh_Hant.formats import *  # type: ignore[import-untyped]  # noqa: F403  # untyped in Django

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
