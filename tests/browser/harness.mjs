// Shared pieces of the browser tests and the inventory benchmark: argument parsing, a
// sensor DB filled by `otsensor replay`, a running `otsensor serve`, and Chromium.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function parseArgs(argv, defaults) {
  const args = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const match = argv[i].match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!match) throw new Error(`unexpected argument ${argv[i]}`);
    const key = match[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${match[1]}`);
    if (typeof defaults[key] === 'boolean') args[key] = match[2] === undefined ? true : match[2] !== 'false';
    else args[key] = match[2] !== undefined ? match[2] : argv[++i];
  }
  return args;
}

export function findOtsensor() {
  const build = path.join(REPO, 'build');
  if (!fs.existsSync(build)) return '';
  for (const dir of ['release', 'dev', 'ui', 'lead']) {
    const candidate = path.join(build, dir, 'core', 'otsensor');
    if (fs.existsSync(candidate)) return candidate;
  }
  return '';
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function replay(otsensor, db, files) {
  const result = spawnSync(otsensor, ['replay', '--db', db, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`otsensor replay failed (${result.status}): ${result.stderr}`);
  return result;
}

export function addUser(otsensor, db, name, role, password) {
  const result = spawnSync(otsensor, ['user', 'add', name, '--role', role, '--db', db], { input: `${password}\n`, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`otsensor user add ${name} failed: ${result.stderr}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts `otsensor serve` and waits for its URL (and, on first start, the admin password).
export async function startServer({ otsensor, db, uiDir, extraArgs = [] }) {
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--ui-dir', uiDir, ...extraArgs];
  const child = spawn(otsensor, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otsensor serve did not start in 20 s:\n${stderr}`)), 20000);
    // On first start the admin password follows the URL and fingerprint lines; a DB that
    // already has users prints none, so a quiet second after the URL means "no password".
    let quietTimer = null;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(quietTimer);
      const url = stderr.match(/console at (\S+)/);
      const password = stderr.match(/with password (\S+)/);
      resolve({ url: url[1].replace(/\/$/, ''), adminPassword: password ? password[1] : '' });
    };
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/with password \S+\n/.test(stderr)) return finish();
      if (/console at \S+/.test(stderr)) {
        clearTimeout(quietTimer);
        quietTimer = setTimeout(finish, 1000);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`otsensor serve exited with ${code}:\n${stderr}`));
    });
  });
  child.stdout.resume();
  // A test script that dies half-way must not leave the server running.
  process.on('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    ...info,
    child,
    log: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000);
      }),
  };
}

export async function launchBrowser(executablePath) {
  if (!fs.existsSync(executablePath))
    throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export async function newContext(browser) {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
}

export async function login(page, baseUrl, user, password) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 10000 });
}
