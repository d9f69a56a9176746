"""Development SMTP sink: catches every e-mail and lists them on a small web page.

`python -m core.mail.sink` listens for SMTP on 127.0.0.1:1025 and serves the list on
http://localhost:8025/. Tests use `MailSink` directly, on free ports, through Django's real SMTP
backend.
"""

import email
import email.policy
import html
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class CaughtEmail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str


class _Handler:
    def __init__(self, sink: "MailSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        caught = CaughtEmail(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            subject=str(message["subject"] or ""),
            body=part.get_content() if part else "",
        )
        self.sink.store(caught, envelope.content)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server that keeps what it receives (in memory, and as .eml files if given a folder)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, folder: Path | None = None) -> None:
        self.messages: list[CaughtEmail] = []
        self.folder = folder
        self._lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname=host, port=port or _free_port(host))

    @property
    def port(self) -> int:
        return self.controller.port

    def store(self, caught: CaughtEmail, raw: bytes) -> None:
        with self._lock:
            self.messages.append(caught)
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / f"{time.time_ns()}.eml").write_bytes(raw)

    def start(self) -> "MailSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _page(folder: Path) -> bytes:
    rows = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:200]:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        rows.append(
            "<article><h2>{}</h2><p><b>À :</b> {} — <b>Date :</b> {}</p><pre>{}</pre></article>".format(
                html.escape(str(message["subject"])),
                html.escape(str(message["to"])),
                html.escape(str(message["date"])),
                html.escape(part.get_content() if part else ""),
            )
        )
    body = "".join(rows) or "<p>Aucun message reçu.</p>"
    return (
        "<!doctype html><html lang='fr'><meta charset='utf-8'><meta http-equiv='refresh' content='5'>"
        "<title>Messages reçus</title><style>body{font-family:system-ui;max-width:60rem;margin:auto;padding:1rem}"
        "article{border-bottom:1px solid #ccc}pre{white-space:pre-wrap}</style>"
        f"<h1>Messages reçus par le serveur SMTP de développement</h1>{body}</html>"
    ).encode()


def serve(smtp_port: int = 1025, http_port: int = 8025) -> None:
    folder = Path(os.environ.get("ADHERA_MAILBOX", Path(__file__).resolve().parents[2] / ".local" / "mailbox"))
    sink = MailSink(port=smtp_port, folder=folder).start()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            content = _page(folder)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    print(f"SMTP sink on 127.0.0.1:{sink.port}, messages on http://localhost:{http_port}/", flush=True)
    try:
        ThreadingHTTPServer(("127.0.0.1", http_port), Page).serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    serve()
