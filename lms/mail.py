"""Outgoing e-mail: SMTP from configuration; without an SMTP host the message goes to the log."""
import logging
import smtplib
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext

from lms.i18n import recipient_locale

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


@dataclass(frozen=True)
class Mailing:
    """What mail_each() did: how many e-mails the mail server took, and the people it could not be reached
    for (in the order given)."""
    sent: int
    unreached: list


def mail_each(people, subject: str, subject_args: dict, template: str, **context) -> Mailing:
    """E-mail each person (anything with an `email` and a `locale`, such as a User) the message `template`
    renders for them as `person`, subject and body in their own language (`subject` a message id marked with
    N_). The template is rendered straight from the environment, without the context of a page, so that it
    renders the same from the command line. A mail server that cannot be reached is logged, not raised: call
    this after the commit of what the e-mail tells of, and withdraw what the people not reached were not told."""
    sent, unreached = 0, []
    for person in people:
        with force_locale(recipient_locale(person.locale)):
            title = gettext(subject, **subject_args)
            body = current_app.jinja_env.get_template(template).render(person=person, **context)
        try:
            send_mail(person.email, title, body)
            sent += 1
        except OSError:
            log.exception("Could not e-mail %s: %s", person.email, title)
            unreached.append(person)
    return Mailing(sent, unreached)
