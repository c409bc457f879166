import time

import pytest

from alerts.tokens import InvalidToken, make_token, read_token

KEY = "a signing key of the bureau"
SECRET = "q2VnTr0bH6Zc1aDx"


def test_a_token_names_its_contact_and_purpose():
    token = make_token(KEY, 42, SECRET, "unsubscribe")

    read = read_token(KEY, token, "unsubscribe")
    assert (read.contact_id, read.secret) == (42, SECRET)


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: "43" + t[2:],  # another contact
        lambda t: t.replace(SECRET, "A" + SECRET[1:]),  # another contact's secret
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # another signature
        lambda t: t.rsplit(".", 1)[0],  # no signature
        lambda t: "",
        lambda t: "not.a.token.at.all",
    ],
)
def test_a_changed_token_is_refused(forge):
    token = make_token(KEY, 42, SECRET, "unsubscribe")

    with pytest.raises(InvalidToken, match="not valid"):
        read_token(KEY, forge(token), "unsubscribe")


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(InvalidToken, match="not valid"):
        read_token(KEY, make_token("another key", 42, SECRET, "unsubscribe"), "unsubscribe")


def test_an_unsubscribe_token_cannot_open_preferences():
    with pytest.raises(InvalidToken, match="not valid here"):
        read_token(KEY, make_token(KEY, 42, SECRET, "unsubscribe"), "preferences")


def test_an_old_token_expires_and_one_from_the_future_is_refused(monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 200 * 24 * 3600)
    old = make_token(KEY, 42, SECRET, "preferences")
    monkeypatch.setattr(time, "time", lambda: now + 3600)
    future = make_token(KEY, 42, SECRET, "preferences")
    monkeypatch.setattr(time, "time", lambda: now)

    with pytest.raises(InvalidToken, match="expired"):
        read_token(KEY, old, "preferences")
    with pytest.raises(InvalidToken, match="not valid"):
        read_token(KEY, future, "preferences")
