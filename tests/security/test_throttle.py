"""Sign-in throttling without lock-out (issue 14, item 5), and X-Forwarded-For only from trusted proxies."""
from __future__ import annotations

import time

from tests.security.support import client_from, make_app, sign_in
from workflows.accounts.signin import ADDRESS_LIMIT, MAX_DELAY, PAIR_LIMIT, USER_LIMIT


class Sleeps:
    """Records the slow-downs the sign-in asks for instead of sleeping through them."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def test_wrong_passwords_from_anywhere_do_not_lock_the_admin_out(app, world):
    """The attack of issue 14: five wrong passwords for `admin` no longer make the right one fail from elsewhere."""
    sleeps = app.config["SIGNIN_SLEEP"] = Sleeps()
    attacker = client_from(app, "203.0.113.9")
    for _ in range(PAIR_LIMIT):
        assert sign_in(attacker, "admin", "not the password!").status_code == 401
    assert sign_in(client_from(app, "198.51.100.7"), "admin").status_code == 302
    # ... and it stays so, however many times the attacker repeats it (each address counts for itself).
    for n in range(3):
        other = client_from(app, f"203.0.113.{20 + n}")
        for _ in range(PAIR_LIMIT):
            sign_in(other, "admin", "not the password!")
    assert sign_in(client_from(app, "198.51.100.7"), "admin").status_code == 302
    # What it costs the real admin: a slow-down of at most a few seconds, never a refusal.
    assert sleeps.seconds and max(sleeps.seconds) <= MAX_DELAY <= 3.0


def test_the_guessing_address_itself_is_refused_with_retry_after(app, world):
    """From the address that made the failures, that username gets 429 with Retry-After — even the right password."""
    app.config["SIGNIN_SLEEP"] = Sleeps()
    attacker = client_from(app, "203.0.113.9")
    for _ in range(PAIR_LIMIT):
        sign_in(attacker, "admin", "not the password!")
    refused = sign_in(attacker, "admin")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Quá nhiều lần" in refused.get_data(as_text=True)


def test_one_address_spraying_many_usernames_is_refused(app, world):
    """After ADDRESS_LIMIT failures from one address, any username from it is refused (429)."""
    app.config["SIGNIN_SLEEP"] = Sleeps()
    sprayer = client_from(app, "203.0.113.50")
    for n in range(ADDRESS_LIMIT):
        assert sign_in(sprayer, f"user{n}", "not the password!").status_code == 401
    assert sign_in(sprayer, "secretary1").status_code == 429
    assert sign_in(client_from(app, "198.51.100.7"), "secretary1").status_code == 302


def test_slow_down_grows_and_is_capped(app, world):
    """Failures of one username from many addresses slow each attempt by a doubling delay capped at MAX_DELAY."""
    sleeps = app.config["SIGNIN_SLEEP"] = Sleeps()
    for n in range(USER_LIMIT + 6):
        sign_in(client_from(app, f"192.0.2.{n}"), "committee", "not the password!")
    assert sleeps.seconds[0] == 0.5 and sleeps.seconds == sorted(sleeps.seconds)
    assert max(sleeps.seconds) == MAX_DELAY


def test_the_real_slow_down_takes_at_most_a_few_seconds(app, world):
    """With the real sleep, the right password after many failures elsewhere answers within MAX_DELAY (+ margin)."""
    app.config["SIGNIN_SLEEP"] = Sleeps()
    for n in range(USER_LIMIT + 4):
        sign_in(client_from(app, f"192.0.2.{n}"), "officer", "not the password!")
    app.config["SIGNIN_SLEEP"] = time.sleep
    started = time.monotonic()
    assert sign_in(client_from(app, "198.51.100.7"), "officer").status_code == 302
    assert time.monotonic() - started < MAX_DELAY + 2


def test_forged_x_forwarded_for_is_ignored_without_trusted_proxies(app, world):
    """By default X-Forwarded-For is not believed: a new forged address per try does not escape the throttle."""
    app.config["SIGNIN_SLEEP"] = Sleeps()
    attacker = client_from(app, "203.0.113.9")
    for n in range(PAIR_LIMIT):
        sign_in(attacker, "admin", "not the password!", headers={"X-Forwarded-For": f"10.9.9.{n}"})
    assert sign_in(attacker, "admin", headers={"X-Forwarded-For": "10.9.9.99"}).status_code == 429


def test_x_forwarded_for_is_believed_from_a_trusted_proxy(db_url, clock, tmp_path, world):
    """Behind QUYTRINH_TRUSTED_PROXIES the client is the right-most untrusted hop: each client is throttled alone."""
    proxied = make_app(db_url, clock, tmp_path, TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    proxied.config["SIGNIN_SLEEP"] = Sleeps()
    proxy = client_from(proxied, "127.0.0.1")
    for _ in range(PAIR_LIMIT):
        sign_in(proxy, "admin", "not the password!", headers={"X-Forwarded-For": "6.6.6.6, 10.1.2.3"})
    # The guessing client (6.6.6.6, forwarded through 10.1.2.3) is refused; another client behind the proxy is not.
    assert sign_in(proxy, "admin", headers={"X-Forwarded-For": "6.6.6.6"}).status_code == 429
    # A forged left part does not help: the right-most untrusted address is still the guesser's.
    assert sign_in(proxy, "admin", headers={"X-Forwarded-For": "1.2.3.4, 6.6.6.6"}).status_code == 429
    assert sign_in(proxy, "admin", headers={"X-Forwarded-For": "7.7.7.7"}).status_code == 302
    proxied.extensions["quytrinh.engine"].dispose()


def test_client_address_rules():
    """client_address: untrusted peers keep their own address; garbage in the header is not believed."""
    from web.common.proxies import client_address, parse_trusted

    trusted = parse_trusted("10.0.0.1")
    assert client_address("192.0.2.1", "6.6.6.6", trusted) == "192.0.2.1"
    assert client_address("10.0.0.1", "6.6.6.6", trusted) == "6.6.6.6"
    assert client_address("10.0.0.1", "6.6.6.6, 10.0.0.1", trusted) == "6.6.6.6"
    assert client_address("10.0.0.1", "not-an-ip", trusted) == "10.0.0.1"
    assert client_address("10.0.0.1", "6.6.6.6", ()) == "10.0.0.1"
