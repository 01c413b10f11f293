"""Sending e-mail: through SMTP when MAIL_SERVER is set, to the log otherwise."""
import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("consort.mail")


class MailNotSent(Exception):
    pass


def send(to: str, subject: str, body: str, attachments: tuple[tuple[str, bytes, str], ...] = ()) -> EmailMessage:
    """Send one plain-text message, with (file name, bytes, MIME type) attachments; raise MailNotSent if the
    server refuses it. Without a MAIL_SERVER the message is logged (and, under TESTING, kept in `mail_outbox`)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, data, mimetype in attachments:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if not config.get("MAIL_SERVER"):
        if attachments:
            log.info("E-mail to %s (MAIL_SERVER not set, so logged only): %s, with %s", to, subject,
                     ", ".join(name for name, _, _ in attachments))
        else:
            log.info("E-mail (MAIL_SERVER not set, so logged only)\n%s", message)
        if config.get("TESTING"):
            current_app.extensions.setdefault("mail_outbox", []).append(message)
        return message
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                # The server's certificate is verified, against the system's authorities or MAIL_CA_FILE's.
                smtp.starttls(context=ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None))
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.exception("Could not send e-mail to %s", to)
        raise MailNotSent(str(error)) from error
    return message
