"""``truckroll-local``: the whole system on one machine (``make run``). Ctrl-C stops everything."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from truckroll_local import REPO_ROOT
from truckroll_local.seed import seed_demo
from truckroll_local.stack import LocalStack

CHATTY_LOGGERS = ("botocore", "boto3", "pynamodb", "urllib3")  # INFO lines on every client they create


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="truckroll-local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default: %(default)s)")
    parser.add_argument("--seed-demo", action="store_true", help="book a demo company's day through the API")
    parser.add_argument("--services-dir", type=Path, default=REPO_ROOT / "services", help=argparse.SUPPRESS)
    parser.add_argument("--web-root", type=Path, default=REPO_ROOT / "web", help=argparse.SUPPRESS)
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def _banner(stack: LocalStack) -> str:
    url = stack.base_url
    users = ", ".join(u.username for u in stack.issuer.users)
    return (
        f"\nTruckroll is running on {url}  (AWS: moto at {stack.moto.endpoint})\n"
        f"  health   {url}/health\n"
        f"  pages    {url}/web/\n"
        f"  token    make token USER_NAME=dispatcher@demo   or   {url}/auth/dev-token?user=dispatcher@demo\n"
        f"  users    {users}\n"
        "Ctrl-C stops everything.\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    if args.log_level != "DEBUG":
        for chatty in CHATTY_LOGGERS:
            logging.getLogger(chatty).setLevel(logging.WARNING)
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack = LocalStack(
        host=args.host,
        port=args.port,
        services_dir=args.services_dir,
        web_root=args.web_root,
        background=True,
    )
    try:
        stack.start()
    except OSError as error:
        logging.getLogger("truckroll_local").error("cannot start: %s", error)
        return 1
    try:
        print(_banner(stack), flush=True)
        if args.seed_demo:
            seed_demo(stack.base_url, stack.issuer)
        while not stopping.wait(0.5):
            pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
