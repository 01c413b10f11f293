"""Fixtures of the invitation tests: an SMTP server on loopback, the organisations, a signed-in admin."""

import pytest
from aiosmtpd.controller import Controller

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from tests.functional.invitations.support import ADMIN, CONSORTIUM, Inbox, free_port
from tests.support import sign_in


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1 that the app is configured to send through."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def orgs(app, make_user) -> dict[str, int]:
    """The consortium (with its admin, signed in by `admin`), an authority and a supplier."""
    make_user(ADMIN, "admin", CONSORTIUM, kind="consortium")
    camden = organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code="E09000007")
    bankside = organisations.add("Bankside Cloud Ltd", OrganisationKind.SUPPLIER, sme=True)
    db.session.commit()
    return {"consortium": organisations.find_by_name(CONSORTIUM).id, "authority": camden.id, "supplier": bankside.id}


@pytest.fixture
def admin(app, orgs):
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 302
    return client
