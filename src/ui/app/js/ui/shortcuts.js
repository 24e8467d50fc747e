// The `?` dialog: every keyboard shortcut that works on the current screen, grouped by
// where it belongs.

import { createStore, html, useStore } from '../lib/html.js';
import { keyLabel, registry, useShortcuts } from '../lib/keys.js';
import { Dialog } from './dialog.js';

const open = createStore(false);

export function showShortcuts() {
  open.set(true);
}

export function ShortcutsDialog() {
  const isOpen = useStore(open);
  useStore(registry);
  useShortcuts('General', [{ key: '?', label: 'Show keyboard shortcuts', run: showShortcuts }]);
  const groups = new Map();
  if (isOpen) {
    // Dialogs register no keys of their own: list what the page under this one offers.
    for (const entry of registry.get().filter((e) => !e.modal)) {
      for (const binding of entry.bindings) {
        if (!binding.label) continue;
        const list = groups.get(entry.group) || [];
        if (!list.some((b) => b.key === binding.key)) list.push(binding);
        groups.set(entry.group, list);
      }
    }
  }
  return html`<${Dialog} open=${isOpen} title="Keyboard shortcuts" onClose=${() => open.set(false)}>
    <div class="shortcut-groups">
      ${[...groups.entries()].map(([group, bindings]) => html`<section key=${group} class="shortcut-group">
        <h3>${group}</h3>
        <dl>${bindings.map((b) => html`<div class="shortcut" key=${b.key}>
          <dt><kbd>${b.keyLabel || keyLabel(b.key)}</kbd></dt><dd>${b.label}</dd>
        </div>`)}</dl>
      </section>`)}
    </div>
  </${Dialog}>`;
}
