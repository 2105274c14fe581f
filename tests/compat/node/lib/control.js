'use strict';
// The mock's control API (/__admin/) and a bounded wait, shared by the
// WebSocket tests: move prices and the exchange clock instead of sleeping.

const assert = require('node:assert/strict');

const WAIT_MS = 10_000;

async function admin(mock, path, body) {
  const res = await fetch(`${mock.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text);
}
const setPrice = (mock, instId, px) => admin(mock, '/__admin/prices', { instId, px });
const advanceClock = (mock, ms) => admin(mock, '/__admin/clock/advance', { ms });
const freezeClock = (mock) => admin(mock, '/__admin/clock/freeze');

// `promise`, or an error naming `label` after `ms`.
function withTimeout(promise, label, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

module.exports = { WAIT_MS, admin, setPrice, advanceClock, freezeClock, withTimeout };
