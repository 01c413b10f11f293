"""Sending e-mail: through SMTP when MAIL_SERVER is set, to the log otherwise."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("consort.mail")


class MailNotSent(Exception):
    pass


def send(to: str, subject: str, body: str) -> EmailMessage:
    """Send one plain-text message; raise MailNotSent if the server refuses it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config.get("MAIL_SERVER"):
        log.info("E-mail (MAIL_SERVER not set, so logged only)\n%s", message)
        return message
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.exception("Could not send e-mail to %s", to)
        raise MailNotSent(str(error)) from error
    return message
