"""`make load`: Locust against gunicorn with production settings; the last line printed is JSON.

Migrates, collects the static files, seeds the users once (`seed_demo --users`: each a network of
its own, skipped when it has one), starts gunicorn as deployed (gunicorn.conf.py: 3 workers;
DEBUG off, PostgreSQL, Redis) on a free loopback port, runs the scenario in locustfile.py
headless (100 people arriving over 50 s, then 60 s more with all of them), stops gunicorn and
prints one JSON line: requests per second, p50/p95/p99 per page over the whole run and after the
last sign-in, and the errors. `manage.py bench` runs it last and keeps `load_rps`,
`load_p95_ms_today`, `load_p95_ms_slowest` (the slowest page's p95 after sign-in, named in
`load_slowest_page`) and `load_errors`. Argon2 at its production cost is part of what is
measured.

It writes to the database (users, their networks, logged touches): it refuses one whose name
has neither "bench" in it nor Django's "test_" prefix, as the bench does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
FIRST_USER = "demo-user-0001@netzwerk.example"  # locustfile.EMAIL's first; seed_demo --users adds the rest
STARTUP_SECONDS = 60
STOP_SECONDS = 15


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    env = production_env()
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + step, cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    seed = ["seed_demo", "--email", FIRST_USER, "--contacts", str(options.contacts)]
    subprocess.run(
        [*manage, *seed, "--users", str(options.users)], cwd=ROOT, env=env, check=True, stdout=sys.stderr
    )
    load_before = os.getloadavg()[0]
    if options.logs:
        options.logs.mkdir(parents=True, exist_ok=True)
        recorded = measure(options, env=env, work=options.logs)
    else:
        with tempfile.TemporaryDirectory(prefix="netzwerk-load-") as work:
            recorded = measure(options, env=env, work=Path(work))
    figures = summarise(recorded["samples"], users=options.users, arrive=options.arrive, stay=options.stay)
    # How busy the machine was (the 1-minute load average before and at the end, on its 2 cores)
    # and whether the generator itself ran short of CPU: what the timings must be read with.
    figures["load_average_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    figures["generator_cpu_over_90"] = recorded["generator_cpu_over_90"]
    print(json.dumps(figures), flush=True)
    return 1 if figures["errors"] else 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=100, help="simulated people (default 100)")
    parser.add_argument("--arrive", type=float, default=50, help="seconds over which they arrive (50)")
    parser.add_argument("--stay", type=float, default=60, help="seconds all of them stay after that (60)")
    parser.add_argument("--contacts", type=int, default=100, help="contacts in each seeded network (100)")
    parser.add_argument("--logs", type=Path, help="keep gunicorn's and locust's logs in this folder")
    options = parser.parse_args(argv)
    if options.users < 1 or options.arrive <= 0 or options.stay <= 0:
        parser.error("--users, --arrive and --stay must be positive")
    return options


def production_env() -> dict[str, str]:
    """The environment gunicorn and the management commands get: the production settings."""
    database = urlsplit(os.environ.get("DATABASE_URL", ""))
    name = database.path.lstrip("/")
    if not database.scheme.startswith("postgres"):
        sys.exit("error: the load run needs PostgreSQL, as in production: set DATABASE_URL")
    if "bench" not in name and not name.startswith("test_"):
        sys.exit(
            f"error: the database {name!r} is not a bench database: point DATABASE_URL at one whose name "
            "contains 'bench' (the load run seeds users and logs touches)"
        )
    if not os.environ.get("REDIS_URL"):
        sys.exit(
            "error: the load run needs Redis, as in production (the workers share its cache): set REDIS_URL"
        )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOWED_HOSTS"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "netzwerk.settings",
        "DJANGO_DEBUG": "false",
        # No proxy in front: allauth reads the client's address from the socket (REMOTE_ADDR).
        "ALLAUTH_TRUSTED_PROXY_COUNT": "0",
    }
    env.setdefault("DJANGO_SECRET_KEY", f"load-only-{secrets.token_hex(24)}")
    return env


def measure(options: argparse.Namespace, *, env: dict[str, str], work: Path) -> dict[str, Any]:
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server_log = work / "gunicorn.log"
    server = start_gunicorn(port, env=env | {"SITE_URL": host}, log=server_log)
    try:
        wait_until_up(host, server, log=server_log)
        return run_locust(options, host=host, work=work)
    finally:
        stop(server)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as the image runs it (gunicorn.conf.py from the project root), on loopback only;
    in a process group of its own, so stopping it stops every worker."""
    command = [sys.executable, "-m", "gunicorn", "netzwerk.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def wait_until_up(host: str, server: subprocess.Popen[bytes], *, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"error: gunicorn exited with status {server.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{host}/accounts/login/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit(f"error: gunicorn did not answer within {STARTUP_SECONDS} s:\n{tail(log)}")


def run_locust(options: argparse.Namespace, *, host: str, work: Path) -> dict[str, Any]:
    samples_path, log = work / "samples.json", work / "locust.log"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
        "--users", str(options.users), "--spawn-rate", f"{options.users / options.arrive:g}",
        "--run-time", f"{math.ceil(options.arrive + options.stay)}s", "--stop-timeout", "10",
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = os.environ | {"NETZWERK_LOAD_SAMPLES": str(samples_path)}
    timeout = options.arrive + options.stay + 120
    with log.open("wb") as output:
        done = subprocess.run(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=timeout
        )
    if done.returncode != 0 or not samples_path.exists():
        sys.exit(f"error: locust exited with status {done.returncode}:\n{tail(log)}")
    recorded: dict[str, Any] = json.loads(samples_path.read_text(encoding="utf-8"))
    for error in recorded["errors"]:
        print(f"load error: {error}", file=sys.stderr)
    return recorded


def stop(server: subprocess.Popen[bytes]) -> None:
    """TERM (gunicorn's graceful stop), then KILL what is left of the group."""
    with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=STOP_SECONDS)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def summarise(samples: list[dict[str, Any]], *, users: int, arrive: float, stay: float) -> dict[str, Any]:
    """The figures: the whole run, and the part after the last sign-in had its answer (the
    steady state, without the queue a wave of Argon2 sign-ins builds)."""
    if not samples:
        sys.exit("error: locust recorded no request")
    start = min(sample["start"] for sample in samples)
    end = max(sample["start"] + sample["ms"] / 1000 for sample in samples)
    sign_ins = [sample for sample in samples if sample["name"] == "sign_in"]
    signed_in_at = max((sample["start"] + sample["ms"] / 1000 for sample in sign_ins), default=start)
    later = [sample for sample in samples if sample["start"] >= signed_in_at]
    names = sorted({sample["name"] for sample in samples} - {"task error"})
    pages = {
        name: {
            "whole_run": percentiles([s["ms"] for s in samples if s["name"] == name]),
            "after_sign_in": percentiles([s["ms"] for s in later if s["name"] == name]),
        }
        for name in names
    }
    errors = sum(1 for sample in samples if sample["failed"])
    rps = round(len(samples) / max(end - start, 0.001), 1)
    # The target is every page's p95 after the last sign-in: the slowest page stands for them all.
    after = {name: page["after_sign_in"]["p95_ms"] for name, page in pages.items()}
    slowest = max(
        (name for name, p95 in after.items() if p95 is not None), key=after.__getitem__, default=None
    )
    return {
        "users": users,
        "arrive_s": arrive,
        "stay_s": stay,
        "duration_s": round(end - start, 1),
        "signed_in": sum(1 for sample in sign_ins if not sample["failed"]),
        "last_sign_in_s": round(signed_in_at - start, 1),
        "requests": len(samples),
        "rps": rps,
        "rps_after_sign_in": round(len(later) / max(end - signed_in_at, 0.001), 1),
        "errors": errors,
        "pages": pages,
        "load_rps": rps,
        "load_p95_ms_today": pages.get("today", {}).get("after_sign_in", {}).get("p95_ms"),
        "load_errors": errors,
        "load_p95_ms_slowest": after[slowest] if slowest else None,
        "load_slowest_page": slowest,
    }


def percentiles(times: list[float]) -> dict[str, Any]:
    """Count and nearest-rank p50/p95/p99 in milliseconds (None for no request)."""
    ordered = sorted(times)

    def rank(share: float) -> float | None:
        return round(ordered[max(math.ceil(share * len(ordered)) - 1, 0)], 1) if ordered else None

    return {"count": len(ordered), "p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99)}


if __name__ == "__main__":
    sys.exit(main())
