"""Outgoing e-mail against real SMTP servers on this machine: a batch shares one connection, a refused
address does not stop the others, a server that closes a busy connection gets another, and one that cannot
be reached stops the batch at once."""
from datetime import date

from lms.mail import mail_each, send_mail

REFUSED = "khong-ton-tai@example.org"


class Admin:
    def __init__(self, full_name: str, email: str, locale: str | None = None):
        self.full_name, self.email, self.locale = full_name, email, locale


def people(*addresses: str) -> list[Admin]:
    return [Admin(f"Quản trị {number}", address) for number, address in enumerate(addresses, 1)]


def remind_all(tree, recipients: list):
    """The yearly-report reminder of Lào Cai, to each of `recipients`."""
    return mail_each(recipients, "Nhắc gửi báo cáo năm %(year)d của %(unit)s, hạn %(date)s",
                     {"year": 2026, "unit": tree.province_a.name, "date": "15/12/2026"},
                     "reports/email_send_reminder.txt", unit=tree.province_a, year=2026, due=date(2026, 12, 15),
                     by=None, link="https://lms.example.org/reports/?unit=2", remind_days=3)


def test_a_batch_shares_one_connection_each_in_their_language(app, tree, smtp_server):
    recorder = smtp_server()
    recipients = [*people(*(f"admin{n}@example.org" for n in range(1, 7))),
                  Admin("Jane Doe", "jane@example.org", locale="en")]
    with app.test_request_context():
        mailing = remind_all(tree, recipients)
    assert (mailing.sent, mailing.unreached) == (7, [])
    assert recorder.recipients == [person.email for person in recipients] and recorder.connections == 1
    vietnamese, english = recorder.received[0][1], recorder.received[-1][1]
    assert vietnamese["Subject"] == "Nhắc gửi báo cáo năm 2026 của Tỉnh đoàn Lào Cai, hạn 15/12/2026"
    assert "Chào Quản trị 1," in vietnamese.get_content()
    assert english["Subject"] == "Reminder: the 2026 yearly report of Tỉnh đoàn Lào Cai, due 15/12/2026"


def test_a_refused_address_does_not_stop_the_others(app, tree, smtp_server):
    recorder = smtp_server(refusing=(REFUSED,))
    recipients = people("a@example.org", REFUSED, "b@example.org")
    with app.test_request_context():
        mailing = remind_all(tree, recipients)
    assert (mailing.sent, mailing.unreached) == (2, []) and [person.email for person in mailing.refused] == [REFUSED]
    assert recorder.recipients == ["a@example.org", "b@example.org"] and recorder.connections == 1


def test_a_server_that_closes_a_busy_connection_gets_another(app, tree, smtp_server):
    recorder = smtp_server(per_connection=2)
    recipients = people(*(f"admin{n}@example.org" for n in range(1, 6)))
    with app.test_request_context():
        mailing = remind_all(tree, recipients)
    assert (mailing.sent, mailing.unreached) == (5, [])
    assert recorder.recipients == [person.email for person in recipients] and recorder.connections == 3


def test_a_server_that_cannot_be_reached_stops_the_batch_at_once(app, tree, mail_server_turning_away):
    recipients = people(*(f"admin{n}@example.org" for n in range(1, 51)))
    with app.test_request_context():
        mailing = remind_all(tree, recipients)
    assert (mailing.sent, mailing.unreached, mailing.server_down) == (0, recipients, True)
    assert len(mail_server_turning_away) == 1  # tried once, not once per person


def test_a_single_email_goes_through_the_same_server(app, smtp_server):
    recorder = smtp_server()
    with app.app_context():
        send_mail("hocvien@example.org", "Đặt lại mật khẩu", "Mở đường dẫn sau để đặt mật khẩu mới.")
    assert recorder.recipients == ["hocvien@example.org"]
    assert recorder.received[0][1]["Subject"] == "Đặt lại mật khẩu"
