// First: the heap is tuned before the service is loaded. Everything else comes after it through a dynamic import,
// since a static import would be loaded (with all that it imports) before this module's first line runs.
import './process-limits.js';

await import('./serve.js');
