// Registers (sổ theo dõi): the records an office keeps of official matters (delegations
// received, defence works, awards…), typed by the pack. A register's records under a unit,
// filtered by a date range over one of its date fields and by the options of its code
// fields, with the total and the sums of its numeric fields over every match; a page at a
// time ("Xem thêm"). A record is added or changed in a form of its fields (saved against the
// version it was opened at, a 412 offered as a reload) and deleted after a confirmation.
// The records also go out as XLSX or CSV with the same filters and come back in from a file,
// all or nothing, each problem named by its line and column. Every state is an address:
// #/registries, #/registries/CODE?ou=12&from=2021-01-01&f.partner=van_nam,
// #/registries/CODE/new?ou=12, #/registries/CODE/records/ID.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { formatNumber, formatTimestamp } from '../format';
import { hasMessage } from '../i18n';
import {
  descriptionIn, fieldsToWrite, filterFromQuery, filterParams, formatFieldValue, importProblemText, isNumeric, nameIn,
  problemsByField, type RecordFilter,
} from '../registry';
import { can } from '../roles';
import { href, navigate } from '../router';
import { useApp, useT } from '../state';
import { UnitPicker } from '../unitpicker';

const pageSize = 50;

export default function Registries({ path, query }: { path: string[]; query: URLSearchParams }) {
  const t = useT();
  const list = useLoad('registries', api.registries);
  if (list.error) {
    return (
      <section>
        <PageTitle>{t('registriesTitle')}</PageTitle>
        <ErrorBox error={list.error} />
      </section>
    );
  }
  if (!list.data) return <Loading />;
  const [code, kind, id] = path;
  if (!code) return <RegistryIndex registries={list.data} query={query} />;
  const registry = list.data.find((r) => r.code === code);
  if (registry && !kind) return <RecordList registry={registry} registries={list.data} query={query} />;
  if (registry && kind === 'new' && !id) return <RecordForm registry={registry} query={query} />;
  if (registry && kind === 'records' && id) return <RecordForm registry={registry} id={id} query={query} />;
  return (
    <section>
      <PageTitle>{t('notFoundTitle')}</PageTitle>
      <p>{t('notFoundBody')}</p>
      <p><a href={href(['registries'])}>{t('registriesTitle')}</a></p>
    </section>
  );
}

// The register to show: a change opens the chosen one for the same unit.
function RegistryPicker({ registries, current, ou }: { registries: api.Registry[]; current: string; ou: string }) {
  const { lang } = useApp();
  const t = useT();
  return (
    <div class="inline-form">
      <Field id="registry-pick" label={t('registryPick')}>
        <select id="registry-pick" value={current} onChange={(e) => {
          const code = e.currentTarget.value;
          if (code) navigate(['registries', code], { ou: ou || undefined });
        }}>
          {!current && <option value="">{t('chooseOption')}</option>}
          {registries.map((r) => <option key={r.code} value={r.code}>{nameIn(r, lang)}</option>)}
        </select>
      </Field>
    </div>
  );
}

// What a register is for and the figures counted from its records.
function RegistryAbout({ registry }: { registry: api.Registry }) {
  const { lang } = useApp();
  const t = useT();
  return (
    <div class="registry-about">
      {registry.description && <p class="hint" data-testid="registry-description">{descriptionIn(registry.description, lang)}</p>}
      {registry.counts.length > 0 && (
        <p class="hint" data-testid="registry-counts">
          {t('countedFrom')}:{' '}
          {registry.counts.map((c, i) => (
            <span key={c.element}>{i > 0 && '; '}{nameIn(c, lang)} <span class="code">({c.element})</span></span>
          ))}
        </p>
      )}
    </div>
  );
}

function RegistryIndex({ registries, query }: { registries: api.Registry[]; query: URLSearchParams }) {
  const { lang } = useApp();
  const t = useT();
  const ou = query.get('ou') ?? '';
  return (
    <section>
      <PageTitle>{t('registriesTitle')}</PageTitle>
      <RegistryPicker registries={registries} current="" ou={ou} />
      <p class="muted">{t('chooseRegistry')}</p>
      <ul class="cards registries" data-testid="registries">
        {registries.map((r) => (
          <li key={r.code}>
            <a href={href(['registries', r.code], { ou: ou || undefined })}>{nameIn(r, lang)}</a>
            <RegistryAbout registry={r} />
          </li>
        ))}
      </ul>
    </section>
  );
}

// A file of records sent to the register: under way until it has `imported` or `error`.
interface RecordUpload {
  file: string;
  imported?: api.RecordImport;
  error?: unknown;
}

function RecordList({ registry, registries, query }: { registry: api.Registry; registries: api.Registry[]; query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const filter = filterFromQuery(query, registry, user?.scope ?? '');
  const params = filterParams(filter);
  const [form, setForm] = useState<RecordFilter>(filter);
  const [reload, setReload] = useState(0);
  const listKey = `${registry.code}${href([], params)}#${reload}`;
  const first = useLoad(listKey, () => api.registryRecords(registry.code, params, undefined, pageSize));
  // The pages after the first, for the list they continue.
  const [more, setMore] = useState<{ key: string; records: api.RegistryRecord[]; next: string | number | null } | null>(null);
  const [moreState, setMoreState] = useState<{ key: string; loading: boolean; error?: unknown } | null>(null);
  const [upload, setUpload] = useState<RecordUpload | null>(null);
  const writes = user ? can(user.role, 'write_data') : false;
  const saved = query.get('saved');
  const deleted = query.get('deleted');

  const pages = more?.key === listKey ? more : null;
  const records = [...(first.data?.records ?? []), ...(pages?.records ?? [])];
  const next = pages ? pages.next : first.data?.next ?? null;
  const loadingMore = moreState?.key === listKey && moreState.loading;
  const dateFields = registry.fields.filter((f) => f.type === 'date');
  const codeFields = registry.fields.filter((f) => f.type === 'code');
  const numeric = registry.fields.filter(isNumeric);

  const loadMore = async () => {
    if (next === null) return;
    setMoreState({ key: listKey, loading: true });
    try {
      const page = await api.registryRecords(registry.code, params, String(next), pageSize);
      setMore({ key: listKey, records: [...(pages?.records ?? []), ...page.records], next: page.next });
      setMoreState({ key: listKey, loading: false });
    } catch (error) {
      setMoreState({ key: listKey, loading: false, error });
    }
  };

  const columns = [
    { key: 'id', label: t('recordId') },
    { key: 'unit', label: t('recordUnit') },
    ...registry.fields.map((f) => ({ key: f.code, label: nameIn(f, lang), numeric: isNumeric(f) })),
    { key: 'actions', label: t('action') },
  ];
  const sums = first.data?.sums ?? {};
  const sumText = (code: string) => (typeof sums[code] === 'number' ? formatNumber(sums[code], lang, 6) : '');

  return (
    <section class="registry-list">
      <p class="muted"><a href={href(['registries'], { ou: filter.ou || undefined })}>{t('registriesTitle')}</a></p>
      <PageTitle>{nameIn(registry, lang)}</PageTitle>
      <RegistryAbout registry={registry} />
      <RegistryPicker registries={registries} current={registry.code} ou={filter.ou} />
      {saved && <p class="notice" role="status" data-testid="record-notice">{t('recordSaved', { id: saved })}</p>}
      {deleted && <p class="notice" role="status" data-testid="record-notice">{t('recordDeleted', { id: deleted })}</p>}

      <form class="inline-form fields filters" role="search" aria-label={t('recordFilters')} onSubmit={(e) => {
        e.preventDefault();
        navigate(['registries', registry.code], filterParams({ ...form, ou: form.ou.trim() }));
      }}>
        <UnitPicker id="records-ou" label={t('recordUnit')} hint={t('recordUnitHint')} value={form.ou}
          onChange={(ou) => setForm({ ...form, ou })} />
        {dateFields.length > 1 && (
          <Field id="records-date" label={t('dateField')}>
            <select id="records-date" value={form.date} onChange={(e) => setForm({ ...form, date: e.currentTarget.value })}>
              {dateFields.map((f) => <option key={f.code} value={f.code}>{nameIn(f, lang)}</option>)}
            </select>
          </Field>
        )}
        <Field id="records-from" label={dateFields.length === 1 ? `${t('dateFrom')} (${nameIn(dateFields[0], lang)})` : t('dateFrom')}>
          <input id="records-from" type="date" value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} />
        </Field>
        <Field id="records-to" label={t('dateTo')}>
          <input id="records-to" type="date" value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} />
        </Field>
        {codeFields.map((f) => (
          <Field key={f.code} id={`records-f-${f.code}`} label={nameIn(f, lang)}>
            <select id={`records-f-${f.code}`} value={form.equals[f.code] ?? ''}
              onChange={(e) => setForm({ ...form, equals: { ...form.equals, [f.code]: e.currentTarget.value } })}>
              <option value="">{t('all')}</option>
              {f.options?.map((o) => <option key={o.code} value={o.code}>{nameIn(o, lang)}</option>)}
            </select>
          </Field>
        ))}
        <div class="actions">
          <button type="submit" class="primary">{t('show')}</button>
          <a class="button" href={href(['registries', registry.code], { ou: filter.ou || undefined })}>{t('clearFilters')}</a>
        </div>
      </form>

      <div class="actions record-actions">
        {writes && <a class="button" href={href(['registries', registry.code, 'new'], params)} data-testid="new-record">{t('newRecord')}</a>}
        <a class="button" href={api.registryRecordsPath(registry.code, params, { format: 'xlsx' })} download data-testid="export-xlsx">{t('downloadXlsx')}</a>
        <a class="button" href={api.registryRecordsPath(registry.code, params, { format: 'csv' })} download data-testid="export-csv">{t('downloadCsv')}</a>
      </div>
      {writes && (
        <RecordImport upload={upload} onUpload={async (file) => {
          setUpload({ file: file.name });
          try {
            const imported = await api.uploadRecords(registry.code, file);
            setUpload({ file: file.name, imported });
            setReload((r) => r + 1); // the list again, with the imported records
          } catch (error) {
            setUpload({ file: file.name, error });
          }
        }} />
      )}

      {first.loading && <Loading />}
      <ErrorBox error={first.error} />
      {first.data && (
        <>
          <p role="status" class="records-summary">
            <strong data-testid="records-total">{t('recordsTotal', { count: formatNumber(first.data.total, lang) })}</strong>
            {records.length < first.data.total && <> ({t('recordsShown', { shown: formatNumber(records.length, lang) })})</>}
            {first.data.total > 0 && numeric.filter((f) => sumText(f.code)).map((f) => (
              <span key={f.code} data-testid={`sum-${f.code}`}> · {nameIn(f, lang)}: {sumText(f.code)}</span>
            ))}
          </p>
          {records.length === 0 ? <p data-testid="no-records">{t('noRecords')}</p> : (
            <ScrollTable label={nameIn(registry, lang)} testId="records" stacked columns={columns} foot={numeric.length > 0 && (
              <tr>
                <td data-label="">{t('totalRow')}</td>
                <td data-label="" />
                {registry.fields.map((f) => (
                  <td key={f.code} data-label={nameIn(f, lang)} class={isNumeric(f) ? 'num' : undefined}
                    data-testid={isNumeric(f) ? `total-${f.code}` : undefined}>{isNumeric(f) ? sumText(f.code) : ''}</td>
                ))}
                <td data-label="" />
              </tr>
            )}>
              {records.map((r) => {
                const id = String(r.id);
                return (
                  <tr key={id} data-record={id} aria-current={saved === id ? 'true' : undefined}>
                    <td data-label={t('recordId')} class="num">{id}</td>
                    <td data-label={t('recordUnit')} class="type-unit"><span>{r.orgUnitName || r.orgUnit} <span class="muted code">{r.orgUnit}</span></span></td>
                    {registry.fields.map((f) => (
                      <td key={f.code} data-label={nameIn(f, lang)} data-field={f.code} class={isNumeric(f) ? 'num' : `type-${f.type}`}>
                        {formatFieldValue(f, r.fields[f.code], lang)}
                      </td>
                    ))}
                    <td data-label={t('action')}>
                      <a href={href(['registries', registry.code, 'records', id], params)}
                        aria-label={t(writes ? 'editRecordLabel' : 'viewRecordLabel', { id })}>{t(writes ? 'editRecord' : 'viewRecord')}</a>
                    </td>
                  </tr>
                );
              })}
            </ScrollTable>
          )}
          {next !== null && (
            <p>
              <button type="button" onClick={loadMore} disabled={loadingMore} data-testid="load-more">{t('loadMore')}</button>
            </p>
          )}
          {loadingMore && <Loading />}
          <ErrorBox error={moreState?.key === listKey ? moreState.error : undefined} />
        </>
      )}
    </section>
  );
}

// Records from a file: the file chosen is sent at once; what came of it is shown, the
// counts or every problem on a line of its own with the line and column it names.
function RecordImport({ upload, onUpload }: { upload: RecordUpload | null; onUpload: (file: File) => Promise<void> }) {
  const { lang } = useApp();
  const t = useT();
  const uploading = upload !== null && !upload.imported && upload.error === undefined;
  const refusal = upload?.error instanceof api.ApiError && upload.error.code !== 'network' ? upload.error : null;
  const { problems, total } = refusal ? api.recordProblems(refusal) : { problems: [], total: 0 };
  return (
    <div class="workbook">
      <Field id="records-file" label={t('importRecords')} hint={t('importRecordsHint')}>
        <input id="records-file" type="file" accept={`.xlsx,.csv,${api.workbookMediaType},text/csv`} aria-describedby="records-file-hint"
          disabled={uploading} data-testid="records-file"
          onChange={async (e) => {
            const input = e.currentTarget as HTMLInputElement;
            const file = input.files?.[0];
            if (!file) return;
            await onUpload(file);
            input.value = ''; // the same file, corrected, can be chosen again
          }} />
      </Field>
      {uploading && <p class="muted" role="status">{t('importingRecords', { file: upload.file })}</p>}
      {upload?.imported && (
        <p class="notice" role="status" data-testid="import-outcome">
          {t('recordsImported', {
            file: upload.file,
            records: formatNumber(upload.imported.records, lang),
            created: formatNumber(upload.imported.created, lang),
            updated: formatNumber(upload.imported.updated, lang),
          })}
        </p>
      )}
      {refusal && (
        <div class="error" role="alert" data-testid="import-outcome">
          <p>{t('recordsRefused', { file: upload!.file, message: refusal.message })}</p>
          {problems.length > 0 && (
            <ul data-testid="import-problems">
              {problems.map((p, i) => <li key={i}>{importProblemText(p, lang)}</li>)}
            </ul>
          )}
          {total > problems.length && <p>{t('workbookMoreProblems', { count: total - problems.length })}</p>}
        </div>
      )}
      {upload?.error !== undefined && !refusal && <ErrorBox error={upload.error} />}
    </div>
  );
}

// The list's address the form came from (its filters), to go back to.
function listQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) if (name !== 'saved' && name !== 'deleted') out[name] = value;
  return out;
}

function RecordForm({ registry, id, query }: { registry: api.Registry; id?: string; query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const back = listQuery(query);
  const loaded = useLoad(id ? `${registry.code}/${id}` : null, () => api.registryRecord(registry.code, id!));
  const heading = id ? t('editRecordTitle', { id }) : t('newRecordTitle');
  if (id && !loaded.data) {
    return (
      <section>
        <p class="muted"><a href={href(['registries', registry.code], back)}>{nameIn(registry, lang)}</a></p>
        <PageTitle>{heading}</PageTitle>
        {loaded.loading && <Loading />}
        <ErrorBox error={loaded.error} />
      </section>
    );
  }
  return (
    <RecordEditor registry={registry} stored={loaded.data ?? null} back={back}
      defaultUnit={(query.get('ou') ?? '').trim() || user?.scope || ''} />
  );
}

// A new record's values: a required yes/no starts as "no" (a checkbox has no third state).
function initialValues(registry: api.Registry, record: api.RegistryRecord | null): Record<string, string> {
  if (record) return { ...record.fields };
  const values: Record<string, string> = {};
  for (const f of registry.fields) values[f.code] = f.type === 'boolean' && f.required ? 'false' : '';
  return values;
}

function RecordEditor({ registry, stored, back, defaultUnit }: {
  registry: api.Registry;
  stored: { record: api.RegistryRecord; etag: string } | null;
  back: Record<string, string>;
  defaultUnit: string;
}) {
  const { lang, user } = useApp();
  const t = useT();
  const [record, setRecord] = useState(stored?.record ?? null);
  const [etag, setEtag] = useState(stored?.etag ?? '');
  const [values, setValues] = useState(() => initialValues(registry, stored?.record ?? null));
  const [orgUnit, setOrgUnit] = useState(stored?.record.orgUnit ?? defaultUnit);
  const [busy, setBusy] = useState<'saving' | 'deleting' | 'reloading' | null>(null);
  const [fieldProblems, setFieldProblems] = useState<Record<string, string[]>>({});
  const [refusal, setRefusal] = useState<{ message: string; other: api.RecordProblem[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<{ current: api.RegistryRecord | null } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // After a refusal the keyboard starts at the first field the server named.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [fieldProblems]);
  const writes = user ? can(user.role, 'write_data') : false;
  const id = record ? String(record.id) : null;
  const codes = registry.fields.map((f) => f.code);
  const listHref = href(['registries', registry.code], back);

  const clearOutcome = () => {
    setFieldProblems({});
    setRefusal(null);
    setError(null);
    setConflict(null);
  };

  // What a refused write said: problems beside their fields, the rest at the top.
  const refused = (e: unknown) => {
    if (e instanceof api.ApiError && e.status === 412) {
      setConflict({ current: api.recordConflictOf(e) });
    } else if (e instanceof api.ApiError && e.code !== 'network' && e.status >= 400 && e.status < 500) {
      const { byField, other } = problemsByField(api.recordProblems(e).problems, codes);
      setFieldProblems(byField);
      setRefusal({ message: e.message, other });
    } else {
      setError(e);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    clearOutcome();
    const write = { orgUnit: orgUnit.trim(), fields: fieldsToWrite(registry, values) };
    setBusy('saving');
    try {
      const saved = record ? await api.updateRecord(registry.code, String(record.id), write, etag) : await api.createRecord(registry.code, write);
      navigate(['registries', registry.code], { ...back, saved: String(saved.id) });
    } catch (err) {
      refused(err);
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!record) return;
    clearOutcome();
    setBusy('deleting');
    try {
      await api.deleteRecord(registry.code, String(record.id), etag);
      navigate(['registries', registry.code], { ...back, deleted: String(record.id) });
    } catch (err) {
      setConfirming(false);
      refused(err);
      setBusy(null);
    }
  };

  // The record as stored now, in place of what was typed over the older version.
  const reloadRecord = async () => {
    if (!record) return;
    setBusy('reloading');
    try {
      const fresh = await api.registryRecord(registry.code, String(record.id));
      setRecord(fresh.record);
      setEtag(fresh.etag);
      setValues(initialValues(registry, fresh.record));
      setOrgUnit(fresh.record.orgUnit);
      clearOutcome();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const set = (code: string, value: string) => setValues({ ...values, [code]: value });

  return (
    <section>
      <p class="muted"><a href={listHref}>{nameIn(registry, lang)}</a></p>
      <PageTitle>{id ? t('editRecordTitle', { id }) : t('newRecordTitle')}</PageTitle>
      {record && (
        <p class="hint" data-testid="record-meta">
          {t('recordMeta', {
            created: formatTimestamp(record.created, lang), createdBy: record.createdBy,
            updated: formatTimestamp(record.lastUpdated, lang), updatedBy: record.lastUpdatedBy, version: record.version,
          })}
        </p>
      )}
      {!writes && <p class="notice" data-testid="read-only">{t('readOnlyRecord')}</p>}
      {conflict && (
        <div class="error" role="alert" data-testid="record-conflict">
          <p>{conflict.current
            ? t('recordChanged', { who: conflict.current.lastUpdatedBy, when: formatTimestamp(conflict.current.lastUpdated, lang), version: conflict.current.version })
            : t('recordChangedUnknown')}</p>
          <button type="button" onClick={reloadRecord} disabled={busy !== null}>{t('reloadRecord')}</button>
        </div>
      )}
      {refusal && (
        <div class="error" role="alert" data-testid="record-refusal">
          <p>{t('recordRefused', { message: refusal.message })}</p>
          {refusal.other.length > 0 && <ul>{refusal.other.map((p, i) => <li key={i}>{p.field ? `${p.field}: ${p.reason}` : p.reason}</li>)}</ul>}
        </div>
      )}
      <ErrorBox error={error} />
      <form class="record-form" onSubmit={save} data-testid="record-form" ref={formRef}>
        <fieldset disabled={!writes || busy !== null}>
          <p class="hint">{t('requiredNote')}</p>
          <div class="record-fields">
            <UnitPicker id="rf-orgUnit" label={t('recordUnit')} hint={t('recordUnitHint')} value={orgUnit} required
              problem={fieldProblems.orgUnit?.join(' ')} onChange={setOrgUnit} />
            {registry.fields.map((f) => (
              <FieldInput key={f.code} field={f} value={values[f.code] ?? ''} problem={fieldProblems[f.code]?.join(' ')}
                onChange={(v) => set(f.code, v)} />
            ))}
          </div>
          {writes && (
            <div class="actions">
              <button type="submit" class="primary" data-testid="record-save">{busy === 'saving' ? t('saving') : t('save')}</button>
              <a class="button" href={listHref}>{t('cancel')}</a>
              {record && !confirming && (
                <button type="button" class="danger" onClick={() => {
                  setConfirming(true);
                  setTimeout(() => confirmRef.current?.focus(), 0);
                }}>{t('deleteRecord')}</button>
              )}
            </div>
          )}
        </fieldset>
      </form>
      {record && confirming && (
        <div class="error confirm" role="alertdialog" aria-labelledby="confirm-delete-text" data-testid="confirm-delete">
          <p id="confirm-delete-text">{t('confirmDelete', { id: String(record.id) })}</p>
          <div class="actions">
            <button type="button" class="danger" ref={confirmRef} onClick={remove} disabled={busy !== null}>
              {busy === 'deleting' ? t('deleting') : t('confirmDeleteYes')}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy !== null}>{t('cancel')}</button>
          </div>
        </div>
      )}
      {record?.history && record.history.length > 0 && <RecordHistory history={record.history} />}
      <p><a href={listHref}>{t('backToList')}</a></p>
    </section>
  );
}

// Who changed the record when, and through what (the form, a file's import).
function RecordHistory({ history }: { history: NonNullable<api.RegistryRecord['history']> }) {
  const { lang } = useApp();
  const t = useT();
  return (
    <details class="record-history" data-testid="record-history">
      <summary>{t('recordHistory', { count: history.length })}</summary>
      <ol>
        {history.map((h) => {
          const key = `action.${h.action}`;
          return (
            <li key={`${h.version}/${h.action}/${h.changedAt}`}>
              {formatTimestamp(h.changedAt, lang)} — {hasMessage(key) ? t(key) : h.action} — {h.changedBy}
              {' '}<span class="muted">({t('versionSource', { version: h.version, source: h.source })})</span>
            </li>
          );
        })}
      </ol>
    </details>
  );
}

// One field of a record by its type: a day, a number (whole for integer fields), a
// checkbox, one of the field's options by name, a unit, or text. The server's reason for
// refusing its value is shown under it.
function FieldInput({ field, value, problem, onChange }: {
  field: api.RegistryField;
  value: string;
  problem?: string;
  onChange: (value: string) => void;
}) {
  const { lang } = useApp();
  const t = useT();
  const id = `rf-${field.code}`;
  const label = nameIn(field, lang);
  const [bad, setBad] = useState(false);
  const shownProblem = problem ?? (bad ? t('notANumber') : undefined);
  const describedBy = shownProblem ? `${id}-problem` : undefined;
  const common = {
    id,
    'aria-invalid': shownProblem ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
  };
  const problemLine = shownProblem && <p class="field-problem" id={`${id}-problem`}>{shownProblem}</p>;
  const mark = field.required && <span aria-hidden="true"> *</span>;

  if (field.type === 'unit') {
    return <UnitPicker id={id} label={label} value={value} required={field.required} problem={problem} onChange={onChange} />;
  }
  if (field.type === 'boolean') {
    return (
      <div class="field">
        <div class="check">
          <input type="checkbox" {...common} checked={value === 'true'} data-field={field.code}
            onChange={(e) => onChange(e.currentTarget.checked ? 'true' : 'false')} />
          <label for={id}>{label}{mark}</label>
        </div>
        {problemLine}
      </div>
    );
  }
  let input;
  if (field.type === 'code') {
    const known = field.options?.some((o) => o.code === value) ?? false;
    input = (
      <select {...common} value={value} required={field.required} data-field={field.code}
        onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('chooseOption')}</option>
        {field.options?.map((o) => <option key={o.code} value={o.code}>{nameIn(o, lang)}</option>)}
        {value && !known && <option value={value}>{value}</option>}
      </select>
    );
  } else if (field.type === 'integer' || field.type === 'number') {
    input = (
      <input {...common} type="number" step={field.type === 'integer' ? '1' : 'any'} inputMode={field.type === 'integer' ? 'numeric' : 'decimal'}
        value={value} required={field.required} data-field={field.code} class="number"
        onInput={(e) => {
          setBad(e.currentTarget.validity.badInput);
          onChange(e.currentTarget.value);
        }} />
    );
  } else {
    input = (
      <input {...common} type={field.type === 'date' ? 'date' : 'text'} value={value} required={field.required} data-field={field.code}
        onInput={(e) => onChange(e.currentTarget.value)} />
    );
  }
  return (
    <div class="field">
      <label for={id}>{label}{mark}</label>
      {input}
      {problemLine}
    </div>
  );
}
