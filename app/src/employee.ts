import { ValidationError } from './errors.ts';

export interface EmployeeDocument {
  /** S3 object key; a fresh one per upload, so a replacement never overwrites a live object. */
  readonly key: string;
  /** The uploader's file name, only for the download's Content-Disposition. */
  readonly fileName: string;
  readonly sizeBytes: number;
}

export interface EmployeeFields {
  readonly firstName: string;
  readonly lastName: string;
  readonly role: string;
  /** Annual salary in US dollars. */
  readonly salary: number;
}

export interface Employee extends EmployeeFields {
  readonly id: string;
  readonly document: EmployeeDocument | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Incremented by every update; guards read-modify-write against lost updates. */
  readonly version: number;
}

export const EMPLOYEE_FIELD_NAMES = ['firstName', 'lastName', 'role', 'salary'] as const;
export type EmployeeFieldName = (typeof EMPLOYEE_FIELD_NAMES)[number];

const FIELD_LABELS: Record<EmployeeFieldName, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  role: 'Role',
  salary: 'Annual salary',
};
export const MAX_TEXT_LENGTH = 100;
export const MAX_SALARY = 100_000_000;
// Control characters would break the name sort keys (see employees-table.ts) and never belong in a name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Raw input as it comes from a form (strings) or JSON (anything). */
export type EmployeeInput = Readonly<Partial<Record<string, unknown>>>;

/** All four fields, each required: a new employee, or a full replacement (PUT). */
export function parseEmployeeFields(input: EmployeeInput): EmployeeFields {
  const { values, errors } = parseFields(input, EMPLOYEE_FIELD_NAMES);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values as EmployeeFields;
}

/** Only the fields present (PATCH); absent or empty-string fields are left unchanged. */
export function parseEmployeeChanges(input: EmployeeInput): Partial<EmployeeFields> {
  const present = EMPLOYEE_FIELD_NAMES.filter((name) => input[name] !== undefined && input[name] !== '');
  const { values, errors } = parseFields(input, present);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values;
}

/** Throws when a JSON body names fields this API does not have, so typos do not pass silently. */
export function rejectUnknownFields(input: object, allowed: readonly string[]): void {
  const unknown = Object.keys(input).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ValidationError(Object.fromEntries(unknown.map((key) => [key, `is not a field; use ${allowed.join(', ')}`])));
  }
}

function parseFields(input: EmployeeInput, names: readonly EmployeeFieldName[]) {
  const values: { -readonly [K in EmployeeFieldName]?: EmployeeFields[K] } = {};
  const errors: Record<string, string> = {};
  for (const name of names) {
    const raw = input[name];
    if (name === 'salary') {
      const salary = parseSalary(raw);
      if (typeof salary === 'string') errors[name] = salary;
      else values.salary = salary;
      continue;
    }
    const text = parseText(raw, FIELD_LABELS[name]);
    if (text.error !== undefined) errors[name] = text.error;
    else values[name] = text.value;
  }
  return { values, errors };
}

function parseText(raw: unknown, label: string): { value: string; error?: undefined } | { error: string } {
  if (raw === undefined || raw === null || raw === '') return { error: `${label} is required` };
  if (typeof raw !== 'string') return { error: `${label} must be text` };
  const value = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (value === '') return { error: `${label} is required` };
  if (CONTROL_CHARACTERS.test(value)) return { error: `${label} must not contain control characters` };
  if (value.length > MAX_TEXT_LENGTH) return { error: `${label} must be at most ${MAX_TEXT_LENGTH} characters` };
  return { value };
}

/** Returns the salary, or a message saying what to fix. Accepts "85,000", "$85000.50" and numbers. */
function parseSalary(raw: unknown): number | string {
  const hint = 'Annual salary must be an amount in dollars such as 85000 or 85000.50';
  if (raw === undefined || raw === null || raw === '') return 'Annual salary is required';
  let amount: number;
  if (typeof raw === 'number') {
    amount = raw;
  } else if (typeof raw === 'string') {
    const cleaned = raw.trim().replace(/^\$/, '').replace(/,/g, '');
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return hint;
    amount = Number(cleaned);
  } else {
    return hint;
  }
  if (!Number.isFinite(amount) || amount < 0) return hint;
  if (Math.round(amount * 100) !== amount * 100) return 'Annual salary must have at most 2 decimal places';
  if (amount > MAX_SALARY) return `Annual salary must be at most ${MAX_SALARY.toLocaleString('en-US')}`;
  return amount;
}

/** Letters that carry no combining mark to strip, as a person would type them on a US keyboard. */
const UNMARKED_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h' };

/**
 * The form of a name in the index keys, and of a search: "García" and "garcia", "O'Neil" and
 * "oneil", "Smith-Jones" and "smith jones" become the same. Letter case and accents are folded,
 * dashes are spaces, other punctuation, symbols and control characters go. Changing this changes
 * every stored key: EmployeeRepository.reindexNames brings stored records up to date.
 */
export function searchableName(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\p{M}/gu, '')
    .replace(/[ßæœøđðłþıħ]/g, (letter) => UNMARKED_LETTERS[letter] ?? letter)
    .replace(/[\p{Pd}\s]+/gu, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .replace(/ +/g, ' ')
    .trim();
}
