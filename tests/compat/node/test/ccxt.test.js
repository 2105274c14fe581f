'use strict';
// ccxt 4.5.84 (npm) against okx-mock: load_markets with credentials (signed
// GET /api/v5/asset/currencies, then the instrument requests sent concurrently),
// in sandbox mode with the demo key, and a ticker.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const ccxt = require('ccxt');
const { startMock } = require('../lib/mock.js');

describe('ccxt (npm) okx', () => {
  let mock;

  before(async () => { mock = await startMock(); });
  after(async () => { if (mock) await mock.stop(); });

  const makeOkx = (key, sandbox = false) => {
    const ex = new ccxt.okx({
      apiKey: key.apiKey, secret: key.secretKey, password: key.passphrase,
      timeout: 10_000, enableRateLimit: false,
    });
    if (sandbox) ex.setSandboxMode(true); // must precede the URL override
    ex.urls.api.rest = mock.baseUrl;
    return ex;
  };

  const checkMarkets = (markets) => {
    assert.equal(markets['BTC/USDT']?.id, 'BTC-USDT');
    const swap = markets['BTC/USDT:USDT'];
    assert.equal(swap?.id, 'BTC-USDT-SWAP');
    assert.equal(swap.contractSize, 0.01);
    assert.equal(swap.linear, true);
    assert.equal(swap.precision.price, 0.1);
    const inv = markets['BTC/USD:BTC'];
    assert.equal(inv?.id, 'BTC-USD-SWAP');
    assert.equal(inv.inverse, true);
    assert.equal(inv.contractSize, 100);
    assert.ok(Object.values(markets).some((m) => m.future), 'no future market');
  };

  it('loadMarkets with the live key, then fetchTicker', async () => {
    const ex = makeOkx(mock.keys.live);
    checkMarkets(await ex.loadMarkets());
    assert.ok(ex.currencies.BTC, 'currencies from asset/currencies missing');
    const t = await ex.fetchTicker('BTC/USDT');
    assert.equal(t.last, 95000);
  });

  it('loadMarkets in sandbox mode with the demo key', async () => {
    const ex = makeOkx(mock.keys.demo, true);
    checkMarkets(await ex.loadMarkets());
  });

  it('a wrong secret raises AuthenticationError', async () => {
    const ex = makeOkx({ ...mock.keys.live, secretKey: '0'.repeat(32) });
    await assert.rejects(ex.loadMarkets(), (e) => {
      assert.ok(e instanceof ccxt.AuthenticationError, String(e));
      assert.match(String(e.message), /50113/);
      return true;
    });
  });
});
