#!/usr/bin/env bash
# Runs Netzwerk locally: migrates the embedded database, loads the demo account, then runs
# the web server and a Celery worker with embedded beat (filesystem broker) until Ctrl-C.
# Called by `make run`, which installs the virtual environment first.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
# Sweep for due digests every minute (production: five), so the demo digest shows up soon.
export NETZWERK_DIGEST_SWEEP_SECONDS="${NETZWERK_DIGEST_SWEEP_SECONDS:-60}"
BIN=.venv/bin
URL=http://127.0.0.1:8000/

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py seed_demo

web=""
worker=""

# shellcheck disable=SC2317  # called by the EXIT trap
stop_all() {
	trap - EXIT INT TERM
	local pid
	# runserver's reloader does not pass TERM on to its child: stop the group. Celery's main
	# process stops its pool and beat itself, finishing the current task (warm shutdown).
	if [ -n "$web" ]; then kill -TERM -- "-$web" 2>/dev/null || true; fi
	if [ -n "$worker" ]; then kill -TERM "$worker" 2>/dev/null || true; fi
	local waited=0
	while [ "$waited" -lt 100 ]; do
		local alive=""
		for pid in $web $worker; do
			if kill -0 "$pid" 2>/dev/null; then alive=1; fi
		done
		[ -z "$alive" ] && break
		sleep 0.1
		waited=$((waited + 1))
	done
	# Whatever is left after 10 s, in either group, is killed.
	for pid in $web $worker; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
	echo "Netzwerk stopped."
}
trap stop_all EXIT
# Ctrl-C is how a developer stops it: a normal end, not an error.
trap 'exit 0' INT
trap 'exit 143' TERM

# Each service gets a process group of its own (job control, only while starting them), so
# stopping a group also stops runserver's reloaded child and Celery's pool and beat: no
# orphans. The terminal's Ctrl-C reaches only this script, which then stops both.
set -m
"$BIN/python" manage.py runserver 127.0.0.1:8000 </dev/null &
web=$!
"$BIN/celery" -A netzwerk worker --beat --loglevel=INFO --concurrency=1 </dev/null &
worker=$!
set +m

sleep 3 || true
cat <<EOF

  Netzwerk is running at $URL
  Demo login: demo@netzwerk.example / netzwerk-demo
  Coach login: coach@netzwerk.example / netzwerk-demo (two-factor set-up at the first sign-in;
  the coach admin is at ${URL}coach/)
  Press Ctrl-C to stop the web server and the Celery worker.

EOF

# If either service dies (a busy port, say), stop the other one too.
while kill -0 "$web" 2>/dev/null && kill -0 "$worker" 2>/dev/null; do
	sleep 1 || true  # Ctrl-C ends the sleep; the INT trap then runs
done
echo "A service stopped unexpectedly; shutting down." >&2
exit 1
