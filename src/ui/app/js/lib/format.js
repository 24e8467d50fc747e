// How numbers, times and durations read in the app.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const clockTime = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

// "3 minutes ago", "in 2 hours".
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

// "20 Mar 2026, 14:05".
export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

// "14:05:32".
export function clock(date) {
  return clockTime.format(date);
}

// "4:05" for a countdown of 245 seconds; "1:02:00" past an hour.
export function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

// "1 day", "3 hours", "90 seconds" for a span given in seconds.
export function span(seconds) {
  const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

// "92%" (null: "—").
export function percent(ratio) {
  return ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`;
}

// "1,234".
export function count(n) {
  return new Intl.NumberFormat().format(n || 0);
}

// A name for a person: display name, else handle.
export function personName(user) {
  return (user && (user.display_name || user.handle || user.email)) || 'Someone';
}

// Up to two initials for an avatar.
export function initials(user) {
  const name = personName(user).replace(/@.*/, '');
  const parts = name.split(/[\s._-]+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : name.slice(0, 2)).toUpperCase();
}

// A field value shown as text.
export function display(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}
