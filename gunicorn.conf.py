"""gunicorn's settings, read from the working directory (the image's and compose's `/app`).

The access log names the path without its query string: a search (`?q=Müller`) carries the
names of people, which stay out of the logs (reliability F8).

Whether a request came over https is gunicorn's to decide, not Django's: gunicorn sets
`wsgi.url_scheme` from X-Forwarded-Proto only when the peer is in `forwarded_allow_ips`, and
Django reads that scheme (settings leave SECURE_PROXY_SSL_HEADER unset, since Django would read
the header from any peer: gunicorn passes it on unchanged).
"""

from __future__ import annotations

import os

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# %(U)s is the path alone; %(r)s (the request line) and %(q)s would carry the query string.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'

# The TLS-terminating proxy's addresses (IPs or CIDR networks, comma-separated); compose sets
# the proxy's fixed address. Unset: a proxy on this machine. "*" would let any client claim
# https, which is what this setting exists to prevent.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
if "*" in (address.strip() for address in forwarded_allow_ips.split(",")):
    raise RuntimeError("FORWARDED_ALLOW_IPS must name the proxy's addresses, not '*'.")
# The one header the proxy sets (and overwrites). gunicorn's default also reads
# X-Forwarded-Protocol and X-Forwarded-Ssl, which Caddy passes through from the client; a client
# sending one that disagrees would turn its own request into a 400, and nothing sets them.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# In production gunicorn's own lines (the access log included) are JSON objects on stderr, like
# Django's (settings.LOGGING): both loggers hand their records to the root logger's handler.
if os.environ.get("DJANGO_DEBUG", "").lower() not in {"1", "true", "yes", "on"}:
    from netzwerk.observability import logging_config

    logconfig_dict = logging_config(json_lines=True, level="INFO") | {
        "loggers": {
            name: {"handlers": [], "propagate": True} for name in ("gunicorn.error", "gunicorn.access")
        }
    }
