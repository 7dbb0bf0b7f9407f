import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { Navigate, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout';
import { NotFoundPage } from './components/NotFoundPage';
import { RequireAuth } from './components/RequireAuth';
import { AnalyticsCachePage } from './features/analytics-cache/components/AnalyticsCachePage';
import { CacheDetailsPage } from './features/analytics-cache/components/CacheDetailsPage';
import { AuditPage } from './features/audit/components/AuditPage';
import { LoginPage } from './features/auth/components/LoginPage';
import { AlertsPage } from './features/monitoring/components/AlertsPage';
import { EfficiencyPage } from './features/monitoring/components/EfficiencyPage';
import { IndexesPage } from './features/monitoring/components/IndexesPage';
import { PerformancePage } from './features/monitoring/components/PerformancePage';
import { RecommendationsPage } from './features/monitoring/components/RecommendationsPage';
import { RemediationPage } from './features/monitoring/components/RemediationPage';
import { ThresholdsPage } from './features/monitoring/components/ThresholdsPage';
import { DatasourceDetailPage } from './features/datasources/components/DatasourceDetailPage';
import { DatasourceNewPage } from './features/datasources/components/DatasourceNewPage';
import { DatasourcesPage } from './features/datasources/components/DatasourcesPage';
import { RedisPage } from './features/redis/components/RedisPage';
import { WarmingPage } from './features/warming/components/WarmingPage';
import { SessionProvider } from './lib/session';

/** Providers and routes; the router itself comes from main.tsx (BrowserRouter) or a test (MemoryRouter). */
export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </QueryClientProvider>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/cache" replace />} />
          <Route path="cache" element={<AnalyticsCachePage />} />
          <Route path="cache/:id" element={<CacheDetailsPage />} />
          <Route path="warming" element={<WarmingPage />} />
          <Route path="redis" element={<RedisPage />} />
          <Route path="alerts" element={<AlertsPage />} />
          <Route path="thresholds" element={<ThresholdsPage />} />
          <Route path="remediation" element={<RemediationPage />} />
          <Route path="recommendations" element={<RecommendationsPage />} />
          <Route path="performance" element={<PerformancePage />} />
          <Route path="indexes" element={<IndexesPage />} />
          <Route path="efficiency" element={<EfficiencyPage />} />
          <Route path="datasources" element={<DatasourcesPage />} />
          <Route path="datasources/new" element={<DatasourceNewPage />} />
          <Route path="datasources/:id" element={<DatasourceDetailPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
