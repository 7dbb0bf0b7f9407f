interface ProgressBarProps {
  /** 0–100 */
  value: number;
  label: string;
  testId?: string;
}

export function ProgressBar({ value, label, testId }: ProgressBarProps) {
  // Floor, so a job at 99.6% does not claim to be done.
  const percent = Math.max(0, Math.min(100, Math.floor(Number.isFinite(value) ? value : 0)));
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%`}
        data-testid={testId}
      >
        <div
          className={`progress-fill${percent === 100 ? ' progress-fill-done' : ''}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      <span className="progress-value" aria-hidden="true">
        {percent}%
      </span>
    </div>
  );
}
