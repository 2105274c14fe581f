"""python-okx 0.4.4 Funding.FundingAPI (flag='0', live) against okx-mock's funding account.

Method names and parameters as in okx/Funding.py: get_balances(ccy),
funds_transfer(ccy, amt, from_, to, type='0', subAcct, instId, toInstId, loanTrans)
(every optional field posted as ""), transfer_state(transId, type),
get_deposit_address(ccy), get_deposit_history(...), withdrawal(ccy, amt, dest,
toAddr, chain, areaCode, clientId) (no `fee`), get_withdrawal_history(...),
cancel_withdrawal(wdId). GET parameters that are "" are dropped from the query.
python-okx never raises on API errors: it returns the parsed body (HTTP status
not visible), so rejections are asserted on code/msg/data.

Each test gets its own server (`fresh_mock`). Tests that move the exchange clock
(withdrawal states) also move python-okx's signing clock with it (ExchangeTime):
python-okx signs with the local UTC time, which the mock checks against the
exchange clock (30 s), so a client talking to an exchange whose clock is ahead
has to be ahead as well.

Expected values come from scenarios/default.toml (see test_ccxt_funding.py).
"""

from __future__ import annotations


import okx.Funding as Funding
import pytest

from okx_clients import ExchangeTime, admin, advance_clock

# httpx 0.28 warns about python-okx's `data=<json text>` on every POST; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning")

LIVE, DEMO = "0", "1"
VERIFIED_USDT = "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj"
UNVERIFIED_BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
RANDOM_USDT = "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"
MSG_58207 = ("Withdrawal address isn't on the verified address list. "
             "(The format for withdrawal addresses with a label is \u201caddress:label\u201d.)")


def funding_api(mock, key, flag=LIVE):
    return Funding.FundingAPI(api_key=key.api_key, api_secret_key=key.secret, passphrase=key.passphrase,
                              flag=flag, domain=mock.base_url)


@pytest.fixture
def api(fresh_mock):
    client = funding_api(fresh_mock, fresh_mock.live)
    yield client
    client.close()


def ok(r: dict) -> list:
    assert r.get("code") == "0", r
    assert r.get("msg") == "", r
    return r["data"]


def err(r: dict, code: str, msg: str | None = None) -> None:
    assert r.get("code") == code, r
    assert r.get("data") == [], r
    if msg is not None:
        assert r.get("msg") == msg, r


def balance(api, ccy: str) -> dict:
    (row,) = ok(api.get_balances(ccy))
    assert row["ccy"] == ccy, row
    return {k: row[k] for k in ("bal", "availBal", "frozenBal")}


# ---------------------------------------------------------------- balances, transfers

def test_get_balances(api):
    rows = ok(api.get_balances())
    assert sorted(r["ccy"] for r in rows) == ["BTC", "USDT"], rows
    by = {r["ccy"]: r for r in rows}
    assert by["USDT"] == {"ccy": "USDT", "bal": "5000", "availBal": "5000", "frozenBal": "0"}, rows
    assert by["BTC"] == {"ccy": "BTC", "bal": "0.5", "availBal": "0.5", "frozenBal": "0"}, rows
    # ccy filter (comma-separated list, python-okx sends it unencoded)
    assert [r["ccy"] for r in ok(api.get_balances("BTC"))] == ["BTC"]
    assert sorted(r["ccy"] for r in ok(api.get_balances("BTC,USDT"))) == ["BTC", "USDT"]
    # A currency the funding account does not hold is not listed.
    assert ok(api.get_balances("ETH")) == []


def test_funds_transfer_and_transfer_state(api, fresh_mock):
    (t,) = ok(api.funds_transfer(ccy="USDT", amt="100", from_="6", to="18"))
    assert t["transId"], t
    assert {k: t[k] for k in ("ccy", "amt", "from", "to", "clientId")} == \
        {"ccy": "USDT", "amt": "100", "from": "6", "to": "18", "clientId": ""}, t
    assert balance(api, "USDT") == {"bal": "4900", "availBal": "4900", "frozenBal": "0"}

    (s,) = ok(api.transfer_state(t["transId"]))
    assert s["transId"] == t["transId"], s
    assert {k: s[k] for k in ("ccy", "amt", "from", "to", "type", "state")} == \
        {"ccy": "USDT", "amt": "100", "from": "6", "to": "18", "type": "0", "state": "success"}, s
    # An unknown transId: empty list.
    assert ok(api.transfer_state("1")) == []

    # Trading -> funding; 2 transfers per second and currency, so a new second first.
    advance_clock(fresh_mock, 1000)
    (back,) = ok(api.funds_transfer(ccy="USDT", amt="0.5", from_="18", to="6"))
    assert (back["from"], back["to"], back["amt"]) == ("18", "6", "0.5"), back
    assert balance(api, "USDT") == {"bal": "4900.5", "availBal": "4900.5", "frozenBal": "0"}


def test_funds_transfer_errors(api, fresh_mock):
    err(api.funds_transfer(ccy="USDT", amt="0", from_="6", to="18"), "58114",
        "Transfer amount must be greater than 0")
    err(api.funds_transfer(ccy="USDT", amt="5000.01", from_="6", to="18"), "58116",
        "Transfer exceeds the available amount.")
    advance_clock(fresh_mock, 1000)
    err(api.funds_transfer(ccy="USDT", amt="1", from_="18", to="18"), "58123",
        "The From parameter cannot be the same as the To parameter.")
    assert balance(api, "USDT") == {"bal": "5000", "availBal": "5000", "frozenBal": "0"}


def test_transfer_rate_limit_is_per_currency(api, fresh_mock):
    """asset/transfer: 2 requests per second per UID and currency (OKX's limit),
    over it HTTP 429 with the funding flavour of the limit error, 58102."""
    admin(fresh_mock, "/__admin/clock/freeze")
    ok(api.funds_transfer(ccy="USDT", amt="1", from_="6", to="18"))
    ok(api.funds_transfer(ccy="USDT", amt="1", from_="6", to="18"))
    r = api.funds_transfer(ccy="USDT", amt="1", from_="6", to="18")
    assert r == {
        "code": "58102",
        "data": [],
        "msg": "Rate limit reached. Please refer to API docs and throttle requests accordingly.",
    }, r
    # Another currency has its own budget.
    ok(api.funds_transfer(ccy="BTC", amt="0.1", from_="6", to="18"))
    assert balance(api, "USDT")["bal"] == "4998"
    # The next second of exchange time: allowed again.
    advance_clock(fresh_mock, 1000)
    ok(api.funds_transfer(ccy="USDT", amt="1", from_="6", to="18"))


# ---------------------------------------------------------------- deposits

def test_get_deposit_address(api):
    rows = ok(api.get_deposit_address("USDT"))
    by = {r["chain"]: r for r in rows}
    assert sorted(by) == ["USDT-ERC20", "USDT-TRC20"], rows
    for r in rows:
        assert r["ccy"] == "USDT" and r["to"] == "6" and r["addr"], r
    assert by["USDT-TRC20"]["ctAddr"] == "" and by["USDT-ERC20"]["ctAddr"] == "831ec7", rows
    # Stable between calls.
    assert ok(api.get_deposit_address("USDT")) == rows
    err(api.get_deposit_address("NOPE"), "51000", "Parameter ccy error")


def test_every_chain_has_a_selected_deposit_address(api):
    """OKX returns, per chain, the address selected for that chain (the docs'
    example has selected: true on BTC-Bitcoin, BTC-OKC and BTC-ERC20 alike)."""
    rows = ok(api.get_deposit_address("USDT"))
    assert {r["chain"]: r["selected"] for r in rows} == {"USDT-TRC20": True, "USDT-ERC20": True}, rows


def test_simulated_deposits_and_history(api, fresh_mock):
    eth = admin(fresh_mock, "/__admin/accounts/live/main/deposits", {"ccy": "ETH", "amt": "3", "confirmMs": 0})
    usdt = admin(fresh_mock, "/__admin/accounts/live/main/deposits",
                 {"ccy": "USDT", "amt": "7", "confirmMs": 10_000})
    rows = ok(api.get_deposit_history())
    # Newest first.
    assert [r["depId"] for r in rows] == [usdt["depId"], eth["depId"]], rows
    by = {r["ccy"]: r for r in rows}
    assert (by["ETH"]["amt"], by["ETH"]["chain"], by["ETH"]["state"]) == ("3", "ETH-ERC20", "2"), rows
    assert (by["USDT"]["amt"], by["USDT"]["chain"], by["USDT"]["state"]) == ("7", "USDT-TRC20", "0"), rows
    assert by["ETH"]["txId"] and by["USDT"]["txId"], rows
    # Credited at once: ETH 3. The USDT deposit waits for its confirmations.
    assert balance(api, "ETH") == {"bal": "3", "availBal": "3", "frozenBal": "0"}
    assert balance(api, "USDT")["bal"] == "5000"
    # Filters: ccy, state.
    assert [r["depId"] for r in ok(api.get_deposit_history(ccy="ETH"))] == [eth["depId"]]
    assert [r["depId"] for r in ok(api.get_deposit_history(depId=eth["depId"]))] == [eth["depId"]]

    advance_clock(fresh_mock, 10_000)  # within python-okx's 30 s timestamp window
    (u,) = ok(api.get_deposit_history(ccy="USDT"))
    assert u["state"] == "2", u
    assert balance(api, "USDT")["bal"] == "5007"


def test_deposit_history_filters_by_state(api, fresh_mock):
    """deposit-history's documented `state` filter (0 waiting for confirmation, 2 successful)."""
    eth = admin(fresh_mock, "/__admin/accounts/live/main/deposits", {"ccy": "ETH", "amt": "3", "confirmMs": 0})
    usdt = admin(fresh_mock, "/__admin/accounts/live/main/deposits",
                 {"ccy": "USDT", "amt": "7", "confirmMs": 10_000})
    assert [r["depId"] for r in ok(api.get_deposit_history(state="0"))] == [usdt["depId"]]
    assert [r["depId"] for r in ok(api.get_deposit_history(state="2"))] == [eth["depId"]]


def test_deposit_goes_to_the_chains_deposit_address(api, fresh_mock):
    admin(fresh_mock, "/__admin/accounts/live/main/deposits", {"ccy": "ETH", "amt": "3", "confirmMs": 0})
    (dep,) = ok(api.get_deposit_history(ccy="ETH"))
    (addr,) = ok(api.get_deposit_address("ETH"))
    assert addr["chain"] == dep["chain"] == "ETH-ERC20"
    assert dep["to"] == addr["addr"], (dep, addr)
    # Confirmations counted for the chain (ETH-ERC20 minDepArrivalConfirm 64).
    assert dep["actualDepBlkConfirm"] == "64", dep


def test_deposit_confirmations_follow_the_chain(api, fresh_mock):
    """actualDepBlkConfirm of a credited USDT-TRC20 deposit: that chain needs 20
    confirmations (minDepArrivalConfirm in default.toml), not ETH's 64."""
    admin(fresh_mock, "/__admin/accounts/live/main/deposits", {"ccy": "USDT", "amt": "7", "confirmMs": 0})
    (dep,) = ok(api.get_deposit_history(ccy="USDT"))
    assert (dep["chain"], dep["state"]) == ("USDT-TRC20", "2"), dep
    assert dep["actualDepBlkConfirm"] == "20", dep


# ---------------------------------------------------------------- withdrawals

def test_withdrawal_success_history_and_cancel(api):
    (w,) = ok(api.withdrawal(ccy="USDT", amt="10", dest="4", toAddr=VERIFIED_USDT,
                             chain="USDT-TRC20", clientId="wd1"))
    assert w["wdId"], w
    assert {k: w[k] for k in ("ccy", "amt", "chain", "clientId")} == \
        {"ccy": "USDT", "amt": "10", "chain": "USDT-TRC20", "clientId": "wd1"}, w
    # amt + fee (1.5) held.
    assert balance(api, "USDT") == {"bal": "5000", "availBal": "4988.5", "frozenBal": "11.5"}

    (h,) = ok(api.get_withdrawal_history(wdId=w["wdId"]))
    assert {k: h[k] for k in ("ccy", "chain", "amt", "fee", "feeCcy", "to", "state", "wdId", "clientId", "txId")} == \
        {"ccy": "USDT", "chain": "USDT-TRC20", "amt": "10", "fee": "1.5", "feeCcy": "USDT",
         "to": VERIFIED_USDT, "state": "0", "wdId": w["wdId"], "clientId": "wd1", "txId": ""}, h
    assert [x["wdId"] for x in ok(api.get_withdrawal_history(clientId="wd1"))] == [w["wdId"]]
    assert ok(api.get_withdrawal_history(ccy="BTC")) == []

    assert ok(api.cancel_withdrawal(w["wdId"])) == [{"wdId": w["wdId"]}]
    (h,) = ok(api.get_withdrawal_history(wdId=w["wdId"]))
    assert h["state"] == "-2", h
    assert balance(api, "USDT") == {"bal": "5000", "availBal": "5000", "frozenBal": "0"}

    err(api.cancel_withdrawal(w["wdId"]), "58220", "Withdrawal request already canceled.")
    err(api.cancel_withdrawal("123"), "58215", "Withdrawal ID does not exist.")


def test_withdrawal_states_follow_the_exchange_clock(api, fresh_mock, monkeypatch):
    clock = ExchangeTime(monkeypatch)
    # Frozen, the exchange clock moves only when told: exact state boundaries.
    admin(fresh_mock, "/__admin/clock/freeze")
    (w,) = ok(api.withdrawal(ccy="USDT", amt="10", dest="4", toAddr=VERIFIED_USDT, chain="USDT-TRC20"))
    wd = w["wdId"]

    clock.advance(fresh_mock, 59_999)
    (h,) = ok(api.get_withdrawal_history(wdId=wd))
    assert (h["state"], h["txId"]) == ("0", ""), h

    clock.advance(fresh_mock, 1)  # 60 s: broadcasting, no longer cancellable
    (h,) = ok(api.get_withdrawal_history(wdId=wd))
    assert h["state"] == "1" and h["txId"], h
    err(api.cancel_withdrawal(wd), "58216", "Operation not allowed.")
    assert balance(api, "USDT") == {"bal": "5000", "availBal": "4988.5", "frozenBal": "11.5"}

    clock.advance(fresh_mock, 60_000)  # another 60 s: success, amt + fee leave the account
    (h2,) = ok(api.get_withdrawal_history(wdId=wd))
    assert h2["state"] == "2" and h2["txId"] == h["txId"], h2
    assert balance(api, "USDT") == {"bal": "4988.5", "availBal": "4988.5", "frozenBal": "0"}
    err(api.cancel_withdrawal(wd), "58216", "Operation not allowed.")


def test_withdrawal_history_filters(api, fresh_mock):
    """state filter, and after/before (records older / newer than a ts in ms)."""
    admin(fresh_mock, "/__admin/clock/freeze")
    (w1,) = ok(api.withdrawal(ccy="USDT", amt="10", dest="4", toAddr=VERIFIED_USDT, chain="USDT-TRC20"))
    advance_clock(fresh_mock, 1000)
    (w2,) = ok(api.withdrawal(ccy="USDT", amt="20", dest="4", toAddr=VERIFIED_USDT, chain="USDT-TRC20"))
    ok(api.cancel_withdrawal(w1["wdId"]))
    rows = ok(api.get_withdrawal_history())
    assert [r["wdId"] for r in rows] == [w2["wdId"], w1["wdId"]], rows  # newest first
    ts1, ts2 = int(rows[1]["ts"]), int(rows[0]["ts"])
    assert ts2 - ts1 == 1000, rows
    assert [r["wdId"] for r in ok(api.get_withdrawal_history(state="-2"))] == [w1["wdId"]]
    assert [r["wdId"] for r in ok(api.get_withdrawal_history(state="0"))] == [w2["wdId"]]
    assert [r["wdId"] for r in ok(api.get_withdrawal_history(limit="1"))] == [w2["wdId"]]
    advance_clock(fresh_mock, 1000)  # withdrawal-history: 6 requests per second
    assert [r["wdId"] for r in ok(api.get_withdrawal_history(after=str(ts2)))] == [w1["wdId"]]
    assert [r["wdId"] for r in ok(api.get_withdrawal_history(before=str(ts1)))] == [w2["wdId"]]


def test_withdrawal_rejections(api, fresh_mock):
    cases = [
        # unverified address-book entry
        (dict(ccy="BTC", amt="0.01", toAddr=UNVERIFIED_BTC, chain="BTC-Bitcoin"), "58207", MSG_58207),
        # not in the address book at all
        (dict(ccy="USDT", amt="10", toAddr=RANDOM_USDT, chain="USDT-TRC20"), "58207", MSG_58207),
        # no address-book entry for the currency
        (dict(ccy="ETH", amt="1", toAddr="0x" + "1" * 40, chain="ETH-ERC20"), "58203", None),
        # below minWd 0.1
        (dict(ccy="USDT", amt="0.09", toAddr=VERIFIED_USDT, chain="USDT-TRC20"), "58206", None),
        # above maxWd 10000000
        (dict(ccy="USDT", amt="10000001", toAddr=VERIFIED_USDT, chain="USDT-TRC20"), "58205", None),
        # 4998.51 + 1.5 > 5000
        (dict(ccy="USDT", amt="4998.51", toAddr=VERIFIED_USDT, chain="USDT-TRC20"), "58350", None),
    ]
    for i, (args, code, msg) in enumerate(cases):
        if i and i % 5 == 0:
            advance_clock(fresh_mock, 1000)  # asset/withdrawal: 6 requests per second
        err(api.withdrawal(dest="4", **args), code, msg)
    assert balance(api, "USDT") == {"bal": "5000", "availBal": "5000", "frozenBal": "0"}
    assert balance(api, "BTC") == {"bal": "0.5", "availBal": "0.5", "frozenBal": "0"}
    assert ok(api.get_withdrawal_history()) == []


def test_withdrawal_to_an_address_added_through_the_control_api(api, fresh_mock):
    addr = "0x" + "ab" * 20
    admin(fresh_mock, "/__admin/accounts/live/main/deposits", {"ccy": "ETH", "amt": "3", "confirmMs": 0})
    err(api.withdrawal(ccy="ETH", amt="1", dest="4", toAddr=addr, chain="ETH-ERC20"), "58203")
    book = admin(fresh_mock, "/__admin/accounts/live/main/addresses",
                 {"ccy": "ETH", "chain": "ETH-ERC20", "addr": addr, "verified": True})
    assert {"ccy": "ETH", "chain": "ETH-ERC20", "addr": addr, "verified": True} in book, book
    (w,) = ok(api.withdrawal(ccy="ETH", amt="1", dest="4", toAddr=addr, chain="ETH-ERC20"))
    assert (w["ccy"], w["amt"], w["chain"]) == ("ETH", "1", "ETH-ERC20"), w
    # ETH-ERC20 fee 0.0006 held with the amount.
    assert balance(api, "ETH") == {"bal": "3", "availBal": "1.9994", "frozenBal": "1.0006"}


DEMO_WITHDRAW_KEY = """
[[keys]]
label = "demo-withdraw"
env = "demo"
apiKey = "0b7e4f52-9c1a-4d6e-8f3b-2a5c7d9e1f04"
secretKey = "5E2B8C1F4A7D0E3B6C9F2A5D8E1B4C70"
passphrase = "Demo-Withdraw-1"
perms = ["read_only", "trade", "withdraw"]
"""


def test_demo_gets_50038(mock_with_world):
    """Funding endpoints are not served in demo trading: 50038, also for a demo
    key that has the Withdraw permission."""
    m = mock_with_world(DEMO_WITHDRAW_KEY)
    key = next(k for k in m.world["keys"] if k["label"] == "demo-withdraw")
    demo = Funding.FundingAPI(api_key=key["apiKey"], api_secret_key=key["secretKey"],
                              passphrase=key["passphrase"], flag=DEMO, domain=m.base_url)
    try:
        r = demo.withdrawal(ccy="USDT", amt="10", dest="4", toAddr=VERIFIED_USDT, chain="USDT-TRC20")
        assert r["code"] == "50038" and r["data"] == [], r
        r = demo.get_deposit_address("USDT")
        assert r["code"] == "50038" and r["data"] == [], r
    finally:
        demo.close()
