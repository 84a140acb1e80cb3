"""How a view carries out a change the domain rules may refuse: one transaction, one message."""
from collections.abc import Callable

from flask import flash

from lms.db import db


class RuleError(ValueError):
    """A change the rules refuse; the message is for the user."""


def carry_out(action: Callable[[], object], success_message: str) -> bool:
    """Run `action` and commit with a success message, or roll back and say why it was refused."""
    try:
        action()
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success_message, "success")
    return True
