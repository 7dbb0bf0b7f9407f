import { useSearchParams } from 'react-router-dom';
import { Tabs } from '../../../components/ui/Tabs';
import '../redis.css';
import { KeyBrowser } from './KeyBrowser';
import { MemoryAnalysis } from './MemoryAnalysis';
import { RedisStatsPanel } from './RedisStatsPanel';
import { SlowlogTable } from './SlowlogTable';

const VIEWS = [
  { id: 'overview', label: 'Overview', content: <RedisStatsPanel /> },
  { id: 'keys', label: 'Keys', content: <KeyBrowser /> },
  { id: 'slowlog', label: 'Slow log', content: <SlowlogTable /> },
  { id: 'memory', label: 'Memory', content: <MemoryAnalysis /> },
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
      <Tabs
        label="Redis views"
        tabs={VIEWS}
        value={view}
        onValueChange={(next) => setParams(next === 'overview' ? {} : { view: next })}
      />
    </section>
  );
}
