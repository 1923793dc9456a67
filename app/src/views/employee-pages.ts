import type { Employee } from '../employee.ts';
import { formatBytes } from '../errors.ts';
import type { FieldErrors } from '../errors.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { PageContext } from './layout.ts';
import { formatInstant } from './time.ts';
import type { AuditEntry } from '../audit-trail.ts';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Dollars and cents, always: "$61,250.50", "$85,000.00". */
export function formatSalary(salary: number): string {
  return usd.format(salary);
}

/** An instant in UTC, named; the page's script shows it again in the viewer's zone. */
function instant(iso: string): SafeHtml {
  return html`<time datetime="${iso}" data-local>${formatInstant(iso, 'UTC')}</time>`;
}

/** The home page's content depends on the state alone: made once per state, as the most visited page. */
const homeContents = new Map<string, SafeHtml>();

export function homePage(context: PageContext): SafeHtml {
  let content = homeContents.get(context.usState);
  if (!content) {
    content = html`<h1>Human Resources Management System - State of ${context.usState}</h1>
<p class="usa-intro">Keep the state's personnel records: names, roles, salaries and each employee's scanned ID.</p>
<ul class="usa-button-group">
  <li class="usa-button-group__item"><a class="usa-button" href="/employees">View employees</a></li>
  <li class="usa-button-group__item"><a class="usa-button usa-button--outline" href="/employees/new">Add an employee</a></li>
</ul>
<ul class="usa-card-group hg-cards">
  <li class="usa-card tablet:grid-col-6"><div class="usa-card__container">
    <div class="usa-card__header"><h2 class="usa-card__heading">Find a record</h2></div>
    <div class="usa-card__body"><p>Search by the start of a first or last name from the search box at the top. Letter case, accents and punctuation do not matter: &ldquo;garcia&rdquo; finds Garc&iacute;a, &ldquo;oneil&rdquo; finds O&rsquo;Neil.</p></div>
  </div></li>
  <li class="usa-card tablet:grid-col-6"><div class="usa-card__container">
    <div class="usa-card__header"><h2 class="usa-card__heading">Scanned IDs</h2></div>
    <div class="usa-card__body"><p>IDs are stored as PDF files and opened through short-lived links.</p></div>
  </div></li>
</ul>`;
    homeContents.set(context.usState, content);
  }
  return layout(context, 'Home', content);
}

export interface EmployeeListView {
  readonly employees: readonly Employee[];
  readonly nextPageHref: string | undefined;
  readonly isFirstPage: boolean;
  readonly searchText: string | undefined;
}

export function employeeListPage(context: PageContext, view: EmployeeListView): SafeHtml {
  const searching = view.searchText !== undefined;
  const heading = searching ? html`Employees matching &ldquo;${view.searchText}&rdquo;` : html`Employees`;
  const firstPageHref = searching ? `/employees?q=${encodeURIComponent(view.searchText ?? '')}` : '/employees';
  // data-label names each cell's column where the table stacks into one block per employee.
  const rows = view.employees.map(
    (employee) => html`<tr>
      <th scope="row" data-label="Name"><a class="usa-link" href="/employees/${employee.id}">${employee.lastName}, ${employee.firstName}</a></th>
      <td data-label="Role">${employee.role}</td>
      <td data-label="Annual salary" class="hg-num">${formatSalary(employee.salary)}</td>
      <td data-label="Scanned ID">${
        employee.document
          ? html`<a class="usa-link" href="/employees/${employee.id}/document">View PDF<span class="usa-sr-only"> of ${employee.firstName} ${employee.lastName}</span></a>`
          : 'none'
      }</td>
      <td data-label="Actions"><a class="usa-link" href="/employees/${employee.id}/edit">Edit<span class="usa-sr-only"> ${employee.firstName} ${employee.lastName}</span></a>
        <a class="usa-link hg-action" href="/employees/${employee.id}/delete">Delete<span class="usa-sr-only"> ${employee.firstName} ${employee.lastName}</span></a></td>
    </tr>`,
  );
  const empty = searching
    ? html`<p>No employee's first or last name starts with &ldquo;${view.searchText}&rdquo;. Search ignores letter case, accents and punctuation; try fewer letters.</p>`
    : html`<p>No employees yet. <a class="usa-link" href="/employees/new">Add the first one</a>.</p>`;
  return layout(
    { ...context, searchText: view.searchText },
    searching ? `Search: ${view.searchText}` : 'Employees',
    html`<div class="hg-page-head">
  <div><h1>${heading}</h1><p class="hg-lede">${searching ? 'First- and last-name matches; letter case, accents and punctuation ignored.' : 'All records, by last name.'}</p></div>
  <a class="usa-button" href="/employees/new">Add employee</a>
</div>
${
  view.employees.length === 0
    ? empty
    : html`<table class="usa-table usa-table--borderless usa-table--stacked-header hg-table">
  <caption class="usa-sr-only">${searching ? html`Employees matching &ldquo;${view.searchText}&rdquo;` : 'Employees, by last name'}</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col" class="hg-num">Annual salary</th><th scope="col">Scanned ID</th><th scope="col">Actions</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}
<nav class="hg-pager" aria-label="Pages of results">
  <span>${view.isFirstPage ? '' : html`<a class="usa-link" href="${firstPageHref}">First page</a>`}</span>
  <span>${view.nextPageHref ? html`<a class="usa-button usa-button--outline" href="${view.nextPageHref}">Next page</a>` : ''}</span>
</nav>`,
  );
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  firstName: 'first name',
  lastName: 'last name',
  role: 'role',
  salary: 'salary',
  document: 'scanned ID',
};

function shown(field: string, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return field === 'salary' && typeof value === 'number' ? formatSalary(value) : String(value);
}

/** The audit trail: who did what to this record, and when, newest first. */
function historySection(history: readonly AuditEntry[]): SafeHtml {
  if (history.length === 0)
    return html`<h2>History</h2>
<p>No changes recorded.</p>`;
  const rows = history.map((entry) => {
    const changes = Object.entries(entry.changes ?? {}).map(
      ([field, [from, to]]) =>
        html`<li>${FIELD_LABELS[field] ?? field}: ${entry.action === 'created' ? shown(field, to) : entry.action === 'deleted' ? shown(field, from) : html`${shown(field, from)} → ${shown(field, to)}`}</li>`,
    );
    return html`<tr><td>${instant(entry.at)}</td><td>${entry.actor.name}</td><td>${entry.action}${changes.length ? html`<ul class="usa-list">${changes}</ul>` : ''}</td></tr>`;
  });
  return html`<h2>History</h2>
<table class="usa-table usa-table--borderless">
<caption class="usa-sr-only">Who changed or downloaded this record, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function employeeDetailPage(context: PageContext, employee: Employee, history: readonly AuditEntry[] = []): SafeHtml {
  return layout(
    context,
    `${employee.firstName} ${employee.lastName}`,
    html`<div class="hg-page-head">
  <div><h1>${employee.firstName} ${employee.lastName}</h1><p class="hg-lede">${employee.role}</p></div>
  <ul class="usa-button-group">
    <li class="usa-button-group__item"><a class="usa-button" href="/employees/${employee.id}/edit">Edit</a></li>
    <li class="usa-button-group__item"><a class="usa-button usa-button--secondary" href="/employees/${employee.id}/delete">Delete</a></li>
  </ul>
</div>
<dl class="hg-details">
  <dt>First name</dt><dd>${employee.firstName}</dd>
  <dt>Last name</dt><dd>${employee.lastName}</dd>
  <dt>Role</dt><dd>${employee.role}</dd>
  <dt>Annual salary</dt><dd>${formatSalary(employee.salary)}</dd>
  <dt>Scanned ID</dt><dd>${
    employee.document
      ? html`<a class="usa-link" href="/employees/${employee.id}/document">${employee.document.fileName}</a> (${formatBytes(employee.document.sizeBytes)})`
      : 'none on file'
  }</dd>
  <dt>Last updated</dt><dd>${instant(employee.updatedAt)}</dd>
</dl>
${historySection(history)}
<p><a class="usa-link" href="/employees">All employees</a></p>`,
  );
}

export interface EmployeeFormView {
  readonly csrfToken: string;
  /** Undefined for a new employee. */
  readonly employee: Employee | undefined;
  readonly values: Readonly<Partial<Record<string, string>>>;
  readonly errors: FieldErrors;
  readonly maxUploadBytes: number;
}

const FORM_FIELDS = [
  { name: 'firstName', label: 'First name', hint: undefined, autocomplete: 'off', inputmode: undefined },
  { name: 'lastName', label: 'Last name', hint: undefined, autocomplete: 'off', inputmode: undefined },
  { name: 'role', label: 'Role', hint: 'For example, Nurse or Park Ranger', autocomplete: 'off', inputmode: undefined },
  { name: 'salary', label: 'Annual salary (USD)', hint: 'Dollars and cents, for example 85000 or 61250.50', autocomplete: 'off', inputmode: 'decimal' },
] as const;

/**
 * The USWDS validation pattern: every problem at once, in a summary that takes focus and links
 * to each field, and at the field itself (aria-invalid, the message in aria-describedby).
 */
export function employeeFormPage(context: PageContext, view: EmployeeFormView): SafeHtml {
  const editing = view.employee !== undefined;
  const title = editing ? `Edit ${view.employee?.firstName} ${view.employee?.lastName}` : 'Add employee';
  const action = editing ? `/employees/${view.employee?.id}/edit` : '/employees';
  const problems = [...FORM_FIELDS.map((field) => field.name), 'document', '_form']
    .filter((name) => view.errors[name] !== undefined)
    .map((name) => ({ name, message: view.errors[name] ?? '' }));

  const textField = (field: (typeof FORM_FIELDS)[number]) => {
    const error = view.errors[field.name];
    const describedBy = [error ? `${field.name}-error` : '', field.hint ? `${field.name}-hint` : ''].filter(Boolean).join(' ');
    return html`<div class="usa-form-group${error ? ' usa-form-group--error' : ''}">
      <label class="usa-label${error ? ' usa-label--error' : ''}" for="${field.name}">${field.label}</label>
      ${field.hint ? html`<span class="usa-hint" id="${field.name}-hint">${field.hint}</span>` : ''}
      ${error ? html`<span class="usa-error-message" id="${field.name}-error">${error}</span>` : ''}
      <input class="usa-input${error ? ' usa-input--error' : ''}" type="text" id="${field.name}" name="${field.name}" value="${view.values[field.name] ?? ''}" required maxlength="100" autocomplete="${field.autocomplete}"${field.inputmode ? html` inputmode="${field.inputmode}"` : ''}${error ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
    </div>`;
  };
  const documentError = view.errors.document;
  const documentHint = editing
    ? `Optional: choose a new PDF to replace ${view.employee?.document?.fileName ?? 'the current one'}. At most ${formatBytes(view.maxUploadBytes)}.`
    : `A PDF file of at most ${formatBytes(view.maxUploadBytes)}.`;
  const summary =
    problems.length === 0
      ? ''
      : html`<div class="usa-alert usa-alert--error hg-error-summary" role="alert" tabindex="-1" data-focus-on-load>
  <div class="usa-alert__body">
    <h2 class="usa-alert__heading">${problems.length === 1 ? 'There is a problem with this form' : `There are ${problems.length} problems with this form`}</h2>
    <ul class="usa-list">${problems.map((problem) => html`<li><a class="usa-link" href="#${problem.name === '_form' ? 'firstName' : problem.name}">${problem.message}</a></li>`)}</ul>
  </div>
</div>`;
  return layout(
    context,
    problems.length > 0 ? `Error: ${title}` : title,
    html`<h1>${title}</h1>
<p class="hg-lede">All fields are required${editing ? ' except a new scanned ID' : ''}.</p>
${summary}
<form class="usa-form usa-form--large" method="post" action="${action}" enctype="multipart/form-data" novalidate>
  <input type="hidden" name="_csrf" value="${view.csrfToken}">
  ${FORM_FIELDS.map(textField)}
  <div class="usa-form-group${documentError ? ' usa-form-group--error' : ''}">
    <label class="usa-label${documentError ? ' usa-label--error' : ''}" for="document">Scanned ID (PDF)</label>
    <span class="usa-hint" id="document-hint">${documentHint}</span>
    ${documentError ? html`<span class="usa-error-message" id="document-error">${documentError}</span>` : ''}
    <input class="usa-input hg-file${documentError ? ' usa-input--error' : ''}" type="file" id="document" name="document" accept="application/pdf,.pdf"${editing ? '' : html` required`}${documentError ? html` aria-invalid="true"` : ''} aria-describedby="${documentError ? 'document-error ' : ''}document-hint">
  </div>
  <ul class="usa-button-group hg-form-actions">
    <li class="usa-button-group__item"><button class="usa-button" type="submit">${editing ? 'Save changes' : 'Add employee'}</button></li>
    <li class="usa-button-group__item"><a class="usa-button usa-button--outline" href="${editing ? `/employees/${view.employee?.id}` : '/employees'}">Cancel</a></li>
  </ul>
</form>`,
  );
}

export function deleteConfirmationPage(context: PageContext, employee: Employee, csrfToken: string): SafeHtml {
  return layout(
    context,
    `Delete ${employee.firstName} ${employee.lastName}`,
    html`<h1>Delete ${employee.firstName} ${employee.lastName}?</h1>
<div class="usa-alert usa-alert--warning"><div class="usa-alert__body"><p class="usa-alert__text">The record and its scanned ID are deleted for good.</p></div></div>
<form method="post" action="/employees/${employee.id}/delete">
  <input type="hidden" name="_csrf" value="${csrfToken}">
  <ul class="usa-button-group hg-form-actions">
    <li class="usa-button-group__item"><button type="submit" class="usa-button usa-button--secondary">Delete employee</button></li>
    <li class="usa-button-group__item"><a class="usa-button usa-button--outline" href="/employees/${employee.id}">Cancel</a></li>
  </ul>
</form>`,
  );
}
