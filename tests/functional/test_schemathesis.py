"""Schemathesis against the API's own OpenAPI document, for each role, in-process through the WSGI app.

Each operation gets a bounded number of generated requests, valid and invalid ones, half of them with the path ids of
a seeded world (so that they reach the views behind the 404s), half with whatever the document allows. Schemathesis
checks each answer: no server error, a documented status, a documented content type, a body matching its schema.
Generation is derandomized, so a run is the same every time and a failure reproduces.

The world is this test's own (the `app` fixture empties every table afterwards), so the destructive operations it
tries (transitions, deletions, a token's revocation) touch nothing another test relies on. Within a run, reads go
first and the revocation of one's own token last, so that every operation is tried while the data is as seeded.
"""
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from frameworks import services as framework_services
from tests.functional.bids_support import past_deadline, submitted
from tests.functional.frameworks_support import PEOPLE, World
from tests.stripe_support import SECRET_KEY, WEBHOOK_SECRET

ROLES = {"anonymous": None, "supplier": "supplier", "officer": "officer", "admin": "admin", "board": "board",
         "evaluator": "evaluator"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation and role: enough to reach past validation into the views of the operations the role may
# call; a few for the others, which the token check refuses before the view; all six roles together well under a
# minute on one database.
EXAMPLES, REFUSED_EXAMPLES = 8, 2
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FUZZING = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
                   phases=[Phase.explicit, Phase.generate, Phase.shrink],
                   suppress_health_check=list(HealthCheck))


def _seeded(world: World) -> list[dict[str, int]]:
    """Path ids that name real things, in consistent sets (a bid with its own document): a framework open for bids
    with a question and a sealed bid with a document; and one past its deadline, closed, with a submitted bid and
    the evaluator on its lot's panel, so that scoring and ranking reach their views. Path parameters not named here
    stay generated."""
    framework, lot = world.published()
    question = world.post("supplier", f"/api/v1/frameworks/{framework['id']}/questions",
                          {"text": "Is a three-year warranty enough?"})
    assert question.status_code == 201, question.get_json()
    bid = submitted(world, framework, lot)
    document = world.post("supplier", f"/api/v1/bids/{bid['id']}/documents",
                          data={"file": (io.BytesIO(PDF), "method.pdf")}, content_type="multipart/form-data")
    assert document.status_code == 201, document.get_json()
    closed, closed_lot = world.published()
    opened = submitted(world, closed, closed_lot, who="other_supplier")
    panel = world.post("admin", f"/api/v1/lots/{closed_lot['id']}/panel", {"user_ids": [world.user("evaluator").id]})
    assert panel.status_code == 200, panel.get_json()
    assert world.post("evaluator", f"/api/v1/lots/{closed_lot['id']}/conflict-declaration",
                      {"conflict": False}).status_code == 201
    past_deadline(closed["id"])
    framework_services.close_due()
    shared = {"question_id": question.get_json()["id"], "organisation_id": world.organisation_id("officer"),
              "requirement_id": world.requirement()["id"]}
    return [shared | {"framework_id": framework["id"], "lot_id": lot["id"], "bid_id": bid["id"],
                      "document_id": document.get_json()["id"]},
            shared | {"framework_id": closed["id"], "lot_id": closed_lot["id"], "bid_id": opened["id"]}]


def _order(operation) -> tuple[int, str]:
    """Reads first, then writes, and the revocation of the caller's own token last."""
    method = operation.method.upper()
    if operation.path == "/api/v1/tokens/current":
        return 3, operation.path
    return (0 if method == "GET" else 2 if method == "DELETE" else 1), operation.path


def _examples(app, operation, role: str) -> int:
    """Fewer examples where the role is refused before the view: without a token, or with the wrong role."""
    view = app.view_functions[operation.definition.raw["operationId"]]
    if not view.openapi.auth:
        return EXAMPLES
    roles = {role.value for role in getattr(view, "openapi_roles", ())}
    refused = ROLES[role] is None or (roles and world_role(role) not in roles)
    return REFUSED_EXAMPLES if refused else EXAMPLES


def world_role(who: str) -> str:
    return PEOPLE[ROLES[who]][1]


def _fuzz(operation, client, headers: dict, seeded: list[dict[str, int]], examples: int) -> str | None:
    """Try one operation; the first failure's report, or None."""
    names = [p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "path"]
    # In order, without repeats (a set's order changes with the process's hash seed, and with it the examples).
    known = [dict(found) for found in dict.fromkeys(tuple((name, ids[name]) for name in names if name in ids)
                                                    for ids in seeded) if found]
    strategy = st.one_of(*(operation.as_strategy(mode, path_parameters=paths)
                           for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                           for paths in [*known, None]))

    @settings(FUZZING, max_examples=examples)
    @given(case=strategy)
    def attempt(case):
        response = case.call(session=client, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        attempt()
    except (Exception, BaseExceptionGroup) as failure:  # every failure is reported, every operation tried
        return f"{operation.method.upper()} {operation.path}: {failure}"
    return None


@pytest.fixture
def paying(app, localstripe):
    """Stripe set up (localstripe, on the loopback), so that payments answer as they would in production rather
    than 503 for want of a key."""
    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=localstripe,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, MEMBERSHIP_FEE_PENCE=250_000)
    return app


@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, paying, client, make_user, role):
    world = World(client, make_user)
    seeded = _seeded(world)
    for who in ("admin", "board", "evaluator", "officer", "supplier"):
        world.user(who)
    headers = {} if ROLES[role] is None else world.headers(ROLES[role])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) > 50
    failures = [report for operation in operations
                if (report := _fuzz(operation, app.test_client(), headers, seeded,
                                    _examples(app, operation, role))) is not None]
    assert not failures, f"{len(failures)} operations failed for {role}:\n\n" + "\n\n".join(failures)
