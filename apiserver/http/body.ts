// Reading and decoding request bodies, refusing what is too large or malformed with the
// errors Kubernetes gives.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../api/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import { decodeProtobufBody } from '../protobuf/request-body.js';
import { inputFormat, type InputFormat } from './negotiate.js';

/** Kubernetes' default limit on a request body (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const tooLarge = () => requestEntityTooLarge(`the request body is too large: limit is ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  // A body already read to its end has nothing more (no 'end' event would come again).
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Plain stream events: the async iterator costs a few percent of a small write's CPU.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: unknown) => {
      req.off('data', onData).off('end', onEnd).off('error', done).off('close', onClose);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.resume();
        done(tooLarge());
      }
    };
    const onEnd = () => done();
    const onClose = () => done(new Error('aborted'));
    req.on('data', onData).on('end', onEnd).on('error', done).on('close', onClose);
  });
}

/** Deepest nesting accepted in a JSON body; real objects stay far below it. */
export const maxJsonDepth = 1000;

/**
 * Refuses absurd nesting before parsing: recursive walkers would exhaust the stack, and the
 * YAML parser takes minutes on deeply nested flow collections.
 */
function checkNestingDepth(text: string): void {
  // Each level takes a bracket: a text no longer than the limit cannot nest past it.
  if (text.length <= maxJsonDepth) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxJsonDepth) throw badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${maxJsonDepth}`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/** Parses a JSON, YAML or Kubernetes protobuf document into a plain value. */
export function parseDocument(buf: Buffer, format: InputFormat): unknown {
  if (format === 'protobuf') return decodeProtobufBody(buf);
  const text = buf.toString('utf8');
  if (format === 'json' || format === 'json-patch' || format === 'merge-patch' || format === 'strategic-merge-patch') {
    checkNestingDepth(text);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  if (format === 'yaml' || format === 'apply-patch') {
    checkNestingDepth(text);
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw unsupportedMediaType('unknown');
}

/** Decodes an object body for a resource, checking apiVersion and kind against the URL. */
export function decodeObject(
  buf: Buffer, contentType: string | undefined, expected: { apiVersion: string; kind: string },
): KubeObject {
  const format = inputFormat(contentType);
  if (format !== 'json' && format !== 'yaml' && format !== 'protobuf') throw unsupportedMediaType(contentType ?? '');
  const doc = format === 'protobuf' ? decodeProtobufBody(buf, expected) : parseDocument(buf, format);
  if (!isPlainObject(doc)) {
    throw badRequest(`Object 'Kind' is missing in '${buf.toString('utf8').slice(0, 200)}'`);
  }
  const obj = doc as KubeObject;
  if (obj.apiVersion && obj.apiVersion !== expected.apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected.apiVersion})`);
  }
  if (obj.kind && obj.kind !== expected.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${expected.kind})`);
  }
  if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) {
    throw badRequest(`${expected.kind} in version "${expected.apiVersion}" cannot be handled as a ${expected.kind}: json: cannot unmarshal ${typeof obj.metadata} into Go struct field ${expected.kind}.metadata of type v1.ObjectMeta`);
  }
  obj.metadata ??= {};
  obj.apiVersion = expected.apiVersion;
  obj.kind = expected.kind;
  return obj;
}
