/**
 * How the pages show an instant: "Mar 5, 2026, 3:04 PM EST", always naming the zone. The server
 * renders it in UTC (it does not know the viewer's zone) inside <time datetime="…">, and the
 * page's script renders the same instant again in the viewer's own zone.
 */
const OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

/** `timeZone` undefined means the zone of whoever runs this: the viewer's, in the browser. */
export function formatInstant(iso: string, timeZone: string | undefined): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone }).format(date);
}
