import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { WireFileUploadData } from '@conduit/destinations-tiktok-wire';
import busboy from 'busboy';
import type { ApiCall, ApiRoutes } from './api-call';
import type { CalculateType } from './calculate-types';
import { parseCustomerFile } from './customer-file';
import type { TikTokState } from './emulator-state';
import { fail, TikTokApiError, TikTokCode } from './tiktok-codes';

/** A file part as received: on disk, hashed on the way. */
interface ReceivedFile {
  name: string;
  path: string;
  bytes: number;
  md5: string;
  truncated: boolean;
}

/**
 * `POST dmp/custom_audience/file/upload/`: one customer file (multipart: advertiser_id,
 * calculate_type, file_signature, file), streamed to disk, checked (name, size, MD5), parsed and kept
 * under the `file_path` the answer gives; create/ and update/ name files by it.
 */
export class FileUploadRoutes {
  constructor(private readonly state: TikTokState) {}

  get routes(): ApiRoutes {
    return { 'POST /dmp/custom_audience/file/upload/': (call) => this.uploadFile(call) };
  }

  private async uploadFile(call: ApiCall): Promise<WireFileUploadData> {
    const { options } = this.state;
    const { fields, file } = await this.receiveMultipart(call);
    try {
      this.state.validator.validateBody(call.method, call.path, {
        ...fields,
        ...(file ? { file: file.name } : {}),
      });
      const advertiserId = fields['advertiser_id'] as string;
      this.state.authenticate(call, advertiserId);
      const upload = file as ReceivedFile;
      if (!/\.(csv|txt)$/i.test(upload.name))
        fail(
          TikTokCode.FILE_TYPE_INVALID,
          `file: only .csv and .txt files are supported (got "${upload.name}").`,
        );
      if (upload.truncated)
        fail(TikTokCode.FILE_TOO_LARGE, `file: larger than the ${options.maxFileBytes} bytes allowed.`);
      if (upload.bytes === 0) fail(TikTokCode.FILE_EMPTY, 'file: the file is empty.');
      const corrupted = call.logEntry.fault === 'corruptFile';
      if (corrupted || upload.md5 !== String(fields['file_signature']).toLowerCase()) {
        fail(
          TikTokCode.FILE_SIGNATURE_MISMATCH,
          'file_signature does not match the MD5 of the uploaded file.',
        );
      }
      const calculateType = fields['calculate_type'] as CalculateType;
      const parsed = await parseCustomerFile(upload.path, calculateType);
      const filePath = randomBytes(8).toString('hex');
      this.state.files.set(filePath, {
        filePath,
        advertiserId,
        calculateType,
        parsed,
        bytes: upload.bytes,
        md5: upload.md5,
        uploadedAt: this.state.now(),
      });
      return { file_path: filePath };
    } finally {
      if (file) rmSync(file.path, { force: true });
    }
  }

  /** Streams a multipart upload to a temporary file, hashing it on the way (memory stays flat). */
  private receiveMultipart(call: ApiCall): Promise<{ fields: Record<string, string>; file?: ReceivedFile }> {
    const type = call.request.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) {
      call.request.resume();
      return Promise.reject(
        new TikTokApiError(
          TikTokCode.PARAM_INVALID,
          'The request must be multipart/form-data with a file part.',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const fields: Record<string, string> = {};
      let file: ReceivedFile | undefined;
      const writes: Promise<void>[] = [];
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: call.request.headers,
          limits: { fileSize: this.state.options.maxFileBytes, files: 1, fields: 20 },
        });
      } catch {
        reject(new TikTokApiError(TikTokCode.PARAM_INVALID, 'Malformed multipart body.'));
        return;
      }
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (name, stream, info) => {
        if (name !== 'file') {
          stream.resume();
          return;
        }
        const path = join(this.state.uploadDir, randomBytes(8).toString('hex'));
        const md5 = createHash('md5');
        const entry: ReceivedFile = { name: info.filename ?? '', path, bytes: 0, md5: '', truncated: false };
        file = entry;
        stream.on('data', (chunk: Buffer) => {
          md5.update(chunk);
          entry.bytes += chunk.length;
        });
        stream.on('limit', () => (entry.truncated = true));
        writes.push(
          pipeline(stream, createWriteStream(path)).then(() => {
            entry.md5 = md5.digest('hex');
          }),
        );
      });
      parser.on('error', () =>
        reject(new TikTokApiError(TikTokCode.PARAM_INVALID, 'Malformed multipart body.')),
      );
      parser.on('close', () => {
        Promise.all(writes).then(
          () => resolve({ fields, file }),
          (error: unknown) => reject(error),
        );
      });
      call.request.pipe(parser);
    });
  }
}
