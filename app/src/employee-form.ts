import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { DocumentStorage } from './document-storage.ts';
import type { EmployeeDocument } from './employee.ts';
import { NotPdfError, UploadTooLargeError } from './errors.ts';

const PDF_MAGIC = Buffer.from('%PDF-');
export const DOCUMENT_FIELD = 'document';
/** Room for the text fields and multipart framing on top of the file itself. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;

export interface ReceivedForm {
  /** Set when the file was refused (not a PDF, too large): a problem for the user to fix, with the fields kept. */
  readonly rejection: NotPdfError | UploadTooLargeError | undefined;
  readonly fields: Readonly<Record<string, string>>;
  /** Already stored under the key given; undefined when no file was sent. */
  readonly document: EmployeeDocument | undefined;
}

export interface ReceiveFormOptions {
  readonly storage: DocumentStorage;
  readonly documentKey: string;
  readonly maxUploadBytes: number;
  /**
   * Called once with the fields read so far, before anything is stored (at the file part, or
   * at the end when there is none); throwing refuses the request. HTML forms check CSRF here,
   * which is why their token field comes before the file.
   */
  readonly authorize?: (fields: Readonly<Record<string, string>>) => void;
}

interface FileStream extends Readable {
  truncated?: boolean;
}

/**
 * Reads a multipart employee form. The PDF is recognised by its first bytes (not its name or
 * declared type) and streamed straight to S3; nothing touches the local disk. The body is
 * always read to the end, even when refused, so the client receives the answer. Throws only
 * for a refused request (CSRF, a body declared too large, a malformed form).
 */
export async function receiveEmployeeForm(request: FastifyRequest, options: ReceiveFormOptions): Promise<ReceivedForm> {
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > options.maxUploadBytes + FORM_OVERHEAD_BYTES) throw new UploadTooLargeError(options.maxUploadBytes);

  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let document: EmployeeDocument | undefined;
  let failure: unknown;
  let authorized = false;
  const authorize = () => {
    if (!authorized) options.authorize?.(fields);
    authorized = true;
  };

  try {
    const parts = request.parts({ limits: { fileSize: options.maxUploadBytes, files: 1, fields: 20, fieldSize: 16 * 1024, parts: 21 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value === 'string' && !(part.fieldname in fields)) fields[part.fieldname] = part.value;
        continue;
      }
      if (failure !== undefined || part.fieldname !== DOCUMENT_FIELD) {
        await drain(part.file);
        continue;
      }
      try {
        authorize();
        const sizeBytes = await storePdf(part.file, part.filename, options);
        if (sizeBytes !== undefined) document = { key: options.documentKey, fileName: part.filename || 'document.pdf', sizeBytes };
      } catch (error) {
        failure = error;
        await drain(part.file);
      }
    }
    if (failure === undefined) authorize();
  } catch (error) {
    failure ??= isFileTooLarge(error) ? new UploadTooLargeError(options.maxUploadBytes, { cause: error }) : error;
  }

  if (failure !== undefined) {
    if (document)
      await options.storage
        .remove(document.key)
        .catch((error: unknown) => request.log.error({ err: error, documentKey: document?.key }, 'could not remove a refused upload'));
    if (failure instanceof NotPdfError || failure instanceof UploadTooLargeError) return { fields, document: undefined, rejection: failure };
    throw failure;
  }
  return { fields, document, rejection: undefined };
}

/** Returns the stored size, or undefined for an empty file part (a form sent without a file). */
async function storePdf(file: FileStream, fileName: string, options: ReceiveFormOptions): Promise<number | undefined> {
  const chunks = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const head = await readHead(chunks, PDF_MAGIC.length);
    if (head.length === 0 && !fileName) return undefined;
    if (!head.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw new NotPdfError();

    let sizeBytes = head.length;
    let tooLarge = false;
    async function* headThenRest(): AsyncGenerator<Buffer> {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        sizeBytes += next.value.length;
        yield next.value;
      }
      // busboy ends a file at the size limit and marks it truncated: failing here, before the
      // body ends, makes the upload fail so that a cut-off PDF is never stored.
      tooLarge = file.truncated === true;
      if (tooLarge) throw new UploadTooLargeError(options.maxUploadBytes);
    }
    try {
      await options.storage.upload(options.documentKey, Readable.from(headThenRest()));
    } catch (error) {
      // lib-storage reports a failed abort of the multipart upload instead of our reason.
      if (tooLarge && !(error instanceof UploadTooLargeError)) throw new UploadTooLargeError(options.maxUploadBytes, { cause: error });
      throw error;
    }
    return sizeBytes;
  } catch (error) {
    await drainIterator(chunks);
    throw error;
  }
}

async function readHead(chunks: AsyncIterator<Buffer>, length: number): Promise<Buffer> {
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < length) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  return Buffer.concat(head);
}

async function drainIterator(chunks: AsyncIterator<Buffer>): Promise<void> {
  try {
    while (!(await chunks.next()).done) {
      // discard
    }
  } catch {
    // the request itself failed; the iteration over parts reports it
  }
}

async function drain(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  try {
    for await (const _chunk of stream) {
      // discard
    }
  } catch {
    // the request itself failed; the iteration over parts reports it
  }
}

function isFileTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'FST_REQ_FILE_TOO_LARGE';
}
