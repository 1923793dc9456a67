/**
 * A tagged template that escapes every interpolation unless it is already SafeHtml, so
 * markup is safe by default and the few trusted fragments are visible as such in the code.
 */
export class SafeHtml {
  readonly html: string;

  constructor(trustedHtml: string) {
    this.html = trustedHtml;
  }

  toString(): string {
    return this.html;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Interpolations: SafeHtml as is, arrays item by item, null/undefined/false as nothing, anything else escaped. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks a string as trusted markup. Only for constants written in this code base. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function renderValue(value: unknown): string {
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
