"""Local development: DEBUG on, verbose logs."""

from santui.config.settings.base import *  # noqa: F403

DEBUG = True
