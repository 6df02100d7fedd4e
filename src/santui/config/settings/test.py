"""Tests: same as production, with fast password hashing and a per-run SANTUI_HOME."""

import os
import tempfile

from santui.config import instance

if "SANTUI_HOME" not in os.environ:
    os.environ["SANTUI_HOME"] = tempfile.mkdtemp(prefix="santui-test-")
instance.MODE = "prepare"  # the suite makes its instance (keys, database) as it goes

from santui.config.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
RATELIMIT_ENABLE = False  # tests that need it turn it on with override_settings
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
SANTUI_STATE_MEMO_SECONDS = 0.0  # pages reflect an integration at once
