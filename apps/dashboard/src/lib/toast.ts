export interface Toast {
  id: string;
  message: string;
  kind: 'error' | 'info';
}

type Listener = () => void;

const AUTO_DISMISS_MS = 6000;
let toasts: readonly Toast[] = [];
const listeners = new Set<Listener>();
const timers = new Map<string, ReturnType<typeof setTimeout>>();
let counter = 0;

function emit(next: readonly Toast[]): void {
  toasts = next;
  listeners.forEach((listener) => listener());
}

export function dismissToast(id: string): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  emit(toasts.filter((toast) => toast.id !== id));
}

/** Shows a toast; a toast with the same `id` replaces the earlier one instead of stacking. */
export function showToast(message: string, options: { id?: string; kind?: Toast['kind'] } = {}): void {
  const id = options.id ?? `toast-${++counter}`;
  clearTimeout(timers.get(id));
  emit([...toasts.filter((toast) => toast.id !== id), { id, message, kind: options.kind ?? 'error' }]);
  timers.set(
    id,
    setTimeout(() => dismissToast(id), AUTO_DISMISS_MS),
  );
}

export function clearToasts(): void {
  timers.forEach((timer) => clearTimeout(timer));
  timers.clear();
  emit([]);
}

export const toastStore = {
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: (): readonly Toast[] => toasts,
};
