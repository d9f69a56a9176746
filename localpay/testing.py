"""`LocalPay`: a localpay server in a child process, for pytest fixtures and `make run`.

    with LocalPay() as server:
        client = server.stripe_client()            # the real stripe client, pointed at the server
        server.webhook_register("adhera", "http://127.0.0.1:8000/stripe/webhook/", "whsec_test")
        session = client.v1.checkout.sessions.create(params={...})
        attempt = server.pay(session.url)          # what a member does on the hosted page
        assert attempt.status == 303

The server listens on a socket this process opened (on a free port) and hands down, so parallel
test workers never race for a port.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

API_KEY = "sk_test_localpay"
DECLINED_CARD = "4000 0000 0000 0002"
FAILING_IBAN = "DE62370400440532013001"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageResponse:
    """What the hosted page answered: status, redirect target (if any) and HTML."""

    status: int
    location: str | None
    body: str


class _FormReader(HTMLParser):
    """Collects each form's action and the values a browser would submit by default."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action", ""), {}))
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""


class LocalPay:
    """Starts `python -m localpay` on a free port and waits until it answers."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        log_path: Path | None = None,
        webhooks: tuple[tuple[str, str, str], ...] = (),
    ):
        """`webhooks`: (name, url, secret) endpoints registered from the start (`--webhook`)."""
        self.host = host
        self.webhooks = webhooks
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self._log_is_temporary = log_path is None
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LocalPay":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        if self.log_path is None:
            handle, name = tempfile.mkstemp(prefix="localpay-", suffix=".log")
            os.close(handle)
            self.log_path = Path(name)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        webhook_args = [arg for webhook in self.webhooks for arg in ("--webhook", *webhook)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "localpay", "--fd", str(listener.fileno()), *webhook_args],
                pass_fds=[listener.fileno()],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=_PROJECT_ROOT,
                env=env,
            )
        listener.close()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"localpay exited with code {self.process.returncode}:\n{self.log()}")
            try:
                if self._request("GET", "/_config/health", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                printed = self.log()
                self.stop()
                raise RuntimeError(f"localpay did not answer within {self.startup_timeout} s:\n{printed}")
            time.sleep(0.05)

    def log(self) -> str:
        """What the server printed so far (requests and webhook deliveries)."""
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log_is_temporary and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def __enter__(self) -> "LocalPay":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- Configuration ---------------------------------------------------------------------

    def stripe_client(self, api_key: str = API_KEY, **options):
        """The real `stripe.StripeClient`, talking to this server."""
        import stripe

        return stripe.StripeClient(api_key, base_addresses={"api": self.api_base}, **options)

    def webhook_register(self, name: str, url: str, secret: str, events: list[str] | None = None) -> None:
        """Every event (or only `events`) is POSTed to `url`, signed with `secret` as Stripe does."""
        fields = [("url", url), ("secret", secret)] + [("events[]", event) for event in events or []]
        response = self._request("POST", f"/_config/webhooks/{name}", fields)
        if response.status != 200:
            raise RuntimeError(f"webhook registration refused ({response.status}): {response.body}")

    def reset(self) -> None:
        """Forgets every object, kept idempotent response and registered webhook."""
        self._request("POST", "/_config/reset", [])

    # --- The hosted page, as a browser without JavaScript uses it ---------------------------

    def page(self, url: str) -> PageResponse:
        return self._request("GET", urlsplit(url).path)

    def pay(self, url: str, *, method: str = "card", **fields: str) -> PageResponse:
        """Fills the hosted page's payment form (prefilled test values unless `fields` says otherwise) and
        submits it; the redirect is not followed. `method` is "card" or "sepa_debit"; fields are
        card_number, card_expiry, card_cvc, iban, account_holder."""
        action, values = self._form(url, "/pay")
        values.update(payment_method_type=method, **fields)
        return self._request("POST", action, list(values.items()))

    def cancel(self, url: str) -> PageResponse:
        action, values = self._form(url, "/cancel")
        return self._request("POST", action, list(values.items()))

    def _form(self, url: str, action_end: str) -> tuple[str, dict[str, str]]:
        page = self.page(url)
        reader = _FormReader()
        reader.feed(page.body)
        for action, values in reader.forms:
            if action.endswith(action_end):
                return urljoin(urlsplit(url).path, action), values
        raise AssertionError(f"no {action_end} form on {url} (status {page.status}):\n{page.body}")

    def _request(self, method: str, path: str, fields=None, timeout: float = 30) -> PageResponse:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            body = urlencode(fields) if fields is not None else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if fields is not None else {}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return PageResponse(response.status, response.getheader("Location"), response.read().decode())
        finally:
            connection.close()
