// Entry of the HTTPS floor's process (see https-floor.ts): Node's own HTTPS server, which reads
// each request's body, parses it as JSON and answers 201 with a fixed object. No API work.
// Arguments: <cert file> <key file> <response body file>. Prints its port once listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [certFile, keyFile, bodyFile] = process.argv.slice(2);
const response = readFileSync(bodyFile, 'utf8');
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (chunks.length) JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(response);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
