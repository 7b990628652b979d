import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SignalingModuleOptions } from './signaling-options.interface.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SIGNALING_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SignalingModuleOptions>({ moduleName: 'Signaling' }).setClassMethodName('forRoot').build();
