"""azure-iot-emulator --port 0 --state-dir DIR [--devices N] [--seed S] [--tier T] [--time-scale X] [--host H]
azure-iot-emulator [the same options; --state-dir optional] -- COMMAND [ARG ...]

Serves the emulated APIs over HTTPS until SIGTERM or SIGINT; writes DIR/ca.pem, then DIR/env.sh and DIR/env.json
once it accepts connections (both removed again on a clean exit). With `-- COMMAND` it runs COMMAND with the
emulator's variables in its environment, then stops (see run_with.py). `python -m emulator` (in the azure_iot.jobs
checkout) and `python -m azure_iot_emulator` (installed) are the same command.
"""
import argparse
import asyncio
import logging
import os
import signal
import socket
import sys

from aiohttp import web

from . import __version__, envfile
from .app import build_app
from .config import TIERS
from .fleet import MAX_HUBS
from .state import EmulatorState
from .tls import server_context


def _positive_float(text):
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _hub_count(text):
    value = int(text)
    if not 1 <= value <= MAX_HUBS:
        raise argparse.ArgumentTypeError("must be between 1 and %d" % MAX_HUBS)
    return value


PROG = "azure-iot-emulator"


def build_parser(prog=PROG, state_dir_required=True):
    parser = argparse.ArgumentParser(prog=prog, description="Local HTTPS emulator of the Azure IoT "
                                     "Hub data plane (scheduled jobs, twins, queries) and an Entra ID token endpoint.")
    parser.add_argument("--port", type=_non_negative_int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--state-dir", required=state_dir_required,
                        help="where ca.pem, env.sh and env.json are written")
    parser.add_argument("--devices", type=_non_negative_int, default=100, help="simulated devices (default 100)")
    parser.add_argument("--seed", type=_non_negative_int, default=1, help="seed of devices, failures and keys")
    parser.add_argument("--tier", choices=sorted(TIERS), default="S1",
                        help="hub tier: concurrent-job limit and device-operation rate (default S1)")
    parser.add_argument("--time-scale", type=_positive_float, default=1.0,
                        help="emulated seconds per real second for job timing (default 1)")
    parser.add_argument("--hubs", type=_hub_count, default=1,
                        help="IoT hubs in the subscription, each with its own data plane on its own port "
                             "(default 1, at most %d)" % MAX_HUBS)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--profile", choices=("full", "sparse"), default="full",
                        help="full: answers carry every field; sparse: only what the official examples and recorded "
                             "traffic carry (default full)")
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    return parser


def _bound_socket(host, port):
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


async def serve(args):
    os.makedirs(args.state_dir, exist_ok=True)
    envfile.remove(args.state_dir)  # a stale env.json must never be mistaken for this run's
    context, ca_path = server_context(args.state_dir, args.host)
    state = EmulatorState(devices=args.devices, seed=args.seed, tier=args.tier, time_scale=args.time_scale,
                          profile=args.profile, hubs=args.hubs,
                          host=args.host, state_dir=os.path.abspath(args.state_dir))
    runner = web.AppRunner(build_app(state), access_log=logging.getLogger("aiohttp.access") if args.access_log
                           else None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, ssl_context=context)
    await site.start()
    state.port = runner.addresses[0][1]
    for spec in state.hubs[1:]:  # hub i's data plane: its own port, the same app and certificate
        sock = _bound_socket(args.host, 0 if args.port == 0 else args.port + spec.index - 1)
        spec.port = sock.getsockname()[1]
        await web.SockSite(runner, sock, ssl_context=context).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    envfile.write(args.state_dir, envfile.variables(state, ca_path))
    logging.getLogger("emulator").info("serving %s (state in %s)", state.base_url, args.state_dir)
    try:
        await stop.wait()
    finally:
        envfile.remove(args.state_dir)
        await runner.cleanup()


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.access_log else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))
    return 0


def console_main(argv=None):
    """The console script: serve, or with `-- COMMAND` run COMMAND against a fresh emulator."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--" in argv:
        from . import run_with
        return run_with.main(argv)
    return main(argv)


if __name__ == "__main__":
    sys.exit(console_main())
