// Text selections inside a passage, as the review API counts them: offsets in Unicode
// scalar values (code points) of the passage's text, end exclusive. JavaScript strings
// count UTF-16 units, so each offset is converted.

// The code-point length of `text`.
export function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// The selection inside `container` as { start, end, text }, or null when nothing (or
// something outside it) is selected.
export function selectionIn(container) {
  const selection = window.getSelection();
  if (!container || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const start = codePoints(before.toString());
  const text = range.toString();
  const end = start + codePoints(text);
  if (end <= start) return null;
  return { start, end, text };
}

export function clearSelection() {
  const selection = window.getSelection();
  if (selection) selection.removeAllRanges();
}

// `text` cut into pieces at the spans' edges: [{ text, span? }] in order, where `span` is
// the covering span (spans must not overlap).
export function segments(text, spans) {
  const chars = Array.from(text);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out = [];
  let at = 0;
  for (const span of sorted) {
    if (span.start > at) out.push({ text: chars.slice(at, span.start).join('') });
    out.push({ text: chars.slice(span.start, span.end).join(''), span });
    at = span.end;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join('') });
  return out;
}

// Whether `span` overlaps any of `spans`.
export function overlaps(span, spans) {
  return spans.some((s) => span.start < s.end && s.start < span.end);
}
