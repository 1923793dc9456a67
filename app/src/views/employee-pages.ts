import type { Employee } from '../employee.ts';
import { formatBytes } from '../errors.ts';
import type { FieldErrors } from '../errors.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { PageContext } from './layout.ts';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 0 });

export function formatSalary(salary: number): string {
  return usd.format(salary);
}

export function homePage(context: PageContext): SafeHtml {
  return layout(
    context,
    'Home',
    html`<section class="card">
  <h1>Human Resources Management System - State of ${context.usState}</h1>
  <p class="lede">Keep the state's personnel records: names, roles, salaries and each employee's scanned ID.</p>
  <div class="actions"><a class="button" href="/employees">View employees</a><a class="button secondary" href="/employees/new">Add an employee</a></div>
</section>
<div class="grid">
  <section class="card"><h2>Find a record</h2><p class="hint">Search by the start of a first or last name, in any letter case, from the bar above.</p></section>
  <section class="card"><h2>Scanned IDs</h2><p class="hint">IDs are stored as PDF files and opened through short-lived links.</p></section>
</div>`,
  );
}

export interface EmployeeListView {
  readonly employees: readonly Employee[];
  readonly nextPageHref: string | undefined;
  readonly isFirstPage: boolean;
  readonly searchText: string | undefined;
}

export function employeeListPage(context: PageContext, view: EmployeeListView): SafeHtml {
  const searching = view.searchText !== undefined;
  const heading = searching ? html`Employees matching “${view.searchText}”` : html`Employees`;
  const firstPageHref = searching ? `/employees?q=${encodeURIComponent(view.searchText ?? '')}` : '/employees';
  const rows = view.employees.map(
    (employee) => html`<tr>
      <td><a href="/employees/${employee.id}">${employee.lastName}, ${employee.firstName}</a></td>
      <td>${employee.role}</td>
      <td class="num">${formatSalary(employee.salary)}</td>
      <td>${employee.document ? html`<a href="/employees/${employee.id}/document">View PDF</a>` : html`<span class="hint">none</span>`}</td>
      <td><span class="actions"><a href="/employees/${employee.id}/edit">Edit</a><a href="/employees/${employee.id}/delete">Delete</a></span></td>
    </tr>`,
  );
  const empty = searching
    ? html`<p class="empty">No employee's first or last name starts with “${view.searchText}”.</p>`
    : html`<p class="empty">No employees yet. <a href="/employees/new">Add the first one</a>.</p>`;
  return layout(
    { ...context, searchText: view.searchText },
    searching ? `Search: ${view.searchText}` : 'Employees',
    html`<div class="page-head">
  <div><h1>${heading}</h1><p class="lede">${searching ? 'First- and last-name matches, any letter case.' : 'All records, by last name.'}</p></div>
  <a class="button" href="/employees/new">Add employee</a>
</div>
<section class="card table-card">
${
  view.employees.length === 0
    ? empty
    : html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col" class="num">Annual salary</th><th scope="col">Scanned ID</th><th scope="col">Actions</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}
</section>
<nav class="pager" aria-label="Pages">
  <span>${view.isFirstPage ? '' : html`<a href="${firstPageHref}">← First page</a>`}</span>
  <span>${view.nextPageHref ? html`<a class="button secondary" href="${view.nextPageHref}">Next page →</a>` : ''}</span>
</nav>`,
  );
}

export function employeeDetailPage(context: PageContext, employee: Employee): SafeHtml {
  return layout(
    context,
    `${employee.firstName} ${employee.lastName}`,
    html`<div class="page-head">
  <div><h1>${employee.firstName} ${employee.lastName}</h1><p class="lede">${employee.role}</p></div>
  <div class="actions"><a class="button" href="/employees/${employee.id}/edit">Edit</a><a class="button danger" href="/employees/${employee.id}/delete">Delete</a></div>
</div>
<section class="card">
  <dl class="details">
    <dt>First name</dt><dd>${employee.firstName}</dd>
    <dt>Last name</dt><dd>${employee.lastName}</dd>
    <dt>Role</dt><dd>${employee.role}</dd>
    <dt>Annual salary</dt><dd>${formatSalary(employee.salary)}</dd>
    <dt>Scanned ID</dt><dd>${
      employee.document
        ? html`<a href="/employees/${employee.id}/document">${employee.document.fileName}</a> <span class="hint">(${formatBytes(employee.document.sizeBytes)})</span>`
        : html`<span class="hint">none on file</span>`
    }</dd>
    <dt>Last updated</dt><dd>${new Date(employee.updatedAt).toUTCString()}</dd>
  </dl>
  <a href="/employees">← All employees</a>
</section>`,
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

export function employeeFormPage(context: PageContext, view: EmployeeFormView): SafeHtml {
  const editing = view.employee !== undefined;
  const title = editing ? `Edit ${view.employee?.firstName} ${view.employee?.lastName}` : 'Add employee';
  const action = editing ? `/employees/${view.employee?.id}/edit` : '/employees';
  const textField = (name: string, label: string, extra: SafeHtml | string = '') => html`<div class="${view.errors[name] ? 'invalid' : ''}">
    <label for="${name}">${label} ${extra}</label>
    <input type="text" id="${name}" name="${name}" value="${view.values[name] ?? ''}" required maxlength="100">
    ${view.errors[name] ? html`<div class="field-error">${view.errors[name]}</div>` : ''}
  </div>`;
  const documentHint = editing
    ? `Optional: choose a new PDF to replace ${view.employee?.document?.fileName ?? 'the current one'}. At most ${formatBytes(view.maxUploadBytes)}.`
    : `A PDF of at most ${formatBytes(view.maxUploadBytes)}.`;
  return layout(
    context,
    title,
    html`<div class="page-head"><div><h1>${title}</h1><p class="lede">All fields are required${editing ? ' except a new scanned ID' : ''}.</p></div></div>
<section class="card">
  ${view.errors._form ? html`<div class="flash error" role="alert">${view.errors._form}</div>` : ''}
  <form class="stacked" method="post" action="${action}" enctype="multipart/form-data">
    <input type="hidden" name="_csrf" value="${view.csrfToken}">
    ${textField('firstName', 'First name')}
    ${textField('lastName', 'Last name')}
    ${textField('role', 'Role', html`<span class="hint">e.g. Nurse, Park Ranger</span>`)}
    ${textField('salary', 'Annual salary (USD)', html`<span class="hint">e.g. 85000</span>`)}
    <div class="${view.errors.document ? 'invalid' : ''}">
      <label for="document">Scanned ID (PDF) <span class="hint">${documentHint}</span></label>
      <input type="file" id="document" name="document" accept="application/pdf,.pdf" ${editing ? '' : html`required`}>
      ${view.errors.document ? html`<div class="field-error">${view.errors.document}</div>` : ''}
    </div>
    <div class="actions">
      <button type="submit">${editing ? 'Save changes' : 'Add employee'}</button>
      <a class="button secondary" href="${editing ? `/employees/${view.employee?.id}` : '/employees'}">Cancel</a>
    </div>
  </form>
</section>`,
  );
}

export function deleteConfirmationPage(context: PageContext, employee: Employee, csrfToken: string): SafeHtml {
  return layout(
    context,
    `Delete ${employee.firstName} ${employee.lastName}`,
    html`<section class="card">
  <h1>Delete ${employee.firstName} ${employee.lastName}?</h1>
  <p class="lede">The record and its scanned ID are deleted for good.</p>
  <form method="post" action="/employees/${employee.id}/delete" class="actions">
    <input type="hidden" name="_csrf" value="${csrfToken}">
    <button type="submit" class="danger">Delete employee</button>
    <a class="button secondary" href="/employees/${employee.id}">Cancel</a>
  </form>
</section>`,
  );
}
