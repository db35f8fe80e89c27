#!/usr/bin/env node
'use strict';
// The pgobuild client, as Bazel's: it forwards the command to a warm server for this workspace
// (src/server, started on first use) and streams its output back, so a command does not pay for
// loading and JIT-compiling the build tool each time. It stays small on purpose (Node built-ins
// only, no dist/ code) because its start-up is on every command's critical path.
//
// In-process instead (today's one-process CLI, dist/src/cli/main.js):
// - `--batch` as the first argument, or PGOBUILD_BATCH=1 (CI, scripts, the test harness);
// - `run`: the program needs this terminal, its stdin and its signals;
// - outside a workspace (nothing to keep warm; the command reports the error);
// - when no server can be reached or started (with a one-line warning).
// Startup options (before the command): --batch, --max_idle_secs=N (server idle shutdown,
// default 900, or PGOBUILD_MAX_IDLE_SECS). `pgobuild shutdown` stops this workspace's server;
// `pgobuild info` prints its pid and socket.
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const crypto = require('node:crypto');

const PKG = path.join(__dirname, '..');
const MAIN = path.join(PKG, 'dist', 'src', 'cli', 'main.js');
const SERVER = path.join(PKG, 'dist', 'src', 'server', 'server-main.js');
// Options before the command that take a separate value (`--jobs 4 run`), to find the command.
const VALUE_OPTIONS = new Set([
  '-j',
  '--jobs',
  '--output',
  '--disk_cache',
  '--disk_cache_max_size',
  '--pgo',
  '--gc_goopts',
  '--gotags',
  '--linkopt',
  '--workspace_status_command',
  '--remote_cache',
  '--remote_timeout',
  '--remote_header',
  '--tls_certificate',
]);
const IN_PROCESS_COMMANDS = new Set(['run']);

function inProcess(args) {
  require(MAIN).main(args);
}

function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return undefined;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

function workspaceRoot(dir) {
  for (;;) {
    for (const m of ['MODULE.bazel', 'WORKSPACE.bazel', 'WORKSPACE']) {
      try {
        if (fs.statSync(path.join(dir, m)).isFile()) return dir;
      } catch {
        // not here
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

// The installation: package dir, version, Node, and the compiled entry points' stat signatures
// (tsc rewrites every file of dist/, so a rebuilt or upgraded pgobuild names a new server). The
// native client (client/main.go) computes the same key: keep the two in step.
function installation() {
  const files = [path.join(PKG, 'package.json'), MAIN, SERVER];
  const signatures = files.map((f) => {
    const st = fs.statSync(f, { bigint: true });
    return `${st.size}:${st.mtimeNs}`;
  });
  const parts = [
    PKG,
    process.execPath,
    process.version,
    ...files.map((f, i) => `${f}:${signatures[i]}`),
  ];
  const pkg = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  return { key: parts.join('\0'), description: `${PKG} ${pkg.version}`, signatures };
}

function socketDir() {
  const tmp = (process.env.TMPDIR || '/tmp').replace(/\/+$/, '') || '/';
  const dir = path.join(tmp, `pgobuild-${process.getuid()}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  // Another user's directory (or a symlink planted in a shared /tmp) must not get our commands.
  if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o077) !== 0)
    throw new Error(`${dir} is not a private directory of this user`);
  return dir;
}

function connect(socketPath) {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer(socketPath, root, inst) {
  const { spawn } = require('node:child_process');
  const log = fs.openSync(`${socketPath.slice(0, -'.sock'.length)}.log`, 'a', 0o600);
  const idle = startup.maxIdleSecs ?? process.env.PGOBUILD_MAX_IDLE_SECS ?? '900';
  const child = spawn(
    process.execPath,
    [SERVER, socketPath, root, String(idle), inst.description],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  child.unref();
  fs.closeSync(log);
  return child;
}

/** Connects to this workspace's server, starting it when there is none. */
async function reachServer(socketPath, root, inst, mayStart) {
  try {
    return await connect(socketPath);
  } catch (e) {
    if (!mayStart || (e.code !== 'ENOENT' && e.code !== 'ECONNREFUSED')) throw e;
  }
  const child = startServer(socketPath, root, inst);
  // A server that lost the start-up race to another client's exits with 0, and the winner is the
  // one we then reach; one that failed exits with another code (its log says why).
  let failed = false;
  child.once('exit', (code) => (failed = code !== 0));
  child.once('error', () => (failed = true));
  const deadline = Date.now() + 20000;
  for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
    await sleep(wait);
    try {
      return await connect(socketPath);
    } catch (e) {
      if (failed) throw new Error(`the server failed to start, see ${socketPath.slice(0, -5)}.log`);
      if (Date.now() > deadline) throw new Error('the server did not start in time');
    }
  }
}

function frame(type, payload) {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

function terminal(stream) {
  return { isTTY: stream.isTTY === true, columns: stream.columns };
}

/** Sends the command and relays the server's frames until its exit code arrives. */
function converse(socket, args) {
  return new Promise((resolve) => {
    let exitCode;
    let buffered = Buffer.alloc(0);
    const blocked = new Set();
    let cancels = 0;
    const done = (code) => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(s, onSignal);
      resolve(code);
    };
    const onSignal = (signal) => {
      cancels++;
      if (!socket.destroyed) socket.write(frame('C', signal));
      // A third interrupt: the user will not wait for the server to clean up.
      if (cancels >= 3)
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, onSignal);
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 5) {
        const length = buffered.readUInt32BE(1);
        if (buffered.length < 5 + length) break;
        const type = buffered.toString('latin1', 0, 1);
        const payload = buffered.subarray(5, 5 + length);
        buffered = buffered.subarray(5 + length);
        if (type === 'O' || type === 'E') {
          const out = type === 'O' ? process.stdout : process.stderr;
          if (!out.write(payload) && !blocked.has(out)) {
            // Backpressure: stop reading the server until this terminal or pipe drains.
            blocked.add(out);
            socket.pause();
            out.once('drain', () => {
              blocked.delete(out);
              if (blocked.size === 0) socket.resume();
            });
          }
        } else if (type === 'W') {
          const { pid } = JSON.parse(payload.toString('utf8'));
          process.stderr.write(`Another command is running (pid ${pid}), waiting…\n`);
        } else if (type === 'X') {
          exitCode = JSON.parse(payload.toString('utf8')).code;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (exitCode === undefined) {
        process.stderr.write('pgobuild: the server exited before the command finished\n');
        done(3);
      } else done(exitCode);
    });
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    socket.write(
      frame(
        'R',
        JSON.stringify({
          argv: args,
          cwd: process.cwd(),
          env,
          pid: process.pid,
          stdout: terminal(process.stdout),
          stderr: terminal(process.stderr),
        }),
      ),
    );
  });
}

const startup = { batch: process.env.PGOBUILD_BATCH === '1', maxIdleSecs: undefined };

async function client(argv) {
  let args = argv;
  // Startup options, as Bazel's, come before the command.
  for (;;) {
    const a = args[0];
    if (a === '--batch') startup.batch = true;
    else if (a !== undefined && a.startsWith('--max_idle_secs=')) {
      startup.maxIdleSecs = a.slice('--max_idle_secs='.length);
      if (!/^[1-9][0-9]*$/.test(startup.maxIdleSecs)) {
        process.stderr.write(
          'pgobuild: --max_idle_secs needs a positive whole number of seconds\n',
        );
        process.exitCode = 2;
        return;
      }
    } else break;
    args = args.slice(1);
  }
  const command = commandOf(args);
  const root = workspaceRoot(process.cwd());
  if (command === 'shutdown' || command === 'info') {
    if (startup.batch || root === undefined) {
      // Nothing to stop; info says why there is no server.
      if (command === 'info')
        process.stdout.write(
          root === undefined ? 'not in a workspace\n' : 'server_pid: none (batch mode)\n',
        );
      return;
    }
  }
  if (startup.batch || root === undefined || IN_PROCESS_COMMANDS.has(command))
    return inProcess(args);
  let socket;
  try {
    const inst = installation();
    const hash = crypto.createHash('sha256').update(`${root}\0${inst.key}`).digest('hex');
    const socketPath = path.join(socketDir(), `${hash.slice(0, 32)}.sock`);
    if (socketPath.length >= 100) throw new Error(`socket path too long: ${socketPath}`);
    socket = await reachServer(socketPath, root, inst, command !== 'shutdown');
  } catch (e) {
    if (command === 'shutdown') return; // nothing to stop
    process.stderr.write(`pgobuild: no server (${e.message}); running in this process\n`);
    return inProcess(args);
  }
  process.exitCode = await converse(socket, args);
}

if (require.main === module)
  client(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`pgobuild: internal error in the client: ${e.stack || e}\n`);
    process.exitCode = 3;
  });

// For scripts/build-client.js, which builds the native client for this installation.
module.exports = { PKG, installation };
