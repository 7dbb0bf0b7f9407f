import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasource } from '../hooks/useDatasource';
import { useUpdateDatasource } from '../hooks/useSaveDatasource';
import { toFormValues } from './datasource-form-values';
import { DatasourceForm } from './DatasourceForm';

function parseId(raw: string | undefined): number | null {
  return raw && /^[1-9]\d*$/.test(raw) ? Number(raw) : null;
}

export function DatasourceDetailPage() {
  const id = parseId(useParams().id);
  if (id === null) {
    return (
      <DetailFrame title="Datasource">
        <div className="callout callout-error" role="alert">
          There is no datasource with this id.
        </div>
      </DetailFrame>
    );
  }
  // Keyed by id so moving to another datasource starts a fresh form.
  return <DatasourceDetail key={id} id={id} />;
}

function DatasourceDetail({ id }: { id: number }) {
  const canWrite = useCanWriteSettings();
  const created = (useLocation().state as { created?: boolean } | null)?.created === true;
  const datasource = useDatasource(id);
  const update = useUpdateDatasource(id);

  if (datasource.isPending)
    return (
      <DetailFrame title={`Datasource #${id}`}>
        <Loading />
      </DetailFrame>
    );
  if (datasource.isError) {
    return (
      <DetailFrame title={`Datasource #${id}`}>
        <LoadError error={datasource.error} notFoundMessage={`Datasource #${id} was not found.`} />
      </DetailFrame>
    );
  }

  const ds = datasource.data;
  return (
    <DetailFrame title={ds.name} subtitle={`DS #${ds.id} · ${ds.sourceTable}`}>
      {!canWrite && (
        <div className="callout callout-info" role="note">
          You have read-only access to datasources.
        </div>
      )}
      {update.isSuccess && (
        <div className="callout callout-success" role="status" data-testid="save-status">
          Saved.
        </div>
      )}
      {created && update.isIdle && (
        <div className="callout callout-success" role="status" data-testid="save-status">
          Datasource created.
        </div>
      )}
      <DatasourceForm
        initialValues={toFormValues(ds)}
        readOnly={!canWrite}
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        onSubmit={(body) => update.mutate(body)}
        onEdit={() => {
          if (update.isSuccess) update.reset();
        }}
      />
    </DetailFrame>
  );
}

function DetailFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb">
        <Link to="/datasources">← Datasources</Link>
      </p>
      <div className="page-header">
        <div>
          <h1 id="page-title">{title}</h1>
          {subtitle && <p className="muted">{subtitle}</p>}
        </div>
      </div>
      {children}
    </section>
  );
}
