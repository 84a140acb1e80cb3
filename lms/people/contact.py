"""Phone numbers and e-mail addresses in one canonical form, however they were typed."""
import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalise_phone(raw: str | None) -> str | None:
    """E.164 form ("+84912345678") of a valid number, Vietnamese by default; None if invalid."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "VN")
    if number.country_code == 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(raw: str | None) -> str | None:
    """Lower-cased address if it is well formed; None otherwise. No network look-up."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None
