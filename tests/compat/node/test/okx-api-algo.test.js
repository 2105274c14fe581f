'use strict';
// okx-api 3.2.3 RestClient algo orders against okx-mock: place, list, amend,
// fire on a mark-price move, cancel. okx-api rejects with the parsed body when
// code is not "0". Method names checked in node_modules/okx-api/dist/cjs/rest-client.js.

const { describe, it, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { RestClient } = require('okx-api');
const { startMock } = require('../lib/mock.js');

const SWAP = 'BTC-USDT-SWAP'; // last and mark 95020 in scenarios/default.toml

async function setPrice(mock, instId, px) {
  const res = await fetch(`${mock.baseUrl}/__admin/prices`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ instId, px }),
  });
  assert.equal(res.status, 200);
}

describe('okx-api RestClient algo orders', () => {
  let mock;

  beforeEach(async () => { mock = await startMock(); });
  afterEach(async () => { if (mock) await mock.stop(); mock = null; });

  const client = () => new RestClient({
    baseUrl: mock.baseUrl,
    apiKey: mock.keys.live.apiKey,
    apiSecret: mock.keys.live.secretKey,
    apiPass: mock.keys.live.passphrase,
  }, { timeout: 10_000 });

  it('a wrong-side stop is refused with 51280', async () => {
    const rest = client();
    await assert.rejects(
      rest.placeAlgoOrder({
        instId: SWAP, tdMode: 'cross', side: 'sell', ordType: 'conditional', sz: '1',
        slTriggerPx: '96000', slOrdPx: '-1',
      }),
      (body) => {
        assert.equal(body.code, '1');
        assert.equal(body.data[0].sCode, '51280');
        assert.equal(body.data[0].sMsg, 'SL trigger price cannot be higher than the last price.');
        return true;
      },
    );
  });

  it('placeAlgoOrder, amendAlgoOrder, then the stop fires on a mark move', async () => {
    const rest = client();
    await rest.submitOrder({ instId: SWAP, tdMode: 'cross', side: 'buy', ordType: 'market', sz: '1' });
    const [placed] = await rest.placeAlgoOrder({
      instId: SWAP, tdMode: 'cross', side: 'sell', ordType: 'conditional', sz: '1',
      slTriggerPx: '90000', slOrdPx: '-1', slTriggerPxType: 'mark',
    });
    assert.equal(placed.sCode, '0', JSON.stringify(placed));
    const pending = await rest.getAlgoOrderList({ ordType: 'conditional' });
    assert.deepEqual(pending.map((a) => a.algoId), [placed.algoId]);

    const [amended] = await rest.amendAlgoOrder({ instId: SWAP, algoId: placed.algoId, newSlTriggerPx: '94000' });
    assert.equal(amended.sCode, '0', JSON.stringify(amended));

    await setPrice(mock, SWAP, '93900');
    const [fired] = await rest.getAlgoOrderDetails({ algoId: placed.algoId });
    assert.equal(fired.state, 'effective');
    assert.equal(fired.actualSide, 'sl');
    assert.equal(fired.slTriggerPx, '94000');
    const positions = await rest.getPositions({ instId: SWAP });
    assert.ok(positions.every((p) => p.pos === '0'), JSON.stringify(positions));
  });

  it('cancelAlgoOrder cancels once', async () => {
    const rest = client();
    const [placed] = await rest.placeAlgoOrder({
      instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'trigger', sz: '0.1',
      triggerPx: '3300', orderPx: '-1',
    });
    const [canceled] = await rest.cancelAlgoOrder([{ instId: 'ETH-USDT', algoId: placed.algoId }]);
    assert.equal(canceled.sCode, '0', JSON.stringify(canceled));
    const history = await rest.getAlgoOrderHistory({ ordType: 'trigger', state: 'canceled' });
    assert.deepEqual(history.map((a) => a.algoId), [placed.algoId]);
  });
});
