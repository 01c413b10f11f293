"""Clarification questions: suppliers ask until the question deadline; admins answer once, to everyone."""
import logging
from datetime import datetime

from app import outbox
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.links import public_url
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Question

log = logging.getLogger(__name__)
MAX_QUESTION_LENGTH = 4000


def _text(value: str, field: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"Write your {what}.", {field: f"Write your {what}."})
    if len(value) > MAX_QUESTION_LENGTH:
        message = f"Keep the {what} to {MAX_QUESTION_LENGTH} characters or fewer."
        raise ValidationFailed(message, {field: message})
    return value


def ask(actor: User, framework_id: int, text: str, now: datetime | None = None) -> Question:
    """A supplier asks a question while the framework is open and before the question deadline. Commits."""
    now = now or utcnow()
    framework = frameworks.get_visible(actor, framework_id)
    if framework.current_status(now) != FrameworkStatus.OPEN:
        raise Conflict("Questions can only be asked while the framework is open for bids.")
    if now >= framework.question_deadline:
        raise Conflict("The deadline for clarification questions has passed.")
    question = Question(framework=framework, asked_by_id=actor.id, asker_organisation_id=actor.organisation_id,
                        text=_text(text, "text", "question"), asked_at=now)
    db.session.add(question)
    audit.record("question.asked", question, actor=actor, after={"framework_id": framework.id})
    db.session.commit()
    return question


def answer(actor: User, question_id: int, text: str, now: datetime | None = None) -> Question:
    """An admin answers a question once; the answer is published to every bidder. Commits, then e-mails."""
    now = now or utcnow()
    question = db.session.scalar(db.select(Question).where(Question.id == question_id).with_for_update())
    if question is None:
        raise NotFound("There is no question with that id.")
    if question.answered_at is not None:
        raise Conflict("This question has already been answered and published; answers are not changed.")
    if question.framework.status in (FrameworkStatus.CANCELLED, FrameworkStatus.EXPIRED):
        raise Conflict(f"The framework is {question.framework.status.value}.")
    question.answer = _text(text, "answer", "answer")
    question.answered_at, question.answered_by_id = now, actor.id
    audit.record("question.answered", question, actor=actor, after={"answer": question.answer})
    _tell_bidders(question)
    db.session.commit()
    return question


def _bidder_emails(framework: Framework) -> list[str]:
    """Every supplier user of an organisation that has taken part in this framework."""
    organisations = db.select(Question.asker_organisation_id).where(Question.framework_id == framework.id)
    return list(db.session.scalars(db.select(User.email).where(
        User.role == Role.SUPPLIER, User.active.is_(True), User.organisation_id.in_(organisations)).distinct()))


def _tell_bidders(question: Question) -> None:
    framework = question.framework
    link = public_url("frameworks.notice", framework_id=framework.id)
    body = (f"A clarification question on {framework.reference} {framework.title} has been answered.\n\n"
            f"Question: {question.text}\n\nAnswer: {question.answer}\n\nAll questions and answers: {link}\n")
    for email in _bidder_emails(framework):
        outbox.send_later(email, f"Clarification answered: {framework.reference}", body)


def get(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound("There is no question with that id.")
    return question


def published_query(framework_id: int):
    return db.select(Question).where(Question.framework_id == framework_id, Question.answered_at.is_not(None)
                                     ).order_by(Question.answered_at, Question.id)


def published(framework_id: int) -> list[Question]:
    return list(db.session.scalars(published_query(framework_id)))


def unanswered(framework_id: int) -> list[Question]:
    return list(db.session.scalars(db.select(Question).where(
        Question.framework_id == framework_id, Question.answered_at.is_(None)).order_by(Question.asked_at)))


def own(actor: User, framework_id: int) -> list[Question]:
    return list(db.session.scalars(db.select(Question).where(
        Question.framework_id == framework_id, Question.asker_organisation_id == actor.organisation_id)
        .order_by(Question.asked_at)))
