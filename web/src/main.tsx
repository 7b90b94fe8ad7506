// Entry point: mounts the application shell. Everything beyond login and home is loaded on
// demand from app.tsx, so this bundle stays small for a slow link. The service worker
// keeps the application and the forms opened for use without a connection.
import { render } from 'preact';
import { App } from './app';
import { registerServiceWorker } from './offline/worker';
import './style.css';

render(<App />, document.getElementById('app')!);
registerServiceWorker();
