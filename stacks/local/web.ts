// The dashboard's Vite dev server, in process, told where the API is.
import { resolve } from 'node:path';
import { createServer } from 'vite';

export async function startWeb(opts: { port: number; apiUrl: string }) {
  const server = await createServer({
    configFile: resolve(import.meta.dirname, '../../web/vite.config.ts'),
    root: resolve(import.meta.dirname, '../../web'),
    logLevel: 'warn',
    clearScreen: false,
    define: { 'import.meta.env.VITE_API_URL': JSON.stringify(opts.apiUrl) },
    server: { port: opts.port, strictPort: true, host: '127.0.0.1' },
  });
  try {
    await server.listen();
  } catch (err) {
    await server.close();
    if (
      (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ||
      /already in use/.test(String(err))
    ) {
      throw new Error(`Port ${opts.port} is already in use: set WEB_PORT to another port.`);
    }
    throw err;
  }
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { url: `http://localhost:${port}`, stop: () => server.close() };
}
