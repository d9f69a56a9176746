"""`python -m localpay --port 8420 [--host 127.0.0.1]`: runs the local Stripe-speaking server.

Each run starts empty. `--webhook NAME URL SECRET` (repeatable) registers webhook endpoints at
start, as `POST /_config/webhooks/NAME` does later. `--fd N` serves on an already listening socket
inherited from the parent (how `localpay.testing.LocalPay` starts it, so that no other process can
take the port meanwhile).
"""

import argparse
import logging
import socket
import sys

from aiohttp import web
from localstripe.webhooks import register_webhook

from localpay.server import build_app


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localpay", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket instead")
    parser.add_argument("--quiet", action="store_true", help="no request log")
    parser.add_argument(
        "--webhook",
        nargs=3,
        action="append",
        default=[],
        metavar=("NAME", "URL", "SECRET"),
        help="send every event to URL, signed with SECRET (repeatable)",
    )
    args = parser.parse_args(argv)

    logger = logging.getLogger("aiohttp.access")
    if not args.quiet:
        # localstripe logs webhook deliveries on aiohttp's access logger.
        logger.setLevel(logging.INFO)
        logger.addHandler(logging.StreamHandler(sys.stdout))

    app = build_app()
    for name, url, secret in args.webhook:
        register_webhook(name, url, secret, None)
    access_log = None if args.quiet else logger
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
        host, port = sock.getsockname()[:2]
        serve = dict(sock=sock)
    else:
        host, port = args.host, args.port
        serve = dict(host=host, port=port)
    print(f"localpay: Stripe API and hosted pages on http://{host}:{port} (any sk_test_… key)", flush=True)
    web.run_app(app, access_log=access_log, print=None, **serve)


if __name__ == "__main__":
    main()
