const UNITS = [
  { seconds: 86_400, label: 'd' },
  { seconds: 3_600, label: 'h' },
  { seconds: 60, label: 'min' },
  { seconds: 1, label: 's' },
] as const;

/** 14400 → "4 h", 5400 → "1 h 30 min", 90061 → "1 d 1 h" (two largest units at most). */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '—';
  if (totalSeconds === 0) return '0 s';
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.seconds);
    if (count > 0) {
      parts.push(`${count} ${unit.label}`);
      rest -= count * unit.seconds;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}
