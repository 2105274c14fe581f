"""ccxt 4.5.90 (Python, sync) against okx-mock's funding account (account "6").

Every test gets a server of its own (`fresh_mock`): funding balances,
transfers, withdrawals and the exchange clock live as long as the process.

What ccxt sends (read in ccxt/okx.py, checked on the wire):
- fetch_deposit_address(code, {'network': N}) is GET asset/deposit-address?ccy=,
  keeps only rows with selected == true, indexes them by network (the chain
  after "<ccy>-", e.g. USDT-TRC20 -> TRC20) and raises InvalidAddress when N is
  not among them.
- fetch_balance({'type': 'funding'}) is GET asset/balances.
- transfer(code, amt, 'funding', 'trading') posts asset/transfer with type "0",
  from "6", to "18"; fetch_transfer(id) is GET asset/transfer-state?transId=.
- withdraw(code, amt, addr, {'network': 'TRC20'}) posts asset/withdrawal with
  dest "4", chain "USDT-TRC20" and a `fee` taken from asset/currencies
  (1.5 for USDT-TRC20): {"ccy","toAddr","dest","amt","chain","fee"}.
- fetch_withdrawals / fetch_withdrawal are GET asset/withdrawal-history,
  fetch_deposits GET asset/deposit-history.
- Errors map through exceptions['exact']: 58207 and 58203 -> InvalidAddress,
  58350 -> InsufficientFunds, 58114/58116/58205/58206 -> ExchangeError.

Expected values come from scenarios/default.toml: funding USDT 5000 and BTC 0.5;
trading USDT 100000; address book USDT-TRC20 TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj
verified, BTC-Bitcoin bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq not verified;
USDT-TRC20 fee 1.5, minWd 0.1. Withdrawals stay in state 0 (waiting,
cancellable) for 60 s of exchange time, then 1 (broadcasting) for 60 s, then 2.
"""

from __future__ import annotations

import json

import ccxt
import pytest

from okx_clients import admin, advance_clock, make_okx
from world_data import dec

VERIFIED_USDT = "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj"
UNVERIFIED_BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
RANDOM_USDT = "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"  # a well-formed Tron address, not in the address book
MSG_58207 = ("Withdrawal address isn't on the verified address list. "
             "(The format for withdrawal addresses with a label is \u201caddress:label\u201d.)")


def body_of(exc: Exception) -> dict:
    """ccxt's message is '<exchange id> <response body>'."""
    text = str(exc)
    assert text.startswith("okx {"), text
    return json.loads(text[len("okx "):])


def top_level_error(exc: Exception, code: str, msg: str | None = None) -> dict:
    body = body_of(exc)
    assert body["code"] == code, body
    assert body["data"] == [], body
    if msg is not None:
        assert body["msg"] == msg, body
    return body


def funding_of(world) -> dict:
    acct = next(a for a in world["accounts"] if a["env"] == "live" and a["name"] == "main")
    return {ccy: dec(v) for ccy, v in acct["funding"].items()}


def trading_of(world) -> dict:
    acct = next(a for a in world["accounts"] if a["env"] == "live" and a["name"] == "main")
    return {ccy: dec(v) for ccy, v in acct["balances"].items()}


def usdt_trc20(world) -> dict:
    return next(c for c in world["currencies"] if c["chain"] == "USDT-TRC20")


@pytest.fixture
def ex(fresh_mock):
    """ccxt with the live key on a server of its own. adjustForTimeDifference
    lets a test resync ccxt's signing clock (load_time_difference) after it
    moved the exchange clock."""
    client = make_okx(fresh_mock, fresh_mock.live, options={"adjustForTimeDifference": True})
    client.load_markets()
    return client


def advance(ex, mock, ms: int) -> None:
    advance_clock(mock, ms)
    ex.load_time_difference()


def funding(ex) -> dict:
    return ex.fetch_balance({"type": "funding"})


# ---------------------------------------------------------------- deposit address

def test_fetch_deposit_address_trc20(ex):
    got = ex.fetch_deposit_address("USDT", {"network": "TRC20"})
    assert ex.last_request_url.endswith("asset/deposit-address?ccy=USDT"), ex.last_request_url
    assert (got["currency"], got["network"], got["tag"]) == ("USDT", "TRC20", None), got
    assert got["address"] and got["address"] == got["info"]["addr"], got
    info = got["info"]
    assert (info["ccy"], info["chain"], info["to"], info["selected"], info["ctAddr"]) == \
        ("USDT", "USDT-TRC20", "6", True, ""), info
    # The address is stable: asking again gives the same one.
    assert ex.fetch_deposit_address("USDT", {"network": "TRC20"})["address"] == got["address"]

    btc = ex.fetch_deposit_address("BTC")
    assert (btc["currency"], btc["network"], btc["info"]["chain"]) == ("BTC", "BTC", "BTC-Bitcoin"), btc
    assert btc["address"] and btc["address"] != got["address"], (btc, got)


def test_fetch_deposit_address_every_chain(ex):
    """OKX answers one row per chain, each with the address currently selected for
    that chain (`selected: true`); ccxt drops rows with selected false, so a chain
    whose only row is unselected has no deposit address in ccxt. USDT has two
    chains in the default world (TRC20 and ERC20, ctAddr ...831ec7)."""
    by_network = ex.fetch_deposit_addresses_by_network("USDT")
    assert sorted(by_network) == ["ERC20", "TRC20"], {k: v["info"] for k, v in by_network.items()}
    erc20 = ex.fetch_deposit_address("USDT", {"network": "ERC20"})
    assert erc20["info"]["chain"] == "USDT-ERC20" and erc20["info"]["ctAddr"] == "831ec7", erc20


# ---------------------------------------------------------------- balances and transfers

def test_fetch_funding_balance(ex, world):
    bal = funding(ex)
    assert ex.last_request_url.endswith("asset/balances"), ex.last_request_url
    start = funding_of(world)
    assert bal["USDT"] == {"free": float(start["USDT"]), "used": 0.0, "total": float(start["USDT"])}
    assert bal["BTC"] == {"free": float(start["BTC"]), "used": 0.0, "total": float(start["BTC"])}
    # Only currencies holding anything: the trading account's ETH and USDC are not here.
    rows = {r["ccy"]: r for r in bal["info"]["data"]}
    assert sorted(rows) == ["BTC", "USDT"], rows
    assert rows["USDT"] == {"ccy": "USDT", "bal": "5000", "availBal": "5000", "frozenBal": "0"}, rows


def test_transfer_funding_to_trading_and_back(ex, world):
    trading0 = trading_of(world)["USDT"]
    t = ex.transfer("USDT", 100, "funding", "trading")
    sent = json.loads(ex.last_request_body)
    assert sent == {"ccy": "USDT", "amt": "100", "type": "0", "from": "6", "to": "18"}, sent
    assert t["id"] and t["id"] == t["info"]["transId"], t
    assert (t["currency"], t["amount"], t["fromAccount"], t["toAccount"]) == \
        ("USDT", 100.0, "funding", "trading"), t
    assert (t["info"]["from"], t["info"]["to"], t["info"]["amt"]) == ("6", "18", "100"), t

    assert funding(ex)["USDT"]["total"] == 4900.0
    assert ex.fetch_balance()["USDT"]["total"] == float(trading0 + 100)

    state = ex.fetch_transfer(t["id"])
    assert ex.last_request_url.endswith(f"asset/transfer-state?transId={t['id']}"), ex.last_request_url
    assert state["id"] == t["id"] and state["status"] == "ok", state
    assert (state["info"]["state"], state["info"]["type"], state["info"]["amt"]) == ("success", "0", "100")

    back = ex.transfer("USDT", 40, "trading", "funding")
    assert (back["info"]["from"], back["info"]["to"]) == ("18", "6"), back
    assert back["id"] != t["id"]
    assert funding(ex)["USDT"]["total"] == 4940.0
    assert ex.fetch_balance()["USDT"]["total"] == float(trading0 + 60)


def test_transfer_errors(ex, fresh_mock):
    # 58114 amount <= 0 (HTTP 400), 58116 more than available, 58123 same account;
    # ccxt maps all three to plain ExchangeError. asset/transfer allows 2 requests
    # per second per currency (rejected ones count), so each call after the second
    # starts a new second of exchange time.
    with pytest.raises(ccxt.ExchangeError) as err:
        ex.transfer("USDT", 0, "funding", "trading")
    assert type(err.value) is ccxt.ExchangeError
    top_level_error(err.value, "58114", "Transfer amount must be greater than 0")

    with pytest.raises(ccxt.ExchangeError) as err:
        ex.transfer("USDT", 5000.01, "funding", "trading")
    assert type(err.value) is ccxt.ExchangeError
    top_level_error(err.value, "58116", "Transfer exceeds the available amount.")

    advance_clock(fresh_mock, 1000)
    with pytest.raises(ccxt.ExchangeError) as err:
        ex.transfer("USDT", 1, "funding", "funding")
    assert type(err.value) is ccxt.ExchangeError
    top_level_error(err.value, "58123", "The From parameter cannot be the same as the To parameter.")

    assert funding(ex)["USDT"] == {"free": 5000.0, "used": 0.0, "total": 5000.0}


# ---------------------------------------------------------------- withdrawals

def test_withdraw_to_verified_address_runs_through_states(ex, fresh_mock, world):
    fee = dec(usdt_trc20(world)["fee"])
    assert fee == dec("1.5")
    w = ex.withdraw("USDT", 10, VERIFIED_USDT, {"network": "TRC20"})
    sent = json.loads(ex.last_request_body)
    # ccxt adds the fee it read from asset/currencies.
    assert sent == {"ccy": "USDT", "toAddr": VERIFIED_USDT, "dest": "4", "amt": "10",
                    "chain": "USDT-TRC20", "fee": "1.5"}, sent
    assert w["id"] and w["id"] == w["info"]["wdId"], w
    assert (w["currency"], w["amount"], w["network"], w["type"]) == ("USDT", 10.0, "TRC20", "withdrawal"), w
    assert (w["info"]["chain"], w["info"]["clientId"]) == ("USDT-TRC20", ""), w

    # amt + fee held in the funding account.
    assert funding(ex)["USDT"] == {"free": 4988.5, "used": 11.5, "total": 5000.0}

    (listed,) = ex.fetch_withdrawals("USDT")
    assert listed["id"] == w["id"], listed
    assert (listed["status"], listed["info"]["state"]) == ("pending", "0"), listed
    assert (listed["address"], listed["addressTo"]) == (VERIFIED_USDT, VERIFIED_USDT), listed
    assert listed["amount"] == 10.0 and listed["network"] == "TRC20", listed
    assert listed["fee"] == {"currency": "USDT", "cost": 1.5}, listed
    assert listed["txid"] is None, listed  # no txId before broadcasting
    assert ex.fetch_withdrawals("BTC") == []

    # 60 s of exchange time later: broadcasting (state 1), with a txId.
    advance(ex, fresh_mock, 60_000)
    got = ex.fetch_withdrawal(w["id"])
    assert (got["status"], got["info"]["state"]) == ("pending", "1"), got
    assert got["txid"], got
    assert funding(ex)["USDT"]["used"] == 11.5

    # Another 60 s: success (state 2); the hold is gone from the balance.
    advance(ex, fresh_mock, 60_000)
    got = ex.fetch_withdrawal(w["id"])
    assert (got["status"], got["info"]["state"]) == ("ok", "2"), got
    assert funding(ex)["USDT"] == {"free": 4988.5, "used": 0.0, "total": 4988.5}


def test_withdraw_to_unverified_btc_address_raises_invalid_address(ex):
    with pytest.raises(ccxt.InvalidAddress) as err:
        ex.withdraw("BTC", 0.01, UNVERIFIED_BTC, {"network": "BTC"})
    assert type(err.value) is ccxt.InvalidAddress
    sent = json.loads(ex.last_request_body)
    assert (sent["chain"], sent["toAddr"], sent["fee"]) == ("BTC-Bitcoin", UNVERIFIED_BTC, "0.0001"), sent
    top_level_error(err.value, "58207", MSG_58207)
    assert funding(ex)["BTC"] == {"free": 0.5, "used": 0.0, "total": 0.5}
    assert ex.fetch_withdrawals() == []


def test_withdraw_to_random_usdt_address_raises_invalid_address(ex):
    with pytest.raises(ccxt.InvalidAddress) as err:
        ex.withdraw("USDT", 10, RANDOM_USDT, {"network": "TRC20"})
    assert type(err.value) is ccxt.InvalidAddress
    top_level_error(err.value, "58207", MSG_58207)
    # The verified address on another chain of the same currency is not verified there.
    with pytest.raises(ccxt.InvalidAddress) as err:
        ex.withdraw("USDT", 10, VERIFIED_USDT, {"network": "ERC20"})
    assert type(err.value) is ccxt.InvalidAddress
    top_level_error(err.value, "58207", MSG_58207)
    assert funding(ex)["USDT"] == {"free": 5000.0, "used": 0.0, "total": 5000.0}
    assert ex.fetch_withdrawals() == []


def test_withdraw_amount_errors(ex):
    # Below minWd 0.1: 58206; amount + fee over the funding balance: 58350.
    with pytest.raises(ccxt.ExchangeError) as err:
        ex.withdraw("USDT", 0.05, VERIFIED_USDT, {"network": "TRC20"})
    assert type(err.value) is ccxt.ExchangeError
    top_level_error(err.value, "58206")
    with pytest.raises(ccxt.InsufficientFunds) as err:
        ex.withdraw("USDT", 4999, VERIFIED_USDT, {"network": "TRC20"})
    assert type(err.value) is ccxt.InsufficientFunds
    top_level_error(err.value, "58350")
    # ETH has no address-book entry at all: 58203, also InvalidAddress.
    with pytest.raises(ccxt.InvalidAddress) as err:
        ex.withdraw("ETH", 1, "0x" + "1" * 40, {"network": "ERC20"})
    assert type(err.value) is ccxt.InvalidAddress
    top_level_error(err.value, "58203")
    # 4998.5 + 1.5 is exactly the balance: accepted.
    w = ex.withdraw("USDT", 4998.5, VERIFIED_USDT, {"network": "TRC20"})
    assert w["id"], w
    assert funding(ex)["USDT"] == {"free": 0.0, "used": 5000.0, "total": 5000.0}


# ---------------------------------------------------------------- deposits

def test_simulated_deposit_shows_in_history_and_balance(ex, fresh_mock):
    made = admin(fresh_mock, "/__admin/accounts/live/main/deposits",
                 {"ccy": "ETH", "amt": "3", "confirmMs": 0})
    (dep,) = ex.fetch_deposits("ETH")
    assert dep["id"] == made["depId"], (dep, made)
    assert (dep["currency"], dep["amount"], dep["status"], dep["type"]) == ("ETH", 3.0, "ok", "deposit"), dep
    assert (dep["network"], dep["info"]["state"]) == ("ERC20", "2"), dep
    assert dep["txid"], dep
    assert funding(ex)["ETH"] == {"free": 3.0, "used": 0.0, "total": 3.0}

    # The deposit went to the account's ETH-ERC20 deposit address.
    addr = ex.fetch_deposit_address("ETH", {"network": "ERC20"})
    assert dep["address"] == addr["address"], (dep["info"], addr["info"])
