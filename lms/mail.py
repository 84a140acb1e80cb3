"""Outgoing e-mail: SMTP from configuration; without an SMTP host the message goes to the log."""
import logging
import smtplib
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext

from lms.i18n import recipient_locale

log = logging.getLogger("lms.mail")


SMTP_TIMEOUT = 20  # seconds a mail server may take to answer before it counts as unreachable
# The server answered, refusing this one message (its address, say): the next ones may still go.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


def send_mail(to: str, subject: str, body: str) -> None:
    with _connection() as smtp:
        _send(smtp, _message(to, subject, body))


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["LMS_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body, charset="utf-8")
    return message


@contextmanager
def _connection():
    """A connection to the configured mail server, or None when no SMTP host is configured."""
    config = current_app.config
    if not config["LMS_SMTP_HOST"]:
        yield None
        return
    with smtplib.SMTP(config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["LMS_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["LMS_SMTP_USERNAME"]:
            smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"])
        yield smtp


def _send(smtp: smtplib.SMTP | None, message: EmailMessage) -> None:
    """Send `message` on `smtp`; without a mail server, write it to the log and keep it in the outbox."""
    if smtp is None:
        log.info("E-mail not sent (no SMTP host configured):\n%s",
                 message.as_string(policy=message.policy.clone(utf8=True)))
        current_app.extensions.setdefault("lms_outbox", deque(maxlen=100)).append(message)
        return
    smtp.send_message(message)


@dataclass(frozen=True)
class Mailing:
    """What mail_each() did: how many e-mails the mail server took, the people it could not be reached for,
    those whose e-mail it refused (their address, say), each in the order given, and whether it could not be
    reached at all (server_down: mail_batches() then spares the next batches the wait)."""
    sent: int
    unreached: list
    refused: list
    server_down: bool = False


def mail_each(people, subject: str, subject_args: dict, template: str, **context) -> Mailing:
    """E-mail each person (anything with an `email` and a `locale`, such as a User) the message `template`
    renders for them as `person`, subject and body in their own language (`subject` a message id marked with
    N_). The template is rendered straight from the environment, without the context of a page, so that it
    renders the same from the command line. The messages share one connection (another is opened if the
    server closes one that carried some); a server that cannot be reached stops the batch at once rather than
    being tried again for each person, and an address it refuses does not stop the others. Failures are
    logged, not raised: call this after the commit of what the e-mail tells of, and withdraw what the people
    not reached were not told (those refused would be refused again: they are the caller's to name)."""
    def message_for(person) -> EmailMessage:
        with force_locale(recipient_locale(person.locale)):
            body = current_app.jinja_env.get_template(template).render(person=person, **context)
            return _message(person.email, gettext(subject, **subject_args), body)

    people = list(people)
    waiting, refused, server_down = deque(people), [], False
    while waiting and not server_down:
        before = len(waiting)
        try:
            with _connection() as smtp:
                _send_each(smtp, waiting, refused, message_for)
        except OSError:
            server_down = len(waiting) == before  # not one message went through: the server cannot be reached
            if server_down:
                log.exception("Could not reach the mail server: %d e-mails not sent", len(waiting))
    return Mailing(len(people) - len(refused) - len(waiting), list(waiting), refused, server_down)


@dataclass(frozen=True)
class Batch:
    """The e-mails of one mail_each() call: to `people`, `template` rendered with `context`."""
    people: list
    subject: str
    subject_args: dict
    template: str
    context: dict


def mail_batches(batches: list[Batch]) -> list[Mailing]:
    """mail_each() for each batch in turn, its Mailing in the same place; once the mail server is found down,
    the batches after are not tried (their people unreached), sparing them the wait."""
    mailings = []
    for batch in batches:
        if mailings and mailings[-1].server_down:
            mailings.append(Mailing(0, list(batch.people), [], True))
        else:
            mailings.append(mail_each(batch.people, batch.subject, batch.subject_args, batch.template,
                                      **batch.context))
    return mailings


def _send_each(smtp: smtplib.SMTP | None, waiting: deque, refused: list, message_for) -> None:
    """Send the waiting people their messages on one connection, taking each off `waiting` once the server
    has answered for them; those whose message it refused go to `refused`."""
    while waiting:
        person = waiting[0]
        try:
            _send(smtp, message_for(person))
        except _MESSAGE_REFUSED as refusal:
            log.warning("The mail server refused the e-mail to %s: %s", person.email, refusal)
            refused.append(person)
        waiting.popleft()
