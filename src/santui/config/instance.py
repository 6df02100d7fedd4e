"""Where the instance lives, whether it exists yet, and its settings file.

An *instance* is one folder, ``$SANTUI_HOME``: the key file, the SQLite database (unless
``DATABASE_URL``), the collected static files and ``santui.toml``, the settings that change
published figures. Without ``SANTUI_HOME`` the folder does not depend on the current one:

- run from a source checkout (``pip install -e .``, what ``scripts/run`` does): ``var/`` in
  that checkout, whatever folder the command is run from;
- otherwise (an installed package): ``$XDG_DATA_HOME/santui``, by default
  ``~/.local/share/santui``.

Only ``santui setup`` (and ``santui serve``, which runs it) makes an instance; every other
command needs one and stops with one line saying what to do (``santui.cli``). The settings read
this module's ``MODE`` to know which: ``santui.cli`` sets it before Django starts.

``santui.toml`` holds the settings that change figures, so that the site, ``santui stats`` and
``santui export`` agree whichever shell runs them; an environment variable of the same name
(``SANTUI_MILESTONE_STEP`` for ``milestone_step``) still wins over the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SETTINGS_NAME = "santui.toml"
MAX_SETTINGS_BYTES = 64 * 1024
KEY_FILE_NAME = Path("keys") / "santui-keys.json"
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# "exist": the instance must exist (the default: any entry point but the two below);
# "prepare": it may be made here (santui setup, santui serve, the test suite);
# "none": it is not needed (help, santui parse): nothing is read or made.
Mode = Literal["exist", "prepare", "none"]
MODE: Mode = "exist"


class InstanceError(Exception):
    """Something an operator fixes: the message is one line saying what to do."""


class NoInstance(InstanceError):
    pass


@dataclass(frozen=True)
class Figure:
    """A setting that changes published figures: kept in the instance's settings file."""

    key: str  # in santui.toml; the environment variable is SANTUI_ + KEY.upper()
    default: int | str
    minimum: int | None
    comment: str

    @property
    def variable(self) -> str:
        return "SANTUI_" + self.key.upper()


FIGURES: tuple[Figure, ...] = (
    Figure("reporting_tz", "Asia/Shanghai", None,
           "time zone of the reporting day: a statement counts on its day of receipt here"),
    Figure("milestone_step", 1_000_000, 1, "milestones are every multiple of this many persons"),
    Figure("suppress_below", 10, 1,
           "k: no public breakdown figure below k persons (docs/disclosure.md)"),
    Figure("release_lag_days", 7, 0,
           "breakdowns of a month are released this many days after it ends"),
)  # fmt: skip
_BY_KEY = {f.key: f for f in FIGURES}


def checkout_root() -> Path | None:
    """The source checkout santui runs from (an editable install), if it does."""
    root = PACKAGE_DIR.parent.parent
    if PACKAGE_DIR.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def default_home() -> Path:
    root = checkout_root()
    if root is not None:
        return root / "var"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "santui"


def home() -> Path:
    """``$SANTUI_HOME`` (relative to the current folder), or the default above."""
    given = os.environ.get("SANTUI_HOME", "").strip()
    return Path(given).resolve() if given else default_home().resolve()


def exists(home_dir: Path, key_file: Path) -> bool:
    return home_dir.is_dir() and key_file.is_file()


def missing_message(home_dir: Path) -> str:
    """One line: there is no instance at ``home_dir``, and what to do."""
    if os.environ.get("SANTUI_HOME", "").strip():
        where = f"no santui instance at {home_dir} (SANTUI_HOME)"
    else:
        where = f"no santui instance at {home_dir} (the default; SANTUI_HOME is not set)"
    here = Path.cwd() / "var"
    if here.resolve() != home_dir and (here / KEY_FILE_NAME).is_file():
        return f"{where}: {here} holds one, use it with SANTUI_HOME={here}"
    return f"{where}: run `santui setup` to make it, or set SANTUI_HOME to an instance's folder"


def read_settings(home_dir: Path) -> dict[str, int | str]:
    """The settings file's values, checked; {} when there is none."""
    path = home_dir / SETTINGS_NAME
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InstanceError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise InstanceError(f"{path} is over {MAX_SETTINGS_BYTES:,} bytes: not a settings file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InstanceError(f"{path} is not UTF-8 text") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "too deeply nested"
        raise InstanceError(f"{path} is not valid TOML: {first}") from None
    out: dict[str, int | str] = {}
    for key, value in data.items():
        figure = _BY_KEY.get(key)
        if figure is None:
            known = ", ".join(_BY_KEY)
            raise InstanceError(f"{path}: unknown setting {key!r} (known: {known})")
        out[key] = check(figure, value, f"{path}: {key}")
    return out


def check(figure: Figure, value: object, where: str) -> int | str:
    """``value`` as the setting's type, or InstanceError naming ``where``."""
    if isinstance(figure.default, str):
        if not isinstance(value, str) or not value.strip():
            raise InstanceError(f"{where} must be a time zone name, e.g. {figure.default!r}")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise InstanceError(f"{where}: unknown time zone {value!r}") from None
        return value
    if isinstance(value, str):
        try:
            value = int(value.strip().replace("_", ""))
        except ValueError:
            raise InstanceError(f"{where} must be a whole number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(f"{where} must be a whole number, not {value!r}")
    if figure.minimum is not None and value < figure.minimum:
        raise InstanceError(f"{where} must be at least {figure.minimum}, not {value}")
    return value


class LayeredEnviron(Mapping[str, str]):
    """The process environment over the instance's settings file (``environ`` in the settings:
    ``environ.get("SANTUI_MILESTONE_STEP", "1000000")``): a variable set in the environment
    wins, then the file, then the default."""

    def __init__(self, file_values: Mapping[str, int | str]) -> None:
        self._file = {_BY_KEY[k].variable: str(v) for k, v in file_values.items()}

    def __getitem__(self, name: str) -> str:
        if name in os.environ:
            figure = _BY_KEY.get(name.removeprefix("SANTUI_").lower())
            if figure is not None and figure.variable == name:
                check(figure, os.environ[name], f"environment variable {name}")
            return os.environ[name]
        return self._file[name]

    def __iter__(self) -> Iterator[str]:
        return iter(set(os.environ) | set(self._file))

    def __len__(self) -> int:
        return len(set(os.environ) | set(self._file))


def render_settings(values: Mapping[str, int | str]) -> str:
    lines = [
        "# santui: the settings of this instance that change published figures.",
        "# Written by `santui setup`; edit freely (then restart `santui serve`). An environment",
        "# variable of the same name in capitals with SANTUI_ in front (SANTUI_MILESTONE_STEP)",
        "# wins over this file. Every variable: docs/configuration.md.",
        "",
    ]
    for figure in FIGURES:
        value = values.get(figure.key, figure.default)
        shown = f'"{value}"' if isinstance(value, str) else f"{value}"
        lines += [f"# {figure.comment} (default {figure.default!r})", f"{figure.key} = {shown}"]
    return "\n".join(lines) + "\n"


def write_settings(home_dir: Path, values: Mapping[str, int | str]) -> Path:
    """Write the settings file (mode 0600) in one step: readers see the old or the new file."""
    path = home_dir / SETTINGS_NAME
    tmp = home_dir / f".{SETTINGS_NAME}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(render_settings(values))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def parse_assignment(text: str) -> tuple[str, int | str]:
    """``KEY=VALUE`` as given to ``santui setup --set``, checked."""
    key, sep, value = text.partition("=")
    key = key.strip().lower().removeprefix("santui_")
    figure = _BY_KEY.get(key)
    if not sep or figure is None:
        known = ", ".join(_BY_KEY)
        raise InstanceError(f"--set wants KEY=VALUE with KEY one of {known}, not {text!r}")
    return key, check(figure, value.strip(), f"--set {key}")
