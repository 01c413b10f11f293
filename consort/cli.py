"""Commands for operators: create-user, seed-demo (and demo-code), seed-scale, audit verify, frameworks close-due and
ocds record-missing (flask db comes from Flask-Migrate)."""
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.accounts import services as accounts
from app.audit import sealed, transparency
from app.audit import services as audit
from app.domain import two_factor
from app.domain.errors import ValidationFailed
from app.domain.roles import OrganisationKind, Role
from app.types import utcnow
from consort import demo
from consort.demo import scale
from consort.publication import releases
from frameworks import services as frameworks

audit_cli = AppGroup("audit", help="Check the audit log.")
frameworks_cli = AppGroup("frameworks", help="Look after frameworks.")
ocds_cli = AppGroup("ocds", help="Look after the OCDS releases published.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--org", "org_name", required=True, help="The organisation's name; created if it does not exist.")
@click.option("--org-kind", type=click.Choice([k.value for k in OrganisationKind]),
              help="The kind of a new organisation (default: the role's usual kind).")
@click.option("--sme", is_flag=True, help="Mark a new supplier organisation as an SME.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def create_user(email, role, org_name, org_kind, sme, password_stdin):
    """Create a user (and their organisation if needed); print the user's id."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = accounts.create_user(email, password, Role(role), org_name,
                                    OrganisationKind(org_kind) if org_kind else None, sme=sme)
    except ValidationFailed as error:
        for field, message in (error.fields or {"": error.message}).items():
            click.echo(f"Error{f' ({field})' if field else ''}: {message}", err=True)
        sys.exit(1)
    click.echo(user.id)


@click.command("seed-demo")
def seed_demo():
    """Load the demo data (idempotent): London's authorities, suppliers and demo users."""
    created = demo.seed()
    click.echo(f"Demo data ready: {created['organisations']} organisations, {created['users']} users and "
               f"{created['frameworks']} frameworks created.")
    click.echo(f"Demo users sign in with the password {demo.DEMO_PASSWORD!r}:")
    for user in demo.demo_users():
        click.echo(f"  {user.role.value:<10} {user.email}")
    click.echo(f"The admin, board and evaluator users also give a code: add the key {demo.DEMO_TOTP_SECRET} to an "
               "authenticator app (time-based, 6 digits), or run `flask demo-code` for the current code.")


@click.command("demo-code")
def demo_code():
    """Print the current two-factor code of the demo's admin, board and evaluator users."""
    click.echo(two_factor.code_now(demo.DEMO_TOTP_SECRET, utcnow()))


@click.command("seed-scale")
@click.option("--suppliers", "suppliers_count", type=click.IntRange(1), default=5000, show_default=True,
              help="How many supplier organisations (each with a bidder).")
@click.option("--bids", "bids_count", type=click.IntRange(0), default=50000, show_default=True,
              help="How many submitted bids, shared out over the frameworks.")
@click.option("--frameworks", "frameworks_count", type=click.IntRange(1), default=25, show_default=True,
              help="How many frameworks, each of 8 lots.")
def seed_scale(suppliers_count, bids_count, frameworks_count):
    """Load data at G-Cloud's scale for benchmarks, in bulk, beside the demo's people (once per database)."""
    try:
        made = scale.seed(suppliers_count, bids_count, frameworks_count)
    except (ValueError, scale.AlreadySeeded) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(f"Scale data ready: {made['suppliers']} suppliers, {made['frameworks']} frameworks of {made['lots']} "
               f"lots, {made['bids']} submitted bids on {made['bid_lots']} lots with {made['answers']} answers and "
               f"{made['bundles']} bundles. Bidders sign in as bids@supplierNNNNN.example with the password "
               f"{demo.DEMO_PASSWORD!r}.")


@audit_cli.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"),
              help="A checkpoint kept outside the database (the JSON of GET /api/v1/transparency/checkpoint).")
def verify_audit(checkpoint_file):
    """Check the hash chain, the Merkle tree, the sealed logs, and that the log extends a checkpoint: the one given
    (best), else the latest the database holds. Report the first event that does not match and exit 1 if there is
    one."""
    checked, broken = audit.verify()
    if broken:
        click.echo(f"Audit log TAMPERED: event {broken.event_id}: {broken.reason}. "
                   f"({checked} events read.)", err=True)
        sys.exit(1)
    sealed_problems = sealed.problems()
    if sealed_problems:
        click.echo(f"Audit log TAMPERED: {sealed_problems[0]}.", err=True)
        sys.exit(1)
    if checkpoint_file is not None:
        try:
            claim = transparency.Claim.from_json(checkpoint_file.read())
        except ValueError as error:
            click.echo(f"Error: {checkpoint_file.name} is not a checkpoint: {error}", err=True)
            sys.exit(2)
        against = f"the checkpoint in {checkpoint_file.name}"
    else:
        stored = transparency.latest_checkpoint()
        claim = None if stored is None else transparency.Claim.of(stored)
        against = "the database's latest checkpoint"
    if claim is None:
        click.echo(f"Audit log intact: {checked} events verified.")  # no checkpoint yet to prove the tree against
        return
    finding = transparency.verify_against(claim)
    if finding.problem:
        where = f"event {finding.event_id} (leaf {finding.log_index}): " if finding.event_id else ""
        click.echo(f"Audit log TAMPERED against {against} (size {claim.tree_size}): {where}{finding.problem}.",
                   err=True)
        sys.exit(1)
    click.echo(f"Audit log intact: {checked} events verified; it extends {against} "
               f"(size {claim.tree_size}, signed {claim.timestamp}).")


@frameworks_cli.command("close-due")
def close_due_frameworks():
    """Close every open framework whose bid deadline has passed (the consumer does this each minute)."""
    closed = frameworks.close_due()
    click.echo(f"Closed {len(closed)} framework(s){': ' + ', '.join(map(str, closed)) if closed else ''}.")


@ocds_cli.command("record-missing")
def record_missing_releases():
    """Publish the state of each published framework that has no OCDS release yet (published before releases were
    stored), as one release of each; one transaction."""
    recorded = releases.record_missing()
    click.echo(f"Recorded {len(recorded)} release(s){': ' + ', '.join(recorded) if recorded else ''}.")


def register(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_code)
    app.cli.add_command(seed_scale)
    app.cli.add_command(audit_cli)
    app.cli.add_command(frameworks_cli)
    app.cli.add_command(ocds_cli)
