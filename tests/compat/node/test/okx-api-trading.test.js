'use strict';
// okx-api 3.2.3 (tiagosiebler) RestClient trading against okx-mock's trading engine.
// It resolves with `data` (the array) only for HTTP 200 + code "0", and otherwise
// rejects with the parsed body ({code, msg, data, ...}), not an Error. It adds
// "tag":"159881cb7207BCDE" to every private POST body (cancel-order included).
// Method names checked in node_modules/okx-api/dist/cjs/rest-client.js.
// Each test starts its own server: orders, balances and positions live as long
// as the process.

const { describe, it, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { RestClient } = require('okx-api');
const { startMock } = require('../lib/mock.js');

const REQUEST_OPTIONS = { timeout: 10_000 };
const OKX_API_TAG = '159881cb7207BCDE';
// scenarios/default.toml: BTC-USDT-SWAP px 95020, tick 0.1, ctVal 0.01; swap taker fee 0.05 %.
const SWAP_ASK = 95020.1;

describe('okx-api RestClient trading', () => {
  let mock;

  beforeEach(async () => { mock = await startMock(); });
  afterEach(async () => { if (mock) await mock.stop(); mock = null; });

  const client = (key = mock.keys.live, demoTrading = false) => new RestClient({
    baseUrl: mock.baseUrl,
    apiKey: key.apiKey,
    apiSecret: key.secretKey,
    apiPass: key.passphrase,
    demoTrading,
  }, REQUEST_OPTIONS);

  const usdt = async (rest) => {
    const [acct] = await rest.getBalance();
    const row = acct.details.find((d) => d.ccy === 'USDT');
    assert.ok(row, JSON.stringify(acct.details));
    return row;
  };

  it('submitOrder spot limit rests, getOrderDetails, cancelOrder', async () => {
    const rest = client();
    const placed = await rest.submitOrder({
      instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '50000',
    });
    assert.equal(placed.length, 1, JSON.stringify(placed));
    assert.equal(placed[0].sCode, '0');
    assert.equal(placed[0].sMsg, 'Order placed');
    assert.equal(placed[0].tag, OKX_API_TAG);
    const ordId = placed[0].ordId;
    assert.match(ordId, /^\d+$/);

    const [order] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    assert.equal(order.state, 'live');
    assert.equal(order.sz, '0.01');
    assert.equal(order.px, '50000');
    assert.equal(order.accFillSz, '0');
    assert.equal(order.tag, OKX_API_TAG);
    const pending = await rest.getOrderList({ instType: 'SPOT' });
    assert.deepEqual(pending.map((o) => o.ordId), [ordId]);

    let row = await usdt(rest);
    assert.equal(Number(row.frozenBal), 500);
    assert.equal(Number(row.availBal), 99500);
    assert.equal(Number(row.cashBal), 100000);

    const canceled = await rest.cancelOrder({ instId: 'BTC-USDT', ordId });
    assert.equal(canceled[0].sCode, '0');
    assert.equal(canceled[0].ordId, ordId);
    const [after] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    assert.equal(after.state, 'canceled');
    row = await usdt(rest);
    assert.equal(Number(row.frozenBal), 0);
    assert.equal(Number(row.availBal), 100000);

    // Cancelling again: the per-item 51400 body is the rejection value.
    await assert.rejects(rest.cancelOrder({ instId: 'BTC-USDT', ordId }), (body) => {
      assert.equal(body?.code, '1', JSON.stringify(body));
      assert.equal(body.msg, 'All operations failed');
      assert.equal(body.data[0].sCode, '51400');
      assert.equal(body.data[0].ordId, ordId);
      return true;
    });
    // Unknown order: top-level 51603.
    await assert.rejects(rest.getOrderDetails({ instId: 'BTC-USDT', ordId: '1234567890123' }), (body) => {
      assert.deepEqual(body, { code: '51603', data: [], msg: 'Order does not exist' });
      return true;
    });
  });

  it('getPositions after a swap market order; getBalance reflects the fee', async () => {
    const rest = client();
    const [cfg] = await rest.getAccountConfiguration();
    assert.equal(cfg.posMode, 'net_mode');
    assert.equal(cfg.acctLv, '2');

    const placed = await rest.submitOrder({
      instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'market', sz: '3',
    });
    assert.equal(placed[0].sCode, '0');
    const [order] = await rest.getOrderDetails({ instId: 'BTC-USDT-SWAP', ordId: placed[0].ordId });
    assert.equal(order.state, 'filled');
    assert.equal(order.accFillSz, '3');
    assert.equal(Number(order.avgPx), SWAP_ASK);

    const positions = await rest.getPositions({ instType: 'SWAP' });
    assert.equal(positions.length, 1, JSON.stringify(positions));
    const p = positions[0];
    assert.equal(p.instId, 'BTC-USDT-SWAP');
    assert.equal(p.posSide, 'net');
    assert.equal(p.pos, '3');
    assert.equal(p.mgnMode, 'cross');
    assert.equal(Number(p.avgPx), SWAP_ASK);
    assert.equal(p.lever, '10');

    // Fee: 3 contracts * 0.01 BTC * 95020.1 * 0.0005 = 1.4253015 USDT.
    const row = await usdt(rest);
    assert.equal(row.cashBal, '99998.5746985');

    // Leverage through okx-api's string lever; the position's margin follows.
    const [lev] = await rest.setLeverage({ instId: 'BTC-USDT-SWAP', lever: '5', mgnMode: 'cross' });
    assert.equal(lev.lever, '5');
    const [p5] = await rest.getPositions({ instId: 'BTC-USDT-SWAP' });
    assert.equal(p5.lever, '5');

    // 59000 while the position is open.
    await assert.rejects(rest.setPositionMode({ posMode: 'long_short_mode' }), (body) => {
      assert.equal(body?.code, '59000', JSON.stringify(body));
      return true;
    });

    const [closed] = await rest.closePositions({ instId: 'BTC-USDT-SWAP', mgnMode: 'cross' });
    assert.equal(closed.instId, 'BTC-USDT-SWAP');
    assert.deepEqual(await rest.getPositions({ instType: 'SWAP' }), []);
  });

  it('rejections: posSide in net mode, lot size, insufficient funds, partial batch', async () => {
    const rest = client();
    await assert.rejects(rest.submitOrder({
      instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', posSide: 'long', ordType: 'market', sz: '1',
    }), (body) => {
      assert.equal(body?.code, '1', JSON.stringify(body));
      assert.equal(body.msg, 'All operations failed');
      assert.equal(body.data.length, 1);
      assert.equal(body.data[0].sCode, '51000');
      assert.equal(body.data[0].sMsg, 'Parameter posSide error ');
      assert.equal(body.data[0].ordId, '');
      return true;
    });

    await assert.rejects(rest.submitOrder({
      instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'limit', px: '90000', sz: '0.015',
    }), (body) => {
      assert.equal(body?.code, '1', JSON.stringify(body));
      assert.equal(body.data[0].sCode, '51121');
      assert.equal(body.data[0].sMsg, 'Order quantity must be a multiple of the lot size.');
      return true;
    });

    await assert.rejects(rest.submitOrder({
      instId: 'ETH-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', px: '4000', sz: '25',
    }), (body) => {
      // 25 ETH > the live account's 20.
      assert.equal(body?.code, '1', JSON.stringify(body));
      assert.equal(body.data[0].sCode, '51008');
      assert.equal(body.data[0].subCode, '1000');
      assert.equal(body.data[0].sMsg, 'Order failed. Insufficient ETH balance in account');
      return true;
    });

    // A partially successful batch (code "2") is a rejection for okx-api too.
    await assert.rejects(rest.submitMultipleOrders([
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '50000', sz: '0.01' },
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01' },
    ]), (body) => {
      assert.equal(body?.code, '2', JSON.stringify(body));
      assert.deepEqual(body.data.map((d) => d.sCode), ['0', '51204']);
      return true;
    });
    const pending = await rest.getOrderList();
    assert.equal(pending.length, 1, JSON.stringify(pending));
    assert.equal(pending[0].px, '50000');
  });

  it('demoTrading with the demo key trades the demo account only', async () => {
    const demo = client(mock.keys.demo, true);
    const live = client();
    const placed = await demo.submitOrder({
      instId: 'BTC-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', sz: '0.5', px: '120000',
    });
    const [acct] = await demo.getBalance({ ccy: 'BTC' });
    const btc = acct.details.find((d) => d.ccy === 'BTC');
    assert.equal(Number(btc.cashBal), 5);
    assert.equal(Number(btc.frozenBal), 0.5);
    assert.deepEqual(await live.getOrderList(), []);
    assert.deepEqual((await demo.getOrderList()).map((o) => o.ordId), [placed[0].ordId]);
  });
});
