/**
 * The repo's Janus configuration (deploy/janus), run for real through deploy/janus/start.sh:
 * only the VideoRoom plugin and the WebSocket transport load, the API listens on loopback only
 * and wants the api_secret, there is no admin API, and start.sh refuses values that could break
 * out of the generated configuration. The compose health check (healthcheck.sh) asks Janus's
 * own API, and a secret given as a file (as compose does) never reaches the output.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JANUS_START, janusMissing, startJanus, type JanusProcess } from '../../libs/signaling/test/janus-process.js';
import { RawJanus } from '../../libs/signaling/test/janus-peers.js';

const describeJanus = janusMissing ? describe.skip : describe;
const HEALTHCHECK = fileURLToPath(new URL('../janus/healthcheck.sh', import.meta.url));
const healthcheck = (port: number) => spawnSync('bash', [HEALTHCHECK, String(port)], { env: { PATH: process.env.PATH }, encoding: 'utf8' });

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describeJanus('deploy/janus', () => {
  let janus: JanusProcess;

  beforeAll(async () => {
    janus = await startJanus({ JANUS_DEBUG_LEVEL: '4' }); // level 4 prints what loads
  });

  afterAll(async () => {
    await janus?.stop();
  });

  it('prints the settings the app needs first, one JANUS_…=… line each', () => {
    const [urls, secret] = janus.output().split('\n');
    expect(urls).toBe(`JANUS_URLS=${janus.url}`);
    expect(secret).toBe(`JANUS_API_SECRET=${janus.apiSecret}`);
  });

  it('loads the VideoRoom plugin and the WebSocket transport only, without errors', () => {
    const output = janus.output();
    expect(output.match(/Loading plugin '[^']+'/g)).toEqual(["Loading plugin 'libjanus_videoroom.so'"]);
    expect(output.match(/Loading transport plugin '[^']+'/g)).toEqual(["Loading transport plugin 'libjanus_websockets.so'"]);
    expect(output).not.toMatch(/\[ERR\]/);
    expect(output).not.toMatch(/Admin/i);
    const rooms = readFileSync(`${janus.configDir}/janus.plugin.videoroom.jcfg`, 'utf8');
    expect(rooms).not.toMatch(/^room-/m);
  });

  it('listens on loopback only and answers nothing without the api_secret', async () => {
    expect(await reachable('127.0.0.1', janus.port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && address.family === 'IPv4' && !address.internal)
      .map((address) => address!.address);
    for (const address of others) expect(await reachable(address, janus.port)).toBe(false);

    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    try {
      expect(await raw.send({ janus: 'create' })).toMatchObject({ janus: 'error', error: { code: 403 } });
      expect(await raw.send({ janus: 'create', apisecret: 'wrong-secret-123456' })).toMatchObject({ janus: 'error', error: { code: 403 } });
      // Creating a room needs the admin_key too (the same secret), so a stray client cannot.
      expect(await raw.videoroom({ request: 'create', room: 'x' })).toMatchObject({ error_code: 429 });
    } finally {
      raw.close();
    }
  });

  it('healthcheck.sh passes while Janus answers info on its API, and fails when it does not', () => {
    expect(healthcheck(janus.port)).toMatchObject({ status: 0, stdout: 'janus: server_info\n' });
    janus.pause();
    try {
      // Janus frozen: the socket still accepts, but nothing answers.
      expect(healthcheck(janus.port)).toMatchObject({ status: 1, stderr: expect.stringMatching(/janus: no/) });
    } finally {
      janus.resume();
    }
    expect(healthcheck(janus.port)).toMatchObject({ status: 0 });
  });

  it('healthcheck.sh fails when nothing listens', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(healthcheck(port).status).toBe(1);
  });

  it('start.sh reads JANUS_API_SECRET_FILE and prints its path, never the secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-janus-secret-'));
    const secretFile = join(dir, 'janus_api_secret');
    const secret = 'f00d'.repeat(16);
    writeFileSync(secretFile, `${secret}\n`);
    // JANUS_BIN=true: start.sh fills in the configuration and execs it instead of Janus.
    const result = spawnSync('bash', [JANUS_START], {
      env: { PATH: process.env.PATH, JANUS_BIN: '/bin/true', JANUS_API_SECRET_FILE: secretFile, JANUS_CONFIG_DIR: join(dir, 'conf') },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toContain(`JANUS_API_SECRET_FILE=${secretFile}`);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(readFileSync(join(dir, 'conf', 'janus.jcfg'), 'utf8')).toContain(`api_secret = "${secret}"`);
    expect(readFileSync(join(dir, 'conf', 'janus.plugin.videoroom.jcfg'), 'utf8')).toContain(`admin_key = "${secret}"`);
  });

  it.each([
    ['JANUS_API_SECRET_FILE', { JANUS_API_SECRET_FILE: '/nonexistent/janus_api_secret' }],
    ['JANUS_API_SECRET_FILE', { JANUS_API_SECRET_FILE: '/dev/null' }],
    ['JANUS_API_SECRET_FILE', { JANUS_API_SECRET_FILE: '/dev/null', JANUS_API_SECRET: 'a-long-enough-secret' }],
  ])('start.sh refuses %s in %j', (name, env) => {
    const result = spawnSync('bash', [JANUS_START], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(name);
    expect(result.stdout).toBe('');
  });

  it.each([
    ['JANUS_PORT', '80a'],
    ['JANUS_PORT', '70000'],
    ['JANUS_HOST', '127.0.0.1" ; x = "'],
    ['JANUS_API_SECRET', 'short'],
    ['JANUS_API_SECRET', 'a-long-enough-secret"\nadmin_secret = "x'],
    ['JANUS_RTP_PORTS', '20000'],
    ['JANUS_RTP_PORTS', '30000-20000'],
    ['JANUS_NAT_1_1', '1.2.3.4"'],
    ['JANUS_STUN', 'stun.example.org'],
    ['JANUS_DEBUG_LEVEL', '9'],
  ])('start.sh refuses %s=%j', (name, value) => {
    const result = spawnSync('bash', [JANUS_START], { env: { PATH: process.env.PATH, [name]: value }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(name);
    expect(result.stdout).toBe('');
  });
});
