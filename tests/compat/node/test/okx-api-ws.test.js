'use strict';
// okx-api 3.2.3 WebsocketClient and WebsocketAPIClient against okx-mock's
// WebSocket API.
//
// okx-api's `wsUrl` option replaces the URL of every connection it opens
// (public, private, business: util/websocket-util.js getWsUrlForWsKey), so it
// points at ws://HOST:PORT/ws/v5, the mock's combined URL that accepts every
// channel, login and op. The client still opens one connection per wsKey
// (prodPublic for tickers/books, prodPrivate for orders/account and the WS API).
//
// What okx-api does with what the server sends (dist/cjs/websocket-client.js
// resolveEmittableEvents): `{arg, data}` pushes are emitted as 'update' with
// the push's own fields plus wsKey; subscribe/login acks as 'response'; error
// events as 'exception'. A WS API reply is only recognised when `id` and
// `inTime` are strings (util/typeGuards.js isWSAPIResponse); code "0" resolves
// the promise with the reply, anything else rejects with it.
//
// Client quirk: WebsocketAPIClient usually sends `login` twice on its private
// connection. onWsOpen (util/BaseWSClient.js:571) and sendWSAPIRequest
// (websocket-client.js:525) both call assertIsAuthenticated; sendAuthRequest
// awaits the connection and the signing (BaseWSClient.js:340-341) before it
// records the login in progress (:343), so both see no login under way and
// both send one. The mock follows OKX and answers the second login with error
// 60031; okx-api only emits that as an 'exception' and carries on.
//
// The default world (scenarios/default.toml): BTC-USDT last 95000, tick 0.1,
// 400 book levels a side, live account USDT 100000; BTC-USDT-SWAP 95020.

const { describe, it, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { RestClient, WebsocketClient, WebsocketAPIClient } = require('okx-api');
const { startMock } = require('../lib/mock.js');
const { WAIT_MS, setPrice, advanceClock, freezeClock } = require('../lib/control.js');

const OKX_API_TAG = '159881cb7207BCDE';
const LIVE_UID = '448065917583769600';


const wsUrlOf = (mock) => `${mock.baseUrl.replace(/^http/, 'ws')}/ws/v5`;
const accountsOf = (mock) => [{
  apiKey: mock.keys.live.apiKey,
  apiSecret: mock.keys.live.secretKey,
  apiPass: mock.keys.live.passphrase,
}];

// okx-api's default logger prints every connect/close with console.log; keep
// its errors for failure messages, and its trace lines ("Received pong").
function quietLogger() {
  const errors = [];
  const traces = [];
  return {
    errors,
    traces,
    trace: (message) => traces.push(message),
    info: () => {},
    error: (...params) => errors.push(params),
  };
}

const brief = (e) => JSON.stringify(e, (k, v) => (k === 'ws' ? undefined : v)).slice(0, 600);

// Records every 'update', 'response' and 'exception' a client emits, from the
// moment it is made, so no event is lost between an action and the wait for
// its consequence. waitFor() looks at what was already seen, then at what comes.
function recorder(emitter) {
  const seen = { update: [], response: [], exception: [] };
  const waiters = new Set();
  for (const kind of Object.keys(seen)) {
    emitter.on(kind, (event) => {
      seen[kind].push(event);
      for (const w of [...waiters]) w();
    });
  }
  function waitFor(kind, pred, label, ms = WAIT_MS) {
    return new Promise((resolve, reject) => {
      let next = 0;
      const check = () => {
        while (next < seen[kind].length) {
          const event = seen[kind][next++];
          if (pred(event)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(event);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const tail = seen[kind].slice(-5).map(brief).join('\n  ');
        const exceptions = seen.exception.map(brief).join('\n  ');
        reject(new Error(`no '${kind}' event for ${label} within ${ms} ms; last ${kind} events:\n  ${tail}`
          + `\nexceptions:\n  ${exceptions}`));
      }, ms);
      waiters.add(check);
      check();
    });
  }
  return { seen, waitFor };
}

const isPush = (channel, pred = () => true) => (e) => e.arg?.channel === channel && Array.isArray(e.data) && pred(e);
const isAck = (channel) => (e) => e.event === 'subscribe' && e.arg?.channel === channel;

// OKX's book checksum: the first 25 levels a side as
// bid0px:bid0sz:ask0px:ask0sz:bid1px:..., CRC32 as a signed 32-bit integer.
function checksum(bids, asks) {
  const parts = [];
  for (let i = 0; i < 25; i++) {
    if (i < bids.length) parts.push(bids[i][0], bids[i][1]);
    if (i < asks.length) parts.push(asks[i][0], asks[i][1]);
  }
  return zlib.crc32(parts.join(':')) | 0;
}

// A local book kept from `books` messages: levels keyed by their price string,
// size "0" deletes a level.
function localBook() {
  const sides = { bids: new Map(), asks: new Map() };
  return {
    apply(data) {
      for (const side of ['bids', 'asks']) {
        for (const level of data[side]) {
          if (level[1] === '0') sides[side].delete(level[0]);
          else sides[side].set(level[0], level);
        }
      }
    },
    bids: () => [...sides.bids.values()].sort((a, b) => Number(b[0]) - Number(a[0])),
    asks: () => [...sides.asks.values()].sort((a, b) => Number(a[0]) - Number(b[0])),
  };
}

// Replays `books` messages into a local book, checking OKX's rules on each:
// the first is a snapshot with prevSeqId -1, each later one an update whose
// prevSeqId is the seqId before it, and every checksum matches the merged book.
function replayBooks(messages) {
  const book = localBook();
  let seqId;
  messages.forEach((m, i) => {
    const d = m.data[0];
    const where = `books message ${i} (${m.action}, prevSeqId ${d.prevSeqId}, seqId ${d.seqId})`;
    if (i === 0) {
      assert.equal(m.action, 'snapshot', where);
      assert.equal(d.prevSeqId, -1, where);
    } else {
      assert.equal(m.action, 'update', where);
      assert.equal(d.prevSeqId, seqId, `${where}: prevSeqId must equal the previous seqId`);
      assert.ok(d.seqId > d.prevSeqId, where);
    }
    assert.equal(typeof d.seqId, 'number', where);
    assert.equal(typeof d.checksum, 'number', where);
    book.apply(d);
    assert.equal(d.checksum, checksum(book.bids(), book.asks()), `${where}: checksum of the merged book`);
    seqId = d.seqId;
  });
  return book;
}

describe('okx-api WebsocketClient, public channels (wsUrl = /ws/v5)', () => {
  let mock;
  let ws;
  let rec;
  let rest;

  beforeEach(async () => {
    mock = await startMock();
    ws = new WebsocketClient({ wsUrl: wsUrlOf(mock) }, quietLogger());
    rec = recorder(ws);
    rest = new RestClient({ baseUrl: mock.baseUrl }, { timeout: 10_000 });
  });
  afterEach(async () => {
    ws?.closeAll(true);
    ws = null;
    if (mock) await mock.stop();
    mock = null;
  });

  it('tickers: one ack, a push whose last equals getTicker, then the new last after a price move', async () => {
    ws.subscribe({ channel: 'tickers', instId: 'BTC-USDT' });
    const ack = await rec.waitFor('response', isAck('tickers'), 'the tickers ack');
    assert.deepEqual(ack.arg, { channel: 'tickers', instId: 'BTC-USDT' });
    assert.equal(ack.wsKey, 'prodPublic');
    assert.equal(typeof ack.id, 'string'); // okx-api sends an id; the ack echoes it
    assert.match(ack.connId, /^[0-9a-f]{8}$/);

    const push = await rec.waitFor('update', isPush('tickers'), 'a tickers push');
    const [ticker] = await rest.getTicker({ instId: 'BTC-USDT' });
    assert.deepEqual(push.arg, { channel: 'tickers', instId: 'BTC-USDT' });
    assert.equal(push.data.length, 1);
    const row = push.data[0];
    assert.equal(row.instId, 'BTC-USDT');
    assert.equal(row.instType, 'SPOT');
    assert.equal(row.last, ticker.last);
    assert.equal(row.last, '95000');
    assert.equal(row.lastSz, ticker.lastSz);
    assert.equal(row.open24h, ticker.open24h);

    // The mark moves at once; the last follows with the next synthetic trades,
    // which need exchange time.
    await setPrice(mock, 'BTC-USDT', '90000');
    await advanceClock(mock, 120_000);
    const moved = await rec.waitFor('update', isPush('tickers', (e) => e.data[0].last === '90000'),
      'a tickers push with last 90000');
    const [after] = await rest.getTicker({ instId: 'BTC-USDT' });
    assert.equal(after.last, '90000');
    assert.equal(Number(moved.data[0].bidPx) < 90000 && Number(moved.data[0].askPx) > 90000, true, brief(moved));
    assert.equal(rec.seen.response.filter(isAck('tickers')).length, 1);
    assert.deepEqual(rec.seen.exception, []);
  });

  it('books, frozen clock: the snapshot equals REST books; a price move gives one chained update', async () => {
    await freezeClock(mock);
    ws.subscribe({ channel: 'books', instId: 'BTC-USDT' });
    const snapshot = await rec.waitFor('update', isPush('books'), 'the books snapshot');
    assert.deepEqual(snapshot.arg, { channel: 'books', instId: 'BTC-USDT' });
    assert.equal(snapshot.action, 'snapshot');
    const snap = snapshot.data[0];
    assert.equal(snap.prevSeqId, -1);
    assert.equal(snap.bids.length, 400);
    assert.equal(snap.asks.length, 400);
    assert.deepEqual(snap.bids[0].slice(0, 1), ['94999.9']);
    assert.deepEqual(snap.asks[0].slice(0, 1), ['95000.1']);
    assert.equal(snap.checksum, checksum(snap.bids, snap.asks));
    const [restBook] = await rest.getOrderBook({ instId: 'BTC-USDT', sz: '400' });
    assert.deepEqual(snap.bids, restBook.bids);
    assert.deepEqual(snap.asks, restBook.asks);
    assert.equal(snap.ts, restBook.ts);

    await setPrice(mock, 'BTC-USDT', '90000');
    await advanceClock(mock, 60_000);
    await rec.waitFor('update', isPush('books', (e) => e.data[0].bids.some((l) => l[0] === '89999.9' && l[1] !== '0')),
      'a books update with the bid at 89999.9');
    const messages = rec.seen.update.filter(isPush('books'));
    assert.deepEqual(messages.map((m) => m.action), ['snapshot', 'update']); // nothing moves while frozen
    assert.equal(messages[1].data[0].prevSeqId, snap.seqId);
    const book = replayBooks(messages);
    const [restAfter] = await rest.getOrderBook({ instId: 'BTC-USDT', sz: '400' });
    assert.deepEqual(book.bids(), restAfter.bids);
    assert.deepEqual(book.asks(), restAfter.asks);
    assert.equal(book.bids()[0][0], '89999.9');
    assert.equal(book.asks()[0][0], '90000.1');
    assert.deepEqual(rec.seen.exception, []);
  });

  it('books, running clock: every update chains by prevSeqId and checksums the merged book', async () => {
    ws.subscribe({ channel: 'books', instId: 'BTC-USDT' });
    await rec.waitFor('update', isPush('books', (e) => e.action === 'snapshot'), 'the books snapshot');
    await setPrice(mock, 'BTC-USDT', '90000');
    await advanceClock(mock, 60_000);
    await rec.waitFor('update', isPush('books', (e) => e.data[0].asks.some((l) => l[0] === '90000.1' && l[1] !== '0')),
      'a books update with the ask at 90000.1');
    // One more tick of the synthetic book after the move.
    const count = rec.seen.update.filter(isPush('books')).length;
    await rec.waitFor('update', (e) => isPush('books')(e) && rec.seen.update.filter(isPush('books')).length > count,
      'one more books update');
    const book = replayBooks(rec.seen.update.filter(isPush('books')));
    assert.equal(book.bids()[0][0], '89999.9');
    assert.equal(book.asks()[0][0], '90000.1');
    assert.equal(book.bids().length, 400);
    assert.equal(book.asks().length, 400);
  });
});

describe('okx-api WebsocketClient heartbeat', () => {
  let mock;
  let ws;

  beforeEach(async () => { mock = await startMock(); });
  afterEach(async () => {
    ws?.closeAll(true);
    ws = null;
    if (mock) await mock.stop();
    mock = null;
  });

  it('its text ping is answered with pong, so it never reconnects (pingInterval 200 ms)', async () => {
    const logger = quietLogger();
    // okx-api: text "ping" every pingInterval; no "pong" within pongTimeout
    // terminates the socket and reconnects (util/BaseWSClient.js ping()).
    ws = new WebsocketClient({ wsUrl: wsUrlOf(mock), pingInterval: 200, pongTimeout: 500 }, logger);
    const reconnects = [];
    ws.on('reconnect', (e) => reconnects.push(e.wsKey));
    const rec = recorder(ws);
    ws.subscribe({ channel: 'tickers', instId: 'BTC-USDT' });
    await rec.waitFor('response', isAck('tickers'), 'the tickers ack');
    const deadline = Date.now() + 5_000;
    while (logger.traces.filter((t) => t === 'Received pong').length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(logger.traces.filter((t) => t === 'Sending ping').length >= 3, 'okx-api sent no pings');
    assert.ok(logger.traces.filter((t) => t === 'Received pong').length >= 3, 'no pong came back');
    assert.deepEqual(reconnects, []);
    assert.deepEqual(rec.seen.exception, []);
  });
});

describe('okx-api WebsocketClient, private channels (accounts + wsUrl = /ws/v5)', () => {
  let mock;
  let ws;
  let rec;
  let rest;

  beforeEach(async () => {
    mock = await startMock();
    ws = new WebsocketClient({ wsUrl: wsUrlOf(mock), accounts: accountsOf(mock) }, quietLogger());
    rec = recorder(ws);
    rest = new RestClient({
      baseUrl: mock.baseUrl,
      apiKey: mock.keys.live.apiKey,
      apiSecret: mock.keys.live.secretKey,
      apiPass: mock.keys.live.passphrase,
    }, { timeout: 10_000 });
  });
  afterEach(async () => {
    ws?.closeAll(true);
    ws = null;
    if (mock) await mock.stop();
    mock = null;
  });

  it('orders: a REST order is pushed live then canceled, with the same ordId and the REST fields', async () => {
    ws.subscribe({ channel: 'orders', instType: 'ANY' });
    const login = await rec.waitFor('response', (e) => e.event === 'login', 'the login reply');
    assert.equal(login.code, '0');
    assert.equal(login.msg, '');
    assert.equal(login.wsKey, 'prodPrivate');
    const ack = await rec.waitFor('response', isAck('orders'), 'the orders ack');
    assert.deepEqual(ack.arg, { channel: 'orders', instType: 'ANY' });
    assert.equal(ack.connId, login.connId);

    const [placed] = await rest.submitOrder({
      instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '50000',
    });
    assert.equal(placed.sCode, '0', JSON.stringify(placed));
    const { ordId } = placed;
    const live = await rec.waitFor('update', isPush('orders', (e) => e.data[0].ordId === ordId),
      `the orders push for ${ordId}`);
    assert.deepEqual(live.arg, { channel: 'orders', instType: 'ANY', uid: LIVE_UID });
    assert.equal(live.data.length, 1);
    const pushed = live.data[0];
    assert.equal(pushed.state, 'live');
    assert.equal(pushed.instId, 'BTC-USDT');
    assert.equal(pushed.px, '50000');
    assert.equal(pushed.sz, '0.01');
    assert.equal(pushed.tag, OKX_API_TAG);
    assert.equal(pushed.accFillSz, '0');
    assert.equal(pushed.fillSz, '0');
    assert.equal(pushed.code, '0');
    // Every field of the REST order reads the same on the push (which adds the
    // fill fields, code/msg, amendResult, reqId and so on).
    const [order] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    for (const [key, value] of Object.entries(order)) {
      assert.deepEqual(pushed[key], value, `orders push field ${key}`);
    }

    const [canceled] = await rest.cancelOrder({ instId: 'BTC-USDT', ordId });
    assert.equal(canceled.sCode, '0', JSON.stringify(canceled));
    const gone = await rec.waitFor('update', isPush('orders', (e) => e.data[0].ordId === ordId && e.data[0].state === 'canceled'),
      `the canceled push for ${ordId}`);
    assert.equal(gone.data[0].cancelSource, '1');
    const pushes = rec.seen.update.filter(isPush('orders', (e) => e.data[0].ordId === ordId));
    assert.deepEqual(pushes.map((e) => e.data[0].state), ['live', 'canceled']);
    assert.deepEqual(rec.seen.exception, []);
  });

  it('account, positions, balance_and_position: snapshots match REST, a swap fill pushes events', async () => {
    ws.subscribe([
      { channel: 'account' },
      { channel: 'positions', instType: 'ANY' },
      { channel: 'balance_and_position' },
    ]);
    const account = await rec.waitFor('update', isPush('account'), 'the account snapshot');
    assert.deepEqual(account.arg, { channel: 'account', uid: LIVE_UID });
    assert.equal(account.eventType, 'snapshot');
    assert.equal(account.curPage, 1);
    assert.equal(account.lastPage, true);
    const [balance] = await rest.getBalance();
    const usdt = account.data[0].details.find((d) => d.ccy === 'USDT');
    assert.ok(usdt, brief(account));
    assert.equal(usdt.cashBal, '100000');
    assert.equal(usdt.availBal, '100000');
    // uTime is left out: the mock gives the time of the read, on REST as on WS.
    const { uTime: _wsTime, ...wsRow } = usdt;
    const { uTime: _restTime, ...restRow } = balance.details.find((d) => d.ccy === 'USDT');
    assert.deepEqual(wsRow, restRow);
    assert.deepEqual(account.data[0].details.map((d) => d.ccy).sort(), ['BTC', 'ETH', 'USDC', 'USDT']);
    assert.equal(account.data[0].totalEq, balance.totalEq);

    const positions = await rec.waitFor('update', isPush('positions'), 'the positions snapshot');
    assert.deepEqual(positions.arg, { channel: 'positions', instType: 'ANY', uid: LIVE_UID });
    assert.equal(positions.eventType, 'snapshot');
    assert.deepEqual(positions.data, []);
    const bp = await rec.waitFor('update', isPush('balance_and_position'), 'the balance_and_position snapshot');
    assert.deepEqual(bp.arg, { channel: 'balance_and_position', uid: LIVE_UID });
    assert.equal(bp.data[0].eventType, 'snapshot');
    assert.deepEqual(bp.data[0].posData, []);
    assert.equal(bp.data[0].balData.find((b) => b.ccy === 'USDT')?.cashBal, '100000');

    const [placed] = await rest.submitOrder({
      instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'market', sz: '1',
    });
    assert.equal(placed.sCode, '0', JSON.stringify(placed));
    const opened = await rec.waitFor('update', isPush('positions', (e) => e.data.some((p) => p.instId === 'BTC-USDT-SWAP')),
      'a positions push for BTC-USDT-SWAP');
    assert.equal(opened.eventType, 'event_update');
    const pos = opened.data.find((p) => p.instId === 'BTC-USDT-SWAP');
    assert.equal(pos.pos, '1');
    assert.equal(pos.posSide, 'net');
    assert.equal(pos.mgnMode, 'cross');
    const [restPos] = await rest.getPositions({ instId: 'BTC-USDT-SWAP' });
    for (const key of ['posId', 'pos', 'avgPx', 'lever', 'mgnMode', 'posSide', 'ccy', 'cTime', 'imr', 'mmr', 'markPx']) {
      assert.equal(pos[key], restPos[key], `positions push field ${key}`);
    }

    const filled = await rec.waitFor('update', isPush('balance_and_position', (e) => e.data[0].eventType === 'filled'),
      'a balance_and_position push for the fill');
    const [fill] = await rest.getFills({ instId: 'BTC-USDT-SWAP' });
    const event = filled.data[0];
    assert.deepEqual(event.trades, [{ instId: 'BTC-USDT-SWAP', tradeId: fill.tradeId }]);
    assert.equal(event.posData.length, 1);
    assert.equal(event.posData[0].pos, '1');
    assert.equal(event.posData[0].posId, restPos.posId);
    const [after] = await rest.getBalance();
    assert.equal(event.balData.find((b) => b.ccy === 'USDT').cashBal,
      after.details.find((d) => d.ccy === 'USDT').cashBal);
    assert.deepEqual(rec.seen.exception, []);
  });
});

// clients.md pointed okx-api's wsUrl at /ws/v5/public. With OKX's URL rules
// that only carries public channels: the login succeeds (OKX allows one on
// /public) but orders is refused with 60008 and candles with 64001, which
// okx-api only emits as 'exception'. Hence wsUrl = /ws/v5 everywhere else.
describe('okx-api WebsocketClient with wsUrl = /ws/v5/public (OKX URL rules)', () => {
  let mock;
  let ws;

  beforeEach(async () => { mock = await startMock(); });
  afterEach(async () => {
    ws?.closeAll(true);
    ws = null;
    if (mock) await mock.stop();
    mock = null;
  });

  it('tickers work, orders gets 60008 after a good login, candle1m gets 64001', async () => {
    ws = new WebsocketClient({ wsUrl: `${wsUrlOf(mock)}/public`, accounts: accountsOf(mock) }, quietLogger());
    const rec = recorder(ws);
    ws.subscribe([
      { channel: 'tickers', instId: 'BTC-USDT' },
      { channel: 'orders', instType: 'ANY' },
      { channel: 'candle1m', instId: 'BTC-USDT' },
    ]);
    await rec.waitFor('update', isPush('tickers'), 'a tickers push');
    const login = await rec.waitFor('response', (e) => e.event === 'login', 'the login reply');
    assert.equal(login.code, '0');
    assert.equal(login.wsKey, 'prodPrivate');
    const orders = await rec.waitFor('exception', (e) => e.code === '60008', 'error 60008');
    assert.equal(orders.event, 'error');
    assert.equal(orders.wsKey, 'prodPrivate');
    assert.equal(orders.connId, login.connId);
    assert.match(orders.msg, /does not support subscribing to orders channels/);
    const candles = await rec.waitFor('exception', (e) => e.code === '64001', 'error 64001');
    assert.equal(candles.event, 'error');
    assert.equal(candles.wsKey, 'prodBusiness');
    assert.ok(candles.msg.startsWith("This channel has been migrated to the '/business' URL."), candles.msg);
    assert.equal(typeof candles.id, 'string'); // the error echoes the subscribe's id
    assert.deepEqual(rec.seen.response.filter((e) => e.event === 'subscribe').map((e) => e.arg),
      [{ channel: 'tickers', instId: 'BTC-USDT' }]);
    assert.equal(rec.seen.exception.length, 2, rec.seen.exception.map(brief).join('\n'));
  });
});

describe('okx-api WebsocketAPIClient (WS trade ops on wsUrl = /ws/v5)', () => {
  let mock;
  let api;
  let rec;
  let rest;

  beforeEach(async () => {
    mock = await startMock();
    // attachEventListeners: false drops the console.log listeners it adds by default.
    api = new WebsocketAPIClient({ wsUrl: wsUrlOf(mock), accounts: accountsOf(mock), attachEventListeners: false },
      quietLogger());
    rec = recorder(api.getWSClient());
    rest = new RestClient({
      baseUrl: mock.baseUrl,
      apiKey: mock.keys.live.apiKey,
      apiSecret: mock.keys.live.secretKey,
      apiPass: mock.keys.live.passphrase,
    }, { timeout: 10_000 });
  });
  afterEach(async () => {
    api?.getWSClient().closeAll(true);
    api = null;
    if (mock) await mock.stop();
    mock = null;
  });

  const assertReply = (reply, op) => {
    assert.equal(reply.op, op);
    assert.equal(reply.code, '0', brief(reply));
    assert.equal(reply.msg, '');
    assert.equal(reply.id, reply.request.id);
    assert.match(reply.inTime, /^\d{16}$/);
    assert.match(reply.outTime, /^\d{16}$/);
    assert.ok(BigInt(reply.outTime) >= BigInt(reply.inTime), brief(reply));
    assert.equal(reply.wsKey, 'prodPrivate');
  };

  // One successful login per connection. When the first thing done is a WS
  // API call, okx-api logs in twice (see the header): the second login is
  // refused with 60031, which is all that may show up as an error event.
  const assertOneLogin = () => {
    const logins = rec.seen.response.filter((e) => e.event === 'login');
    assert.deepEqual(logins.map((e) => e.code), ['0']);
    const errors = rec.seen.exception.filter((e) => !e.isWSAPIResponse); // refused ops are exceptions too
    assert.ok(errors.length <= 1, errors.map(brief).join('\n'));
    for (const e of errors) {
      assert.deepEqual([e.event, e.code, e.msg, e.connId],
        ['error', '60031', 'The WebSocket endpoint does not allow multiple or repeated logins.', logins[0].connId],
        brief(e));
    }
  };

  it('submitNewOrder, amendOrder, cancelOrder: replies match REST, and the orders push comes on the same connection', async () => {
    api.getWSClient().subscribe({ channel: 'orders', instType: 'SPOT' });
    await rec.waitFor('response', isAck('orders'), 'the orders ack');

    const placed = await api.submitNewOrder({
      instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '50000', clOrdId: 'wsapi1',
    });
    assertReply(placed, 'order');
    assert.deepEqual(placed.request.args, [{
      instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '50000', clOrdId: 'wsapi1',
      tag: OKX_API_TAG,
    }]);
    assert.equal(placed.data.length, 1);
    const [row] = placed.data;
    assert.equal(row.sCode, '0');
    assert.equal(row.sMsg, 'Order successfully placed.'); // OKX's WS wording
    assert.equal(row.clOrdId, 'wsapi1');
    assert.equal(row.tag, OKX_API_TAG);
    assert.match(row.ordId, /^\d+$/);
    const { ordId } = row;

    const [order] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    assert.equal(order.state, 'live');
    assert.equal(order.clOrdId, 'wsapi1');
    assert.equal(order.px, '50000');
    assert.equal(order.sz, '0.01');
    assert.equal(order.tag, OKX_API_TAG);
    const live = await rec.waitFor('update', isPush('orders', (e) => e.data[0].ordId === ordId),
      `the orders push for ${ordId}`);
    assert.equal(live.data[0].state, 'live');
    assert.equal(live.wsKey, 'prodPrivate');

    const amended = await api.amendOrder({ instId: 'BTC-USDT', ordId, newPx: '51000' });
    assertReply(amended, 'amend-order');
    assert.equal(amended.data[0].sCode, '0', brief(amended));
    assert.equal(amended.data[0].ordId, ordId);
    assert.equal(amended.data[0].clOrdId, 'wsapi1');
    const [afterAmend] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    assert.equal(afterAmend.px, '51000');
    const amendPush = await rec.waitFor('update', isPush('orders', (e) => e.data[0].ordId === ordId && e.data[0].px === '51000'),
      `the amended orders push for ${ordId}`);
    assert.equal(amendPush.data[0].amendResult, '0');

    const canceled = await api.cancelOrder({ instId: 'BTC-USDT', ordId });
    assertReply(canceled, 'cancel-order');
    assert.equal(canceled.data[0].sCode, '0', brief(canceled));
    assert.equal(canceled.data[0].ordId, ordId);
    const [afterCancel] = await rest.getOrderDetails({ instId: 'BTC-USDT', ordId });
    assert.equal(afterCancel.state, 'canceled');
    await rec.waitFor('update', isPush('orders', (e) => e.data[0].ordId === ordId && e.data[0].state === 'canceled'),
      `the canceled push for ${ordId}`);
    assertOneLogin();
  });

  it('submitMultipleOrders and cancelMultipleOrders (batch ops)', async () => {
    const placed = await api.submitMultipleOrders([
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '50000' },
      { instId: 'ETH-USDT', tdMode: 'cash', side: 'sell', ordType: 'limit', sz: '0.1', px: '4000' },
    ]);
    assertReply(placed, 'batch-orders');
    assert.deepEqual(placed.data.map((d) => [d.sCode, d.tag]), [['0', OKX_API_TAG], ['0', OKX_API_TAG]]);
    const ids = placed.data.map((d) => d.ordId);
    const pending = await rest.getOrderList();
    assert.deepEqual(pending.map((o) => o.ordId).sort(), [...ids].sort());

    const canceled = await api.cancelMultipleOrders([
      { instId: 'BTC-USDT', ordId: ids[0] },
      { instId: 'ETH-USDT', ordId: ids[1] },
    ]);
    assertReply(canceled, 'batch-cancel-orders');
    assert.deepEqual(canceled.data.map((d) => [d.ordId, d.sCode]), [[ids[0], '0'], [ids[1], '0']]);
    assert.deepEqual(await rest.getOrderList(), []);
    assertOneLogin();
  });

  it('a refused order rejects the promise with the reply: code 1, sCode 51008', async () => {
    await assert.rejects(
      api.submitNewOrder({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '100', px: '50000' }),
      (reply) => {
        assert.equal(reply.op, 'order');
        assert.equal(reply.code, '1');
        assert.equal(typeof reply.msg, 'string');
        assert.match(reply.inTime, /^\d{16}$/);
        assert.equal(reply.data.length, 1);
        assert.equal(reply.data[0].sCode, '51008');
        assert.equal(reply.data[0].sMsg, 'Order failed. Insufficient USDT balance in account');
        assert.equal(reply.data[0].subCode, '1000');
        assert.equal(reply.data[0].ordId, '');
        return true;
      },
    );
    assert.deepEqual(await rest.getOrderList(), []);
    assertOneLogin();
  });
});
