"""Local development: DEBUG on, verbose logs. Django's own tools run with these settings
(``django-admin makemessages --settings santui.config.settings.dev``, ``runserver``) make the
instance where it belongs (the checkout's ``var/`` or ``$SANTUI_HOME``) rather than stop."""

from santui.config import instance

instance.MODE = "prepare"

from santui.config.settings.base import *  # noqa: E402, F403

DEBUG = True
