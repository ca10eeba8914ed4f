'use strict';
/* global fetch */
// A plugin from an unknown publisher that tries every way out of its sandbox. Each route reports what it got; the
// test asserts every attempt was refused. Plain CommonJS: the sandbox runs a package's built `main`.
const { definePlugin, coreServices } = require('@valueverse/plugin-sdk');

function attempt(fn) {
  try {
    const value = fn();
    return value && typeof value.then === 'function'
      ? value.then(
          (v) => ({ ok: true, value: String(v).slice(0, 80) }),
          (e) => ({ ok: false, error: String((e && (e.code || e.message)) || e) }),
        )
      : { ok: true, value: String(value).slice(0, 80) };
  } catch (e) {
    return { ok: false, error: String((e && (e.code || e.message)) || e) };
  }
}

function connectWith(net, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve('connected')));
    socket.on('error', reject);
  });
}

exports.plugin = definePlugin({
  deps: { http: coreServices.http, db: coreServices.db, events: coreServices.events },
  database: {
    migrations: [{ name: '0001-notes', up: ['create table notes (id serial primary key, tenant_id text not null, body text not null)'], down: ['drop table notes'] }],
  },
  setup({ http, db, events }) {
    events.subscribe('hostile.*', () => {
      throw new Error('thrown from an event handler');
    });
    http.route({ method: 'GET', path: '/hostile/ok', handler: (req) => ({ ok: true, tenant: req.tenant.id, sawAuthorization: 'authorization' in req.headers }) });
    http.route({
      method: 'GET',
      path: '/hostile/env',
      handler: () => ({ databaseUrl: process.env.DATABASE_URL ?? null, encryptionKey: process.env.VV_ENCRYPTION_KEY ?? null, keys: Object.keys(process.env) }),
    });
    http.route({
      method: 'GET',
      path: '/hostile/read',
      handler: (req) => attempt(() => require('fs').readFileSync(String(req.query.path), 'utf8')),
    });
    http.route({ method: 'GET', path: '/hostile/write', handler: () => attempt(() => require('fs').writeFileSync(`/tmp/hostile-${process.pid}`, 'x')) });
    http.route({
      method: 'GET',
      path: '/hostile/connect',
      handler: async (req) => {
        const port = Number(req.query.port);
        return {
          require: await attempt(() => connectWith(require('net'), port)),
          requireNode: await attempt(() => connectWith(require('node:net'), port)),
          http: await attempt(() => require('http').get(`http://127.0.0.1:${port}`)),
          builtin: await attempt(() => connectWith(process.getBuiltinModule('net'), port)),
          binding: await attempt(() => process.binding('tcp_wrap')),
          mainModule: await attempt(() => connectWith(process.mainModule.require('net'), port)),
          importNet: await attempt(() => import('node:net').then((net) => connectWith(net, port))),
          evalImport: await attempt(() => new Function('return import("node:net")')().then((net) => connectWith(net, port))),
          fetch: await attempt(() => fetch(`http://127.0.0.1:${port}/`)),
          stdout: await attempt(() => connectWith({ connect: (p, h) => new process.stdout.constructor().connect(p, h) }, port)),
          ipc: await attempt(() => process.send({ t: 'call', id: 1, target: 1, args: [] })),
          channelHandle: await attempt(() => {
            const symbol = Object.getOwnPropertySymbols(process).find((s) => String(s).includes('Channel'));
            if (!symbol) throw new Error('no channel handle');
            return process[symbol];
          }),
          dns: await attempt(() => require('dns').promises.lookup('localhost')),
        };
      },
    });
    http.route({
      method: 'GET',
      path: '/hostile/spawn',
      handler: () => ({
        require: attempt(() => require('child_process').execSync('id').toString()),
        builtin: attempt(() => process.getBuiltinModule('child_process').execSync('id').toString()),
        worker: attempt(() => new (require('worker_threads').Worker)('1')),
        kill: attempt(() => process.kill(process.ppid, 'SIGTERM')),
        debug: attempt(() => process._debugProcess(process.ppid)),
      }),
    });
    http.route({
      method: 'GET',
      path: '/hostile/loop',
      handler: () => {
        for (;;);
      },
    });
    http.route({
      method: 'GET',
      path: '/hostile/allocate',
      handler: () => {
        const chunks = [];
        for (let i = 0; i < 1024; i++) chunks.push(new Array(131072).fill(i)); // 1 GB of numbers
        return { allocated: chunks.length };
      },
    });
    http.route({
      method: 'GET',
      path: '/hostile/throw',
      handler: () => {
        throw new Error('thrown from a route');
      },
    });
    http.route({
      method: 'POST',
      path: '/hostile/emit',
      handler: async (req) => ({
        foreign: await attempt(() => events.publish('billing.invoice.paid', req.tenant.id, { amount: 0 })),
        otherTenant: await attempt(() => events.publish('hostile.ping', 'globex', {})),
        own: await attempt(() => events.publish('hostile.ping', req.tenant.id, {})),
      }),
    });
    http.route({
      method: 'POST',
      path: '/hostile/notes',
      handler: (req) =>
        db.transaction(req.tenant.id, (tx) => tx.query('insert into notes (tenant_id, body) values ($1, $2) returning body', [req.tenant.id, String(req.body.body)])),
    });
    http.route({
      method: 'GET',
      path: '/hostile/notes',
      handler: async (req) => ({
        own: await attempt(() => db.transaction(req.tenant.id, (tx) => tx.query('select tenant_id, body from notes')).then((rows) => JSON.stringify(rows))),
        otherTenant: await attempt(() => db.transaction('globex', (tx) => tx.query('select tenant_id, body from notes')).then((rows) => JSON.stringify(rows))),
        resetTenant: await attempt(() =>
          db
            .transaction(req.tenant.id, async (tx) => {
              await tx.query("select set_config('app.tenant_id', 'globex', true)");
              return tx.query('select tenant_id, body from notes');
            })
            .then((rows) => JSON.stringify(rows)),
        ),
        sleep: await attempt(() => db.transaction(req.tenant.id, (tx) => tx.query('select pg_sleep(30)'))),
      }),
    });
  },
});
