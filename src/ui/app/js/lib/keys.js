// Keyboard shortcuts: every page and component registers what its keys do, with a label,
// so the `?` dialog can list exactly the keys that work right now. While a modal dialog
// is open only its own keys (and the browser's) apply. A key may be a sequence of two
// ("g i": G, then I within a second and a half), for going places.

import { createStore, useEffect, useRef } from './html.js';

// Registrations, oldest first: { id, group, bindings, modal }.
export const registry = createStore([]);
let nextId = 1;

// A key as people read it: "→", "Esc", "A", "G then I".
export function keyLabel(key) {
  if (key.length > 1 && key.includes(' ')) return key.split(' ').map(keyLabel).join(' then ');
  const names = {
    ArrowRight: '→', ArrowLeft: '←', ArrowUp: '↑', ArrowDown: '↓', Escape: 'Esc',
    Enter: 'Enter', ' ': 'Space', Backspace: 'Backspace',
  };
  return names[key] || (key.length === 1 ? key.toUpperCase() : key);
}

// Registers `bindings` ([{ key, label, run, inInputs? }]) under `group` while `active`.
// `modal` marks a dialog's own keys: while one is registered, older ones are ignored.
export function useShortcuts(group, bindings, { active = true, modal = false } = {}) {
  const latest = useRef(bindings);
  latest.current = bindings;
  const signature = bindings.map((b) => `${b.key}:${b.label}:${b.disabled ? 0 : 1}`).join('|');
  useEffect(() => {
    if (!active) return undefined;
    const id = nextId++;
    const entry = {
      id, group, modal,
      get bindings() { return latest.current; },
    };
    registry.set((all) => [...all, entry]);
    return () => registry.set((all) => all.filter((e) => e.id !== id));
  }, [group, active, modal, signature]);
}

// The registrations whose keys work now: from the newest modal one on, or all.
export function activeEntries() {
  const all = registry.get();
  let from = 0;
  all.forEach((entry, i) => { if (entry.modal) from = i; });
  return all.slice(from);
}

function typing(target) {
  if (!target || !target.closest) return false;
  return !!target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
}

function sameKey(key, event) {
  if (key.length === 1) return event.key.toLowerCase() === key.toLowerCase();
  return event.key === key;
}

// Whether `binding` fires on `event`, given the first key of a sequence pressed just
// before (`pending`, or null).
function matches(binding, event, pending) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const keys = binding.key.length > 1 && binding.key.includes(' ') ? binding.key.split(' ') : [binding.key];
  if (keys.length === 1) return !pending && sameKey(keys[0], event);
  return pending !== null && sameKey(keys[0], { key: pending }) && sameKey(keys[1], event);
}

// Whether some binding's sequence starts with the key of `event`.
function startsSequence(entries, event) {
  return entries.some((entry) => entry.bindings.some((b) => !b.disabled && b.key.length > 1
    && b.key.includes(' ') && sameKey(b.key.split(' ')[0], event)));
}

const SEQUENCE_MS = 1500;

// Dispatches key presses to the newest matching binding.
export function startShortcuts() {
  let pending = null;
  let pendingAt = 0;
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) return;
    const inInput = typing(event.target);
    const entries = activeEntries();
    const before = pending !== null && Date.now() - pendingAt < SEQUENCE_MS ? pending : null;
    pending = null;
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const binding = entries[i].bindings.find(
        (b) => !b.disabled && matches(b, event, before) && (!inInput || b.inInputs),
      );
      if (binding) {
        event.preventDefault();
        binding.run(event);
        return;
      }
    }
    if (!inInput && !event.ctrlKey && !event.metaKey && !event.altKey && startsSequence(entries, event)) {
      pending = event.key;
      pendingAt = Date.now();
      event.preventDefault();
    }
  });
}
