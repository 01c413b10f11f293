"""The board's and the contracts' pages: the recommendation pack, declaring and voting, the minutes, the award,
the contracts with their progress, signing and countersigning, and who may see what."""
import io

from pypdf import PdfReader

from tests.functional.board.test_board_api import (  # noqa: F401 - fixtures
    BOARD,
    approved,
    end_standstill,
    recommend,
    run,
    world,
)
from tests.functional.frameworks_support import PEOPLE
from tests.functional.pages_support import page
from tests.support import csrf_token, sign_in


def browser(app, world, who):  # noqa: F811
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_admin_reads_the_pack_and_recommends_after_confirming(app, world, run):  # noqa: F811
    _, _, record = run
    admin = browser(app, world, "admin")
    path = f"/award-runs/{record['id']}/recommendation"
    shown = page(admin.get(path))
    for expected in ("Recommendation to the board", "Winners by lot", "Savings against the authorities",
                     "The ranking of each lot", "greedy baseline", "Recommend this award to the board"):
        assert expected in shown, expected
    token = csrf_token(admin, path)
    refused = admin.post(f"/award-runs/{record['id']}/recommend", data={"csrf_token": token})
    assert refused.status_code == 422 and "Tick the box to confirm." in page(refused)
    done = admin.post(f"/award-runs/{record['id']}/recommend", data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302
    shown = page(admin.get(path))
    assert "5 members; 3 approvals are needed" in shown and '<strong class="tag tag-yellow">Pending</strong>' in shown
    pack = admin.get(f"/award-runs/{record['id']}/recommendation.pdf")
    assert pack.mimetype == "application/pdf" and "Recommendation to the board" in pdf_text(pack.data)


def test_a_board_member_declares_then_votes_and_the_third_approval_starts_the_standstill(app, world, run):  # noqa: F811
    framework, _, record = run
    recommend(world, record)
    path = f"/award-runs/{record['id']}/recommendation"
    for number, who in enumerate(("board", "board2", "board3"), start=1):
        member = browser(app, world, who)
        assert "Awaiting" in page(member.get("/board")) or framework["reference"] in page(member.get("/board"))
        shown = page(member.get(path))
        assert "conflict of interest with any of the winning suppliers" in shown
        token = csrf_token(member, path)
        missing = member.post(f"/award-runs/{record['id']}/declaration", data={"csrf_token": token})
        assert missing.status_code == 422 and "Say whether you have a conflict of interest." in page(missing)
        assert member.post(f"/award-runs/{record['id']}/declaration",
                           data={"csrf_token": token, "conflict": "no"}).status_code == 302
        assert "Cast my vote" in page(member.get(path))
        no_reason = member.post(f"/award-runs/{record['id']}/vote",
                                data={"csrf_token": token, "decision": "reject"})
        assert no_reason.status_code == 422 and "Give the reasons for rejecting" in page(no_reason)
        voted = member.post(f"/award-runs/{record['id']}/vote",
                            data={"csrf_token": token, "decision": "approve", "comment": f"Approve {number}"})
        assert voted.status_code == 302
        # Only the deciding vote ends on the decision's confirmation; before it the vote is recorded on the pack.
        assert voted.headers["Location"] == (f"/award-runs/{record['id']}/decision" if number == 3 else path)
    decided = page(member.get(f"/award-runs/{record['id']}/decision"))
    assert '<h1 class="panel-title">Award approved</h1>' in decided
    assert f'<strong class="panel-reference">{framework["reference"]} {framework["title"]}</strong>' in decided
    assert "What happens next" in decided and "The standstill ends" in decided
    shown = page(member.get(path))
    assert ">Approved</strong>" in shown and "Standstill ends" in shown and "Minutes (PDF)" in shown
    minutes = member.get(f"/award-runs/{record['id']}/minutes.pdf")
    assert minutes.mimetype == "application/pdf" and "Approve 3" in pdf_text(minutes.data)
    detail = page(member.get(f"/frameworks/{framework['id']}"))
    assert "Standstill ends" in detail


def test_the_decision_page_waits_for_the_decision_and_says_so_when_the_board_rejects(app, world, run):  # noqa: F811
    from tests.functional.board.test_board_api import declare, vote

    _, lot, record = run
    recommend(world, record)
    member = browser(app, world, "board")
    decision = f"/award-runs/{record['id']}/decision"
    assert member.get(decision).headers["Location"] == f"/award-runs/{record['id']}/recommendation"
    for who in ("board", "board2", "board3"):
        declare(world, who, lot)
        assert vote(world, who, record, "reject", "The SME share is too low.").status_code == 201
    shown = page(member.get(decision))
    assert '<h1 class="panel-title">Recommendation rejected</h1>' in shown and "goes back to evaluation" in shown
    assert browser(app, world, "supplier").get(decision).status_code == 403


def test_a_conflicted_member_is_told_they_cannot_vote(app, world, run):  # noqa: F811
    _, _, record = run
    recommend(world, record)
    member = browser(app, world, "board")
    path = f"/award-runs/{record['id']}/recommendation"
    token = csrf_token(member, path)
    no_details = member.post(f"/award-runs/{record['id']}/declaration", data={"csrf_token": token, "conflict": "yes"})
    assert no_details.status_code == 422 and "Say what the conflict is" in page(no_details)
    member.post(f"/award-runs/{record['id']}/declaration",
                data={"csrf_token": token, "conflict": "yes", "details": "My brother runs Acme Ltd."})
    assert "you cannot vote on this award" in page(member.get(path))
    refused = member.post(f"/award-runs/{record['id']}/vote", data={"csrf_token": token, "decision": "approve"})
    assert refused.status_code == 302
    assert "you cannot vote" in page(member.get(refused.headers["Location"]))


def test_the_pages_of_the_board_are_for_admins_and_the_board(app, world, run):  # noqa: F811
    _, _, record = run
    for who in ("supplier", "evaluator", "officer"):
        client = browser(app, world, who)
        assert client.get(f"/award-runs/{record['id']}/recommendation").status_code == 403
        assert client.get(f"/award-runs/{record['id']}/recommendation.pdf").status_code == 403


def test_the_supplier_reads_its_letter_then_after_the_award_signs_and_the_admin_countersigns(app, world, run):  # noqa: F811
    framework, _, record = approved(world, run)
    winner = "supplier" if record["awards"][0]["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    supplier = browser(app, world, winner)
    letter = supplier.get(f"/frameworks/{framework['id']}/standstill-letter")
    assert letter.mimetype == "application/pdf" and "Your bid is to be awarded this lot." in pdf_text(letter.data)
    admin = browser(app, world, "admin")
    award_path = f"/frameworks/{framework['id']}/award-framework"
    token = csrf_token(admin, award_path)
    early = admin.post(award_path, data={"csrf_token": token, "confirm": "y"})
    assert early.status_code == 200 and "cannot be awarded before the standstill period ends" in page(early)
    end_standstill(framework["id"])
    assert admin.post(award_path, data={"csrf_token": token, "confirm": "y"}).status_code == 302
    listing = page(admin.get(f"/frameworks/{framework['id']}/contracts"))
    assert "/FA/001" in listing and "/CO/01/" in listing and "Preparing the documents" not in listing
    mine = page(supplier.get(f"/frameworks/{framework['id']}/contracts"))
    assert "/FA/001" in mine
    contract_id = int(mine.split('href="/contracts/')[1].split('"')[0])
    path = f"/contracts/{contract_id}"
    assert "Sign the contract" in page(supplier.get(path))
    token = csrf_token(supplier, path)
    unsigned = supplier.post(f"{path}/sign", data={"csrf_token": token, "name": "Sam Smith", "position": "CEO"})
    assert unsigned.status_code == 422 and "authorised" in page(unsigned)
    assert supplier.post(f"{path}/sign", data={"csrf_token": token, "name": "Sam Smith", "position": "CEO",
                                               "confirm": "y"}).status_code == 302
    shown = page(admin.get(path))
    assert "Countersign the contract" in shown and "Version 2 (PDF)" in shown
    token = csrf_token(admin, path)
    assert admin.post(f"{path}/countersign", data={"csrf_token": token, "confirm": "y"}).status_code == 302
    shown = page(admin.get(path))
    assert "countersigned" in shown and "Version 3 (PDF)" in shown
    signed = admin.get(f"{path}/pdf")
    assert "Sam Smith" in pdf_text(signed.data) and "For the consortium" in pdf_text(signed.data)
    loser = browser(app, world, "other_supplier" if winner == "supplier" else "supplier")
    assert loser.get(path).status_code == 404 and loser.get(f"{path}/pdf").status_code == 404


def test_a_large_batch_of_contracts_is_rendered_off_the_request_path_with_progress(app, world, run, monkeypatch):  # noqa: F811
    from procurement.contracts import services as contracts
    from procurement.contracts import tasks

    framework, _, _ = approved(world, run)
    end_standstill(framework["id"])
    app.config["PDF_INLINE_LIMIT"] = 0
    queued = []
    monkeypatch.setattr(tasks, "render_contracts", queued.append)
    admin = browser(app, world, "admin")
    award_path = f"/frameworks/{framework['id']}/award-framework"
    admin.post(award_path, data={"csrf_token": csrf_token(admin, award_path), "confirm": "y"})
    assert queued == [framework["id"]]
    shown = page(admin.get(f"/frameworks/{framework['id']}/contracts"))
    assert "Preparing the documents: 0 of 3 ready" in shown and 'http-equiv="refresh"' in shown
    items = world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()
    assert items["rendered"] == 0 and all(i["sha256"] is None for i in items["items"])
    assert contracts.render_pending(framework["id"]) == 3  # what the task consumer does
    shown = page(admin.get(f"/frameworks/{framework['id']}/contracts"))
    assert "Preparing the documents" not in shown
