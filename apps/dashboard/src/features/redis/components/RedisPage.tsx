import { useSearchParams } from 'react-router-dom';
import '../redis.css';
import { KeyBrowser } from './KeyBrowser';
import { MemoryAnalysis } from './MemoryAnalysis';
import { RedisStatsPanel } from './RedisStatsPanel';
import { SlowlogTable } from './SlowlogTable';

const VIEWS = [
  { id: 'overview', label: 'Overview' },
  { id: 'keys', label: 'Keys' },
  { id: 'slowlog', label: 'Slow log' },
  { id: 'memory', label: 'Memory' },
] as const;
type View = (typeof VIEWS)[number]['id'];

/** The Redis tab: statistics, key browser with inspector and purge, slow log, memory analysis. The view is in the URL. */
export function RedisPage() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('view');
  const view: View = VIEWS.some((v) => v.id === requested) ? (requested as View) : 'overview';

  return (
    <section aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">Redis</h1>
      </div>
      <div className="redis-views" role="tablist" aria-label="Redis views">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            aria-selected={view === v.id}
            className={`redis-view-tab${view === v.id ? ' active' : ''}`}
            onClick={() => setParams(v.id === 'overview' ? {} : { view: v.id })}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={VIEWS.find((v) => v.id === view)?.label}>
        {view === 'overview' && <RedisStatsPanel />}
        {view === 'keys' && <KeyBrowser />}
        {view === 'slowlog' && <SlowlogTable />}
        {view === 'memory' && <MemoryAnalysis />}
      </div>
    </section>
  );
}
