import type { LoginRequest } from '@ccc/shared-types';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { useSession } from '../../../lib/session';

export function useLogin() {
  const { signIn } = useSession();
  return useMutation({
    mutationFn: (credentials: LoginRequest) => api.login(credentials),
    onSuccess: signIn,
    meta: { inlineErrors: true },
  });
}
