"""The operators' commands, run through Flask's CLI: create-user, seed-demo and audit verify."""
import re

import pytest
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.audit import transparency
from app.audit.models import AuditEvent
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation, OrganisationDomain
from consort import demo
from tests.support import PASSWORD, audit_triggers_off, sign_in


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def rows() -> dict[str, int]:
    return {model.__name__: count(model) for model in (Organisation, User, AuditEvent)}


def create_user(runner, email, *options, password=PASSWORD):
    result = runner.invoke(args=["create-user", email, *options, "--password-stdin"], input=password + "\n")
    db.session.remove()  # read what the command committed, not this session's cache
    return result


# --- create-user ------------------------------------------------------------------------------------------------

def test_create_user_prints_only_the_new_user_s_id(runner):
    result = create_user(runner, "ada@ldpc.example", "--role", "admin", "--org", "London Digital Purchasing Consortium")

    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"\d+\n", result.stdout), f"stdout was {result.stdout!r}"
    user = db.session.get(User, int(result.stdout))
    assert user.email == "ada@ldpc.example"
    assert user.role == Role.ADMIN
    assert user.organisation.name == "London Digital Purchasing Consortium"


@pytest.mark.parametrize("role, options, kind, sme", [
    ("admin", [], OrganisationKind.CONSORTIUM, False),
    ("board", [], OrganisationKind.CONSORTIUM, False),
    ("officer", [], OrganisationKind.AUTHORITY, False),
    ("evaluator", [], OrganisationKind.AUTHORITY, False),
    ("evaluator", ["--org-kind", "consortium"], OrganisationKind.CONSORTIUM, False),
    ("supplier", [], OrganisationKind.SUPPLIER, False),
    ("supplier", ["--sme"], OrganisationKind.SUPPLIER, True),
    ("supplier", ["--org-kind", "supplier", "--sme"], OrganisationKind.SUPPLIER, True),
])
def test_create_user_creates_a_missing_organisation_of_the_given_kind(runner, role, options, kind, sme):
    result = create_user(runner, f"{role}@example.org", "--role", role, "--org", "  Brand   New Organisation ",
                         *options)

    assert result.exit_code == 0, result.stderr
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "Brand New Organisation"
    assert organisation.kind == kind
    assert organisation.sme is sme
    user = db.session.get(User, int(result.stdout))
    assert (user.role, user.organisation_id) == (Role(role), organisation.id)
    assert rows() == {"Organisation": 1, "User": 1, "AuditEvent": 2}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert actions == {"organisation.created", "user.created"}


def test_create_user_reuses_an_existing_organisation_whatever_the_case_of_its_name(runner):
    first = create_user(runner, "olivia@camden.gov.uk", "--role", "officer", "--org", "London Borough of Camden")
    second = create_user(runner, "Eve@Camden.gov.uk", "--role", "evaluator", "--org", "london borough of CAMDEN",
                         "--org-kind", "authority")

    assert first.exit_code == second.exit_code == 0, second.stderr
    assert int(second.stdout) != int(first.stdout)
    assert count(Organisation) == 1
    users = db.session.scalars(select(User).order_by(User.id)).all()
    assert [u.email for u in users] == ["olivia@camden.gov.uk", "eve@camden.gov.uk"]
    assert users[0].organisation_id == users[1].organisation_id


def test_a_created_user_can_sign_in_with_the_password_from_stdin(app, runner):
    result = create_user(runner, "olivia@camden.gov.uk", "--role", "officer", "--org", "London Borough of Camden",
                         password="a password given on stdin")

    assert result.exit_code == 0
    assert sign_in(app.test_client(), "olivia@camden.gov.uk", "a password given on stdin").status_code == 302
    assert sign_in(app.test_client(), "olivia@camden.gov.uk", PASSWORD).status_code == 422


@pytest.fixture
def existing(runner):
    """An authority with an officer, and a supplier, made by the command itself."""
    assert create_user(runner, "olivia@camden.gov.uk", "--role", "officer",
                       "--org", "London Borough of Camden").exit_code == 0
    assert create_user(runner, "sam@bankside.example", "--role", "supplier", "--org", "Bankside Cloud Ltd",
                       "--sme").exit_code == 0


@pytest.mark.parametrize("email, options, password, message", [
    pytest.param("new@camden.gov.uk", ["--role", "officer", "--org", "London Borough of Camden"], "short",
                 "Error (password): Use a password of at least 12 characters.", id="short-password"),
    pytest.param("new@camden.gov.uk", ["--role", "officer", "--org", "London Borough of Camden"], "",
                 "Error (password): Use a password of at least 12 characters.", id="empty-password"),
    pytest.param("new@camden.gov.uk", ["--role", "officer", "--org", "London Borough of Camden"],
                 "new@camden.gov.uk", "Error (password): Do not use your e-mail address as your password.",
                 id="password-is-the-email"),
    pytest.param("new@camden.gov.uk", ["--role", "supplier", "--org", "London Borough of Camden"], PASSWORD,
                 "Error (role): A user with the role 'supplier' must belong to a supplier organisation, "
                 "not an authority.", id="supplier-in-an-authority"),
    pytest.param("new@bankside.example", ["--role", "admin", "--org", "Bankside Cloud Ltd"], PASSWORD,
                 "Error (role): A user with the role 'admin' must belong to a consortium organisation, "
                 "not a supplier.", id="admin-in-a-supplier"),
    pytest.param("new@example.org", ["--role", "officer", "--org", "New Supplier Ltd", "--org-kind", "supplier"],
                 PASSWORD, "Error (role): A user with the role 'officer' must belong to an authority organisation",
                 id="officer-in-a-new-supplier"),
    pytest.param("OLIVIA@Camden.gov.uk", ["--role", "officer", "--org", "London Borough of Camden"], PASSWORD,
                 "Error (email): An account with this e-mail address already exists.", id="duplicate-email"),
    pytest.param("new@camden.gov.uk", ["--role", "evaluator", "--org", "London Borough of Camden",
                                       "--org-kind", "consortium"], PASSWORD,
                 "Error (org_kind): London Borough of Camden is a authority, not a consortium.",
                 id="org-kind-conflicts-with-the-existing-organisation"),
    pytest.param("no-at-sign", ["--role", "officer", "--org", "London Borough of Camden"], PASSWORD,
                 "Error (email): Enter an e-mail address", id="bad-email"),
    pytest.param("new@example.org", ["--role", "officer", "--org", "   "], PASSWORD,
                 "Error (name): Enter the organisation's name.", id="blank-organisation-name"),
])
def test_bad_create_user_input_exits_non_zero_with_a_message_and_writes_nothing(
        runner, existing, email, options, password, message):
    before = rows()

    result = create_user(runner, email, *options, password=password)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert rows() == before
    assert count(Organisation, func.lower(Organisation.name) == "new supplier ltd") == 0


@pytest.mark.parametrize("args, complaint", [
    (["create-user", "x@example.org", "--role", "wizard", "--org", "X", "--password-stdin"], "'wizard' is not one of"),
    (["create-user", "x@example.org", "--org", "X", "--password-stdin"], "Missing option '--role'"),
    (["create-user", "x@example.org", "--role", "officer", "--password-stdin"], "Missing option '--org'"),
    (["create-user", "x@example.org", "--role", "officer", "--org", "X"], "Missing option '--password-stdin'"),
    (["create-user", "x@example.org", "--role", "officer", "--org", "X", "--org-kind", "guild", "--password-stdin"],
     "'guild' is not one of"),
])
def test_malformed_create_user_commands_are_refused_by_the_parser(runner, args, complaint):
    result = runner.invoke(args=args, input=PASSWORD + "\n")

    assert result.exit_code == 2
    assert complaint in result.stderr
    assert result.stdout == ""
    assert rows() == {"Organisation": 0, "User": 0, "AuditEvent": 0}


# --- seed-demo --------------------------------------------------------------------------------------------------

def seeded_counts() -> dict:
    def kind(k):
        return count(Organisation, Organisation.kind == k)

    return {
        "authorities": kind(OrganisationKind.AUTHORITY),
        "consortia": kind(OrganisationKind.CONSORTIUM),
        "suppliers": kind(OrganisationKind.SUPPLIER),
        "sme_suppliers": count(Organisation, Organisation.kind == OrganisationKind.SUPPLIER, Organisation.sme),
        "domains": count(OrganisationDomain),
        "users": {role.value: count(User, User.role == role) for role in Role},
        "audit_events": count(AuditEvent),
    }


def test_seed_demo_loads_london_a_consortium_suppliers_users_and_a_framework_in_each_state(app, runner):
    result = runner.invoke(args=["seed-demo"])
    db.session.remove()

    assert result.exit_code == 0, result.output
    counts = seeded_counts()
    assert counts["authorities"] == 34
    assert counts["consortia"] == 1
    assert counts["suppliers"] == 30
    assert counts["sme_suppliers"] == 24
    assert all(n >= 1 for n in counts["users"].values()), counts["users"]
    assert (f"Demo data ready: 65 organisations, {sum(counts['users'].values())} users and 8 frameworks created."
            in result.stdout)

    borough_codes = set(db.session.scalars(select(Organisation.gss_code).where(
        Organisation.kind == OrganisationKind.AUTHORITY, Organisation.gss_code.is_not(None))))
    assert {f"E0900{n:04}" for n in range(1, 34)} <= borough_codes
    camden = organisations.find_by_name("London Borough of Camden")
    assert camden.gss_code == "E09000007"
    assert [d.domain for d in camden.domains] == ["camden.gov.uk"]
    assert organisations.find_by_name(demo.CONSORTIUM).kind == OrganisationKind.CONSORTIUM
    for user in demo.demo_users():
        assert f"{user.role.value:<10} {user.email}" in result.stdout
        client = app.test_client()
        assert sign_in(client, user.email, demo.DEMO_PASSWORD).status_code == 302, user.email
    # A framework in each state, the later ones taken there through the real services: an award run recommended
    # to the board, a quorum's approval with the standstill and its letters, the award with its contracts.
    from frameworks.models import Framework
    from procurement.board.models import Recommendation
    from procurement.contracts.models import Contract, StandstillLetter

    states = {f.title: f.status.value for f in db.session.scalars(select(Framework))}
    assert set(states.values()) == {"draft", "open", "closed", "evaluation", "recommended", "standstill", "awarded",
                                    "cancelled"}
    outcomes = sorted(r.outcome for r in db.session.scalars(select(Recommendation)))
    assert outcomes == ["approved", "approved", "pending"]
    assert count(StandstillLetter) == 12  # six bidders, two frameworks past the board
    assert count(Contract) >= 4 and count(Contract, Contract.status == "issued") == count(Contract)


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    db.session.remove()
    after_first = seeded_counts()

    second = runner.invoke(args=["seed-demo"])
    db.session.remove()

    assert first.exit_code == second.exit_code == 0
    assert seeded_counts() == after_first
    assert "Demo data ready: 0 organisations, 0 users and 0 frameworks created." in second.stdout


def test_seed_demo_fills_in_only_what_is_missing(runner):
    create_user(runner, "olivia@camden.gov.uk", "--role", "officer", "--org", "London Borough of Camden")

    result = runner.invoke(args=["seed-demo"])
    db.session.remove()

    assert result.exit_code == 0
    assert seeded_counts()["authorities"] == 34
    assert "Demo data ready: 64 organisations" in result.stdout


# --- audit verify -----------------------------------------------------------------------------------------------

@pytest.fixture
def some_history(runner) -> list[int]:
    for n in range(3):
        assert create_user(runner, f"officer{n}@camden.gov.uk", "--role", "officer",
                           "--org", "London Borough of Camden").exit_code == 0
    ids = list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    assert len(ids) == 4
    return ids


def verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    db.session.remove()
    return result


def test_audit_verify_says_intact_on_an_empty_log(runner):
    result = verify(runner)

    assert result.exit_code == 0
    assert result.stdout == "Audit log intact: 0 events verified.\n"


def test_audit_verify_says_intact_on_a_fresh_log(runner, some_history):
    result = verify(runner)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Audit log intact: 4 events verified.\n"


def _raw(sql: str, **params) -> None:
    """As the database's owner: the audit tables' triggers refuse anyone else (see test_transparency_log)."""
    with audit_triggers_off() as connection:
        connection.execute(text(sql), params)
    db.session.commit()


@pytest.mark.parametrize("position", [0, 2, -1], ids=["first", "middle", "last"])
def test_audit_verify_names_an_event_changed_by_raw_sql(runner, some_history, position):
    target = some_history[position]
    json_value = "CAST(:after AS JSON)" if db.engine.dialect.name == "postgresql" else ":after"
    _raw(f'UPDATE audit_event SET "after" = {json_value} WHERE id = :id',
         after='{"email": "mallory@evil.example"}', id=target)

    result = verify(runner)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"Audit log TAMPERED: event {target}: its content does not match its hash (it was changed)." \
        in result.stderr


def test_audit_verify_names_an_event_whose_action_was_rewritten(runner, some_history):
    target = some_history[1]
    _raw("UPDATE audit_event SET action = 'user.deleted' WHERE id = :id", id=target)

    result = verify(runner)

    assert result.exit_code == 1
    assert f"event {target}:" in result.stderr


def test_audit_verify_reports_the_event_after_a_deleted_one(runner, some_history):
    removed = some_history[1]
    _raw("DELETE FROM audit_event WHERE id = :id", id=removed)

    result = verify(runner)

    assert result.exit_code == 1
    assert f"Audit log TAMPERED: event {some_history[2]}: it does not follow the event before it" in result.stderr


def test_audit_verify_reports_a_deleted_first_event(runner, some_history):
    _raw("DELETE FROM audit_event WHERE id = :id", id=some_history[0])

    result = verify(runner)

    assert result.exit_code == 1
    assert f"event {some_history[1]}: it does not follow the event before it" in result.stderr


def test_a_deleted_last_event_cannot_be_told_from_the_log_alone(runner, some_history):
    """The limit of a hash chain without an anchor: the tail can be cut. Documented here so it is known."""
    _raw("DELETE FROM audit_event WHERE id = :id", id=some_history[-1])

    result = verify(runner)

    assert result.exit_code == 0
    assert "3 events verified" in result.stdout


def test_a_deleted_last_event_is_told_once_a_checkpoint_covers_it(runner, some_history):
    transparency.make_checkpoint()
    _raw("DELETE FROM audit_event WHERE id = :id", id=some_history[-1])

    result = verify(runner)

    assert result.exit_code == 1
    assert "the log holds 3 events, fewer than the checkpoint's 4" in result.stderr
