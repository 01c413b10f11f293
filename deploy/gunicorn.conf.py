"""gunicorn for Consort behind nginx (deploy/nginx-consort.conf): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Loopback only, so that the only way in is through nginx, whose X-Request-Start the app trusts (TRUSTED_PROXIES).
(2 x CPUs) + 1 workers, as gunicorn advises; CONSORT_BIND, CONSORT_WORKERS and CONSORT_THREADS override.
"""
import multiprocessing
import os

bind = os.environ.get("CONSORT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CONSORT_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Sync workers, chosen by measurement (benchmarks/README.md, 2026-12-02, the pages table and the deadline surge side
# by side): behind nginx, which buffers every request and answer, a sync worker takes a request only when it is free,
# so the load is shared evenly. A gthread worker of 4 threads can hold several of nginx's kept-alive connections and
# run them under one GIL while other workers idle: at 16 connections the framework and ranking pages' p99 was 0.5-1.4
# s on gthread against 0.18-0.32 s on sync, and in the deadline surge the drafts' p99 was 2.9-4.1 s against 1.2-1.3 s.
# CONSORT_THREADS above 1 makes them gthread workers of that many threads.
worker_class = "sync"
threads = int(os.environ.get("CONSORT_THREADS", 1))
timeout = 300  # as nginx's proxy_read_timeout
accesslog = "-"
