"""A localstripe server for tests that pay (started once per test process, on a free loopback port)."""
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

WEBHOOK_SECRET = "whsec_consort_tests"
SECRET_KEY = "sk_test_consort"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    port = _free_port()
    executable = Path(sys.executable).with_name("localstripe")
    # --from-scratch: without it localstripe loads the store it pickles to a fixed file on every change, and
    # a second test process starting while the first writes it read half a pickle and exited with code 1.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while the server runs, closed after it stops
    process = subprocess.Popen([str(executable), "--port", str(port), "--from-scratch"],
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    # It imports aiohttp and more before it listens: on a busy machine that took over ten seconds.
    deadline = time.monotonic() + 90
    while True:
        try:
            requests.get(base + "/v1/customers", auth=(SECRET_KEY, ""), timeout=2)
            break
        except requests.RequestException:  # not listening yet, or too busy to answer in time
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                said = log.read().decode(errors="replace")[-2000:]
                pytest.fail(f"localstripe did not start (exit code {process.poll()}):\n{said}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()
