import { createHostApp } from './bootstrap.js';

const app = await createHostApp();
await app.listen(Number(process.env.PORT ?? 3000));
console.log(`host app on http://localhost:${process.env.PORT ?? 3000}`);
