"""`santui parse`: stdin -> one JSON object per line, in order, nothing lost (docs/cli.md)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from santui.intake.management.commands.parse import MAX_LINE_BYTES, read_lines

SANTUI = str(Path(sys.executable).with_name("santui"))


class _Stdio:
    """A text stream with a binary ``buffer``, like sys.stdin/sys.stdout."""

    def __init__(self, data: bytes = b"") -> None:
        self.buffer = io.BytesIO(data)

    def close(self) -> None:  # what a forked process does with its standard input
        pass


def run(data: bytes, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    stdin, stdout = _Stdio(data), _Stdio()
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(sys, "stdout", stdout)
    call_command("parse")
    out = stdout.buffer.getvalue()
    assert out == b"" or out.endswith(b"\n")
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_plain_texts_one_object_per_line_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["三退 李明 辽宁沈阳", "退团", "I quit the CCP. Li Ming, Shenyang, Liaoning"]
    out = run(("\n".join(lines) + "\n").encode(), monkeypatch)
    assert len(out) == 3
    assert out[0]["organizations"] == ["league", "party", "pioneers"]
    assert out[0]["region"]["prefecture"] == "210100"
    assert out[1]["organizations"] == ["league"]
    assert out[2]["language"] == "en"
    assert set(out[0]) == {
        "organizations", "current_party_member", "headcount", "name", "name_kind", "region",
        "sector", "script", "language", "confidence", "low_confidence",
    }  # fmt: skip
    assert out[0]["low_confidence"] == []  # a short statement that names what it quits


def test_low_confidence_lists_the_fields_a_person_should_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = (
        "我是一名工人，小时候加入少先队，中学时入了团，后来看到共产党欺压百姓，贪官横行，"
        "我父亲是警察，常说法院都是党开的，老百姓没有说理的地方。这些年在国外看到了真相，"
        "知道了共产党的种种罪恶，大饥荒、文革、六四，一桩桩一件件。今天我郑重声明，"
        "退出共产党的一切组织，与邪党彻底决裂，做一个堂堂正正的中国人，迎接美好的未来。"
        "希望更多的同胞早日醒来，看清中共的真面目，远离邪恶，平安一生。"
        "这几年的疫情里，邻居被封在家里，生病的老人得不到救治，孩子们不能上学，"
        "我们每天都在担心明天会怎样，这样的日子我再也不想过下去了。"
        "感谢海外的朋友们一直以来的帮助，让我们知道了外面世界的真实情况，也知道了该怎么选择。"
    )  # a long story (over 250 characters) that quits "all" in general
    rows = [{"text": story}, {"text": story, "organizations": ["league", "pioneers"]}]
    out = run("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode(), monkeypatch)
    low = out[0]["low_confidence"]
    assert "organizations" in low and out[0]["confidence"]["organizations"] < 0.7
    assert set(low) <= {"organizations", "headcount", "region", "sector"}
    assert "organizations" not in out[1]["low_confidence"]  # given as a hint: 1.0


def test_json_lines_with_hints_and_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"id": "a7", "text": "退團退隊 王芳", "headcount": 2},
        {"external_id": 12, "text": "三退", "organizations": ["party"], "region": "110105"},
        {"text": "三退", "headcount": "lots", "sector": "nope"},  # invalid hints: ignored
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    out = run(data, monkeypatch)  # no newline at the end: the last line still counts
    assert out[0]["id"] == "a7" and out[0]["headcount"] == 2
    assert out[0]["organizations"] == ["league", "pioneers"]
    assert out[0]["confidence"]["headcount"] == 1.0
    assert out[1]["external_id"] == 12 and out[1]["organizations"] == ["party"]
    assert out[1]["region"]["county"] == "110105"
    assert out[2]["headcount"] == 1 and out[2]["sector"] is None


def test_bad_lines_are_reported_and_the_rest_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\n".join(
        [
            b"\xef\xbb\xbf\xe4\xb8\x89\xe9\x80\x80",  # BOM + 三退
            b'{"text": "broken"',  # bad JSON
            b"\xff\xfe\xfd not UTF-8",
            b'{"text": 5}',  # text not a string
            b'{"no_text": "x"}',
            b"x" * (MAX_LINE_BYTES + 10),  # too long
            b"",  # an empty line is a (empty) statement
            "退党".encode(),
        ]
    )
    out = run(data + b"\r\n", monkeypatch)
    assert len(out) == 8
    assert out[0]["organizations"] == ["league", "party", "pioneers"]
    assert out[1]["line"] == 2 and out[1]["error"].startswith("bad JSON")
    assert out[2] == {"line": 3, "error": "not valid UTF-8: byte 0"}
    assert out[3]["line"] == 4 and "text must be a string" in out[3]["error"]
    assert out[4]["line"] == 5
    assert out[5]["line"] == 6 and out[5]["error"].startswith("line too long")
    assert out[6]["organizations"] == []
    assert out[7]["organizations"] == ["party"]


def test_hostile_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\n".join(
        [
            "三\x00退".encode(),
            b'{"text": "\\ud800\\u9000\\u515a"}',  # a lone surrogate escaped in JSON
            b"{" * 5000,
            b'{"text": "' + "退".encode() * 30_000 + b'"}',  # 90 kB: allowed
            b"[" * 50_000 + b"]" * 50_000,
            "\u202e退党\u2066".encode(),
            b'{"id": "\\udc80", "text": "x", "name": "\\ud800"}',
        ]
    )
    out = run(data, monkeypatch)
    assert len(out) == 7
    assert out[0]["organizations"] == ["league", "party", "pioneers"]
    assert "error" in out[2]
    assert "organizations" in out[3]
    assert out[5]["organizations"] == ["party"]


def test_empty_input(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(b"", monkeypatch) == []


def test_read_lines_skips_long_lines_without_holding_them() -> None:
    stream = io.BytesIO(b"a\n" + b"b" * 1_000_000 + b"\nc\n" + b"d" * 30)
    assert list(read_lines(stream, limit=100)) == [b"a", 1_000_000, b"c", b"d" * 30]
    stream = io.BytesIO(b"e" * 250)  # a long last line without a newline
    assert list(read_lines(stream, limit=100)) == [250]


def test_the_real_command_through_a_pipe(tmp_path: Path) -> None:
    env = {**os.environ, "SANTUI_HOME": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    data = "三退 李明 辽宁\n\xff\n退队\n".encode("utf-8", "surrogateescape")
    data = data.replace("\xff".encode(), b"\xff")
    result = subprocess.run(  # noqa: S603
        [SANTUI, "parse"], input=data, capture_output=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [o.get("organizations") for o in out] == [
        ["league", "party", "pioneers"], None, ["pioneers"]
    ]  # fmt: skip
    assert out[1]["line"] == 2 and "UTF-8" in out[1]["error"]


def _mixed_lines(n: int) -> list[bytes]:
    """``n`` lines of every kind: real statements, JSON with hints and an id, and the bad ones
    (``_bad``): a line too long, bad UTF-8, bad JSON."""
    real_file = Path(__file__).parents[1] / "textparse" / "eval" / "real" / "statements.jsonl"
    real = [json.loads(x)["text"] for x in real_file.read_text("utf-8").splitlines() if x.strip()]
    lines: list[bytes] = []
    for i in range(n):
        text = real[i % len(real)].replace("\n", " ").replace("\r", " ")
        kind = i % 100
        if kind == 0:
            lines.append(b"x" * (MAX_LINE_BYTES + 1))
        elif kind % 7 == 1:
            lines.append(b"\xff\xfe not UTF-8")
        elif kind % 7 == 2:
            lines.append(b'{"text": "broken')
        elif kind % 3 == 0:
            lines.append(json.dumps({"id": f"a{i}", "text": text, "headcount": 2}).encode())
        else:
            lines.append(text.encode())
    return lines


def _bad(i: int) -> bool:
    return i % 100 == 0 or (i % 100) % 7 in (1, 2)


def test_jobs_give_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    env = {**os.environ, "SANTUI_HOME": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    data = b"\n".join(_mixed_lines(2_500)) + b"\n"  # three batches
    outputs: dict[str, bytes] = {}
    for jobs in ("1", "3"):
        result = subprocess.run(  # noqa: S603
            [SANTUI, "parse", "--jobs", jobs], input=data, capture_output=True, env=env,
            timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs[jobs] = result.stdout
    assert outputs["3"] == outputs["1"]
    out = [json.loads(line) for line in outputs["1"].splitlines()]
    assert len(out) == 2_500
    assert [o["line"] for o in out if "error" in o] == [i + 1 for i in range(2_500) if _bad(i)]
    assert out[3]["id"] == "a3" and out[3]["headcount"] == 2


class _BreaksAfter:
    """A standard input whose device fails after ``lines``."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines = iter(lines)

    def readline(self, size: int = -1) -> bytes:
        line = next(self._lines, None)
        if line is None:
            raise OSError("the device went away")
        return line + b"\n"


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("read", [345, 1_345, 2_345])  # within the first, second, third batch
def test_a_read_error_comes_after_every_line_read_before_it(
    monkeypatch: pytest.MonkeyPatch, jobs: int, read: int
) -> None:
    lines = [f"退党 {i}".encode() for i in range(read)]
    stdin, stdout = _Stdio(), _Stdio()
    stdin.buffer = _BreaksAfter(lines)  # type: ignore[assignment]
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(sys, "stdout", stdout)
    with pytest.raises(CommandError, match="cannot read standard input: the device went away"):
        call_command("parse", jobs=jobs)
    out = stdout.buffer.getvalue().splitlines()
    assert len(out) == len(lines)
    assert all(json.loads(line)["organizations"] == ["party"] for line in out)


def test_jobs_must_be_one_or_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdio(b"x\n"))
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        call_command("parse", jobs=0)


def test_the_command_starts_without_setting_django_up(tmp_path: Path) -> None:
    """No app, model or check is loaded for a parse: it starts in a fraction of the time."""
    code = (
        "import sys\nfrom santui.cli import main\n"
        "try:\n    main(['santui', 'parse'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "import django.apps\nsys.stderr.write(repr((code, django.apps.apps.ready)))\n"
    )
    env = {**os.environ, "SANTUI_HOME": str(tmp_path / "none")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], input="退党\n".encode(), capture_output=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.stderr.decode() == "(0, False)"
    assert json.loads(result.stdout)["organizations"] == ["party"]
    assert not (tmp_path / "none").exists()
