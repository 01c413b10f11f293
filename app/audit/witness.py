"""A witness of Consort's audit log, run by anyone outside it (a consortium member, a journalist), from cron:

    python -m app.audit.witness https://consort.example --state witness.json [--all]

It uses only the public transparency endpoints. Each run it checks the latest checkpoint's signature, proves with a
consistency proof that the log only grew since the checkpoint it kept last time, checks that the events behind a
sample of leaves (every leaf with --all) are still the ones the tree was built on, then keeps the new checkpoint. It
exits 1, saying what, if anything does not hold, and keeps its old state then, so the evidence is not overwritten.
"""
import argparse
import json
import os
import random
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.audit.transparency import public_key_from, signature_holds
from app.domain import merkle

Fetch = Callable[[str], tuple[int, dict]]


@dataclass
class Report:
    ok: bool
    lines: list[str] = field(default_factory=list)
    state: dict | None = None


def http_fetch(base_url: str, timeout: float = 30) -> Fetch:
    if not base_url.startswith(("https://", "http://")):
        raise ValueError(f"{base_url} is not an http(s) address")

    def fetch(path: str) -> tuple[int, dict]:
        try:
            # the scheme is checked above: never file: or another
            with urllib.request.urlopen(base_url.rstrip("/") + path, timeout=timeout) as answer:  # noqa: S310
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
    return fetch


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _leaves_to_check(kept_size: int, new_size: int, sample: int, every: bool) -> list[int]:
    if every:
        return list(range(new_size))
    chosen = {kept_size - 1, new_size - 1} | set(random.sample(range(new_size), min(sample, new_size)))
    return sorted(index for index in chosen if index >= 0)


def witness(fetch: Fetch, state: dict | None, *, sample: int = 16, every: bool = False,
            max_age: timedelta = timedelta(minutes=90), now: datetime | None = None) -> Report:
    """One run: `state` is what the last run kept (None the first time); the report's `state` is what to keep.

    The log signs a checkpoint each minute it grows and each hour it does not, and refuses to sign a log that no
    longer extends its last checkpoint; so a latest checkpoint older than `max_age` is reported too.
    """
    report = Report(ok=True)
    status, key = fetch("/api/v1/transparency/key")
    status_checkpoint, checkpoint = fetch("/api/v1/transparency/checkpoint")
    if status != 200 or status_checkpoint != 200:
        return Report(False, [f"the log did not answer (key {status}, checkpoint {status_checkpoint})"])
    keys = dict((state or {}).get("keys", {}))
    if keys.get(key["key_id"], key["public_key"]) != key["public_key"]:
        return Report(False, [f"the key {key['key_id']} is not the one seen before"])
    keys[key["key_id"]] = key["public_key"]
    if checkpoint["key_id"] not in keys or not signature_holds(
            public_key_from(keys[checkpoint["key_id"]]), checkpoint["tree_size"], checkpoint["root_hash"],
            checkpoint["timestamp"], checkpoint["signature"]):
        return Report(False, ["the latest checkpoint's signature does not hold"])
    size, root = checkpoint["tree_size"], _hex(checkpoint["root_hash"])
    signed = datetime.strptime(checkpoint["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if (now or datetime.now(UTC)) - signed > max_age:
        report.ok = False
        report.lines.append(f"the log has signed nothing since {checkpoint['timestamp']}: its consumer is down, or "
                            "it refused to sign a log that no longer extends its last checkpoint")
    kept = (state or {}).get("checkpoint")
    if kept is not None:
        old_size, old_root = kept["tree_size"], _hex(kept["root_hash"])
        if size < old_size:
            return Report(False, [f"the log shrank: {old_size} leaves signed before, {size} now"])
        status, answer = fetch(f"/api/v1/transparency/proof/consistency?from={old_size}&to={size}")
        proof = [_hex(node) for node in answer.get("proof", [])] if status == 200 else None
        if proof is None or not merkle.verify_consistency(old_size, size, proof, old_root, root):
            return Report(False, [f"the log of {size} leaves does not extend the one of {old_size} kept "
                                  f"(consistency proof: {status})"])
        report.lines.append(f"consistent: {old_size} -> {size} leaves")
    for index in _leaves_to_check(kept["tree_size"] if kept else size, size, sample, every):
        status, answer = fetch(f"/api/v1/transparency/proof/inclusion?index={index}&tree_size={size}")
        leaf = answer.get("leaf_hash") if status == 200 else None
        if leaf is None or not merkle.verify_inclusion(
                index, size, _hex(leaf), [_hex(node) for node in answer["proof"]], root):
            report.ok = False
            report.lines.append(f"leaf {index}: its event is missing or changed (inclusion proof: {status})")
    if report.ok:
        report.lines.append(f"checkpoint of {size} leaves signed {checkpoint['timestamp']} holds")
        report.state = {"checkpoint": checkpoint, "keys": keys}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the Consort site, e.g. https://consort.example")
    parser.add_argument("--state", required=True, help="the file where the last checkpoint seen is kept")
    parser.add_argument("--sample", type=int, default=16, help="how many leaves to check besides the last ones")
    parser.add_argument("--all", action="store_true", help="check every leaf's event (one request per leaf)")
    parser.add_argument("--max-age", type=int, default=90, help="minutes after which a latest checkpoint is stale")
    args = parser.parse_args(argv)
    state = None
    if os.path.exists(args.state):
        with open(args.state) as file:
            state = json.load(file)
    try:
        report = witness(http_fetch(args.url), state, sample=args.sample, every=args.all,
                         max_age=timedelta(minutes=args.max_age))
    except (OSError, ValueError, KeyError) as error:
        print(f"witness: could not check the log: {error}", file=sys.stderr)
        return 2
    for line in report.lines:
        print(line if report.ok else f"PROBLEM: {line}", file=sys.stdout if report.ok else sys.stderr)
    if not report.ok:
        return 1
    temporary = args.state + ".new"
    with open(temporary, "w") as file:
        json.dump(report.state, file, indent=2)
    os.replace(temporary, args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
