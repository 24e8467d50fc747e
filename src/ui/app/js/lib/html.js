// The app's view toolkit: Preact components written as htm tagged templates (no build
// step), the hooks, and a tiny shared-state store.

import { h, render, Fragment, createContext } from '../../vendor/preact.mjs';
import htm from '../../vendor/htm.mjs';
import { useEffect, useState } from '../../vendor/hooks.mjs';

export const html = htm.bind(h);
export { h, render, Fragment, createContext };
export {
  useCallback, useContext, useEffect, useId, useLayoutEffect, useMemo, useReducer, useRef,
  useState,
} from '../../vendor/hooks.mjs';

// A value that several components read and any code may change: `get`, `set` (a value
// or an updater function) and `subscribe`. Components read it with `useStore`.
export function createStore(initial) {
  let value = initial;
  const listeners = new Set();
  return {
    get: () => value,
    set(next) {
      value = typeof next === 'function' ? next(value) : next;
      for (const listener of listeners) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

// The store's current value; the component re-renders when it changes.
export function useStore(store) {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get());
    return store.subscribe(setValue);
  }, [store]);
  return value;
}

// Joins class names, skipping falsy ones: cx('btn', primary && 'btn-primary').
export function cx(...names) {
  return names.filter(Boolean).join(' ');
}
