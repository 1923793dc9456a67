import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { DocumentStorage } from '../document-storage.ts';
import { EMPLOYEE_FIELD_NAMES, rejectUnknownFields } from '../employee.ts';
import type { Employee, EmployeeDocument, EmployeeInput } from '../employee.ts';
import { DOCUMENT_FIELD, receiveEmployeeForm } from '../employee-form.ts';
import type { EmployeeService, UpdateMode } from '../employee-service.ts';
import { ValidationError } from '../errors.ts';
import { refuseForeignOrigin } from './origin-guard.ts';
import { actorOf } from './sign-in.ts';

export const API_DEFAULT_PAGE_SIZE = 25;
export const API_MAX_PAGE_SIZE = 100;

export interface ApiRouteOptions {
  readonly service: EmployeeService;
  readonly storage: DocumentStorage;
  readonly maxUploadBytes: number;
}

type IdParams = { Params: { id: string } };
type ListQuery = { Querystring: { limit?: string; cursor?: string; q?: string } };

/** The JSON API for programs, under /api/employees. Guarded by the Origin check instead of CSRF tokens. */
export async function employeeApi(app: FastifyInstance, options: ApiRouteOptions): Promise<void> {
  const { service } = options;
  app.addHook('onRequest', refuseForeignOrigin);

  app.get<ListQuery>('/', async (request) => {
    const limit = parseLimit(request.query.limit);
    const cursor = request.query.cursor || undefined;
    const searchText = request.query.q?.trim();
    const page = searchText ? await service.search(searchText, limit, cursor) : await service.list(limit, cursor);
    return { items: page.items.map(toJson), nextCursor: page.nextCursor ?? null };
  });

  app.get<IdParams>('/:id', async (request) => toJson(await service.get(request.params.id)));

  /** Who changed or downloaded this record, and when, newest first. */
  app.get<IdParams>('/:id/history', async (request) => ({ items: await service.history(request.params.id) }));

  app.get<IdParams>('/:id/document', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.redirect(await service.documentUrl(request.params.id, request.log, actorOf(request)), 302);
  });

  app.post('/', async (request, reply) => {
    if (!request.isMultipart())
      throw new ValidationError({ body: `send multipart/form-data with ${EMPLOYEE_FIELD_NAMES.join(', ')} and the PDF as "${DOCUMENT_FIELD}"` });
    const id = randomUUID();
    const { input, document } = await readMultipart(request, options, service.newDocumentKey(id));
    const employee = await service.create(id, input, document, request.log, actorOf(request));
    return reply.code(201).header('location', `/api/employees/${id}`).send(toJson(employee));
  });

  const update = (mode: UpdateMode) => async (request: FastifyRequest<IdParams>) => {
    const id = request.params.id;
    if (request.isMultipart()) {
      await service.get(id); // 404 before anything is uploaded
      const { input, document } = await readMultipart(request, options, service.newDocumentKey(id));
      return toJson(await service.update(id, input, mode, document, request.log, actorOf(request)));
    }
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ValidationError({ body: `send a JSON object with ${EMPLOYEE_FIELD_NAMES.join(', ')} (or multipart/form-data to replace the PDF)` });
    }
    rejectUnknownFields(body, EMPLOYEE_FIELD_NAMES);
    return toJson(await service.update(id, body as EmployeeInput, mode, undefined, request.log, actorOf(request)));
  };
  app.put<IdParams>('/:id', update('replace'));
  app.patch<IdParams>('/:id', update('merge'));

  app.delete<IdParams>('/:id', async (request, reply) => {
    await service.remove(request.params.id, request.log, actorOf(request));
    return reply.code(204).send();
  });
}

async function readMultipart(
  request: FastifyRequest,
  options: ApiRouteOptions,
  documentKey: string,
): Promise<{ input: EmployeeInput; document: EmployeeDocument | undefined }> {
  const form = await receiveEmployeeForm(request, { storage: options.storage, documentKey, maxUploadBytes: options.maxUploadBytes });
  if (form.rejection) throw form.rejection;
  try {
    rejectUnknownFields(form.fields, EMPLOYEE_FIELD_NAMES);
  } catch (error) {
    if (form.document)
      await options.storage.remove(form.document.key).catch((cause: unknown) => request.log.error({ err: cause }, 'could not remove a refused upload'));
    throw error;
  }
  return { input: form.fields, document: form.document };
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return API_DEFAULT_PAGE_SIZE;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > API_MAX_PAGE_SIZE) {
    throw new ValidationError({ limit: `must be a whole number from 1 to ${API_MAX_PAGE_SIZE}` });
  }
  return limit;
}

function toJson(employee: Employee) {
  return {
    id: employee.id,
    firstName: employee.firstName,
    lastName: employee.lastName,
    role: employee.role,
    salary: employee.salary,
    document: employee.document
      ? { fileName: employee.document.fileName, sizeBytes: employee.document.sizeBytes, url: `/api/employees/${employee.id}/document` }
      : null,
    createdAt: employee.createdAt,
    updatedAt: employee.updatedAt,
    version: employee.version,
  };
}
