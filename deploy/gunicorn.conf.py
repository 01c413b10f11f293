"""gunicorn for Consort behind nginx (deploy/nginx-consort.conf): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Loopback only, so that the only way in is through nginx, whose X-Request-Start the app trusts (TRUSTED_PROXIES).
Sync workers, (2 x CPUs) + 1 of them, as gunicorn advises; CONSORT_BIND and CONSORT_WORKERS override.
"""
import multiprocessing
import os

bind = os.environ.get("CONSORT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CONSORT_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 300  # as nginx's proxy_read_timeout
accesslog = "-"
