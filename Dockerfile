# Netzwerk production image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    NETZWERK_DATA_DIR=/app/data

RUN groupadd --system --gid 10001 netzwerk \
    && useradd --system --uid 10001 --gid netzwerk --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin netzwerk

WORKDIR /app

# Dependencies first, in their own layer: pyproject has `packages = []`, so this installs
# only the runtime dependencies and is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN pip install .

# The source stays owned by root (read-only for the app); only the data folder is writable.
COPY . .
# data/ledger is the deletion ledger's volume (docker-compose.yml): a new volume copies this
# folder's owner, so the app can write it.
RUN mkdir -p /app/data/ledger && chown -R netzwerk:netzwerk /app/data

USER netzwerk

# Settings refuse to load without a secret key unless DEBUG; this one exists only for this
# build step and is not kept in the image's environment.
ARG DJANGO_SECRET_KEY=collectstatic-build-only-dummy-secret-key-not-used-at-run-time
RUN DJANGO_SECRET_KEY="$DJANGO_SECRET_KEY" python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "netzwerk.wsgi:application"]  # settings in gunicorn.conf.py
