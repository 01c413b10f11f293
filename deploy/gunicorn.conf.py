"""gunicorn for Consort behind nginx (deploy/nginx-consort.conf): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Loopback only, so that the only way in is through nginx, whose X-Request-Start the app trusts (TRUSTED_PROXIES).
(2 x CPUs) + 1 workers, as gunicorn advises; CONSORT_BIND, CONSORT_WORKERS and CONSORT_THREADS override.
"""
import multiprocessing
import os

bind = os.environ.get("CONSORT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CONSORT_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads, chosen by measurement (benchmarks/README.md, the deadline surge): with 4 workers on 2 CPUs, 4 threads
# each answered the deadline rush at 19 requests a second against 9 for sync workers, p99 38 s against 105 s, on
# the same busy machine, because a request waiting on PostgreSQL (the framework's shared lock, the audit log's
# head, the commit) no longer holds its whole worker idle; nginx's keep-alive connections are kept, too.
worker_class = "gthread"
threads = int(os.environ.get("CONSORT_THREADS", 4))
timeout = 300  # as nginx's proxy_read_timeout
accesslog = "-"
