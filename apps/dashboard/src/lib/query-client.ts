import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';
import { showToast } from './toast';

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: Error;
    mutationMeta: {
      /** The component shows this mutation's errors itself (e.g. beside form fields): no toast. */
      inlineErrors?: boolean;
    };
  }
}

const MAX_RETRIES = 2;

export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

function shouldToast(error: unknown): boolean {
  // A 401 ends the session and sends the user to sign in, which says it better than a toast.
  return !(error instanceof ApiError && error.status === 401);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (!shouldToast(error)) return;
        // Keyed by the query, so a query that keeps failing shows one toast, not a pile.
        showToast(errorMessage(error), { id: `query:${query.queryHash}` });
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!shouldToast(error) || mutation.meta?.inlineErrors) return;
        showToast(errorMessage(error));
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.isClientError) && failureCount < MAX_RETRIES,
      },
      mutations: { retry: false },
    },
  });
}
