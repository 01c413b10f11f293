"""deadline_surge.py's proof and report: the database read back and every outcome checked against it, and the
results in Markdown."""
import hashlib
import os
import platform
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import support
from surge_http import GRACE_EXCEEDED, LATE_MESSAGE, Outcome, is_late_refusal, past_the_grace

MILLISECOND = timedelta(milliseconds=1)  # nginx's stamp, t=${msec}, is in whole milliseconds

# --- the proof ------------------------------------------------------------------------------------------------------

def verify(app, framework_id: int, deadline: datetime, outcomes: list[Outcome]) -> tuple[dict[str, list[str]], dict]:
    """Read the database back and check every outcome against it. Returns check → its failures, and counts."""
    from sqlalchemy import func, select

    from app.audit import services as audit
    from app.audit.models import AuditEvent
    from app.extensions import db
    from app.outbox import OutgoingMail
    from suppliers import bids as bid_services
    from suppliers.domain import bidding
    from suppliers.models import Bid, BidStatus

    checks: dict[str, list[str]] = {name: [] for name in (
        "no 5xx (but the grace's 503), no broken connection, no unexpected answer, every request in nginx's log",
        "stored as submitted = submissions answered 200",
        "one bid per supplier, and a stored bid for exactly each draft answered 201 (each reached nginx in time)",
        "each accepted bid's stored lots, prices and answers are exactly those sent",
        "receipt SHA-256: returned = stored = recomputed from the stored rows",
        "receipt time: returned = stored, before the deadline, inside its own request",
        "every refusal is the deadline's 409, answered after the deadline, and left nothing submitted",
        "every request sent at or after the deadline was refused",
        "no request that reached nginx before the deadline was refused as late",
        "audit: the chain and the framework's sealed log intact, one bid.drafted per stored bid and one "
        "bid.submitted per accepted bid (in the sealed log, since there is one)",
        "one receipt e-mail (kept in the outbox) per accepted submission",
    )}
    (errors, counted, once, content, sha, times, refusals, late_sent, on_time, audited, mailed) = checks.values()

    with app.app_context():
        rows = db.session.scalars(select(Bid).where(Bid.framework_id == framework_id)
                                  .options(*bid_services._whole())).all()
        stored = {b.supplier_id: b for b in rows}
        duplicated = db.session.execute(select(Bid.supplier_id, func.count()).where(
            Bid.framework_id == framework_id).group_by(Bid.supplier_id).having(func.count() > 1)).all()
        once.extend(f"supplier {s} has {n} bids" for s, n in duplicated)
        submitted = [b for b in rows if b.status == BidStatus.SUBMITTED]
        for bid in submitted:
            if bid.submitted_at is None or not bid.submitted_at < deadline:
                times.append(f"bid {bid.id}: submitted at {bid.submitted_at}, not before the deadline")

        for o in outcomes:
            s, bid = o.supplier, stored.get(o.supplier)
            for name, c in (("draft", o.draft), ("submit", o.submit)):
                if c is None:
                    continue
                if past_the_grace(c):
                    pass  # counted and explained in the report: in time, but written too long after the deadline
                elif c.error or c.status >= 500 or c.status not in ((201, 409) if name == "draft" else (200, 409)):
                    errors.append(f"supplier {s} {name}: {c.status} {c.error or c.body}")
                if c.arrived is None:
                    errors.append(f"supplier {s} {name}: not in nginx's access log")
                elif is_late_refusal(c) and c.arrived < deadline:
                    on_time.append(f"supplier {s} {name}: reached nginx {c.arrived.isoformat()}, refused as late")
                if c.status == 409 and not is_late_refusal(c):
                    errors.append(f"supplier {s} {name}: 409 for another reason: {c.body.get('message')}")
                if c.sent >= deadline and c.status not in (409, 0):
                    late_sent.append(f"supplier {s} {name}: sent {c.sent.isoformat()}, answered {c.status}")
                if is_late_refusal(c) and c.answered < deadline:
                    refusals.append(f"supplier {s} {name}: refused as late but answered {c.answered.isoformat()}")
            if o.draft is None:
                errors.append(f"supplier {s}: never ran")
                continue
            if o.draft.status == 201:
                if bid is None or bid.id != o.bid_id:
                    once.append(f"supplier {s}: draft {o.bid_id} answered 201 but not stored as its bid")
                elif o.draft.arrived is not None and not o.draft.arrived < deadline:
                    once.append(f"supplier {s}: draft {o.bid_id} taken, but it reached nginx after the deadline")
            elif bid is not None:
                once.append(f"supplier {s}: draft answered {o.draft.status} but bid {bid.id} is stored")
            if is_late_refusal(o.draft) and bid is not None:
                refusals.append(f"supplier {s}: its draft was refused as late but bid {bid.id} is stored")
            if o.submit is not None and o.submit.status != 200 and bid is not None and \
                    bid.status == BidStatus.SUBMITTED:
                refusals.append(f"supplier {s}: submission answered {o.submit.status} but stored as submitted")
            if o.submit is None or o.submit.status != 200:
                continue
            if bid is None or bid.status != BidStatus.SUBMITTED:
                counted.append(f"supplier {s}: submission answered 200 but not stored as submitted")
                continue
            sent_lots = {lot["lot_id"]: (Decimal(lot["price"]), {int(k): v for k, v in lot["answers"].items()})
                         for lot in o.lots}
            stored_lots = {bl.lot_id: (bl.price, {a.criterion_id: a.text for a in bl.answers}) for bl in bid.lots}
            if len(bid.lots) != len(o.lots) or stored_lots != sent_lots or bid.bundles or bid.documents:
                content.append(f"supplier {s}: bid {bid.id} stores other lots, prices or answers than were sent")
            recomputed = hashlib.sha256(bidding.canonical(bid_services.content_of(bid))).hexdigest()
            returned = o.submit.body.get("receipt") or {}
            if not returned.get("sha256") == bid.receipt_sha256 == recomputed:
                sha.append(f"supplier {s}: returned {returned.get('sha256')}, stored {bid.receipt_sha256}, "
                           f"recomputed {recomputed}")
            returned_at = datetime.fromisoformat(returned["submitted_at"]) if returned.get("submitted_at") else None
            if returned_at != bid.submitted_at:
                times.append(f"supplier {s}: receipt time returned {returned_at}, stored {bid.submitted_at}")
            if bid.submitted_at is None or not o.submit.sent - MILLISECOND <= bid.submitted_at <= o.submit.answered:
                times.append(f"supplier {s}: receipt time {bid.submitted_at} is outside its request "
                             f"({o.submit.sent.isoformat()} to {o.submit.answered.isoformat()})")

        accepted = sum(1 for o in outcomes if o.submit is not None and o.submit.status == 200)
        if len(submitted) != accepted:
            counted.append(f"{len(submitted)} bids are stored as submitted, but {accepted} submissions answered 200")
        drafts_taken = sum(1 for o in outcomes if o.draft is not None and o.draft.status == 201)
        if len(rows) != drafts_taken:
            once.append(f"{len(rows)} bids are stored, but {drafts_taken} drafts were answered 201")

        checked_events, broken = audit.verify()
        if broken:
            audited.append(f"the audit chain breaks at event {broken.event_id}: {broken.reason}")
        bid_ids = {str(b.id) for b in rows}
        try:  # while the framework takes bids, its bids' events are in its own sealed log (issue 14)
            from app.audit import sealed
            from app.audit.models import SealedAuditEvent
        except ImportError:  # the code before sealed logs (run with --app-root): they are in the public log
            events = Counter(db.session.execute(
                select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.object_type == "Bid")).all())
        else:
            audited.extend(f"the sealed logs: {problem}" for problem in sealed.problems())
            events = Counter(db.session.execute(
                select(SealedAuditEvent.action, SealedAuditEvent.object_id).where(
                    SealedAuditEvent.seal == f"framework:{framework_id}", SealedAuditEvent.object_type == "Bid")).all())
        for action, wanted in (("bid.drafted", bid_ids), ("bid.submitted", {str(b.id) for b in submitted})):
            got = {object_id: n for (a, object_id), n in events.items() if a == action}
            if got != dict.fromkeys(wanted, 1):
                audited.append(f"{action}: {sum(got.values())} events for {len(got)} bids, expected one for each "
                               f"of {len(wanted)}")
        if any(object_id not in bid_ids for _, object_id in events):
            audited.append("audit events name bids that are not stored")

        # The only mail of this run is the receipts, kept in the outbox (no consumer runs to send them).
        receipts = Counter(db.session.scalars(select(OutgoingMail.to)))
    wanted = Counter(o.email for o in outcomes if o.kind() == "accepted")
    if receipts != wanted:
        mailed.append(f"{sum(receipts.values())} receipts e-mailed to {len(receipts)} suppliers, expected one for "
                      f"each of {len(wanted)}")

    counts = {"stored_bids": len(rows), "stored_submitted": len(submitted), "audit_events": checked_events}
    return checks, counts


# --- the report -----------------------------------------------------------------------------------------------------

def machine(app, args, load_before: tuple, load_after: tuple) -> str:
    from sqlalchemy import text

    from app.extensions import db

    cpu, memory = support.cpu_model(), support.memory_gib()
    with app.app_context():
        postgres = db.session.scalar(text("SHOW server_version"))
    import gunicorn

    workers = args.worker_class + (f", {args.threads} threads each" if args.worker_class == "gthread" else "")
    front = "the client straight to gunicorn" if args.direct else "the client through nginx to gunicorn"
    return (f"nproc {len(os.sched_getaffinity(0))} ({cpu}), {memory:.1f} GiB RAM, "
            f"Linux {platform.release()}, {support.python()}, PostgreSQL {postgres}, "
            f"gunicorn {gunicorn.__version__} ({args.workers} {workers} workers), {front}, all on the same machine; "
            f"app from {support.APP_ROOT}; load average {' '.join(f'{x:.2f}' for x in load_before)} before the "
            f"load, {' '.join(f'{x:.2f}' for x in load_after)} after it")


def summary(args, outcomes: list[Outcome], checks: dict[str, list[str]], log_errors: list[str], deadline: datetime,
            load_before: tuple, load_after: tuple) -> dict:
    """The run in one line, for the before/after tables."""
    def p(values, q):
        return round(support.percentile(values, q) * 1000)

    drafts = [o.draft.latency for o in outcomes if o.draft and o.draft.status]
    submits = [o.submit.latency for o in outcomes if o.submit and o.submit.status]
    kinds = Counter(o.kind() for o in outcomes)
    refused = [o for o in outcomes if o.kind().startswith("refused at")]
    return {
        "label": args.label, "rush": args.rush_fraction, "worker_class": args.worker_class, "direct": args.direct,
        "draft_p50": p(drafts, 50), "draft_p99": p(drafts, 99), "submit_p50": p(submits, 50),
        "submit_p99": p(submits, 99), "max": p(drafts + submits, 100), "accepted": kinds["accepted"],
        "refused_late": len(refused),
        "refused_reached_before": sum(1 for o in refused if o.deciding.arrived and o.deciding.arrived < deadline),
        "refused_sent_before": sum(1 for o in refused if o.deciding.sent < deadline),
        "past_grace": kinds["refused past the grace"], "errors": kinds["error"],
        "failed": [name for name, problems in checks.items() if problems] + (["log"] if log_errors else []),
        "load_before": load_before, "load_after": load_after,
    }


def report(args, outcomes: list[Outcome], checks: dict[str, list[str]], counts: dict, deadline: datetime,
           log_errors: list[str], machine_text: str) -> str:
    calls = [c for o in outcomes for c in (o.draft, o.submit) if c is not None]
    drafts = [o.draft.latency for o in outcomes if o.draft and o.draft.status]
    submits = [o.submit.latency for o in outcomes if o.submit and o.submit.status]
    first = min(c.sent for c in calls)
    last = max(c.answered for c in calls)
    elapsed = (last - first).total_seconds()
    answered_per_second = Counter(int((c.answered - deadline).total_seconds() // 1) for c in calls)
    sent_per_second = Counter(int((c.sent - deadline).total_seconds() // 1) for c in calls)
    lag = [(o.draft.sent - deadline).total_seconds() - o.scheduled for o in outcomes if o.draft]
    kinds = Counter(o.kind() for o in outcomes)
    scheduled_late = [o for o in outcomes if o.scheduled >= 0]
    refused = [o for o in outcomes if o.kind().startswith("refused at")]  # as late (409); the 503s apart
    in_flight = [o for o in refused if o.deciding.sent < deadline]
    reached_in_time = [o for o in refused if o.deciding.arrived and o.deciding.arrived < deadline]
    past_grace = [o for o in outcomes if o.kind() == "refused past the grace"]
    sent_late = [o for o in refused if o.scheduled < 0 <= (o.deciding.sent - deadline).total_seconds()]
    late_drafts = sum(1 for o in outcomes if o.draft and is_late_refusal(o.draft))
    late_submits = sum(1 for o in outcomes if o.submit and is_late_refusal(o.submit))
    accepted_after = sum(1 for o in outcomes if o.kind() == "accepted" and o.submit.answered >= deadline)

    def ms(values, p):
        return f"{support.percentile(values, p) * 1000:.0f}"

    def row(label, values):
        return support.table_row(label, len(values), ms(values, 50), ms(values, 90), ms(values, 99), ms(values, 100))

    def by_moment(kind):
        before = sum(1 for o in outcomes if o.kind() == kind and o.scheduled < 0)
        return support.table_row(kind, before, sum(1 for o in outcomes if o.kind() == kind) - before)

    failed = {name: problems for name, problems in checks.items() if problems}
    seconds = range(-8, 4)
    refused_per_second = Counter(int((c.answered - deadline).total_seconds() // 1) for c in calls
                                 if is_late_refusal(c))
    timeline = [
        support.table_head("second, relative to the deadline", *(f"{t:+d}" for t in seconds)),
        support.table_row("requests sent", *(sent_per_second[t] for t in seconds)),
        support.table_row("requests answered", *(answered_per_second[t] for t in seconds)),
        support.table_row("of which refused as late", *(refused_per_second[t] for t in seconds)),
    ]
    lines = [
        f"- suppliers: {args.suppliers}, lots: {args.lots} (2 criteria each), window: {args.window:.0f} s, "
        f"late fraction: {args.late_fraction}, gunicorn workers: {args.workers}, client threads: {args.clients}, "
        f"seed: {args.seed}",
        f"- requests: **{len(calls)}** ({len(drafts)} drafts, {len(submits)} submissions) from the first sent to "
        f"the last answered, {elapsed:.1f} s: **{len(calls) / elapsed:.1f} requests/s**; busiest second: "
        f"{max(sent_per_second.values())} sent, {max(answered_per_second.values())} answered",
        f"- client schedule lag (draft sent − its drawn moment): p50 {support.percentile(lag, 50) * 1000:.0f} ms, "
        f"max {max(lag) * 1000:.0f} ms",
        "",
        support.table_head("request", "n", "p50 ms", "p90 ms", "p99 ms", "max ms"),
        row("draft `POST /api/v1/frameworks/{id}/bids`", drafts),
        row("submit `POST /api/v1/bids/{id}/submit`", submits),
        row("both", drafts + submits),
        "",
        *timeline,
        "",
        support.table_head("outcome (by the server's answer)", "drawn before the deadline", "drawn after it"),
        by_moment("accepted"),
        by_moment("refused at draft"),
        by_moment("refused at submit"),
        by_moment("refused past the grace"),
        by_moment("error"),
        "",
        f"- accepted (draft 201, submit 200 with a receipt): **{kinds['accepted']}**; stored as submitted: "
        f"**{counts['stored_submitted']}**; of them answered after the deadline (judged before it, at the write): "
        f"{accepted_after}",
        f"- refused as late (409 \"{LATE_MESSAGE}\"): **{kinds['refused at draft'] + kinds['refused at submit']}** "
        f"suppliers ({late_drafts} drafts and {late_submits} submissions): "
        f"{sum(1 for o in scheduled_late if o.kind().startswith('refused'))} of the {len(scheduled_late)} drawn "
        f"after the deadline; {len(sent_late)} drawn before it whose refused request was sent after it (its draft "
        f"was answered too late, or the client fell behind); {len(in_flight)} whose refused request was sent before "
        "the deadline but reached the server's write after it; **" + str(len(reached_in_time)) + "** whose refused "
        "request had reached nginx before the deadline (must be 0: a bid is judged by when it reached nginx)",
        f"- refused past the grace (503 {GRACE_EXCEEDED}: reached nginx before the deadline, but not written within "
        f"DEADLINE_GRACE_SECONDS of it, so nothing was changed): **{len(past_grace)}**",
        f"- drafts left unsubmitted (written before the deadline, submission refused): "
        f"{counts['stored_bids'] - counts['stored_submitted']}",
        f"- errors (5xx, broken connections, unexpected answers): **{kinds['error']}**; tracebacks or worker "
        f"trouble in the servers' log: **{len(log_errors)}**",
        f"- audit events verified after the run: {counts['audit_events']}",
        "- checks: " + ("**all passed**" if not failed and not log_errors else "**FAILED**"),
    ]
    for name, problems in checks.items():
        mark = "FAILED" if problems else "passed"
        lines.append(f"  - {name}: {mark}" + (f" ({len(problems)}: {'; '.join(problems[:3])})" if problems else ""))
    lines.append(f"- machine: {machine_text}")
    return "\n".join(lines)
