'use strict';
// ccxt.pro 4.5.84 (npm `ccxt`, `ccxt.pro.okx`) WebSocket against okx-mock.
//
// ccxt.pro routes by itself (js/src/pro/okx.js getUrl): urls.api.ws plus
// /public for market channels, /business for candles and orders-algo,
// /private for login, private channels and trade ops. So these tests exercise
// the mock's three OKX URLs, not the combined /ws/v5.
//
// Client quirks (read in node_modules/ccxt):
// - A ws:// URL needs `await ex.loadHttpProxyAgent()` first, or the first
//   watch throws NotSupported "to use proxy with non-ssl ws:// urls"
//   (js/src/base/Exchange.js getHttpAgentIfNeeded, line 555).
// - createOrderWs / editOrderWs / cancelOrderWs send `instIdCode` (from
//   public/instruments) instead of `instId`; createOrderWs uses op
//   batch-orders unless params.op is 'order'.
// - A refused WS order raises the same class as on REST (InsufficientFunds for
//   51008): OKX's WS replies carry `msg: ""`, which ccxt's safeString reads as
//   absent, so handleErrorMessage falls through to data[].sCode
//   (js/src/pro/okx.js:2472-2488). With a non-empty msg it would raise a
//   plain ExchangeError.
// - watchOrderBook rejects with InvalidNonce if an update's prevSeqId is not
//   the stored seqId (js/src/pro/okx.js:1404); it does not check checksums.
//
// Every frame ccxt receives is recorded by wrapping ex.handleMessage (bound
// when a connection is made, Exchange.js client()), and every request it
// sends through watch() / watchMultiple() by wrapping those (a repeated watch
// of the same stream is recorded again, though ccxt sends it only once).

const { describe, it, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const ccxt = require('ccxt');
const { startMock } = require('../lib/mock.js');
const { WAIT_MS, setPrice, advanceClock, freezeClock, withTimeout } = require('../lib/control.js');

const BTC = 'BTC/USDT';
const BTC_INST_ID_CODE = 10000001; // scenarios/default.toml
const CCXT_TAG = '6b9ad766b55dBCDE';



// Waits for `pending` (a watch call made before the action it waits on: a
// ccxt watch future only resolves on frames that come after it), then calls
// `watch` again until what it resolves with satisfies `pred`, all within one
// deadline. Returns pred's (truthy) result.
async function watchUntil(pending, watch, pred, label, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (let next = pending; ; next = watch()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${label}: not seen within ${ms} ms; last: ${JSON.stringify(last)?.slice(0, 600)}`);
    last = await withTimeout(next, label, left);
    const hit = pred(last);
    if (hit) return hit;
  }
}

const plainLevels = (side) => Array.from(side, (level) => [level[0], level[1]]);

describe('ccxt.pro okx (npm) over the mock\'s /ws/v5/public, /business and /private', () => {
  let mock;
  let ex;
  let wsBase;
  let frames; // {url, message} for every frame ccxt received
  let sent; // {url, message} for every request passed to watch()

  beforeEach(async () => {
    mock = await startMock();
    wsBase = `${mock.baseUrl.replace(/^http/, 'ws')}/ws/v5`;
    ex = new ccxt.pro.okx({
      apiKey: mock.keys.live.apiKey,
      secret: mock.keys.live.secretKey,
      password: mock.keys.live.passphrase,
      timeout: 10_000,
      enableRateLimit: false,
      options: { adjustForTimeDifference: true },
    });
    ex.urls.api.rest = mock.baseUrl;
    ex.urls.api.ws = wsBase;
    frames = [];
    sent = [];
    const handleMessage = ex.handleMessage;
    ex.handleMessage = function record(client, message) {
      frames.push({ url: client.url, message });
      return handleMessage.call(this, client, message);
    };
    const watch = ex.watch;
    ex.watch = function recordRequest(url, messageHash, message, ...rest) {
      sent.push({ url, message });
      return watch.call(this, url, messageHash, message, ...rest);
    };
    const watchMultiple = ex.watchMultiple;
    ex.watchMultiple = function recordRequests(url, messageHashes, message, ...rest) {
      sent.push({ url, message });
      return watchMultiple.call(this, url, messageHashes, message, ...rest);
    };
    await ex.loadHttpProxyAgent();
    await ex.loadMarkets();
  });
  afterEach(async () => {
    if (ex) await ex.close();
    ex = null;
    if (mock) await mock.stop();
    mock = null;
  });

  const framesOn = (path, pred) => frames.filter((f) => f.url === `${wsBase}${path}` && pred(f.message));
  const isPush = (channel) => (m) => m.arg?.channel === channel && Array.isArray(m.data);
  const waitFrame = (pred, label, ms = WAIT_MS) => {
    const sleep = () => new Promise((r) => setTimeout(r, 20));
    return watchUntil(sleep(), sleep, () => frames.find((f) => pred(f.message)), label, ms);
  };

  it('watchTicker: tickers on /public; last equals fetchTicker and follows a price move', async () => {
    const ticker = await withTimeout(ex.watchTicker(BTC), 'watchTicker');
    assert.equal(ticker.symbol, BTC);
    assert.equal(ticker.last, 95000);
    assert.equal(ticker.bid, 94999.9);
    assert.equal(ticker.ask, 95000.1);
    const rest = await ex.fetchTicker(BTC);
    assert.equal(ticker.last, rest.last);
    assert.deepEqual(sent.map((s) => [s.url, s.message]),
      [[`${wsBase}/public`, { op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }] }]]);
    const acks = framesOn('/public', (m) => m.event === 'subscribe');
    assert.deepEqual(acks.map((f) => f.message.arg), [{ channel: 'tickers', instId: 'BTC-USDT' }]);

    const pending = ex.watchTicker(BTC);
    await setPrice(mock, 'BTC-USDT', '90000');
    await advanceClock(mock, 120_000);
    await watchUntil(pending, () => ex.watchTicker(BTC), (t) => t.last === 90000, 'a ticker with last 90000');
    assert.equal((await ex.fetchTicker(BTC)).last, 90000);
  });

  it('watchOrderBook: books on /public equals fetchOrderBook, and a price move keeps the seqId chain', async () => {
    await freezeClock(mock);
    const first = await withTimeout(ex.watchOrderBook(BTC), 'watchOrderBook');
    assert.equal(first.symbol, BTC);
    assert.equal(first.bids.length, 400);
    assert.equal(first.asks.length, 400);
    assert.deepEqual(first.bids[0].slice(0, 1), [94999.9]);
    assert.deepEqual(first.asks[0].slice(0, 1), [95000.1]);
    const snapshot = framesOn('/public', (m) => m.arg?.channel === 'books' && m.action === 'snapshot');
    assert.equal(snapshot.length, 1);
    assert.equal(first.nonce, snapshot[0].message.data[0].seqId);
    const rest = await ex.fetchOrderBook(BTC, 400);
    assert.deepEqual(plainLevels(first.bids), plainLevels(rest.bids));
    assert.deepEqual(plainLevels(first.asks), plainLevels(rest.asks));

    const pending = ex.watchOrderBook(BTC);
    await setPrice(mock, 'BTC-USDT', '90000');
    await advanceClock(mock, 60_000);
    // An InvalidNonce here would mean a broken prevSeqId chain.
    const moved = await watchUntil(pending, () => ex.watchOrderBook(BTC), (ob) => ob.bids[0][0] === 89999.9 && ob,
      'the book at 90000');
    assert.equal(moved.asks[0][0], 90000.1);
    const books = framesOn('/public', isPush('books'));
    assert.equal(moved.nonce, books.at(-1).message.data[0].seqId);
    const after = await ex.fetchOrderBook(BTC, 400);
    assert.deepEqual(plainLevels(moved.bids), plainLevels(after.bids));
    assert.deepEqual(plainLevels(moved.asks), plainLevels(after.asks));
  });

  it('watchOHLCV: candle1m on /business equals fetchOHLCV, and the next minute opens a new bar', async () => {
    await freezeClock(mock);
    const candles = await withTimeout(ex.watchOHLCV(BTC, '1m'), 'watchOHLCV');
    assert.deepEqual(sent.map((s) => [s.url, s.message]),
      [[`${wsBase}/business`, { op: 'subscribe', args: [{ channel: 'candle1m', instId: 'BTC-USDT' }] }]]);
    const bar = candles.at(-1);
    assert.equal(bar[0] % 60_000, 0);
    const rest = await ex.fetchOHLCV(BTC, '1m', undefined, 2);
    assert.deepEqual(bar, rest.at(-1));
    const pushed = framesOn('/business', isPush('candle1m'));
    assert.equal(pushed.length, 1);
    assert.equal(pushed[0].message.data[0][8], '0'); // the current bar is not confirmed

    const pending = ex.watchOHLCV(BTC, '1m');
    await advanceClock(mock, 60_000);
    const next = await watchUntil(pending, () => ex.watchOHLCV(BTC, '1m'),
      (rows) => rows.find((row) => row[0] === bar[0] + 60_000), 'the next 1m bar');
    const restNext = await ex.fetchOHLCV(BTC, '1m', undefined, 2);
    assert.deepEqual(next, restNext.at(-1));
  });

  it('watchBalance and watchOrders on /private: login, account snapshot, a REST order live then canceled', async () => {
    const balance = await withTimeout(ex.watchBalance(), 'watchBalance');
    assert.deepEqual([balance.USDT.free, balance.USDT.used, balance.USDT.total], [100000, 0, 100000]);
    const restBalance = await ex.fetchBalance();
    assert.deepEqual(balance.USDT, restBalance.USDT);
    assert.deepEqual(balance.BTC, restBalance.BTC);
    const login = sent.find((s) => s.message.op === 'login');
    assert.equal(login.url, `${wsBase}/private`);
    assert.match(login.message.args[0].timestamp, /^\d{10}$/);
    const logins = framesOn('/private', (m) => m.event === 'login');
    assert.deepEqual(logins.map((f) => [f.message.code, f.message.msg]), [['0', '']]);

    const watching = ex.watchOrders(BTC);
    await waitFrame((m) => m.event === 'subscribe' && m.arg?.channel === 'orders', 'the orders ack');
    const placed = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 50000);
    assert.match(placed.id, /^\d+$/);
    const [open] = (await withTimeout(watching, 'watchOrders')).filter((o) => o.id === placed.id);
    assert.ok(open, `no order ${placed.id} from watchOrders`);
    assert.deepEqual([open.symbol, open.status, open.side, open.type, open.price, open.amount, open.filled],
      [BTC, 'open', 'buy', 'limit', 50000, 0.01, 0]);
    assert.equal(open.clientOrderId, placed.clientOrderId);

    const pending = ex.watchOrders(BTC);
    await ex.cancelOrder(placed.id, BTC);
    const canceled = await watchUntil(pending, () => ex.watchOrders(BTC),
      (orders) => orders.find((o) => o.id === placed.id && o.status === 'canceled'), 'the canceled order');
    assert.equal(canceled.remaining, 0.01);
    const pushes = framesOn('/private', (m) => isPush('orders')(m) && m.data[0].ordId === placed.id);
    assert.deepEqual(pushes.map((f) => f.message.data[0].state), ['live', 'canceled']);
  });

  it('createOrderWs (batch-orders, instIdCode), editOrderWs, cancelOrderWs; fetchOrder agrees', async () => {
    const order = await withTimeout(ex.createOrderWs(BTC, 'limit', 'buy', 0.01, 50000), 'createOrderWs');
    const create = sent.find((s) => s.message.op === 'batch-orders');
    assert.equal(create.url, `${wsBase}/private`);
    const arg = create.message.args[0];
    assert.equal(arg.instIdCode, BTC_INST_ID_CODE);
    assert.equal('instId' in arg, false);
    assert.deepEqual([arg.side, arg.ordType, arg.sz, arg.px, arg.tdMode, arg.tag], ['buy', 'limit', '0.01', '50000', 'cash', CCXT_TAG]);
    assert.match(order.id, /^\d+$/);
    assert.equal(order.clientOrderId, arg.clOrdId);
    const reply = framesOn('/private', (m) => m.op === 'batch-orders' && m.id === create.message.id);
    assert.equal(reply.length, 1);
    assert.deepEqual([reply[0].message.code, reply[0].message.data[0].sCode], ['0', '0']);

    let fetched = await ex.fetchOrder(order.id, BTC);
    assert.deepEqual([fetched.status, fetched.price, fetched.amount, fetched.clientOrderId],
      ['open', 50000, 0.01, arg.clOrdId]);

    await withTimeout(ex.editOrderWs(order.id, BTC, 'limit', 'buy', 0.01, 51000), 'editOrderWs');
    const amend = sent.find((s) => s.message.op === 'amend-order');
    assert.equal(amend.message.args[0].instIdCode, BTC_INST_ID_CODE);
    assert.equal(amend.message.args[0].ordId, order.id);
    fetched = await ex.fetchOrder(order.id, BTC);
    assert.equal(fetched.price, 51000);

    const second = await withTimeout(ex.createOrderWs(BTC, 'limit', 'buy', 0.02, 49000, { op: 'order' }), 'createOrderWs op order');
    assert.equal(sent.filter((s) => s.message.op === 'order').length, 1);
    assert.equal((await ex.fetchOrder(second.id, BTC)).amount, 0.02);

    await withTimeout(ex.cancelOrderWs(order.id, BTC), 'cancelOrderWs');
    const cancel = sent.find((s) => s.message.op === 'cancel-order');
    assert.deepEqual(cancel.message.args, [{ instIdCode: BTC_INST_ID_CODE, ordId: order.id }]);
    fetched = await ex.fetchOrder(order.id, BTC);
    assert.equal(fetched.status, 'canceled');
    const open = await ex.fetchOpenOrders(BTC);
    assert.deepEqual(open.map((o) => o.id), [second.id]);
  });

  it('createOrderWs refused: InsufficientFunds carrying the reply with sCode 51008', async () => {
    await assert.rejects(
      withTimeout(ex.createOrderWs(BTC, 'limit', 'buy', 100, 50000), 'createOrderWs'),
      (err) => {
        // As on REST: see the header.
        assert.equal(err.constructor.name, 'InsufficientFunds', String(err));
        const text = String(err.message);
        assert.ok(text.startsWith('okx {'), text);
        const body = JSON.parse(text.slice('okx '.length));
        assert.equal(body.op, 'batch-orders');
        assert.equal(body.code, '1');
        assert.equal(body.msg, '');
        assert.equal(body.data[0].sCode, '51008');
        assert.equal(body.data[0].sMsg, 'Order failed. Insufficient USDT balance in account');
        return true;
      },
    );
    assert.deepEqual(await ex.fetchOpenOrders(BTC), []);
  });
});
