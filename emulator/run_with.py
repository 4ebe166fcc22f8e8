"""azure-iot-emulator [emulator options] -- COMMAND [ARG ...]   (alias: python -m emulator.run_with ...)

Starts the emulator, runs COMMAND with the emulator's variables (env.json) added to its environment, stops the
emulator and exits with COMMAND's exit status. Without --state-dir a temporary directory is used.
"""
import os
import signal
import subprocess
import sys
import tempfile

from .__main__ import PROG, build_parser
from .harness import EmulatorStartError, running_emulator


def split_argv(argv):
    if "--" not in argv:
        raise SystemExit("usage: %s [emulator options] -- COMMAND [ARG ...]" % PROG)
    at = argv.index("--")
    command = argv[at + 1:]
    if not command:
        raise SystemExit("run_with: no COMMAND after --")
    return argv[:at], command


def _terminate_on_sigterm():
    # SIGTERM -> SystemExit, so that the emulator is stopped by the context manager on the way out.
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


def run(emulator_argv, command):
    args = build_parser(PROG, state_dir_required=False).parse_args(emulator_argv)
    with tempfile.TemporaryDirectory(prefix="emulator-") as scratch:
        state_dir = args.state_dir or scratch
        extra = ["--port", str(args.port), "--host", args.host, "--profile", args.profile] + (
            ["--access-log"] if args.access_log else [])
        try:
            with running_emulator(state_dir, args.devices, args.seed, args.tier, args.time_scale, extra,
                                  args.hubs) as env:
                completed = subprocess.run(command, env=dict(os.environ, **env), check=False)
        except EmulatorStartError as exc:
            print("run_with: %s" % exc, file=sys.stderr)
            return 1
    code = completed.returncode
    return 128 - code if code < 0 else code  # killed by a signal: the shell's convention


def main(argv=None):
    _terminate_on_sigterm()
    emulator_argv, command = split_argv(sys.argv[1:] if argv is None else argv)
    return run(emulator_argv, command)


if __name__ == "__main__":
    sys.exit(main())
