'use strict';
// ccxt 4.5.84 (npm) stand-alone algo orders against okx-mock.
//
// What ccxt-js sends (read in node_modules/ccxt/js/src/okx.js, createOrderRequest
// and createOrder, and checked on the wire):
// - params.triggerPrice: POST trade/order-algo, ordType trigger, orderPx = price
//   ("-1" for a market order); spot adds tgtCcy=base_ccy.
// - params.stopLossPrice or params.takeProfitPrice: ordType conditional, with
//   slOrdPx/tpOrdPx "-1" and sl/tpTriggerPxType (params override, default last).
// - both of them: ordType oco, but 4.5.84 sends it to order-algo only when the
//   unified type is 'oco'; with type 'market' it posts the oco to
//   trade/batch-orders (4.5.90 for Python fixed that) and OKX's 51000 comes back.
// - fetchOrder / fetchOpenOrders / cancelOrder(s) with {trigger: true} use
//   order-algo, orders-algo-pending (ordType trigger unless given) and
//   cancel-algos; fetchClosedOrders / fetchCanceledOrders with {trigger: true,
//   ordType} read orders-algo-history with state effective / canceled.
//
// Mark-price triggers fire at the mock's next request once the mark is set;
// last-price triggers need a trade on the tape, so the exchange clock moves two
// minutes and ccxt resyncs its signing clock (loadTimeDifference).
// Default world: ETH-USDT 3200, BTC-USDT-SWAP last and mark 95020, net mode.

const { describe, it, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const ccxt = require('ccxt');
const { startMock } = require('../lib/mock.js');

const SWAP = 'BTC/USDT:USDT';
const SWAP_ID = 'BTC-USDT-SWAP';
const ETH = 'ETH/USDT';
const TAPE_MS = 2 * 60_000;
const MSG_51279 = 'TP trigger price cannot be lower than the last price.';
const MSG_CANCEL = 'Order cancellation failed as the order has been filled, canceled or does not exist.';

async function admin(mock, path, body) {
  const res = await fetch(`${mock.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}

const setPrice = (mock, instId, px) => admin(mock, '/__admin/prices', { instId, px });
const advanceClock = (mock, ms) => admin(mock, '/__admin/clock/advance', { ms });

// ccxt's error message is '<exchange id> <response body>'.
function bodyOf(error) {
  const text = String(error.message);
  assert.ok(text.startsWith('okx {'), text);
  return JSON.parse(text.slice('okx '.length));
}

describe('ccxt (npm) okx algo orders', () => {
  let mock;
  let ex;

  beforeEach(async () => {
    mock = await startMock();
    ex = new ccxt.okx({
      apiKey: mock.keys.live.apiKey,
      secret: mock.keys.live.secretKey,
      password: mock.keys.live.passphrase,
      timeout: 10_000,
      enableRateLimit: false,
      options: { adjustForTimeDifference: true },
    });
    ex.urls.api.rest = mock.baseUrl;
    await ex.loadMarkets();
  });
  afterEach(async () => { if (mock) await mock.stop(); mock = null; });

  it('triggerPrice: order-algo, then fetchOrder, fetchOpenOrders, cancelOrder, fetchCanceledOrders', async () => {
    const order = await ex.createOrder(ETH, 'limit', 'buy', 0.1, 3310, { triggerPrice: 3300 });
    assert.ok(ex.last_request_url.endsWith('/api/v5/trade/order-algo'), ex.last_request_url);
    const sent = JSON.parse(ex.last_request_body);
    assert.deepEqual(
      [sent.ordType, sent.tdMode, sent.tgtCcy, sent.triggerPx, sent.orderPx, sent.sz],
      ['trigger', 'cash', 'base_ccy', '3300', '3310', '0.1'],
    );
    assert.equal(order.info.sCode, '0');
    assert.match(order.id, /^\d+$/);

    const got = await ex.fetchOrder(order.id, ETH, { trigger: true });
    assert.ok(ex.last_request_url.includes('/api/v5/trade/order-algo?'), ex.last_request_url);
    assert.ok(ex.last_request_url.includes(`algoId=${order.id}`), ex.last_request_url);
    assert.deepEqual(
      [got.id, got.type, got.side, got.status, got.triggerPrice, got.price, got.amount],
      [order.id, 'trigger', 'buy', 'open', 3300, 3310, 0.1],
    );

    const open = await ex.fetchOpenOrders(ETH, undefined, undefined, { trigger: true });
    assert.ok(ex.last_request_url.includes('orders-algo-pending') && ex.last_request_url.includes('ordType=trigger'),
      ex.last_request_url);
    assert.deepEqual(open.map((o) => o.id), [order.id]);
    assert.deepEqual(await ex.fetchOpenOrders(ETH), [], 'an algo order is not a normal order');

    const canceled = await ex.cancelOrder(order.id, ETH, { trigger: true });
    assert.ok(ex.last_request_url.endsWith('/api/v5/trade/cancel-algos'), ex.last_request_url);
    assert.deepEqual(JSON.parse(ex.last_request_body), [{ algoId: order.id, instId: 'ETH-USDT' }]);
    assert.equal(canceled.id, order.id);
    assert.equal(canceled.info.sCode, '0');
    assert.deepEqual(await ex.fetchOpenOrders(ETH, undefined, undefined, { trigger: true }), []);

    const history = await ex.fetchCanceledOrders(ETH, undefined, undefined, { trigger: true, ordType: 'trigger' });
    assert.ok(ex.last_request_url.includes('orders-algo-history') && ex.last_request_url.includes('state=canceled'),
      ex.last_request_url);
    assert.deepEqual(history.map((o) => [o.id, o.status, o.triggerPrice]), [[order.id, 'canceled', 3300]]);

    await assert.rejects(ex.cancelOrder(order.id, ETH, { trigger: true }), (e) => {
      assert.ok(e instanceof ccxt.OrderNotFound, String(e));
      const body = bodyOf(e);
      assert.deepEqual([body.code, body.data[0].sCode, body.data[0].sMsg], ['1', '51400', MSG_CANCEL]);
      return true;
    });
  });

  it('a takeProfitPrice below the last price of a sell is refused with 51279', async () => {
    await assert.rejects(
      ex.createOrder(SWAP, 'market', 'sell', 1, undefined, { takeProfitPrice: 94000 }),
      (e) => {
        assert.ok(e instanceof ccxt.InvalidOrder, String(e));
        const body = bodyOf(e);
        assert.equal(body.code, '1');
        assert.equal(body.msg, 'All operations failed');
        assert.deepEqual([body.data[0].sCode, body.data[0].sMsg, body.data[0].algoId], ['51279', MSG_51279, '']);
        return true;
      },
    );
    assert.ok(ex.last_request_url.endsWith('/api/v5/trade/order-algo'), ex.last_request_url);
    assert.deepEqual(await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'conditional' }), []);
  });

  it('stopLossPrice on the mark price fires once the mark falls through it', async () => {
    await ex.createOrder(SWAP, 'market', 'buy', 1);
    const stop = await ex.createOrder(SWAP, 'market', 'sell', 1, undefined,
      { stopLossPrice: 94000, slTriggerPxType: 'mark', reduceOnly: true });
    const sent = JSON.parse(ex.last_request_body);
    assert.deepEqual([sent.ordType, sent.slTriggerPx, sent.slOrdPx, sent.slTriggerPxType, sent.reduceOnly],
      ['conditional', '94000', '-1', 'mark', true]);
    const [listed] = await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'conditional' });
    assert.deepEqual([listed.id, listed.status, listed.stopLossPrice, listed.reduceOnly], [stop.id, 'open', 94000, true]);

    await setPrice(mock, SWAP_ID, '93900');
    await advanceClock(mock, 1000);
    const closed = await ex.fetchClosedOrders(SWAP, undefined, undefined, { trigger: true, ordType: 'conditional' });
    assert.equal(closed.length, 1, JSON.stringify(closed.map((o) => o.info)));
    const [done] = closed;
    assert.deepEqual([done.id, done.status, done.info.actualSide, done.info.slTriggerPxType],
      [stop.id, 'closed', 'sl', 'mark']);
    const sold = await ex.fetchOrder(done.info.ordId, SWAP);
    assert.deepEqual([sold.status, sold.side, sold.filled, sold.reduceOnly], ['closed', 'sell', 1, true]);
    assert.equal(sold.info.algoId, stop.id);
    const positions = await ex.fetchPositions([SWAP]);
    assert.ok(positions.every((p) => p.contracts === 0), JSON.stringify(positions));
  });

  it('takeProfitPrice on the last price fires after the tape trades through it', async () => {
    await ex.createOrder(SWAP, 'market', 'buy', 1);
    const tp = await ex.createOrder(SWAP, 'market', 'sell', 1, undefined, { takeProfitPrice: 97000, reduceOnly: true });
    assert.equal(JSON.parse(ex.last_request_body).tpTriggerPxType, 'last');

    await setPrice(mock, SWAP_ID, '96900'); // not there yet
    await advanceClock(mock, TAPE_MS);
    await ex.loadTimeDifference();
    const [still] = await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'conditional' });
    assert.deepEqual([still?.id, still?.status], [tp.id, 'open']);

    await setPrice(mock, SWAP_ID, '97500');
    await advanceClock(mock, TAPE_MS);
    await ex.loadTimeDifference();
    assert.deepEqual(await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'conditional' }), []);
    const [done] = await ex.fetchClosedOrders(SWAP, undefined, undefined, { trigger: true, ordType: 'conditional' });
    assert.deepEqual([done?.id, done?.status, done?.info.actualSide, done?.info.actualSz], [tp.id, 'closed', 'tp', '1']);
    const sold = await ex.fetchOrder(done.info.ordId, SWAP);
    assert.deepEqual([sold.status, sold.side, sold.type, sold.filled], ['closed', 'sell', 'market', 1]);
    assert.ok(sold.average > 97000, String(sold.average));
    const positions = await ex.fetchPositions([SWAP]);
    assert.ok(positions.every((p) => p.contracts === 0), JSON.stringify(positions));
  });

  it('TP and SL prices together make an oco: type "oco" goes to order-algo, "market" to batch-orders', async () => {
    const both = { takeProfitPrice: 97000, stopLossPrice: 93000 };
    // ccxt-js 4.5.84 posts a market order with both prices to batch-orders as
    // ordType oco, which trade/order does not take: OKX's per-item 51000.
    await assert.rejects(ex.createOrder(SWAP, 'market', 'sell', 1, undefined, both), (e) => {
      assert.ok(e instanceof ccxt.BadRequest, String(e));
      assert.ok(ex.last_request_url.endsWith('/api/v5/trade/batch-orders'), ex.last_request_url);
      assert.equal(JSON.parse(ex.last_request_body)[0].ordType, 'oco');
      const body = bodyOf(e);
      assert.deepEqual([body.code, body.data[0].sCode, body.data[0].sMsg], ['1', '51000', 'Parameter ordType error ']);
      return true;
    });

    const oco = await ex.createOrder(SWAP, 'oco', 'sell', 1, undefined, both);
    assert.ok(ex.last_request_url.endsWith('/api/v5/trade/order-algo'), ex.last_request_url);
    const sent = JSON.parse(ex.last_request_body);
    assert.deepEqual([sent.ordType, sent.tpTriggerPx, sent.tpOrdPx, sent.slTriggerPx, sent.slOrdPx],
      ['oco', '97000', '-1', '93000', '-1']);
    const [listed] = await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'oco' });
    assert.deepEqual([listed?.id, listed?.type, listed?.takeProfitPrice, listed?.stopLossPrice],
      [oco.id, 'oco', 97000, 93000]);
    // conditional and oco together (OKX's one allowed pair): ccxt knows no such
    // algo type, so it has to be told which endpoint to use.
    const pair = await ex.fetchOpenOrders(SWAP, undefined, undefined,
      { method: 'privateGetTradeOrdersAlgoPending', ordType: 'conditional,oco' });
    assert.ok(ex.last_request_url.includes('orders-algo-pending'), ex.last_request_url);
    assert.deepEqual(pair.map((o) => o.id), [oco.id]);

    const [canceled] = await ex.cancelOrders([oco.id], SWAP, { trigger: true });
    assert.deepEqual([canceled.id, canceled.info.sCode], [oco.id, '0']);
    assert.deepEqual(await ex.fetchOpenOrders(SWAP, undefined, undefined, { ordType: 'oco' }), []);
    const history = await ex.fetchCanceledOrders(SWAP, undefined, undefined, { ordType: 'oco' });
    assert.deepEqual(history.map((o) => [o.id, o.status]), [[oco.id, 'canceled']]);
  });
});
