from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.mail import OutgoingMail, encode_mail, header, one_line

SENT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _mail(
    subject: str = "Weekly digest", text: str = "text", html: str = "<p>html</p>", **fields
) -> OutgoingMail:
    values = {
        "sender": "BarrierWatch <alerts@bureau.example>",
        "recipient": "sales@socks.example",
        "message_id": "<digest.1.abc@bureau.example>",
        "sent_at": SENT,
        **fields,
    }
    return encode_mail(subject=subject, text=text, html=html, **values)


def _parsed(mail: OutgoingMail) -> EmailMessage:
    message = message_from_bytes(mail.data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return part.get_content()


def _expected_subject(subject: str) -> str:
    """Folding at spaces joins runs of spaces; encoded words keep the text exactly."""
    folded = one_line(subject)
    words = folded.split()
    at_spaces = folded.isascii() and "=?" not in folded and max(map(len, words), default=0) <= 69
    return " ".join(words) if at_spaces else folded


def _head_lines(mail: OutgoingMail) -> list[bytes]:
    return mail.data.split(b"\n\n")[0].split(b"\n")


def test_mail_is_multipart_alternative_text_then_html_without_defects():
    message = _parsed(_mail(text="袜子 azo dyes\n", html="<p>多层木地板</p>"))

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert not message.defects and not any(p.defects for p in message.walk())
    assert _body(message, "plain") == "袜子 azo dyes\n"
    assert _body(message, "html") == "<p>多层木地板</p>"
    assert message["From"] == "BarrierWatch <alerts@bureau.example>"
    assert message["Message-ID"] == "<digest.1.abc@bureau.example>"
    assert message["Date"].datetime == SENT


def test_envelope_sender_is_the_address_of_the_from_header():
    mail = _mail(sender="检验检疫局 <alerts@bureau.example>")

    assert mail.sender == "alerts@bureau.example"
    assert str(_parsed(mail)["From"]) == "检验检疫局 <alerts@bureau.example>"
    assert mail.data.isascii()


def test_chinese_subject_is_encoded_and_reads_back_whole():
    subject = "BarrierWatch 2026-W48：3 条贸易壁垒预警（1 条紧急），辽源袜业有限公司" * 2
    mail = _mail(subject)

    assert mail.data.isascii()
    assert _parsed(mail)["Subject"] == subject
    subject_lines = mail.data.split(b"\n\n")[0].decode().split("\n")
    assert all(len(line) <= 78 for line in subject_lines)


def test_long_ascii_subject_is_folded_at_spaces():
    subject = "BarrierWatch 2026-W48: 12 trade-barrier alerts (3 critical) for Fusong Flooring Co. " * 3
    mail = _mail(subject)

    head = mail.data.split(b"\n\n")[0].decode()
    assert all(len(line) <= 78 for line in head.split("\n") if not line.startswith("Content-Type"))
    assert _parsed(mail)["Subject"] == " ".join(subject.split())


@pytest.mark.parametrize(
    "subject",
    [
        "A" * 1200,  # one word: no space to fold at
        "https://notices.example/" + "x" * 1176,
        ("word " * 240).strip(),
        "Regulation " + "9" * 1000 + " on dyes",
    ],
)
def test_a_1200_character_ascii_subject_is_folded_within_the_line_limits(subject):
    mail = _mail(subject)

    assert all(len(line) <= 78 for line in _head_lines(mail) if not line.startswith(b"Content-Type"))
    assert all(len(line) <= 998 for line in mail.data.split(b"\n"))
    assert _parsed(mail)["Subject"] == _expected_subject(subject)
    assert not _parsed(mail).defects


def test_a_structured_header_over_998_characters_is_folded_at_its_spaces():
    links = ", ".join(f"<https://bw.example/u/{n:04d}{'t' * 80}>" for n in range(12))
    mail = _mail(headers=[("List-Unsubscribe", links)])

    assert all(len(line) <= 998 for line in mail.data.split(b"\n"))
    assert " ".join(str(_parsed(mail)["List-Unsubscribe"]).split()) == links


@given(st.text(alphabet=st.sampled_from(list("ab x")), min_size=900, max_size=1500))
def test_any_long_ascii_subject_keeps_every_line_within_998(subject):
    mail = _mail(subject)

    assert all(len(line) <= 998 for line in mail.data.split(b"\n"))
    assert str(_parsed(mail)["Subject"]) == _expected_subject(subject)


@pytest.mark.parametrize("subject", ["Digest\r\nBcc: victim@x.example", "a\nb\rc\x00d", "x\u2028To: y@z"])
def test_line_breaks_in_a_subject_cannot_add_a_header(subject):
    message = _parsed(_mail(subject))

    assert "Bcc" not in message and message.get_all("To") == ["sales@socks.example"]
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]


def test_text_that_looks_like_an_encoded_word_is_shown_as_written():
    subject = "Notice =?utf-8?b?5LiA?= title"

    assert _parsed(_mail(subject))["Subject"] == subject


def test_bodies_that_look_like_boundaries_or_smtp_end_stay_content():
    text = ".\n--=_bw_\n\n.\r\nline"
    mail = _mail(text=text)

    assert b"\n.\n" not in mail.data
    assert _body(_parsed(mail), "plain") == text


def test_the_same_mail_encodes_to_the_same_bytes():
    assert _mail("x").data == _mail("x").data


def test_extra_headers_are_written_as_given_never_encoded():
    link = "<https://bw.example/u/1.u.tpb4mt.OPxzgJFm90beVUWbm3szuA?from=?digest>"
    mail = _mail(headers=[("List-Unsubscribe", link + "\r\nBcc: x@y.example")])

    assert f"List-Unsubscribe: {link} Bcc: x@y.example".encode() in mail.data
    assert "Bcc" not in _parsed(mail)


def test_internationalised_address_asks_for_smtputf8():
    assert _mail(recipient="用户@例子.中国").needs_smtputf8
    assert not _mail().needs_smtputf8


@given(subject=st.text(max_size=300), text=st.text(max_size=500))
def test_any_subject_and_body_read_back_as_written(subject, text):
    mail = _mail(subject, text=text)
    message = _parsed(mail)

    assert str(message["Subject"] or "") == _expected_subject(subject)
    part = message.get_body(("plain",))
    assert part is not None and part.get_content() == text
    assert all(len(line) <= 998 for line in mail.data.split(b"\n"))


@given(st.text(alphabet=st.sampled_from(list("ab =?\u00e9\u8896\r\n\t")), max_size=200))
def test_header_is_one_logical_line(value):
    folded = header("Subject", value)

    assert "\r" not in folded
    assert all(line.startswith(" ") for line in folded.split("\n")[1:])


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_controls_never_reach_a_subject_or_header(control):
    message = _parsed(
        _mail(
            subject=f"Notice {control}fdp.exe",
            headers=(("List-Unsubscribe", f"<https://x.example/u/{control}1>"),),
        )
    )
    assert message["Subject"] == "Notice fdp.exe"
    assert control not in message["List-Unsubscribe"]
