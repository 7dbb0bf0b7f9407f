import { Link, useNavigate } from 'react-router-dom';
import { useCanWriteSettings } from '../../../lib/session';
import { useCreateDatasource } from '../hooks/useSaveDatasource';
import { toFormValues } from './datasource-form-values';
import { DatasourceForm } from './DatasourceForm';

export function DatasourceNewPage() {
  const canWrite = useCanWriteSettings();
  const create = useCreateDatasource();
  const navigate = useNavigate();

  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb">
        <Link to="/datasources">← Datasources</Link>
      </p>
      <h1 id="page-title">New datasource</h1>
      {canWrite ? (
        <DatasourceForm
          initialValues={toFormValues()}
          submitLabel="Create datasource"
          pending={create.isPending}
          error={create.error}
          onSubmit={(body) =>
            create.mutate(body, {
              onSuccess: (created) => navigate(`/datasources/${created.id}`, { state: { created: true } }),
            })
          }
        />
      ) : (
        <div className="callout callout-info" role="note">
          You don't have permission to create datasources.
        </div>
      )}
    </section>
  );
}
