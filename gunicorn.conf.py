"""gunicorn settings for production: ``gunicorn wsgi:app`` reads this file from the working directory.

Every value can be changed without editing this file: by gunicorn's own flags (``--workers 4``) or
``GUNICORN_CMD_ARGS``, which win over what is set here, or by ``WEB_CONCURRENCY`` (the number of
workers, as on most platforms that run gunicorn).
"""

import multiprocessing
import os
import sys

# Behind nginx on the same machine; --bind 0.0.0.0:8000 listens on every interface.
bind = "127.0.0.1:8000"

# Pages spend their time in Python (templates, matching) more than waiting on the database, so processes,
# not threads, use the cores: gunicorn's usual 2 x cores + 1. Workers are stateless: sessions are signed
# cookies, and limits live in Redis once FORUM_REDIS_URL is set.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# An organizer's "Run the scheduler" may search for up to a minute; anything longer is a stuck worker.
timeout = 120
# On a restart, requests in flight get this long to finish.
graceful_timeout = 30

# Recycle workers now and then, staggered, so a slow leak never grows over a three-day forum. Cheap with
# preload_app: a new worker is a fork of the loaded master, not a fresh import of scikit-learn.
max_requests = 10000
max_requests_jitter = 1000

# The app writes its own access log: one JSON line per request on stderr, with the request id, user and
# duration (see the README, "Logs"). gunicorn's plain access log is off, so requests are not logged twice;
# --access-logfile - turns it on as well, in this format.
accesslog = None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
errorlog = "-"
loglevel = "info"

# The app is loaded once in the master and forked: workers start in milliseconds and share the loaded code's
# memory. Nothing connects at load time; post_fork below still drops any pooled connection, because a
# database connection must never be shared between processes.
preload_app = True


def post_fork(server, worker):
    loaded = sys.modules.get("wsgi")
    if loaded is None:  # another app (a benchmark's bare Flask app), or loaded after the fork
        return
    from forum.extensions import db

    with loaded.app.app_context():
        db.engine.dispose(close=False)


# gunicorn 27's control socket (for gunicornc) sits at one fixed path in the user's home: two gunicorns on
# one machine (a second site, a test run) would take it from each other. Restarts go through systemd.
control_socket_disable = True
