// A unit field: its code typed, or its name (accents optional) searched in the caller's
// scope (GET /api/units?q=) and picked from the units found; the unit a code names is shown
// under the field (GET /api/units/{code}).
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { useT } from './state';

// What looks like a unit code rather than a name: GSO codes are digits, the country "VN".
const unitCode = /^(\d+|VN)$/;
const searchDelayMs = 300;

export function UnitPicker(props: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  required?: boolean;
  disabled?: boolean;
  problem?: string; // the server's reason, shown under the field
  onChange: (code: string) => void;
}) {
  const t = useT();
  const text = props.value.trim();
  const [found, setFound] = useState<api.UnitSummary[] | null>(null);
  const [name, setName] = useState('');

  useEffect(() => {
    let live = true;
    setFound(null);
    setName('');
    const timer = setTimeout(() => {
      if (unitCode.test(text)) {
        api.unitAt(text).then((u) => live && setName(u.name), () => undefined);
      } else if (text.length >= 2) {
        api.searchUnits(text).then((units) => live && setFound(units.slice(0, 8)), () => live && setFound([]));
      }
    }, unitCode.test(text) ? 0 : searchDelayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  const described = [props.hint ? `${props.id}-hint` : '', name ? `${props.id}-name` : '', props.problem ? `${props.id}-problem` : '']
    .filter(Boolean).join(' ');
  return (
    <div class="field unit-picker">
      <label for={props.id}>{props.label}{props.required && <span aria-hidden="true"> *</span>}</label>
      <input id={props.id} value={props.value} required={props.required} disabled={props.disabled} autocomplete="off"
        aria-describedby={described || undefined} aria-invalid={props.problem ? 'true' : undefined}
        onInput={(e) => props.onChange(e.currentTarget.value)} />
      {name && <p class="hint" id={`${props.id}-name`} data-testid={`${props.id}-name`}>{name}</p>}
      {props.hint && <p class="hint" id={`${props.id}-hint`}>{props.hint}</p>}
      {props.problem && <p class="field-problem" id={`${props.id}-problem`}>{props.problem}</p>}
      {found && (
        found.length === 0 ? <p class="hint" role="status">{t('noResults')}</p> : (
          <ul class="unit-choices" aria-label={t('unitsFound')}>
            {found.map((u) => (
              <li key={u.code}>
                <button type="button" class="link-button" onClick={() => {
                  setFound(null);
                  props.onChange(u.code);
                }}>
                  {u.name} <span class="muted">({u.code})</span>
                </button>
              </li>
            ))}
          </ul>
        )
      )}
    </div>
  );
}
