/**
 * The hook for long jobs: starts one with a fresh job id, follows its progress events, and
 * cancels it. The UI stays responsive: all work happens on the main side.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IpcResult, ProgressDto } from '../shared/ipc/index.js';
import { api, asUiError, newJobId, unwrap, type UiError } from './bridge.js';

/** State and controls of one job slot. */
export interface JobSlot<T> {
  /** The id of the job running or last run (events of other jobs are not this slot's), or null. */
  jobId: string | null;
  running: boolean;
  progress: ProgressDto | null;
  result: T | null;
  error: UiError | null;
  run(start: (jobId: string) => Promise<IpcResult<T>>): Promise<T | null>;
  cancel(): void;
  reset(): void;
}

/** A job slot: one job at a time. */
export function useJob<T>(): JobSlot<T> {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<ProgressDto | null>(null);
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const jobRef = useRef<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);

  useEffect(
    () =>
      api().events.on('job.progress', (e) => {
        if (e.jobId === jobRef.current) setProgress(e.progress);
      }),
    [],
  );

  const run = useCallback(async (start: (jobId: string) => Promise<IpcResult<T>>) => {
    const jobId = newJobId();
    jobRef.current = jobId;
    setJobId(jobId);
    setRunning(true);
    setError(null);
    setResult(null);
    setProgress(null);
    try {
      const value = await unwrap(start(jobId));
      if (jobRef.current === jobId) setResult(value);
      return value;
    } catch (e) {
      if (jobRef.current === jobId) setError(asUiError(e));
      return null;
    } finally {
      if (jobRef.current === jobId) setRunning(false);
    }
  }, []);

  const cancel = useCallback(() => {
    const jobId = jobRef.current;
    if (jobId) void api().engine.cancel({ jobId });
  }, []);

  const reset = useCallback(() => {
    jobRef.current = null;
    setJobId(null);
    setRunning(false);
    setProgress(null);
    setResult(null);
    setError(null);
  }, []);

  return { jobId, running, progress, result, error, run, cancel, reset };
}
