// The header's word on values waiting for a connection: how many of the user's values wait
// to be sent (always on screen, announced politely), whether the link is down; and the
// trigger that sends them when the application starts and whenever the link returns.
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../state';
import { onQueueChange, queuedFor } from './queue';
import { sendQueued } from './send';

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

  useEffect(() => {
    if (online) sendQueued(user).catch(() => {});
  }, [online, user]);

  return (
    <p class="offline-status" role="status" aria-live="polite">
      {!online && <span class="offline">{t('offline')}</span>}
      {waiting > 0 && <span data-testid="waiting-count">{t(waiting === 1 ? 'waitingOne' : 'waitingCount', { count: waiting })}</span>}
    </p>
  );
}
