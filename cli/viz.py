"""``cascade viz``: serve the browser app for policy teams (``models/public_goods/app.py``).

Checks that it can listen on ``--host``/``--port`` first, so a port in use or a bad host ends
with one line and exit status 2, then replaces itself with the Solara server (``solara run``),
which stops with Ctrl-C. Binds to loopback unless told otherwise. The server makes no network
call of its own: no version check, no usage statistics; its web assets are installed locally
(``solara-assets``), so the app works without internet. The page follows the system's light or
dark theme, and has a switch for it.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cli.base import HelpFormatter, UsageError, one_line

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = Path(__file__).resolve().parent.parent / "models" / "public_goods" / "app.py"

DESCRIPTION = f"""\
Serve the browser app: scenarios side by side (policy, punishment, organisation, bridging,
campaign, contagion, weaving, how people decide), each over replicates with its mean and 95%
band, a sentence that says which gives more cooperation and welfare and whether it is more than
chance, one replicate drawn as a network, downloads of the results (CSV) and charts (PNG).

  cascade viz                          # http://{DEFAULT_HOST}:{DEFAULT_PORT}, this machine only
  cascade viz --port 9000
  cascade viz --host 0.0.0.0           # reachable from other machines: anyone can use it

The same app runs with 'solara run models/public_goods/app.py'."""


def add_parser(subparsers: argparse._SubParsersAction,
               argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "viz",
        help="serve the browser app for policy teams (Mesa SolaraViz)",
        description=DESCRIPTION,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar="ADDRESS",
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port to listen on, 1 to 65535 (default: {DEFAULT_PORT})",
    )
    parser.set_defaults(handler=run)
    return parser


def _port(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--port must be a whole number from 1 to 65535 (got '{raw}')"
        ) from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"--port must be from 1 to 65535 (got {value})")
    return value


def check_listen(host: str, port: int) -> None:
    """Raise UsageError with one line unless a server can listen on ``host``:``port`` now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"--host '{host}' is not an address of this machine ({err})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"--port {port} is already in use on {host}; choose another with --port"
                ) from None
            if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                raise UsageError(f"--host '{host}' is not an address of this machine") from None
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves the app (no version check over the
    network)."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning", "--no-check-version"]


def server_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: no usage statistics sent, no Solara badge, the app's title."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    env.setdefault("SOLARA_THEME_TITLE", "Cooperation on networks: a policy lab")
    return env


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port the system says is free on ``host`` now (for tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_server(port: int, timeout: float = 60.0,
                 env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``cascade viz --port PORT`` in a subprocess; return it once it accepts connections.

    For tests and benchmarks: the caller terminates it. ``env`` replaces the environment.
    Raises RuntimeError if it exits early or is not listening after ``timeout`` seconds.
    """
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "viz", "--port", str(port)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"cascade viz exited early: {one_line(proc.stdout.read())}")
        try:
            with socket.create_connection((DEFAULT_HOST, port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"cascade viz was not listening after {timeout:g} s")


def chromium_options() -> dict:
    """Playwright launch options for Debian's ``chromium`` (Playwright downloads no browser).

    Raises RuntimeError when chromium is not installed (``apt-get install chromium``).
    """
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install -y chromium)")
    return {"executable_path": path, "args": ["--no-sandbox", "--headless"]}


def run(args: argparse.Namespace) -> int:
    host, port = args.host, args.port
    check_listen(host, port)
    if not is_loopback(host):
        print(f"cascade viz: warning: listening on {host}: anyone who can reach this machine "
              "can use the app", file=sys.stderr)
    url_host = f"[{host}]" if ":" in host else host
    print(f"cascade viz: serving the policy lab at http://{url_host}:{port}/ (Ctrl-C to stop)",
          flush=True)
    sys.stderr.flush()
    os.execve(sys.executable, server_command(host, port), server_environment())
    return 1  # not reached: execve replaces this process
