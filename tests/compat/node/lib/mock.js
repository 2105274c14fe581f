'use strict';
// Starts okx-mock (`okx-mock --port 0`), waits for its first stdout line
// ("okx-mock listening on http://127.0.0.1:PORT") and reads the API keys from
// scenarios/default.toml. Used from before()/after() hooks of the node:test files.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SCENARIO = path.join(REPO_ROOT, 'scenarios', 'default.toml');
const START_TIMEOUT_MS = 20_000;
const LISTEN_RE = /^okx-mock listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

function mockBinary() {
  return process.env.OKX_MOCK_BIN || path.join(REPO_ROOT, 'target', 'debug', 'okx-mock');
}

// Tiny parser for the flat `[[keys]]` tables of the scenario file: string,
// integer and boolean scalars plus single-line string arrays. Enough for keys;
// other tables are skipped.
function parseTomlValue(raw) {
  const v = raw.trim();
  if (v.startsWith('"')) return JSON.parse(v);
  if (v.startsWith('[')) return JSON.parse(v);
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?\d+$/.test(v)) return Number(v);
  throw new Error(`unsupported TOML value: ${v}`);
}

function stripComment(line) {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inStr) { i++; continue; }
    if (c === '"') inStr = !inStr;
    if (c === '#' && !inStr) return line.slice(0, i);
  }
  return line;
}

function loadKeys(file = SCENARIO) {
  const keys = [];
  let current = null;
  for (const rawLine of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = stripComment(rawLine).trim();
    if (!line) continue;
    if (line.startsWith('[')) {
      current = line === '[[keys]]' ? {} : null;
      if (current) keys.push(current);
      continue;
    }
    if (!current) continue;
    const m = /^([A-Za-z0-9_]+)\s*=\s*(.+)$/.exec(line);
    if (m) current[m[1]] = parseTomlValue(m[2]);
  }
  const pick = (env) => {
    const k = keys.find((x) => x.env === env);
    if (!k) throw new Error(`${file} has no [[keys]] entry with env = "${env}"`);
    for (const f of ['apiKey', 'secretKey', 'passphrase']) {
      if (typeof k[f] !== 'string') throw new Error(`${file}: key ${k.label} has no ${f}`);
    }
    return k;
  };
  return { live: pick('live'), demo: pick('demo') };
}

function startMock() {
  const bin = mockBinary();
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    return Promise.reject(new Error(
      `okx-mock binary not found or not executable at ${bin} (build it with \`cargo build\`, or set OKX_MOCK_BIN)`));
  }
  const child = spawn(bin, ['--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (msg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${msg}\nstdout:\n${out.slice(-4000)}\nstderr:\n${err.slice(-4000)}`));
    };
    const timer = setTimeout(
      () => fail(`okx-mock did not print its listen line within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS);
    // Keep draining both streams for the whole run so the mock never blocks on a full pipe.
    child.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
    child.stdout.on('data', (d) => {
      if (settled) return;
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const first = out.slice(0, nl).replace(/\r$/, '');
      const m = LISTEN_RE.exec(first);
      if (!m) {
        fail(`okx-mock's first stdout line is ${JSON.stringify(first)}, expected "okx-mock listening on http://127.0.0.1:PORT"`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({
        baseUrl: m[1],
        keys: loadKeys(),
        stop: () => stopChild(child),
      });
    });
    child.on('error', (e) => fail(`cannot start ${bin}: ${e.message}`));
    child.on('exit', (code, signal) => fail(`okx-mock exited (code ${code}, signal ${signal}) before announcing its port`));
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  });
}

module.exports = { startMock, loadKeys, REPO_ROOT };
