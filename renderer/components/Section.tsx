/**
 * A titled step of a workspace (a labelled region with an h2).
 */
import { useId, type ReactNode } from 'react';

/** A section with a heading; `disabled` dims it and tells screen readers. */
export function Section({ title, children, disabled = false }: { title: string; children: ReactNode; disabled?: boolean }) {
  const id = useId();
  return (
    <section className={disabled ? 'step step-disabled' : 'step'} aria-labelledby={id} aria-disabled={disabled || undefined}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A success or information message, announced politely. */
export function Notice({ kind = 'info', children, testId }: { kind?: 'info' | 'success' | 'warning'; children: ReactNode; testId?: string }) {
  return (
    <div className={`notice notice-${kind}`} role="status" data-testid={testId}>
      {children}
    </div>
  );
}
