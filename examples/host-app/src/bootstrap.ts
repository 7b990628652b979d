import 'reflect-metadata';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SignalingAdapter } from '@parley/nest-signaling';
import { AppModule } from './app.module.js';

export async function createHostApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  // Parley's gateway needs its adapter (a WsAdapter); other paths' upgrades are left alone.
  app.useWebSocketAdapter(new SignalingAdapter(app));
  app.enableShutdownHooks();
  return app;
}
