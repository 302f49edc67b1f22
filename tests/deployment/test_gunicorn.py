"""gunicorn, as the image and compose run it, keeps search terms (people's names) out of its log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_access_log_names_the_path_without_the_query(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "netzwerk.settings",
        "DJANGO_DEBUG": "true",
        "NETZWERK_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "netzwerk.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,  # where gunicorn.conf.py is read from, as in the image
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/contacts/?q=Geheimname+M%C3%BCller"
        for _ in range(100):
            try:
                urllib.request.urlopen(urllib.request.Request(url), timeout=2)
                break
            except urllib.error.HTTPError:
                break  # answered (the redirect to the login page may end in an error page)
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)

    requests = [line for line in output.splitlines() if '"GET /contacts/' in line]
    assert requests, output
    assert all("Geheimname" not in line and "q=" not in line for line in requests), requests
