// Data entry: one form (data set × unit × period) as a grid by section, read in one request,
// each value saved as it is typed against the ETag it was typed over, with a per-cell state,
// the validation rules a save breaks shown beside the cell, a 412 offered as a choice, and
// submit for approval. Without a connection a value waits in the offline queue, against
// the ETag it was typed over, and the cell says so until it is sent. The form also comes as
// an Excel workbook to fill elsewhere and upload back, imported all or nothing. Also shown
// read-only inside the review screen.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, useLoad } from '../components';
import { formatDate, formatNumber, parseMachineNumber, parseTypedNumber } from '../format';
import { hasMessage, type Lang } from '../i18n';
import { discard, enqueue, queuedFor, type CellKey, type QueuedValue } from '../offline/queue';
import { onSendResult, sendQueued } from '../offline/send';
import { href } from '../router';
import { useApp, useT, type Translate } from '../state';

const saveDelayMs = 600;
const numericTypes = new Set(['count', 'number', 'amount_vnd', 'amount_usd', 'integer']);

type CellStatus = 'idle' | 'saving' | 'saved' | 'error' | 'conflict' | 'queued';

interface CellState {
  text: string; // what the input shows
  sent: string; // the machine value the server holds as far as this page knows
  etag?: string;
  comment: string;
  sentComment: string;
  status: CellStatus;
  error?: string;
  conflict?: { value: string | null; etag: string | null; storedBy: string };
  inQueue?: boolean; // the offline queue holds a value of this cell (waiting, or refused)
}

// A rule a save reported as broken, the cell it is shown beside, and the elements whose
// saves reported it: a later save of one of those without the rule means it holds again
// (a save of another element asks the unit's validation instead).
interface ShownWarning {
  warning: api.RuleWarning;
  cell: number;
  elements: Set<string>;
}

// The value as people write it: "1.009" and "2,5" in Vietnamese.
function displayValue(value: string | null, valueType: string, lang: Lang): string {
  if (value === null || value === undefined) return '';
  const n = numericTypes.has(valueType) ? parseMachineNumber(value) : null;
  return n === null ? value : formatNumber(n, lang, 6);
}

// What the user typed, back to the API's machine form ("1.009" → "1009" in Vietnamese); text
// that is not a number in the reader's form is sent as typed, for the API to judge.
function machineValue(text: string, valueType: string, lang: Lang): string {
  const trimmed = text.trim();
  if (!numericTypes.has(valueType) || trimmed === '') return trimmed;
  return parseTypedNumber(trimmed, lang) ?? trimmed;
}

// The cell of the form a queued value belongs to, or -1 (another user's, another form's).
function queuedCell(form: api.Form, user: string, key: CellKey): number {
  if (key.user !== user || key.ds !== form.dataSet.code || key.ou !== form.orgUnit.code || key.pe !== form.period.code) return -1;
  return form.cells.findIndex((c) => c.dataElement === key.element && c.categoryOptionCombo === key.categoryOptionCombo);
}

// The cells as the server holds them; a value of the user's still in the offline queue
// (typed offline, maybe before a reload) shows as typed, against the ETag it was typed over.
function initialCells(form: api.Form, lang: Lang, user: string, queued: QueuedValue[]): CellState[] {
  const cells = form.cells.map((c): CellState => {
    const text = displayValue(c.value, c.valueType, lang);
    return { text, sent: c.value ?? '', etag: c.etag, comment: c.comment ?? '', sentComment: c.comment ?? '', status: 'idle' };
  });
  for (const entry of queued) {
    const i = queuedCell(form, user, entry);
    if (i < 0) continue;
    cells[i] = {
      ...cells[i], text: displayValue(entry.value, form.cells[i].valueType, lang), comment: entry.comment, etag: entry.etag,
      inQueue: true, status: entry.conflict ? 'conflict' : entry.problem ? 'error' : 'queued', conflict: entry.conflict, error: entry.problem,
    };
  }
  return cells;
}

// The grid of one section: rows of elements, a column per disaggregation option.
interface Grid {
  area: string;
  columns: { code: string; name: string; nameEn: string }[];
  rows: { element: string; name: string; nameEn: string; cells: (number | null)[] }[];
}

function grids(form: api.Form): Grid[] {
  return form.sections.map((section) => {
    const columns: Grid['columns'] = [];
    const rows: Grid['rows'] = [];
    for (const i of section.cells) {
      const c = form.cells[i];
      if (!columns.some((col) => col.code === c.categoryOptionCombo)) {
        columns.push({ code: c.categoryOptionCombo, name: c.optionName, nameEn: c.optionNameEn });
      }
    }
    for (const i of section.cells) {
      const c = form.cells[i];
      let row = rows.find((r) => r.element === c.dataElement);
      if (!row) {
        row = { element: c.dataElement, name: c.name, nameEn: c.nameEn, cells: columns.map(() => null) };
        rows.push(row);
      }
      row.cells[columns.findIndex((col) => col.code === c.categoryOptionCombo)] = i;
    }
    return { area: section.area, columns, rows };
  });
}

// A broken rule as the form shows it, beside a cell or after an import.
function ruleText(w: api.RuleWarning, t: Translate, lang: Lang): string {
  const number = (v: number | null) => (v === null ? '–' : formatNumber(v, lang, 6));
  return t('ruleBroken', { name: w.name, left: number(w.left), operator: w.operator, right: number(w.right) });
}

export function areaName(area: string, t: Translate): string {
  const key = `area.${area}`;
  return hasMessage(key) ? t(key) : area;
}

// Why the form cannot be written, or null when it can.
export function readOnlyReason(form: api.Form, t: Translate): string | null {
  if (form.closed) return form.closed;
  const state = form.approval.state;
  if (state !== 'draft' && state !== 'returned') {
    const key = `state.${state}`;
    return t('readOnlyState', { state: hasMessage(key) ? t(key) : form.approval.stateName });
  }
  if (!form.may.write) return t('readOnlyNoRight');
  return null;
}

export default function FormScreen({ ds, ou, pe }: { ds: string; ou: string; pe: string }) {
  const { lang, user } = useApp();
  const t = useT();
  const [version, setVersion] = useState(0);
  // The last workbook upload and what came of it, kept across the reload an import causes;
  // shown with the form it was uploaded to only.
  const formKey = `${ds}/${ou}/${pe}`;
  const [upload, setUpload] = useState<WorkbookUpload | null>(null);
  // The user's queued values come with the form, so no cell ever shows the server's value
  // in place of one still waiting to be sent.
  const loaded = useLoad(`${formKey}#${version}`, () => Promise.all([
    api.form(ds, ou, pe),
    user ? queuedFor(user.username).catch(() => []) : Promise.resolve([]),
  ]));
  if (loaded.error) {
    return (
      <section>
        <PageTitle>{t('dataSet')}</PageTitle>
        <ErrorBox error={loaded.error} />
      </section>
    );
  }
  if (!loaded.data) return <Loading />;
  const [form, queued] = loaded.data;
  const name = lang === 'en' ? form.dataSet.nameEn : form.dataSet.name;
  const period = lang === 'en' ? form.period.nameEn : form.period.name;
  return (
    <section>
      <p class="muted">{name}</p>
      <PageTitle>{t('formHeading', { unit: form.orgUnit.name, period })}</PageTitle>
      <nav aria-label={t('formPeriodNav')} class="inline-links">
        <a href={href(['forms', ds, ou, form.previousPeriod.code])}>
          {t('previousPeriodLink', { period: lang === 'en' ? form.previousPeriod.nameEn : form.previousPeriod.name })}
        </a>
        {(form.may.approve || form.may.return || form.may.lock || form.may.unlock) && form.orgUnit.parent && (
          <a href={href(['review', ds, form.orgUnit.parent, pe], { unit: ou })}>{t('reviewLink')}</a>
        )}
      </nav>
      <FormWorkbook form={form} upload={upload?.form === formKey ? upload : null} mayUpload={readOnlyReason(form, t) === null}
        onUpload={async (file) => {
          setUpload({ form: formKey, file: file.name });
          try {
            const imported = await api.uploadFormWorkbook(file);
            setUpload({ form: formKey, file: file.name, imported });
            setVersion((v) => v + 1); // the form again, with the imported values
          } catch (error) {
            setUpload({ form: formKey, file: file.name, error });
          }
        }} />
      <FormView key={`${version}`} form={form} queued={queued} onChanged={() => setVersion((v) => v + 1)} />
    </section>
  );
}

// A workbook upload: under way until it has `imported` or `error`.
interface WorkbookUpload {
  form: string;
  file: string;
  imported?: api.WorkbookImport;
  error?: unknown;
}

// The form as an Excel workbook: a download always, an upload when the user may write the
// form now, and what the last upload did — its counts and the rules it breaks, or why
// nothing was written with every problem on a line of its own, naming its cell.
function FormWorkbook({ form, upload, mayUpload, onUpload }: {
  form: api.Form;
  upload: WorkbookUpload | null;
  mayUpload: boolean;
  onUpload: (file: File) => Promise<void>;
}) {
  const { lang } = useApp();
  const t = useT();
  const uploading = upload !== null && !upload.imported && upload.error === undefined;
  const refusal = upload?.error instanceof api.ApiError && upload.error.code !== 'network' ? upload.error : null;
  const { problems, total } = refusal ? api.refusalProblems(refusal) : { problems: [], total: 0 };
  return (
    <div class="workbook" data-testid="workbook">
      <div class="workbook-actions">
        <a class="button" href={api.formWorkbookPath(form.dataSet.code, form.orgUnit.code, form.period.code)} download
          data-testid="workbook-download">{t('downloadWorkbook')}</a>
        {mayUpload && (
          <Field id="workbook-file" label={t('uploadWorkbook')} hint={t('uploadWorkbookHint')}>
            <input id="workbook-file" type="file" accept={`.xlsx,${api.workbookMediaType}`} aria-describedby="workbook-file-hint"
              disabled={uploading} data-testid="workbook-file"
              onChange={async (e) => {
                const input = e.currentTarget as HTMLInputElement;
                const file = input.files?.[0];
                if (!file) return;
                await onUpload(file);
                input.value = ''; // the same file, corrected, can be chosen again
              }} />
          </Field>
        )}
      </div>
      {uploading && <p class="muted" role="status">{t('uploadingWorkbook', { file: upload.file })}</p>}
      {upload?.imported && (
        <div class="notice workbook-outcome" role="status" data-testid="workbook-outcome">
          <p>{t('workbookImported', { created: upload.imported.created, updated: upload.imported.updated, unchanged: upload.imported.unchanged })}</p>
          {upload.imported.warnings.length > 0 && (
            <ul aria-label={t('warningsTitle')}>
              {upload.imported.warnings.map((w) => <li key={`${w.rule}/${w.orgUnit}/${w.period}`} class="warning">{ruleText(w, t, lang)}</li>)}
            </ul>
          )}
        </div>
      )}
      {refusal && (
        <div class="error workbook-outcome" role="alert" data-testid="workbook-outcome">
          <p>{t('workbookRefused', { message: refusal.message })}</p>
          {problems.length > 0 && (
            <ul data-testid="workbook-problems">
              {problems.map((p, i) => <li key={i}>{p.field} — {p.reason}</li>)}
            </ul>
          )}
          {total > problems.length && <p>{t('workbookMoreProblems', { count: total - problems.length })}</p>}
        </div>
      )}
      {upload?.error !== undefined && !refusal && <ErrorBox error={upload.error} />}
    </div>
  );
}

// The form's grid and actions. `readOnly` forces the read-only view (review screen);
// `queued` are the user's values waiting in the offline queue.
export function FormView({ form, queued = [], onChanged, readOnly }: {
  form: api.Form;
  queued?: QueuedValue[];
  onChanged: () => void;
  readOnly?: boolean;
}) {
  const { lang, user } = useApp();
  const t = useT();
  const username = user?.username ?? '';
  const [cells, setCells] = useState<CellState[]>(() => initialCells(form, lang, username, queued));
  const [warnings, setWarnings] = useState<Map<string, ShownWarning>>(new Map());
  const shownWarnings = useRef(warnings);
  const showWarnings = (next: Map<string, ShownWarning>) => {
    shownWarnings.current = next;
    setWarnings(next);
  };
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  // The latest cells for the timers and requests, which outlive a render.
  const live = useRef(cells);
  live.current = cells;
  const timers = useRef(new Map<number, number>());
  const inFlight = useRef(new Map<number, Promise<void>>());
  const refs = useRef(new Map<number, HTMLInputElement>());
  const layout = grids(form);
  const reason = readOnly ? readOnlyReason(form, t) ?? t('readOnlyNoRight') : readOnlyReason(form, t);
  const writable = reason === null;
  const mayWrite = writable && form.may.write;

  useEffect(() => () => {
    for (const id of timers.current.values()) clearTimeout(id);
  }, []);

  const update = (i: number, change: Partial<CellState>) => {
    const next = live.current.slice();
    next[i] = { ...next[i], ...change };
    live.current = next;
    setCells(next);
  };

  // The offline queue's key of cell i.
  const cellKey = (i: number): CellKey => ({
    user: username, ds: form.dataSet.code, ou: form.orgUnit.code, pe: form.period.code,
    element: form.cells[i].dataElement, categoryOptionCombo: form.cells[i].categoryOptionCombo,
  });

  // The rules a save of cell i reported broken are shown beside it; those it no longer
  // reports, and those another save may have mended, are cleared.
  const noteWarnings = async (i: number, reportedWarnings: api.RuleWarning[]) => {
    const element = form.cells[i].dataElement;
    const reported = new Set(reportedWarnings.map((w) => w.rule));
    const next = new Map(shownWarnings.current);
    for (const [rule, w] of next) if (w.elements.has(element) && !reported.has(rule)) next.delete(rule);
    for (const w of reportedWarnings) {
      const elements = new Set(next.get(w.rule)?.elements ?? []);
      elements.add(element);
      next.set(w.rule, { warning: w, cell: i, elements });
    }
    showWarnings(next);
    // A rule shown for another cell may hold again through this value (cases raised
    // above solved): the unit's validation says which still break.
    if ([...next.keys()].some((rule) => !reported.has(rule))) {
      const broken = await api.violatedRules(form.orgUnit.code, form.period.code).catch(() => null);
      if (broken) {
        const kept = new Map(shownWarnings.current);
        for (const rule of kept.keys()) if (!broken.has(rule)) kept.delete(rule);
        showWarnings(kept);
      }
    }
  };

  // A value that cannot be sent now waits in the queue; the cell says so.
  const queueValue = async (i: number, value: string, comment: string, etag: string | undefined) => {
    try {
      await enqueue({ ...cellKey(i), value, comment, etag, queuedAt: Date.now() });
      update(i, { status: 'queued', inQueue: true, error: undefined });
      if (navigator.onLine) sendQueued(username).catch(() => {});
    } catch {
      update(i, { status: 'error', error: t('networkError') }); // no IndexedDB (private mode)
    }
  };

  // The queue's outcomes land in their cells; opening the form is a moment to send it.
  useEffect(() => {
    if (!mayWrite || !username) return;
    if (navigator.onLine && queued.length > 0) sendQueued(username).catch(() => {});
    return onSendResult((result) => {
      const i = queuedCell(form, username, result.entry);
      if (i < 0) return;
      if (result.kind === 'refused') {
        update(i, result.conflict ? { status: 'conflict', conflict: result.conflict } : { status: 'error', error: result.problem });
        return;
      }
      const cell = live.current[i];
      const sent = { sent: result.entry.value, sentComment: result.entry.comment, etag: result.etag ?? undefined };
      const typedSince = machineValue(cell.text, form.cells[i].valueType, lang) !== result.entry.value || cell.comment !== result.entry.comment;
      update(i, typedSince ? sent : { ...sent, status: 'saved', inQueue: false, error: undefined });
      void noteWarnings(i, result.warnings);
    });
  }, []);

  // Sends cell i if it differs from what the server holds; one request per cell at a time,
  // and what was typed meanwhile goes in the next.
  const save = async (i: number, etagOverride?: string): Promise<void> => {
    const pending = inFlight.current.get(i);
    if (pending) {
      await pending;
      if (etagOverride === undefined) return save(i);
    }
    const cell = live.current[i];
    const meta = form.cells[i];
    const value = machineValue(cell.text, meta.valueType, lang);
    // A queued value typed back to the server's still replaces what waits.
    if (etagOverride === undefined && !cell.inQueue && value === cell.sent && cell.comment === cell.sentComment) return;
    if (cell.status === 'conflict' && etagOverride === undefined) return; // waits for the choice
    const etag = etagOverride ?? cell.etag;
    // Without a link, or behind a value of this cell already waiting: it waits too.
    if (!navigator.onLine || cell.status === 'queued') return queueValue(i, value, cell.comment, etag);
    update(i, { status: 'saving', error: undefined });
    const request = (async () => {
      try {
        const answer = await api.putValue({
          dataElement: meta.dataElement, period: form.period.code, orgUnit: form.orgUnit.code,
          categoryOptionCombo: meta.categoryOptionCombo, value, comment: cell.comment,
        }, etag);
        update(i, { status: 'saved', sent: value, sentComment: cell.comment, etag: answer.etag ?? undefined, conflict: undefined, inQueue: false });
        // A refused queued value of this cell, typed again and now written.
        if (cell.inQueue) await discard(cellKey(i)).catch(() => {});
        await noteWarnings(i, answer.warnings);
      } catch (e) {
        if (e instanceof api.ApiError && e.status === 412) {
          update(i, { status: 'conflict', conflict: api.conflictOf(e) ?? { value: null, etag: null, storedBy: '' } });
        } else if (e instanceof api.ApiError && e.code === 'network') {
          await queueValue(i, value, cell.comment, etag);
        } else {
          const message = e instanceof api.ApiError ? api.refusalText(e) : e instanceof Error ? e.message : String(e);
          update(i, { status: 'error', error: message });
        }
      }
    })();
    inFlight.current.set(i, request);
    await request;
    inFlight.current.delete(i);
  };

  const saveSoon = (i: number) => {
    clearTimeout(timers.current.get(i));
    timers.current.set(i, window.setTimeout(() => {
      timers.current.delete(i);
      void save(i);
    }, saveDelayMs));
  };

  const saveNow = (i: number) => {
    clearTimeout(timers.current.get(i));
    timers.current.delete(i);
    void save(i);
  };

  // Cells in reading order and their grid positions, for Enter and the arrow keys.
  const order: number[] = [];
  const position = new Map<number, { grid: number; row: number; col: number }>();
  layout.forEach((g, gi) => g.rows.forEach((r, ri) => r.cells.forEach((c, ci) => {
    if (c === null) return;
    order.push(c);
    position.set(c, { grid: gi, row: ri, col: ci });
  })));

  const focusCell = (i: number | undefined) => {
    if (i === undefined) return;
    const input = refs.current.get(i);
    input?.focus();
    input?.select();
  };

  const vertical = (i: number, step: number): number | undefined => {
    const p = position.get(i)!;
    let g = p.grid;
    let r = p.row + step;
    while (g >= 0 && g < layout.length) {
      const rows = layout[g].rows;
      for (; r >= 0 && r < rows.length; r += step) {
        const c = rows[r].cells[Math.min(p.col, rows[r].cells.length - 1)];
        if (c !== null && c !== undefined) return c;
      }
      g += step;
      if (g >= 0 && g < layout.length) r = step > 0 ? 0 : layout[g].rows.length - 1;
    }
    return undefined;
  };

  const onKey = (i: number, e: KeyboardEvent) => {
    const input = e.currentTarget as HTMLInputElement;
    const at = order.indexOf(i);
    const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    let target: number | undefined;
    if (e.key === 'Enter') {
      saveNow(i);
      target = order[at + (e.shiftKey ? -1 : 1)];
    } else if (e.key === 'ArrowDown') target = vertical(i, 1);
    else if (e.key === 'ArrowUp') target = vertical(i, -1);
    else if (e.key === 'ArrowRight' && (whole || input.selectionStart === input.value.length)) target = order[at + 1];
    else if (e.key === 'ArrowLeft' && (whole || input.selectionEnd === 0)) target = order[at - 1];
    else return;
    e.preventDefault();
    focusCell(target);
  };

  const submit = async () => {
    setSubmitError(null);
    setSubmitting(true);
    try {
      for (const i of [...timers.current.keys()]) saveNow(i);
      await Promise.all([...inFlight.current.values()]);
      if (live.current.some((c) => c.status === 'error' || c.status === 'conflict' || c.status === 'saving' || c.status === 'queued')) {
        setSubmitError(new Error(t('waitForSave')));
        return;
      }
      await api.approval('submit', form.dataSet.code, form.orgUnit.code, form.period.code, '');
      onChanged();
    } catch (e) {
      setSubmitError(e);
    } finally {
      setSubmitting(false);
    }
  };

  const savingCount = cells.filter((c) => c.status === 'saving').length;
  const canSubmit = !readOnly && form.may.submit && form.closed === null
    && (form.approval.state === 'draft' || form.approval.state === 'returned');
  const prevName = lang === 'en' ? form.previousPeriod.nameEn : form.previousPeriod.name;
  const lastName = lang === 'en' ? form.lastYearPeriod.nameEn : form.lastYearPeriod.name;

  return (
    <div class="form">
      <dl class="facts">
        <dt>{t('state')}</dt>
        <dd data-testid="form-state">{hasMessage(`state.${form.approval.state}`) ? t(`state.${form.approval.state}` as 'state.draft') : form.approval.stateName}</dd>
        <dt>{t('deadline')}</dt>
        <dd>{formatDate(form.deadline, lang)}</dd>
      </dl>
      {!mayWrite && reason && <p class="notice" role="status" data-testid="read-only">{t('readOnly', { reason })}</p>}
      {mayWrite && <p class="hint">{t('formKeyboardHint')}</p>}
      <p class="muted" role="status" aria-live="polite" data-testid="save-summary">
        {savingCount > 0 ? t('savingCount', { count: savingCount }) : cells.some((c) => c.status === 'saved') ? t('allSaved') : ''}
      </p>
      {layout.map((g) => {
        const single = g.columns.length === 1 && g.columns[0].code === '';
        return (
          <div key={g.area} class="form-section">
            <h2 id={`area-${g.area}`}>{areaName(g.area, t)}</h2>
            <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={`area-${g.area}`}>
              <table class="form-grid" data-testid={`section-${g.area}`}>
                <thead>
                  <tr>
                    <th scope="col">{t('item')}</th>
                    {g.columns.map((col) => (
                      <th scope="col" key={col.code}>{single ? t('value') : lang === 'en' ? col.nameEn : col.name}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((r) => (
                    <tr key={r.element}>
                      <th scope="row">{lang === 'en' ? r.nameEn : r.name}</th>
                      {r.cells.map((i, ci) => i === null ? <td key={ci} /> : (
                        <FormCellView key={ci} i={i} meta={form.cells[i]} cell={cells[i]} writable={mayWrite && !form.cells[i].countedFrom}
                          prevName={prevName} lastName={lastName}
                          warnings={[...warnings.values()].filter((w) => w.cell === i).map((w) => w.warning)}
                          inputRef={(el) => (el ? refs.current.set(i, el) : refs.current.delete(i))}
                          onInput={(text) => {
                            update(i, { text, status: live.current[i].status === 'conflict' ? 'conflict' : 'idle' });
                            saveSoon(i);
                          }}
                          onComment={(comment) => {
                            update(i, { comment });
                            saveSoon(i);
                          }}
                          onBlur={() => saveNow(i)}
                          onKey={(e) => onKey(i, e)}
                          keepMine={() => {
                            const { conflict, inQueue } = live.current[i];
                            const etag = conflict?.etag ?? undefined;
                            update(i, { status: 'idle', conflict: undefined, etag });
                            // The refused queued value gives way to this write over their ETag.
                            void (async () => {
                              if (inQueue) {
                                await discard(cellKey(i)).catch(() => {});
                                update(i, { inQueue: false });
                              }
                              await save(i, etag ?? '');
                            })();
                          }}
                          takeTheirs={() => {
                            const c = live.current[i].conflict;
                            const theirs = c?.value ?? '';
                            if (live.current[i].inQueue) discard(cellKey(i)).catch(() => {});
                            update(i, { text: displayValue(theirs, form.cells[i].valueType, lang), sent: theirs, etag: c?.etag ?? undefined, status: 'saved', conflict: undefined, inQueue: false });
                          }}
                        />
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
      {canSubmit && (
        <p>
          <button type="button" onClick={submit} disabled={submitting} data-testid="submit">
            {submitting ? t('submitting') : t('submit')}
          </button>
        </p>
      )}
      <ErrorBox error={submitError} />
    </div>
  );
}

function FormCellView(props: {
  i: number;
  meta: api.FormCell;
  cell: CellState;
  writable: boolean;
  prevName: string;
  lastName: string;
  warnings: api.RuleWarning[];
  inputRef: (el: HTMLInputElement | null) => void;
  onInput: (text: string) => void;
  onComment: (text: string) => void;
  onBlur: () => void;
  onKey: (e: KeyboardEvent) => void;
  keepMine: () => void;
  takeTheirs: () => void;
}) {
  const { lang } = useApp();
  const t = useT();
  const { i, meta, cell } = props;
  const label = meta.optionName ? `${lang === 'en' ? meta.nameEn : meta.name} — ${lang === 'en' ? meta.optionNameEn : meta.optionName}` : (lang === 'en' ? meta.nameEn : meta.name);
  const id = `cell-${i}`;
  const statusText = cell.status === 'saving' ? t('cellSaving')
    : cell.status === 'saved' ? t('cellSaved')
    : cell.status === 'error' ? t('cellError', { message: cell.error ?? '' })
    : cell.status === 'conflict' ? t('cellConflict')
    : cell.status === 'queued' ? t('cellQueued') : '';
  return (
    <td class={`cell cell-${cell.status}`} data-testid={`cell-${meta.dataElement}${meta.categoryOptionCombo ? `-${meta.categoryOptionCombo}` : ''}`}>
      <input id={id} ref={props.inputRef} class="value" inputMode={numericTypes.has(meta.valueType) ? 'decimal' : undefined}
        aria-label={label} aria-describedby={`${id}-state ${id}-ref`} value={cell.text} readOnly={!props.writable}
        onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        onBlur={props.onBlur} onKeyDown={(e) => props.writable && props.onKey(e)} />
      <span id={`${id}-state`} class="cell-state" role="status" data-testid="cell-state">{statusText}</span>
      {meta.countedFrom && (
        <p class="cell-ref" data-testid="counted">
          <a href={`#/registries/${meta.countedFrom}`}>{t('cellCounted', { registry: meta.countedFrom })}</a>
        </p>
      )}
      <p id={`${id}-ref`} class="cell-ref">
        <span title={props.prevName}>{t('previousShort')}: <span data-testid="previous">{displayValue(meta.previous, meta.valueType, lang) || '–'}</span></span>
        {' · '}
        <span title={props.lastName}>{t('lastYearShort')}: <span data-testid="last-year">{displayValue(meta.lastYear, meta.valueType, lang) || '–'}</span></span>
      </p>
      {props.warnings.map((w) => (
        <p class="warning" role="alert" key={w.rule} data-rule={w.rule}>{ruleText(w, t, lang)}</p>
      ))}
      {cell.status === 'conflict' && cell.conflict && (
        <div class="conflict" role="alert" data-testid="conflict">
          <p>{t('conflictText', { who: cell.conflict.storedBy, value: cell.conflict.value === null ? t('conflictEmpty') : displayValue(cell.conflict.value, meta.valueType, lang) })}</p>
          <button type="button" onClick={props.keepMine}>{t('keepMine', { value: cell.text })}</button>{' '}
          <button type="button" onClick={props.takeTheirs}>{t('takeTheirs', { value: displayValue(cell.conflict.value, meta.valueType, lang) })}</button>
        </div>
      )}
      {(props.writable || cell.comment) && (
        <input class="comment" aria-label={t('commentFor', { name: label })} placeholder={t('comment')} value={cell.comment}
          readOnly={!props.writable}
          onInput={(e) => props.onComment((e.currentTarget as HTMLInputElement).value)} onBlur={props.onBlur} />
      )}
    </td>
  );
}
