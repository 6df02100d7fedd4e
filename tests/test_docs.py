"""Datasette's rule: a setting, command or route that is not documented fails the build."""

import re
from pathlib import Path

from django.core.management import get_commands
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_every_environment_variable_is_documented() -> None:
    settings_dir = ROOT / "src" / "santui" / "config" / "settings"
    read = set()
    for path in settings_dir.glob("*.py"):
        read |= set(re.findall(r'environ\.get\("([A-Z_]+)"', path.read_text()))
        read |= set(re.findall(r'"([A-Z_]+)" (?:not )?in os\.environ', path.read_text()))
    assert read >= {"SANTUI_HOME", "DATABASE_URL"}
    documented = (DOCS / "configuration.md").read_text()
    missing = sorted(v for v in read if f"`{v}`" not in documented)
    assert not missing, f"undocumented in docs/configuration.md: {missing}"


def test_every_santui_command_is_documented() -> None:
    ours = sorted(name for name, app in get_commands().items() if app.startswith("santui"))
    assert {"import", "demo", "serve", "stats", "tally", "integrate"} <= set(ours)
    documented = (DOCS / "cli.md").read_text()
    missing = [name for name in ours if f"`santui {name}" not in documented]
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    out = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "office":  # the admin's own pages: documented as /office/
                out.append("/office/")
                continue
            out += _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            out.append("/" + prefix + str(pattern.pattern))
    return out


def test_every_route_is_documented() -> None:
    documented = (DOCS / "routes.md").read_text()
    routes = _routes(get_resolver())
    assert "/declare/" in routes
    missing = sorted({r for r in routes if f"`{r}`" not in documented})
    assert not missing, f"undocumented in docs/routes.md: {missing}"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/run" in readme and "bash scripts/test" in readme
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
