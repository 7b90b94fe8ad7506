// The header's word on values waiting for a connection: how many of the user's values wait
// to be sent (always on screen, announced politely), whether the link is down; and the
// trigger that sends them when the application starts, whenever the link returns, and
// now and then while some wait.
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../state';
import { onQueueChange, queuedFor } from './queue';
import { sendQueued } from './send';

const retryMs = 15_000;

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const changed = () => setOnline(navigator.onLine);
    window.addEventListener('online', changed);
    window.addEventListener('offline', changed);
    return () => {
      window.removeEventListener('online', changed);
      window.removeEventListener('offline', changed);
    };
  }, []);
  return online;
}

export function OfflineStatus({ user }: { user: string }) {
  const t = useT();
  const online = useOnline();
  const [waiting, setWaiting] = useState(0);

  useEffect(() => {
    let live = true;
    const count = () => queuedFor(user).then((entries) => live && setWaiting(entries.length), () => {});
    void count();
    const stop = onQueueChange(count);
    return () => {
      live = false;
      stop();
    };
  }, [user]);

  // Sent as the link returns; and, while values wait on a link that seems up (the server
  // did not answer), tried again now and then.
  useEffect(() => {
    if (!online) return;
    sendQueued(user).catch(() => {});
    if (waiting === 0) return;
    const timer = window.setInterval(() => sendQueued(user).catch(() => {}), retryMs);
    return () => clearInterval(timer);
  }, [online, user, waiting > 0]);

  return (
    <p class="offline-status" role="status" aria-live="polite">
      {!online && <span class="offline">{t('offline')}</span>}
      {waiting > 0 && <span data-testid="waiting-count">{t(waiting === 1 ? 'waitingOne' : 'waitingCount', { count: waiting })}</span>}
    </p>
  );
}
