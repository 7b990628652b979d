import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext, type OnModuleDestroy } from '@nestjs/common';
import { InjectSignalingOptions, type ResolvedSignalingOptions } from '@parley/nest-signaling';
import { clientIp } from './client-ip.js';

/** Requests a minute one client IP may make to the API that hands out tickets and ICE servers. */
export const DEFAULT_API_REQUESTS_PER_MINUTE_PER_IP = 30;

/** Injection token of the per-minute budget (API_REQUESTS_PER_MINUTE_PER_IP). */
export const API_REQUESTS_PER_MINUTE_PER_IP = Symbol('API_REQUESTS_PER_MINUTE_PER_IP');

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per client IP: `perMinute` requests at once, refilled at `perMinute` a minute.
 * Over budget is 429 with Retry-After. A lobby makes two or three requests per join, so the default
 * leaves room for a small office behind one NAT, while a script gets no more than that.
 */
@Injectable()
export class ApiRateLimitGuard implements CanActivate, OnModuleDestroy {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMinute: number;
  // Full buckets are forgotten, so the map holds only the addresses seen in the last minute or so.
  readonly #sweep = setInterval(() => this.#forgetIdle(Date.now()), 60_000).unref();

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(API_REQUESTS_PER_MINUTE_PER_IP) perMinute: number,
  ) {
    this.#perMinute = perMinute;
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const wait = this.take(clientIp(request, this.options.trustProxy));
    if (wait === 0) return true;
    http.getResponse<ServerResponse>().setHeader('Retry-After', String(Math.ceil(wait / 1000)));
    throw new HttpException('Too many requests from this address; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }

  /** Takes one token for `ip`: 0 when allowed, else how many ms until the next token. */
  take(ip: string, now = Date.now()): number {
    const bucket = this.#buckets.get(ip) ?? { tokens: this.#perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + ((now - bucket.updatedAt) * this.#perMinute) / 60_000);
    bucket.updatedAt = now;
    this.#buckets.set(ip, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) * 60_000) / this.#perMinute;
  }

  onModuleDestroy(): void {
    clearInterval(this.#sweep);
  }

  #forgetIdle(now: number): void {
    for (const [ip, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * this.#perMinute) / 60_000 >= this.#perMinute) this.#buckets.delete(ip);
    }
  }
}
