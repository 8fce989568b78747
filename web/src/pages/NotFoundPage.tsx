import { Link } from '../router.js';

export function NotFoundPage() {
  return (
    <div className="card empty-state">
      <h1>Nothing here</h1>
      <p>This page does not exist, or it is not available to your account.</p>
      <Link className="btn btn-primary" href="/environments">
        Go to your environments
      </Link>
    </div>
  );
}
