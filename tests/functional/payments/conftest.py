"""A localstripe server for the payment tests (started once per test process, on a free loopback port), and the
app served over real HTTP so that localstripe can deliver its signed webhooks to it."""
import threading

import pytest
import requests
from werkzeug.serving import make_server

from tests.functional.board.test_board_api import approved, end_standstill, run, world  # noqa: F401 - fixtures
from tests.stripe_support import SECRET_KEY, WEBHOOK_SECRET


@pytest.fixture
def stripe_app(app, localstripe):
    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=localstripe,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, MEMBERSHIP_FEE_PENCE=250_000)
    requests.post(localstripe + "/_config/webhooks/consort", data={"url": "http://127.0.0.1:9/none",
                                                                  "secret": WEBHOOK_SECRET}, timeout=5)
    return app


@pytest.fixture
def webhook_server(stripe_app, localstripe):
    """The app on a real port, with localstripe told to deliver every event to its webhook."""
    server = make_server("127.0.0.1", 0, stripe_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/stripe/webhook"
    answer = requests.post(localstripe + "/_config/webhooks/consort", data={"url": url, "secret": WEBHOOK_SECRET},
                           timeout=5)
    assert answer.ok, answer.text
    yield url
    requests.post(localstripe + "/_config/webhooks/consort", data={"url": "http://127.0.0.1:9/none",
                                                                  "secret": WEBHOOK_SECRET}, timeout=5)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def awarded_lot(world, run):  # noqa: F811
    """An awarded framework with one lot and one winner: (framework, lot, the award, who of the suppliers won)."""
    framework, lot, record = approved(world, run)
    end_standstill(framework["id"])
    assert world.transition(framework["id"], "awarded").status_code == 200
    winner = record["awards"][0]
    who = "supplier" if winner["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    return framework, lot, winner, who
