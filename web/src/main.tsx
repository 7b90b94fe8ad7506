// Entry point: mounts the application shell. Everything beyond login and home is loaded on
// demand from app.tsx, so this bundle stays small for a slow link.
import { render } from 'preact';
import { App } from './app';
import './style.css';

render(<App />, document.getElementById('app')!);
