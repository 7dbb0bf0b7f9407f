export function ComingSoon({ title }: { title: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <div className="card card-muted" data-testid="coming-soon">
        <p>Coming soon.</p>
      </div>
    </section>
  );
}
