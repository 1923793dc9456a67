import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

/** At most five minutes: long enough to open the link, short enough that a leaked link soon dies. */
export const DOWNLOAD_URL_TTL_SECONDS = 300;

/** Scanned IDs in the tenant's bucket. */
export class DocumentStorage {
  readonly #s3: S3Client;
  readonly #bucket: string;

  constructor(s3: S3Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  /** A new key per upload, so replacing a document never overwrites the one still referenced. */
  newKey(employeeId: string): string {
    return `employees/${employeeId}/${randomUUID()}.pdf`;
  }

  /**
   * Streams to S3 without buffering the whole file: lib-storage sends small bodies as one
   * PutObject and large ones as a multipart upload, which it aborts if the body fails.
   */
  async upload(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.#s3,
      params: { Bucket: this.#bucket, Key: key, Body: body, ContentType: 'application/pdf' },
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async remove(key: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async downloadUrl(key: string, fileName: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      ResponseContentType: 'application/pdf',
      ResponseContentDisposition: `inline; filename="${asciiFileName(fileName)}"`,
    });
    return getSignedUrl(this.#s3, command, { expiresIn: DOWNLOAD_URL_TTL_SECONDS });
  }

  async checkBucket(signal: AbortSignal): Promise<void> {
    await this.#s3.send(new HeadBucketCommand({ Bucket: this.#bucket }), { abortSignal: signal });
  }
}

/** Keeps the Content-Disposition header valid whatever the uploader called the file. */
function asciiFileName(fileName: string): string {
  const safe = fileName
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .slice(0, 100)
    .trim();
  return safe || 'document.pdf';
}
