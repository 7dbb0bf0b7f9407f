import { diffConfigs, formatConfigValue } from '../config-diff';

interface ConfigDiffProps {
  current: Record<string, unknown>;
  recommended: Record<string, unknown>;
  testId?: string;
}

/** Current vs recommended configuration, key by key; changed keys are marked. */
export function ConfigDiff({ current, recommended, testId }: ConfigDiffProps) {
  const rows = diffConfigs(current, recommended);
  if (rows.length === 0) return <p className="muted">No configuration keys.</p>;
  return (
    <table className="table config-diff" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">Current</th>
          <th scope="col">Recommended</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} className={row.changed ? 'config-changed' : undefined} data-changed={row.changed}>
            <th scope="row">
              <code>{row.key}</code>
              {row.changed && <span className="visually-hidden"> (changes)</span>}
            </th>
            <td>
              <code className={row.changed ? 'config-old' : undefined}>{formatConfigValue(row.current)}</code>
            </td>
            <td>
              <code className={row.changed ? 'config-new' : undefined}>{formatConfigValue(row.recommended)}</code>
              {row.changed && (
                <span className="badge badge-info config-badge" aria-hidden="true">
                  changes
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
