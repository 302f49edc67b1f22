"""gunicorn's settings, read from the working directory (the image's and compose's `/app`).

The access log names the path without its query string: a search (`?q=Müller`) carries the
names of people, which stay out of the logs (reliability F8).
"""

from __future__ import annotations

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# %(U)s is the path alone; %(r)s (the request line) and %(q)s would carry the query string.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'
