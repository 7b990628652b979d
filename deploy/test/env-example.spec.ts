/**
 * The deployment files against the code: .env.example lists every variable the app reads, compose
 * passes each of them to the app, and the secrets come from the `secrets` service, never from a
 * value in the repository. deploy/secrets/init-secrets.sh is run for real.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadConfig } from '../../apps/api/src/config.js';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const envExample = file('.env.example');
const compose = parse(file('docker-compose.yml'));
const INIT_SECRETS = new URL('../secrets/init-secrets.sh', import.meta.url).pathname;

/** Every variable loadConfig looks at, found by handing it an environment that records reads. */
function variablesTheAppReads(): Set<string> {
  const read = new Set<string>();
  const secret = 'a'.repeat(64);
  // Values that make loadConfig follow each branch (TURN, Redis) and read what those need.
  const values: Record<string, string> = {
    TURN_URLS: 'turn:a:3478',
    TURN_SECRET: secret,
    REDIS_URL: 'redis://r:6379',
    RESUME_SECRET: secret,
    AUTH_SECRET: secret,
  };
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  loadConfig(env, '/web');
  return read;
}

describe('.env.example and docker-compose.yml', () => {
  const appReads = variablesTheAppReads();

  it('finds the variables the app reads (the recorder works)', () => {
    for (const name of ['PORT', 'TURN_TTL', 'RESUME_SECRET_FILE', 'AUTH_MAX_TOKEN_TTL', 'TRUST_PROXY']) expect(appReads).toContain(name);
  });

  it('lists every variable the app reads, with a comment', () => {
    const listed = new Set([...envExample.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    expect([...appReads].filter((name) => !listed.has(name))).toEqual([]);
    for (const name of appReads) {
      const line = envExample.split('\n').findIndex((text) => new RegExp(`^#?${name}=`).test(text));
      // Each setting sits in a block that starts with a comment saying what it does.
      const above = envExample.split('\n').slice(0, line).reverse();
      expect(above.find((text) => !/^#?[A-Z][A-Z0-9_]*=/.test(text))).toMatch(/^# \S/);
    }
  });

  it('lists every variable compose substitutes', () => {
    const text = file('docker-compose.yml') + file('deploy/docker-compose.prod.yml');
    const substituted = new Set([...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]));
    const listed = new Set([...envExample.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    expect([...substituted].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('passes the app every variable it reads, the secrets as files', () => {
    const environment = compose.services.app.environment as Record<string, string>;
    // The three generated secrets arrive as files; AUTH_SECRET_FILE is for a Docker secret of your own.
    const notPassed = new Set(['RESUME_SECRET', 'TURN_SECRET', 'JANUS_API_SECRET', 'AUTH_SECRET_FILE']);
    expect([...appReads].filter((name) => !notPassed.has(name) && !(name in environment))).toEqual([]);
    expect(environment).toMatchObject({
      RESUME_SECRET_FILE: '/run/parley-secrets/resume_secret',
      TURN_SECRET_FILE: '/run/parley-secrets/turn_secret',
      JANUS_API_SECRET_FILE: '/run/parley-secrets/janus_api_secret',
    });
    expect(environment).not.toHaveProperty('RESUME_SECRET');
    expect(environment).not.toHaveProperty('TURN_SECRET');
    expect(environment).not.toHaveProperty('JANUS_API_SECRET');
  });

  it('starts the app, coturn and Janus only after the secrets service wrote the secrets they read', () => {
    const { app, coturn, janus, secrets } = compose.services;
    expect(secrets.volumes).toContain('secrets:/run/parley-secrets');
    for (const service of [app, coturn, janus]) {
      expect(service.depends_on.secrets).toEqual({ condition: 'service_completed_successfully' });
      expect(service.volumes).toContain('secrets:/run/parley-secrets:ro');
    }
    expect(coturn.environment.TURN_SECRET_FILE).toBe(app.environment.TURN_SECRET_FILE);
    expect(coturn.entrypoint.join(' ')).toContain('start-turnserver.sh');
    expect(JSON.stringify(coturn.command ?? [])).not.toContain('static-auth-secret');
    expect(janus.environment.JANUS_API_SECRET_FILE).toBe(app.environment.JANUS_API_SECRET_FILE);
    expect(app.environment.JANUS_URLS).toMatch(/ws:\/\/janus:8188/);
  });

  it('ships no secret value: every *SECRET* in the compose files and .env.example is empty', () => {
    const text = file('docker-compose.yml') + file('deploy/docker-compose.prod.yml');
    expect(text.match(/SECRET[A-Z_]*:?-[^}]+\}/g)).toBeNull();
    expect(envExample.match(/^#?[A-Z_]*SECRET[A-Z_]*=.+$/gm)).toBeNull();
  });
});

describe('deploy/secrets/init-secrets.sh', () => {
  const run = (dir: string, env: Record<string, string> = {}) =>
    execFileSync('sh', [INIT_SECRETS], { env: { PATH: process.env.PATH, SECRETS_DIR: dir, ...env }, encoding: 'utf8' });
  const secret = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

  it('makes three different random 256-bit secrets, readable by the app, coturn and Janus, and keeps them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    run(dir);
    const read = () => ({ resume: secret(dir, 'resume_secret'), turn: secret(dir, 'turn_secret'), janus: secret(dir, 'janus_api_secret') });
    const first = read();
    for (const value of Object.values(first)) expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(first)).size).toBe(3);
    expect(statSync(join(dir, 'turn_secret')).mode & 0o777).toBe(0o444);
    expect(statSync(join(dir, 'janus_api_secret')).mode & 0o777).toBe(0o444);

    run(dir);
    expect(read()).toEqual(first);

    const other = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    run(other);
    expect(secret(other, 'resume_secret')).not.toBe(first.resume);
  });

  it('writes the values given in the environment instead', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    run(dir);
    run(dir, { TURN_SECRET: 'from-dot-env-0123456789', JANUS_API_SECRET: 'janus-from-dot-env-0123' });
    expect(secret(dir, 'turn_secret')).toBe('from-dot-env-0123456789');
    expect(secret(dir, 'janus_api_secret')).toBe('janus-from-dot-env-0123');
    expect(secret(dir, 'resume_secret')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes Grafana's password into Grafana's own volume only, and keeps it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    const grafana = mkdtempSync(join(tmpdir(), 'parley-grafana-'));
    run(dir, { GRAFANA_SECRETS_DIR: grafana });
    const password = secret(grafana, 'grafana_admin_password');
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(grafana)).toEqual(['grafana_admin_password']);
    expect(readdirSync(dir).sort()).toEqual(['janus_api_secret', 'resume_secret', 'turn_secret']);
    run(dir, { GRAFANA_SECRETS_DIR: grafana });
    expect(secret(grafana, 'grafana_admin_password')).toBe(password);
    run(dir, { GRAFANA_SECRETS_DIR: grafana, GRAFANA_ADMIN_PASSWORD: 'chosen-in-dot-env' });
    expect(secret(grafana, 'grafana_admin_password')).toBe('chosen-in-dot-env');
  });
});
