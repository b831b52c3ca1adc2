// nnlab serve [--port N]
import { startServer } from '../../server/index.js';
import { num, str } from '../args.js';
import { EXIT_OK, type Command } from '../context.js';

export const serve: Command = {
  name: 'serve',
  usage: 'nnlab serve [--port N]',
  summary: 'serve the lab to a browser on 127.0.0.1 (prints the URL with its one-time token)',
  options: {
    port: { type: 'int', description: 'the port; defaults to a free one' },
    static: { type: 'string', description: 'the built renderer; defaults to renderer/dist' },
  },
  async run(context) {
    const port = num(context.args.options, 'port');
    const { host } = await context.lab();
    host.runs?.start();
    const staticDir = str(context.args.options, 'static');
    const server = await startServer({
      service: host.service,
      ...(port !== undefined && { port }),
      ...(staticDir !== undefined && { staticDir }),
    });
    context.out(`NN Lab is serving ${host.dataDir}`);
    context.out(`Open ${server.pageUrl}`);
    context.err('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return EXIT_OK;
  },
};
