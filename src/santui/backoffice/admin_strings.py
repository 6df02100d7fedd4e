"""Strings of Django's admin templates that Django 5.2's Chinese catalogs lack (its app list's
column headers for screen readers, a refused form's title). Marked here so that ``makemessages``
puts them in santui's catalogs, which come before Django's (``LOCALE_PATHS``): the office then
reads them in Chinese too. The office translation test (tests/backoffice/test_office_i18n.py)
finds any that a newer Django adds.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_ADMIN = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),  # a form page's title after a refused save
)
