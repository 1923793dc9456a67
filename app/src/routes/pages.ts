import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { DocumentStorage } from '../document-storage.ts';
import { parseEmployeeFields } from '../employee.ts';
import type { Employee } from '../employee.ts';
import { receiveEmployeeForm } from '../employee-form.ts';
import type { ReceivedForm } from '../employee-form.ts';
import type { EmployeeService } from '../employee-service.ts';
import { formatBytes, NotPdfError, UploadTooLargeError, ValidationError } from '../errors.ts';
import type { FieldErrors } from '../errors.ts';
import { deleteConfirmationPage, employeeDetailPage, employeeFormPage, employeeListPage, homePage } from '../views/employee-pages.ts';
import type { SafeHtml } from '../views/html.ts';
import type { PageContext } from '../views/layout.ts';
import type { FormSecurity } from './form-security.ts';
import { actorOf } from './sign-in.ts';

export const HTML_PAGE_SIZE = 20;

export interface PageRouteOptions {
  readonly service: EmployeeService;
  readonly storage: DocumentStorage;
  readonly security: FormSecurity;
  readonly maxUploadBytes: number;
  readonly pageContext: (request: FastifyRequest) => PageContext;
}

type IdParams = { Params: { id: string } };
type ListQuery = { Querystring: { q?: string; cursor?: string } };

/** The server-rendered pages. Every POST carries a CSRF token and answers with a redirect (PRG). */
export function registerPageRoutes(app: FastifyInstance, options: PageRouteOptions): void {
  const { service, security } = options;
  const context = (request: FastifyRequest, reply: FastifyReply): PageContext => ({
    ...options.pageContext(request),
    flash: security.takeFlash(request, reply),
  });
  // Every page names the state's staff or their pay: no browser or proxy cache may keep a copy.
  const send = (reply: FastifyReply, page: SafeHtml, statusCode = 200) =>
    reply.code(statusCode).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page.html);

  app.get('/', async (request, reply) => send(reply, homePage(context(request, reply))));

  app.get<ListQuery>('/employees', async (request, reply) => {
    const searchText = request.query.q?.trim() || undefined;
    const cursor = request.query.cursor || undefined;
    const page = searchText ? await service.search(searchText, HTML_PAGE_SIZE, cursor) : await service.list(HTML_PAGE_SIZE, cursor);
    const nextQuery = new URLSearchParams({ ...(searchText ? { q: searchText } : {}), ...(page.nextCursor ? { cursor: page.nextCursor } : {}) });
    return send(
      reply,
      employeeListPage(context(request, reply), {
        employees: page.items,
        nextPageHref: page.nextCursor ? `/employees?${nextQuery.toString()}` : undefined,
        isFirstPage: cursor === undefined,
        searchText,
      }),
    );
  });

  const formPage = (request: FastifyRequest, reply: FastifyReply, employee: Employee | undefined, state: FormState, statusCode = 200) =>
    send(
      reply,
      employeeFormPage(context(request, reply), {
        csrfToken: security.tokenFor(request, reply),
        employee,
        values: state.values,
        errors: state.errors,
        maxUploadBytes: options.maxUploadBytes,
      }),
      statusCode,
    );

  app.get('/employees/new', async (request, reply) => formPage(request, reply, undefined, { values: {}, errors: {} }));

  app.post('/employees', async (request, reply) => {
    const id = randomUUID();
    const outcome = await receiveForm(request, options, service.newDocumentKey(id));
    if (outcome.refused) return formPage(request, reply, undefined, outcome.refused, outcome.statusCode);
    try {
      const employee = await service.create(id, outcome.form.fields, outcome.form.document, request.log, actorOf(request));
      security.setFlash(request, reply, { kind: 'success', message: `Added ${employee.firstName} ${employee.lastName}.` });
      return reply.redirect(`/employees/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return formPage(request, reply, undefined, { values: outcome.form.fields, errors: withDocumentToAttachAgain(error.fields, outcome.form) }, 400);
    }
  });

  app.get<IdParams>('/employees/:id', async (request, reply) => {
    const employee = await service.get(request.params.id);
    return send(reply, employeeDetailPage(context(request, reply), employee, await service.history(employee.id)));
  });

  app.get<IdParams>('/employees/:id/edit', async (request, reply) => {
    const employee = await service.get(request.params.id);
    return formPage(request, reply, employee, { values: formValuesOf(employee), errors: {} });
  });

  app.post<IdParams>('/employees/:id/edit', async (request, reply) => {
    const current = await service.get(request.params.id);
    const outcome = await receiveForm(request, options, service.newDocumentKey(current.id));
    if (outcome.refused) return formPage(request, reply, current, outcome.refused, outcome.statusCode);
    try {
      const employee = await service.update(current.id, outcome.form.fields, 'replace', outcome.form.document, request.log, actorOf(request));
      security.setFlash(request, reply, { kind: 'success', message: `Saved ${employee.firstName} ${employee.lastName}.` });
      return reply.redirect(`/employees/${employee.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return formPage(request, reply, current, { values: outcome.form.fields, errors: withDocumentToAttachAgain(error.fields, outcome.form) }, 400);
    }
  });

  app.get<IdParams>('/employees/:id/delete', async (request, reply) => {
    const employee = await service.get(request.params.id);
    return send(reply, deleteConfirmationPage(context(request, reply), employee, security.tokenFor(request, reply)));
  });

  app.post<IdParams & { Body: Record<string, unknown> | undefined }>('/employees/:id/delete', async (request, reply) => {
    security.verify(request, request.body ?? {});
    const removed = await service.remove(request.params.id, request.log, actorOf(request));
    security.setFlash(request, reply, { kind: 'success', message: `Deleted ${removed.firstName} ${removed.lastName} and their scanned ID.` });
    return reply.redirect('/employees', 303);
  });

  app.get<IdParams>('/employees/:id/document', async (request, reply) => {
    const url = await service.documentUrl(request.params.id, request.log, actorOf(request));
    reply.header('cache-control', 'no-store');
    return reply.redirect(url, 302);
  });
}

interface FormState {
  readonly values: Readonly<Partial<Record<string, string>>>;
  readonly errors: FieldErrors;
}

type FormOutcome = { refused: FormState; statusCode: number; form?: undefined } | { refused?: undefined; form: ReceivedForm };

/**
 * Reads the form. A refused file (not a PDF, too large) is a problem for the user to fix, shown
 * with every problem of the other fields at once, so one submission says all there is to fix.
 */
async function receiveForm(request: FastifyRequest, options: PageRouteOptions, documentKey: string): Promise<FormOutcome> {
  try {
    const form = await receiveEmployeeForm(request, {
      storage: options.storage,
      documentKey,
      maxUploadBytes: options.maxUploadBytes,
      authorize: (fields) => options.security.verify(request, fields),
    });
    if (form.rejection) {
      const errors = { ...fieldProblems(form.fields), document: refusedDocumentMessage(form.rejection) };
      return { refused: { values: form.fields, errors }, statusCode: form.rejection.statusCode };
    }
    return { form };
  } catch (error) {
    if (!(error instanceof UploadTooLargeError)) throw error;
    // Refused from its declared size, unread: the fields were never seen, so none can be shown again.
    return { refused: { values: {}, errors: { document: refusedDocumentMessage(error) } }, statusCode: error.statusCode };
  }
}

function fieldProblems(values: Readonly<Record<string, string>>): FieldErrors {
  try {
    parseEmployeeFields(values);
    return {};
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.fields;
  }
}

/** The API's words name the field ("document"); the form's name the thing the person chose. */
function refusedDocumentMessage(rejection: NotPdfError | UploadTooLargeError): string {
  if (rejection instanceof NotPdfError) return 'The scanned ID must be a PDF file, and the file chosen is not one: choose the PDF and attach it again';
  return `The scanned ID must be at most ${formatBytes(rejection.maxBytes)}: choose a smaller PDF and attach it again`;
}

/** A browser never sends a chosen file twice, and an upload is not kept when the form has errors: say so. */
function withDocumentToAttachAgain(errors: FieldErrors, form: ReceivedForm): FieldErrors {
  if (!form.document || errors.document) return errors;
  return { ...errors, document: `${form.document.fileName} was not saved because of the other problems: attach it again` };
}

function formValuesOf(employee: Employee): Record<string, string> {
  return {
    firstName: employee.firstName,
    lastName: employee.lastName,
    role: employee.role,
    salary: Number.isInteger(employee.salary) ? String(employee.salary) : employee.salary.toFixed(2),
  };
}
