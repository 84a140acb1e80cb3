"""Outgoing e-mail: SMTP from configuration; without an SMTP host the message goes to the log."""
import logging
from collections import deque
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("lms.mail")


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body, charset="utf-8")
    if not config["LMS_SMTP_HOST"]:
        log.info("E-mail not sent (no SMTP host configured):\n%s", message.as_string(policy=message.policy.clone(utf8=True)))
        current_app.extensions.setdefault("lms_outbox", deque(maxlen=100)).append(message)
        return
    with smtplib.SMTP(config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=20) as smtp:
        if config["LMS_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["LMS_SMTP_USERNAME"]:
            smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"])
        smtp.send_message(message)
