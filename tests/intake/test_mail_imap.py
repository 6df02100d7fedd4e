"""`santui ingest-mail --imap` against a real IMAP server: Debian's dovecot, started here on
127.0.0.1 on a free port with its own configuration, a passwd-file user and a self-signed
certificate (trusted through SSL_CERT_FILE), stopped at the end. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import io
import ipaddress
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError

from santui.intake.mail import sources
from santui.statements.models import Statement
from tests.intake.mailmaker import STATEMENT, STATEMENT_HANT, text_mail
from tests.ops.servers import free_port

DOVECOT = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        DOVECOT is None, reason="dovecot is not installed (apt-get install dovecot-imapd)"
    ),
]
USER, PASSWORD = "santui", "imap-test-password"


@dataclass(frozen=True)
class Server:
    port_plain: int
    port_tls: int

    def url(self, scheme: str = "imap", password: str = PASSWORD) -> str:
        port = self.port_tls if scheme == "imaps" else self.port_plain
        return f"{scheme}://{USER}:{password}@127.0.0.1:{port}/INBOX"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _config(folder: Path, plain: int, tls: int, cert: Path, key: Path) -> Path:
    me = pwd.getpwuid(os.getuid()).pw_name
    # As root, mail is handled under dovecot's own system user; otherwise as whoever runs this.
    owner = pwd.getpwnam("dovecot") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    home = folder / "home"
    home.mkdir()
    os.chown(home, owner.pw_uid, owner.pw_gid)
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    internal = "dovecot" if os.getuid() == 0 else me
    conf = folder / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = santui-test-{plain}
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {"dovenull" if os.getuid() == 0 else me}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls}
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return conf


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    assert DOVECOT is not None
    folder = Path(tempfile.mkdtemp(prefix="dv-"))  # short: dovecot's sockets live under it
    os.chmod(folder, 0o755)  # noqa: S103  # dovecot's unprivileged processes walk into it
    plain, tls = free_port(), free_port()
    cert, key = _certificate(folder)
    conf = _config(folder, plain, tls, cert, key)
    subprocess.run([DOVECOT, "-c", str(conf)], check=True, timeout=30)  # noqa: S603  # forks
    pid_file = folder / "run" / "master.pid"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", plain), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            log = (folder / "dovecot.log").read_text() if (folder / "dovecot.log").exists() else ""
            pytest.fail(f"dovecot did not start: {log[-2000:]}")
        old = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = str(cert)  # OpenSSL's default trust: our certificate
        try:
            yield Server(plain, tls)
        finally:
            if old is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = old
    finally:
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGTERM)  # the master we started, and with it its children
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mailbox(server: Server) -> Iterator[imaplib.IMAP4]:
    """The test user's INBOX, emptied (the server lives for the whole module)."""
    conn = imaplib.IMAP4("127.0.0.1", server.port_plain)
    conn.login(USER, PASSWORD)
    _, count = conn.select("INBOX")
    if count != [b"0"]:
        conn.store("1:*", "+FLAGS.SILENT", "\\Deleted")
        conn.expunge()
    yield conn
    conn.logout()


def _append(conn: imaplib.IMAP4, raw: bytes, when: dt.datetime | None = None) -> None:
    moment = imaplib.Time2Internaldate(when.timestamp()) if when else None
    status, data = conn.append("INBOX", None, moment, raw)
    assert status == "OK", data


def ingest(url: str, **options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("ingest-mail", imap=url, json=True, stdout=out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_mailbox_is_read_over_imap_and_a_rerun_finds_only_duplicates(
    server: Server, mailbox: imaplib.IMAP4
) -> None:
    arrived = dt.datetime(2024, 5, 2, 3, 4, 5, tzinfo=dt.UTC)
    _append(mailbox, text_mail(STATEMENT, charset="gbk", label="gb2312", message_id="<i1@x>"),
            arrived)  # fmt: skip
    _append(mailbox, text_mail(f"<p>{STATEMENT_HANT}</p>", charset="big5", subtype="html",
                               cte="quoted-printable", message_id="<i2@x>"))  # fmt: skip
    _append(mailbox, text_mail("hello, is this the right address?", message_id="<i3@x>"))
    _append(mailbox, text_mail(STATEMENT, message_id="<i4@x>") + b"x" * 60_000)
    first = ingest(server.url("imaps"), max_size=50_000)
    assert [(line["message_id"], line["status"], line["reason"]) for line in first] == [
        ("<i1@x>", "received", None),
        ("<i2@x>", "received", None),
        ("<i3@x>", "quarantined", "no_statement"),
        ("<i4@x>", "quarantined", "too_large"),
    ]
    texts = dict(Statement.objects.values_list("text", "received_at"))
    assert texts[STATEMENT] == arrived  # the server's arrival time
    assert STATEMENT_HANT in texts
    downloads: list[int] = []
    fetch = sources._imap_message

    def counted(conn: imaplib.IMAP4, uid: int, *args: Any) -> sources.RawMail:
        downloads.append(uid)
        return fetch(conn, uid, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sources, "_imap_message", counted)
        again = ingest(server.url("imap"), max_size=50_000)  # plain port, STARTTLS
    assert [line["status"] for line in again] == ["duplicate"] * 4
    assert downloads == []  # known Message-IDs: only their header field was fetched
    # read-only: every message is still there, and none was marked as read
    mailbox.select("INBOX", readonly=True)
    status, flags = mailbox.fetch("1:*", "(FLAGS)")
    assert status == "OK" and len(flags) == 4
    assert not any(b"\\Seen" in f for f in flags if isinstance(f, bytes))


def test_the_password_may_come_from_the_environment(
    server: Server, mailbox: imaplib.IMAP4, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(mailbox, text_mail(STATEMENT, message_id="<env@x>"))
    monkeypatch.setenv("SANTUI_IMAP_PASSWORD", PASSWORD)
    url = f"imaps://{USER}@127.0.0.1:{server.port_tls}/INBOX"
    assert [line["status"] for line in ingest(url)] == ["received"]


def test_a_wrong_password_is_explained(server: Server) -> None:
    with pytest.raises(CommandError, match="refused the user name or password"):
        ingest(server.url("imaps", password="wrong-password"))
