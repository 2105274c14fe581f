'use strict';
// okx-api 3.2.3 (tiagosiebler) RestClient against okx-mock.
// It resolves with `data` only (the array) when HTTP is 200 and code === "0";
// otherwise it rejects with the parsed body object ({code, msg, ...}).
// Method names checked in node_modules/okx-api/dist/cjs/rest-client.js:
// getTicker, getInstruments, getServerTime, getCurrencies (GET /api/v5/asset/currencies, private).

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { RestClient } = require('okx-api');
const { startMock } = require('../lib/mock.js');

const REQUEST_OPTIONS = { timeout: 10_000 };

describe('okx-api RestClient', () => {
  let mock;

  before(async () => { mock = await startMock(); });
  after(async () => { if (mock) await mock.stop(); });

  const publicClient = () => new RestClient({ baseUrl: mock.baseUrl }, REQUEST_OPTIONS);
  const privateClient = (key, demoTrading = false, overrides = {}) => new RestClient({
    baseUrl: mock.baseUrl,
    apiKey: key.apiKey,
    apiSecret: key.secretKey,
    apiPass: key.passphrase,
    demoTrading,
    ...overrides,
  }, REQUEST_OPTIONS);

  it('getTicker BTC-USDT returns last 95000', async () => {
    const data = await publicClient().getTicker({ instId: 'BTC-USDT' });
    assert.ok(Array.isArray(data) && data.length === 1, JSON.stringify(data));
    assert.equal(data[0].instId, 'BTC-USDT');
    assert.equal(typeof data[0].last, 'string');
    assert.equal(Number(data[0].last), 95000);
    assert.ok(Number(data[0].bidPx) < Number(data[0].askPx));
  });

  it('getTicker in demo mode (x-simulated-trading: 1) works too', async () => {
    const data = await new RestClient({ baseUrl: mock.baseUrl, demoTrading: true }, REQUEST_OPTIONS)
      .getTicker({ instId: 'BTC-USDT' });
    assert.equal(Number(data[0].last), 95000);
  });

  it('getInstruments SPOT contains BTC-USDT', async () => {
    const data = await publicClient().getInstruments({ instType: 'SPOT' });
    const ids = data.map((i) => i.instId);
    assert.ok(ids.includes('BTC-USDT'), ids.join(','));
    const btc = data.find((i) => i.instId === 'BTC-USDT');
    assert.equal(btc.instType, 'SPOT');
    assert.equal(btc.tickSz, '0.1');
    assert.equal(btc.baseCcy, 'BTC');
    assert.equal(btc.quoteCcy, 'USDT');
    assert.equal(typeof btc.instIdCode, 'number');
  });

  it('getInstruments SWAP lists the linear and inverse BTC swaps', async () => {
    const data = await publicClient().getInstruments({ instType: 'SWAP' });
    const byId = Object.fromEntries(data.map((i) => [i.instId, i]));
    assert.equal(byId['BTC-USDT-SWAP']?.ctType, 'linear');
    assert.equal(Number(byId['BTC-USDT-SWAP']?.ctVal), 0.01);
    assert.equal(byId['BTC-USD-SWAP']?.ctType, 'inverse');
    assert.equal(byId['BTC-USD-SWAP']?.settleCcy, 'BTC');
  });

  it('getServerTime returns a number close to the local clock', async () => {
    const ts = await publicClient().getServerTime();
    assert.equal(typeof ts, 'number');
    assert.ok(Number.isInteger(ts));
    assert.ok(Math.abs(ts - Date.now()) < 5000, `server ${ts} vs local ${Date.now()}`);
  });

  it('getCurrencies (signed GET /api/v5/asset/currencies) with the live key', async () => {
    const data = await privateClient(mock.keys.live).getCurrencies();
    assert.ok(Array.isArray(data) && data.length > 0, JSON.stringify(data));
    const btc = data.find((c) => c.ccy === 'BTC');
    assert.ok(btc, 'BTC missing');
    assert.equal(btc.chain, 'BTC-Bitcoin');
    assert.equal(typeof btc.canWd, 'boolean');
  });

  it('getCurrencies with ccy=BTC,USDT (unencoded comma, signed as such)', async () => {
    const data = await privateClient(mock.keys.live).getCurrencies({ ccy: 'BTC,USDT' });
    assert.deepEqual([...new Set(data.map((c) => c.ccy))].sort(), ['BTC', 'USDT']);
  });

  it('getCurrencies with the demo key in demo mode rejects with 50038', async () => {
    await assert.rejects(privateClient(mock.keys.demo, true).getCurrencies(),
      (body) => { assert.equal(body?.code, '50038', JSON.stringify(body)); return true; });
  });

  it('getCurrencies with the live key in demo mode rejects with 50101', async () => {
    await assert.rejects(privateClient(mock.keys.live, true).getCurrencies(),
      (body) => { assert.equal(body?.code, '50101', JSON.stringify(body)); return true; });
  });

  it('getCurrencies with a wrong secret rejects with 50113', async () => {
    const bad = { ...mock.keys.live, secretKey: '0'.repeat(mock.keys.live.secretKey.length) };
    await assert.rejects(privateClient(bad).getCurrencies(),
      (body) => { assert.equal(body?.code, '50113', JSON.stringify(body)); return true; });
  });
});
