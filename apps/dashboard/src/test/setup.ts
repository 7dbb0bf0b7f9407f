import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { sessionStore } from '../lib/session';
import { clearToasts } from '../lib/toast';

afterEach(() => {
  cleanup();
  sessionStore.end('signed-out');
  sessionStorage.clear();
  clearToasts();
});
