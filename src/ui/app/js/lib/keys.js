// Keyboard shortcuts: every page and component registers what its keys do, with a label,
// so the `?` dialog can list exactly the keys that work right now. While a modal dialog
// is open only its own keys (and the browser's) apply.

import { createStore, useEffect, useRef } from './html.js';

// Registrations, oldest first: { id, group, bindings, modal }.
export const registry = createStore([]);
let nextId = 1;

// A key as people read it: "→", "Esc", "A".
export function keyLabel(key) {
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

function matches(binding, event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  if (binding.key.length === 1) return event.key.toLowerCase() === binding.key.toLowerCase();
  return event.key === binding.key;
}

// Dispatches key presses to the newest matching binding.
export function startShortcuts() {
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const inInput = typing(event.target);
    const entries = activeEntries();
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const binding = entries[i].bindings.find(
        (b) => !b.disabled && matches(b, event) && (!inInput || b.inInputs),
      );
      if (binding) {
        event.preventDefault();
        binding.run(event);
        return;
      }
    }
  });
}
