"""Production: what `santui` runs by default (embedded SQLite unless DATABASE_URL is set)."""

from santui.config.settings.base import *  # noqa: F403
