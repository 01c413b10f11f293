"""Helpers of the invitation tests: an SMTP server on loopback, and the steps of inviting and accepting."""
import email
import email.policy
import html
import re
import socket

from sqlalchemy import func, select

from app.extensions import db
from tests.support import PASSWORD, csrf_token

ADMIN = "ada.okafor@ldpc.example"
CONSORTIUM = "London Digital Purchasing Consortium"
INVITEE = "eve.nowak@camden.gov.uk"
LINK = re.compile(r"http://localhost(/invitations/[A-Za-z0-9_-]{20,})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page(response), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "", 1).strip() if match else None


def invite(admin, email_address=INVITEE, role="evaluator", organisation_id=None, orgs=None):
    token = csrf_token(admin, "/admin/invitations")
    return admin.post("/admin/invitations", data={
        "csrf_token": token, "email": email_address, "role": role, "organisation_id": organisation_id})


def link_in(message) -> str:
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert match, "the e-mail contains the invitation link"
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def accept(client, path, name="Eve Nowak", password=PASSWORD, confirm=None):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "name": name, "password": password,
                                   "confirm": password if confirm is None else confirm})


# --- inviting ---------------------------------------------------------------------------------------------------
