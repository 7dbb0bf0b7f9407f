import type { ReactNode } from 'react';

/** What a badge's colour says; the text always says it too. */
export type Tone = 'ok' | 'warn' | 'error' | 'neutral' | 'info';

export function Badge({
  tone,
  children,
  testId,
  className,
}: {
  tone: Tone;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <span className={`badge badge-${tone}${className ? ` ${className}` : ''}`} data-testid={testId}>
      {children}
    </span>
  );
}
