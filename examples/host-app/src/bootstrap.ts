import 'reflect-metadata';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { SignalingAdapter } from '@parley/nest-signaling';
import { AppModule } from './app.module.js';

export async function createHostApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  // Nest takes one WebSocket adapter per app: SignalingAdapter serves Parley's gateway and hands
  // the host's own gateways (socket.io here) to the adapter it wraps. Other paths' upgrades are
  // left to their own listeners.
  app.useWebSocketAdapter(new SignalingAdapter(app, new IoAdapter(app)));
  app.enableShutdownHooks();
  return app;
}
