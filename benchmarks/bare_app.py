"""The bare page benchmarks/pages.py compares every page with: Flask answering a constant, served exactly as the app is
(gunicorn with deploy/gunicorn.conf.py behind nginx with deploy/nginx-consort.conf)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare():
    return "ok"
