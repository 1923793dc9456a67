/// <reference lib="dom" />
/**
 * The one way the dashboard makes DOM: elements with attributes set one by one
 * and children appended as nodes or text. Data only ever becomes a Text node
 * or an attribute value, never markup, so a display name of "<script>" shows
 * as those characters. (Served as the factory's own text: see client.ts.)
 */
import type { DashboardLogic, Tone } from './logic.ts';
import type { StatusKey } from './types.ts';

export type Child = Node | string | number | null | undefined | false;
export type Attributes = Record<string, string | number | boolean | null | undefined>;

export function dashboardDom(doc: Document, logic: DashboardLogic) {
  function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
    const element = doc.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      // append() of a string makes a Text node: nothing in it is parsed.
      element.append(typeof child === 'number' ? String(child) : child);
    }
    return element;
  }

  /** Colour for those who see it, a symbol and a word for everyone (the symbol is decoration to a screen reader). */
  function pill(tone: Tone, symbol: string, label: string, extra: Attributes = {}): HTMLSpanElement {
    return h('span', { ...extra, class: `badge tone-${tone}` }, h('span', { 'aria-hidden': 'true' }, symbol), ` ${label}`);
  }

  function statusBadge(key: StatusKey): HTMLSpanElement {
    const text = logic.statusText(key);
    return pill(text.tone, text.symbol, text.label, { 'data-status': key });
  }

  /** A time a person reads relatively ("5 min ago"), with the exact UTC time on hover and in `datetime`. */
  function time(iso: string | null, nowMs: number): HTMLElement {
    if (!iso) return h('span', {}, '—');
    return h('time', { datetime: iso, title: logic.absoluteTime(iso) }, logic.relativeTime(iso, nowMs));
  }

  /** An http(s) link when the value is one, else the value as text. */
  function externalLink(value: string | null): Node | string {
    const href = logic.safeHttpUrl(value);
    if (!href) return value ?? '—';
    return h('a', { href, rel: 'noopener noreferrer' }, value);
  }

  /** `key` tells this link apart from others to the same tenant in one container (see `replace`). */
  function tenantLink(tenantId: string, text: string, key = `tenant:${tenantId}`): HTMLAnchorElement {
    return h('a', { href: logic.tenantHref(tenantId), 'data-key': key }, text);
  }

  /**
   * Replaces a container's content and gives focus back to the element that
   * had it (matched by `data-key`): a refresh must not throw a keyboard user
   * back to the top of the page.
   */
  function replace(container: HTMLElement, ...children: Child[]): void {
    const active = doc.activeElement;
    const key = active && container.contains(active) ? active.getAttribute('data-key') : null;
    const caret = active instanceof HTMLInputElement && active.type === 'text' ? [active.selectionStart, active.selectionEnd] : null;
    const nodes = children.flatMap((child) =>
      child === null || child === undefined || child === false ? [] : [typeof child === 'number' ? String(child) : child],
    );
    container.replaceChildren(...nodes);
    if (key === null) return;
    for (const element of Array.from(container.querySelectorAll<HTMLElement>('[data-key]'))) {
      if (element.getAttribute('data-key') !== key) continue;
      element.focus();
      if (caret && element instanceof HTMLInputElement) element.setSelectionRange(caret[0] ?? null, caret[1] ?? null);
      return;
    }
  }

  return { h, pill, statusBadge, time, externalLink, tenantLink, replace };
}

export type DashboardDom = ReturnType<typeof dashboardDom>;
