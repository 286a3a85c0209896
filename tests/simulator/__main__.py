"""``python -m tests.simulator``: run the Marketplace API simulator in the foreground until SIGTERM or SIGINT."""

import argparse
import asyncio
import dataclasses
import signal

from aiohttp import web

from .app import STATE, create_app
from .state import Config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.simulator", description="Stateful Ingram Micro Marketplace API simulator.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one (default 8080)")
    parser.add_argument("--username", default="demo", help="API user accepted by POST /token (default demo)")
    parser.add_argument("--password", default="demo-password", help="its password (default demo-password)")
    parser.add_argument("--subscription-key", default="demo-key", help="X-Subscription-Key accepted (default demo-key)")
    parser.add_argument("--marketplace", default="us", help="marketplace code accepted by POST /token (default us)")
    return parser.parse_args(argv)


async def serve(args):
    config = Config(username=args.username, password=args.password, subscription_key=args.subscription_key, marketplace=args.marketplace)
    app = create_app(config)
    # No access log: report download URLs carry their signature in the query string.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    port = runner.addresses[0][1]
    # URLs handed out (report downloads) must be reachable, so a wildcard address is shown as loopback.
    root = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '') else args.host}:{port}"
    app[STATE].config = dataclasses.replace(config, public_root=root)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"simulator listening on {root}/marketplace/eu", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv=None):
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
