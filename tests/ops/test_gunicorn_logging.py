import pytest

from santui.ops.gunicorn_logging import redact_addresses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Invalid request from ip=203.0.113.77: bad line",
            "Invalid request from ip=[address]: bad line",
        ),
        ("peer 10.0.0.1.", "peer [address]."),
        ("from ::1 and 2001:db8::8a2e:370:7334", "from [address] and [address]"),
        ("fe80::1%eth0 said hi", "[address] said hi"),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[address]"),
    ],
)
def test_addresses_are_redacted(text: str, expected: str) -> None:
    assert redact_addresses(text) == expected


@pytest.mark.parametrize(
    "text",
    ["at 01:38:30 worker 1234 booted", "version 27.0.1", "Booting worker with pid: 42"],
)
def test_other_text_is_kept(text: str) -> None:
    assert redact_addresses(text) == text


def test_mapped_ipv4_leaves_nothing_of_the_address() -> None:
    out = redact_addresses("client ::ffff:192.0.2.1 closed")
    assert "192.0.2.1" not in out and "ffff" not in out
