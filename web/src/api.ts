// The client of qpan's JSON API. The session lives in the server's HttpOnly cookie; the
// CSRF token it returns is kept in memory only (never in web storage) and sent as
// X-CSRF-Token on every state change, as the API requires. Errors arrive as the API's
// {"error": {"code", "message", "details"}} and are thrown as ApiError.

export type Role = 'commune_entry' | 'district_reviewer' | 'province_admin' | 'viewer';

export interface User {
  username: string;
  displayName: string;
  role: Role;
  roleName: string;
  scope: string;
  scopeAt: string;
}

export interface UnitSummary {
  code: string;
  name: string;
  level: string;
  parent?: string;
}

export interface UnitAtDate extends UnitSummary {
  at: string;
  children: UnitSummary[];
}

export interface PackElement {
  code: string;
  name: string;
  nameEn: string;
  valueType: string;
  aggregation: string;
  disaggregation: string;
  area: string;
}

export interface PackIndicator {
  code: string;
  name: string;
  nameEn: string;
  expression: string;
  decimals: number;
  unit: string;
}

export interface Pack {
  dataElements: PackElement[];
  dataSets: PackDataSet[];
  indicators: PackIndicator[];
  evaluationSets: { code: string; name: string; nameEn: string }[];
}

// The DHIS2-shaped analytics answer (rows of dx, ou, pe, value as machine text).
export interface AnalyticsAnswer {
  metaData: { items: Record<string, { name: string }>; dimensions: { dx: string[]; ou: string[]; pe: string[] } };
  rows: [string, string, string, string][];
  qpanNotes?: {
    dx: string;
    ou: string;
    pe: string;
    usesShares: boolean;
    unallocated: { unit: string; into: string; value: number }[];
  }[];
}

export interface AuditEntry {
  action: 'create' | 'update' | 'delete';
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  oldValue: string;
  newValue: string;
  changedBy: string;
  changedAt: string;
}

export interface AnalyticsQuestion {
  dx: string[];
  ou: string[];
  pe: string[];
  structureAt?: string;
}

// `code` is the API's error code, or "network" when no answer came at all; `body` is the
// whole answer, for the members some endpoints send beside `error` (DHIS2's WebMessage).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

// Whether the last /api/me or login answer came from the server itself: the service
// worker's kept copy of /api/me has no CSRF token.
export function hasCsrfToken(): boolean {
  return csrfToken !== null;
}
// Called when the server no longer knows the session (expired, logged out elsewhere).
let onSessionLost: () => void = () => {};

export function whenSessionLost(callback: () => void): void {
  onSessionLost = callback;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await exchange<T>(method, path, body)).body;
}

// A request and its answer's body and headers (a value's ETag comes in a header). A body is
// sent as JSON, but a Blob (a file's bytes) as it is, with the Content-Type in `extra`.
async function exchange<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<{ body: T; headers: Headers }> {
  const raw = body instanceof Blob;
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
  // A page started without a connection knows the session from the service worker's copy
  // of /api/me, which never holds the token: ask the server for it before the first write.
  if (method !== 'GET' && !csrfToken && path !== '/api/login') await me();
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) throw refusal(response, parsed, path);
  return { body: parsed as T, headers: response.headers };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // Not JSON (a proxy's error page): reported by status.
  }
}

// The ApiError of an answer that is not 2xx, from the API's {"error": …} when it sent one;
// a 401 means the session is gone.
function refusal(response: Response, parsed: unknown, path: string): ApiError {
  const answer = parsed as { error?: { code?: string; message?: string; details?: unknown }; message?: unknown } | null;
  const error = answer?.error;
  const message = error?.message ?? (typeof answer?.message === 'string' ? answer.message : undefined);
  const failure = new ApiError(response.status, error?.code ?? `http_${response.status}`,
    message ?? `HTTP ${response.status}`, error?.details ?? null, parsed);
  if (response.status === 401 && path !== '/api/login') {
    csrfToken = null;
    onSessionLost();
  }
  return failure;
}

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function login(username: string, password: string): Promise<User> {
  const answer = await call<{ user: User; csrfToken: string }>('POST', '/api/login', { username, password });
  csrfToken = answer.csrfToken;
  return answer.user;
}

export async function logout(): Promise<void> {
  try {
    await call('POST', '/api/logout', {});
  } finally {
    csrfToken = null;
  }
}

// The caller, or null when not logged in; the CSRF token of the session comes along.
export async function me(): Promise<User | null> {
  try {
    const answer = await call<{ user: User; csrfToken?: string }>('GET', '/api/me');
    csrfToken = answer.csrfToken ?? null;
    return answer.user;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function searchUnits(text: string): Promise<UnitSummary[]> {
  return (await call<{ units: UnitSummary[] }>('GET', `/api/units${query({ q: text })}`)).units;
}

export function unitAt(code: string, at?: string): Promise<UnitAtDate> {
  return call<UnitAtDate>('GET', `/api/units/${encodeURIComponent(code)}${query({ at })}`);
}

let packPromise: Promise<Pack> | null = null;

// The pack changes only when an administrator loads a new one: read once per page load.
export function pack(): Promise<Pack> {
  packPromise ??= call<Pack>('GET', '/api/pack').catch((e) => {
    packPromise = null;
    throw e;
  });
  return packPromise;
}

export function analyticsPath(q: AnalyticsQuestion, format: 'json' | 'csv' | 'xlsx'): string {
  return `/api/analytics${query({
    dx: q.dx.join(','),
    ou: q.ou.join(','),
    pe: q.pe.join(','),
    structureAt: q.structureAt,
    format: format === 'json' ? undefined : format,
  })}`;
}

export function analytics(q: AnalyticsQuestion): Promise<AnalyticsAnswer> {
  return call<AnalyticsAnswer>('GET', analyticsPath(q, 'json'));
}

// Where a figure comes from (GET /api/analytics/explain): the values that make it, each with
// how it counts and, for those who may read the audit trail, its history and form state.
export interface ExplainChange {
  action: 'create' | 'update' | 'delete';
  oldValue: string;
  newValue: string;
  changedBy: string;
  changedAt: string;
}

export interface ExplainForm {
  dataSet: string;
  dataSetName: string;
  unit: string;
  period: string;
  state: string;
  stateName: string;
  changedBy?: string;
  changedAt?: string;
}

export interface ExplainPart {
  unit: string;
  unitName: string;
  period: string;
  periodName: string;
  option: string;
  value: number;
  basis: 'direct' | 'lineage' | 'share' | 'unallocated';
  source?: string;
  sourceName?: string;
  into?: string;
  share?: number;
  history?: ExplainChange[];
  forms?: ExplainForm[];
}

export interface ExplainSeries {
  code: string;
  name: string;
  valueType: string;
  aggregation: string;
  value: number | null;
  usesShares: boolean;
  unallocated: { unit: string; into: string; value: number }[];
  partCount: number;
  omitted: number;
  omittedTotal: number;
  parts: ExplainPart[];
}

export interface Explanation {
  dx: string;
  ou: string;
  ouName: string;
  pe: string;
  peName: string;
  name: string;
  indicator: boolean;
  formula?: string;
  decimals?: number;
  valueType: string;
  value: number | null;
  structureAt?: string;
  historyIncluded: boolean;
  series: ExplainSeries[];
}

export interface ExplainQuestion {
  dx: string;
  ou: string;
  pe: string;
  structureAt?: string;
}

export function explain(q: ExplainQuestion, lang: string): Promise<Explanation> {
  return call<Explanation>('GET', `/api/analytics/explain${query({ dx: q.dx, ou: q.ou, pe: q.pe, structureAt: q.structureAt, lang })}`);
}

export async function audit(ou: string, pe: string): Promise<AuditEntry[]> {
  return (await call<{ entries: AuditEntry[] }>('GET', `/api/audit${query({ ou, pe })}`)).entries;
}

// A data set as the pack describes it.
export interface PackDataSet {
  code: string;
  name: string;
  nameEn: string;
  periodType: string;
  level: string;
  deadlineDays: number;
  approval: string[];
  dataElements: string[];
}

export interface PeriodName {
  code: string;
  name: string;
  nameEn: string;
}

export interface FormCell {
  dataElement: string;
  categoryOptionCombo: string;
  name: string;
  nameEn: string;
  optionName: string;
  optionNameEn: string;
  valueType: string;
  value: string | null;
  previous: string | null;
  lastYear: string | null;
  etag?: string;
  storedBy?: string;
  lastUpdated?: string;
  comment?: string;
  // Counted from this registry's records: shown, not entered ("" for a reported element).
  countedFrom?: string;
}

export interface ApprovalStatus {
  state: string;
  stateName: string;
  changedBy: string;
  comment: string;
  history: { action?: string; state?: string; by?: string; at?: string; comment?: string }[];
}

export type Permission = 'write' | 'submit' | 'approve' | 'return' | 'lock' | 'unlock';

// A form in one answer: everything the data entry screen shows, without per-cell requests.
export interface Form {
  dataSet: { code: string; name: string; nameEn: string; periodType: string; level: string; approval: string[] };
  orgUnit: { code: string; name: string; level: string; parent: string };
  period: PeriodName;
  previousPeriod: PeriodName;
  lastYearPeriod: PeriodName;
  deadline: string;
  approval: ApprovalStatus;
  closed: string | null;
  may: Record<Permission, boolean>;
  sections: { area: string; cells: number[] }[];
  cells: FormCell[];
}

export interface WorkItem {
  kind: 'to_submit' | 'to_review';
  dataSet: string;
  orgUnit: string;
  name: string;
  period: string;
  periodName: string;
  periodNameEn: string;
  state: string;
  stateName: string;
  deadline: string;
  status: 'on_time' | 'late' | 'pending';
}

export interface Completeness {
  deadline: string;
  onTime: number;
  late: number;
  pending: number;
  units: { orgUnit: string; name: string; state: string; status: 'on_time' | 'late' | 'pending'; firstSubmittedAt: string | null }[];
}

// A validation rule the value just written breaks (the value is kept; the rule warns). A
// side without a value is null.
export interface RuleWarning {
  rule: string;
  name: string;
  orgUnit: string;
  period: string;
  left: number | null;
  operator: string;
  right: number | null;
}

export interface ValueWrite {
  dataElement: string;
  period: string;
  orgUnit: string;
  categoryOptionCombo: string;
  value: string;
  comment: string;
}

export function form(ds: string, ou: string, pe: string): Promise<Form> {
  return call<Form>('GET', `/api/forms/${encodeURIComponent(ds)}${query({ ou, pe })}`);
}

export const workbookMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// The form as an Excel workbook to fill without the application, for a plain download link
// (the session cookie is enough for a read).
export function formWorkbookPath(ds: string, ou: string, pe: string): string {
  return `/api/forms/${encodeURIComponent(ds)}${query({ ou, pe, format: 'xlsx' })}`;
}

// What an import wrote: rows read, values created, changed and left as they were, and the
// validation rules the new values break (kept; the rules warn).
export interface WorkbookImport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  warnings: RuleWarning[];
}

// Imports a filled form workbook (its data set, unit and period are in the file) all or
// nothing. A refusal throws ApiError whose problems name the cells (refusalProblems).
export async function uploadFormWorkbook(file: Blob): Promise<WorkbookImport> {
  return (await exchange<WorkbookImport>('POST', '/api/dataValueSets', file, { 'Content-Type': workbookMediaType })).body;
}

export async function worklist(): Promise<WorkItem[]> {
  return (await call<{ items: WorkItem[] }>('GET', '/api/worklist')).items;
}

export function completeness(ds: string, ou: string, pe: string): Promise<Completeness> {
  return call<Completeness>('GET', `/api/completeness${query({ ds, ou, pe })}`);
}

// Writes one value against the ETag it was typed over (none: create only). A 412 throws
// ApiError whose details carry the other person's value and its ETag (conflictOf).
export async function putValue(v: ValueWrite, etag: string | undefined): Promise<{ etag: string | null; warnings: RuleWarning[] }> {
  const answer = await exchange<{ warnings?: RuleWarning[] }>('PUT', '/api/dataValues', v, etag ? { 'If-Match': etag } : {});
  return { etag: answer.headers.get('ETag'), warnings: answer.body?.warnings ?? [] };
}

// Why the API refused a write, as a user can read it: the value's problems, else its message.
export function refusalText(e: ApiError): string {
  const problems = (e.details as { problems?: { reason: string }[] } | null)?.problems?.map((p) => p.reason).join('; ');
  return problems || e.message;
}

export interface Problem {
  field: string;
  reason: string;
}

// The problems of a refused write, each with the field (a file's cell) it is about, and how
// many there were: the answer lists the first ones only.
export function refusalProblems(e: ApiError): { problems: Problem[]; total: number } {
  const details = e.details as { problems?: Problem[]; total?: number } | null;
  const problems = details?.problems ?? [];
  return { problems, total: Math.max(details?.total ?? 0, problems.length) };
}

export function conflictOf(e: ApiError): { value: string | null; etag: string | null; storedBy: string } | null {
  const first = (e.details as { conflicts?: { current: { value: string; storedBy: string } | null; etag?: string }[] } | null)?.conflicts?.[0];
  if (!first) return null;
  return { value: first.current?.value ?? null, etag: first.etag ?? null, storedBy: first.current?.storedBy ?? '' };
}

export type ApprovalAction = 'submit' | 'approve' | 'return' | 'lock' | 'unlock';

export function approval(action: ApprovalAction, dataSet: string, orgUnit: string, period: string, comment: string): Promise<unknown> {
  return call('POST', `/api/approvals/${action}`, { dataSet, orgUnit, period, comment });
}

// The codes of the validation rules a unit's values break in a period.
export async function violatedRules(ou: string, pe: string): Promise<Set<string>> {
  const answer = await call<{ violations: { rule: string }[] }>('GET', `/api/validation${query({ ou, pe })}`);
  return new Set(answer.violations.map((v) => v.rule));
}

// A criterion of an evaluation set, named in both languages as the API sends it.
export interface EvaluationCriterion {
  code: string;
  name_vi: string;
  name_en: string;
}

// One unit's result: "met"/"not_met" for a set of criteria that must all hold, a class code
// ("tot", "kha"…) for a rating, or "not_applicable"/"no_data"; with the criteria it failed.
export interface EvaluatedUnit {
  set: string;
  ou: string;
  name: string;
  level: string;
  under: string;
  pe: string;
  outcome: string;
  outcome_vi: string;
  outcome_en: string;
  failing: EvaluationCriterion[];
  without_data: (EvaluationCriterion | string)[];
}

// The roll-up of a unit and the units under it, for one period: counts, the share met and
// its change on the period before (in percentage points), the count and share per class.
export interface EvaluationSummary {
  ou: string;
  name: string;
  pe: string;
  units: number;
  not_applicable: number;
  no_data: number;
  assessed: number;
  met: number;
  not_met: number;
  share_met: number | null;
  change_met: number | null;
  classes: { code: string; count: number; share: number | null; change: number | null }[];
}

export interface Evaluation {
  ou: { code: string; name: string };
  periods: { code: string; name_vi: string; name_en: string }[];
  sets: { code: string; name_vi: string; name_en: string; kind: 'all_criteria' | 'classes'; levels: string[] }[];
  groups: {
    sets: string[];
    kind: 'all_criteria' | 'classes';
    classes: { code: string; name_vi: string; name_en: string }[];
    summaries: EvaluationSummary[];
  }[];
  units: EvaluatedUnit[];
}

export function evaluation(set: string, ou: string, pe: string): Promise<Evaluation> {
  return call<Evaluation>('GET', `/api/evaluation${query({ set, ou, pe })}`);
}

// Registries (sổ theo dõi): records of official matters kept by offices, typed by the pack.
export type RegistryFieldType = 'text' | 'date' | 'integer' | 'number' | 'boolean' | 'code' | 'unit';

export interface RegistryOption {
  code: string;
  name_vi: string;
  name_en: string;
}

export interface RegistryField {
  code: string;
  name_vi: string;
  name_en: string;
  type: RegistryFieldType;
  required: boolean;
  options?: RegistryOption[];
}

export interface Registry {
  code: string;
  name_vi: string;
  name_en: string;
  description: string;
  fields: RegistryField[];
  // The fields that open and close a record's time in force (a team established, dissolved).
  lifecycle: { from: string; to: string } | null;
  // The data elements counted from the registry's records.
  counts: { element: string; name_vi: string; name_en: string }[];
}

// A record as the API sends it: each field's value in machine form ("2021-12-20", "true",
// "67.716"), a field without a value absent.
export interface RegistryRecord {
  id: string | number;
  orgUnit: string;
  orgUnitName: string;
  fields: Record<string, string>;
  version: number;
  created: string;
  createdBy: string;
  lastUpdated: string;
  lastUpdatedBy: string;
  // Every change of the record, oldest first (a single record's answer only).
  history?: { action: string; version: number; changedBy: string; changedAt: string; source: string }[];
}

// One page of the records a filter matches: `total` and `sums` are over every match, `next`
// the id to ask the following page after.
export interface RecordPage {
  registry: string;
  orgUnit: string;
  records: RegistryRecord[];
  total: number;
  next: string | number | null;
  sums: Record<string, number>;
}

// What an import wrote; a refusal throws ApiError whose problems name line and column.
export interface RecordImport {
  created: number;
  updated: number;
  records: number;
}

let registriesPromise: Promise<Registry[]> | null = null;

// The registries change with the pack only: read once per page load.
export function registries(): Promise<Registry[]> {
  registriesPromise ??= call<{ registries: Registry[] }>('GET', '/api/registries').then((a) => a.registries, (e) => {
    registriesPromise = null;
    throw e;
  });
  return registriesPromise;
}

const recordsBase = (registry: string) => `/api/registries/${encodeURIComponent(registry)}/records`;

// The records of a registry under a filter (query parameters ou, from, to, date, f.FIELD as
// the API names them), as JSON pages or as a file for a plain download link.
export function registryRecordsPath(registry: string, filter: Record<string, string | undefined>,
  extra: { after?: string; limit?: number; format?: 'xlsx' | 'csv' } = {}): string {
  return `${recordsBase(registry)}${query({ ...filter, after: extra.after, limit: extra.limit === undefined ? undefined : String(extra.limit), format: extra.format })}`;
}

export function registryRecords(registry: string, filter: Record<string, string | undefined>, after?: string, limit?: number): Promise<RecordPage> {
  return call<RecordPage>('GET', registryRecordsPath(registry, filter, { after, limit }));
}

const recordPath = (registry: string, id: string) => `${recordsBase(registry)}/${encodeURIComponent(id)}`;

// A record and the ETag to write it back against (from the header, else from its version).
export async function registryRecord(registry: string, id: string): Promise<{ record: RegistryRecord; etag: string }> {
  const answer = await exchange<RegistryRecord>('GET', recordPath(registry, id));
  return { record: answer.body, etag: answer.headers.get('ETag') ?? recordEtag(answer.body) };
}

export function recordEtag(record: RegistryRecord): string {
  return `"v${record.version}"`;
}

export interface RecordWrite {
  orgUnit: string;
  fields: Record<string, string>;
}

export function createRecord(registry: string, write: RecordWrite): Promise<RegistryRecord> {
  return call<RegistryRecord>('POST', recordsBase(registry), write);
}

// Writes a record over the version it was edited from; a 412 throws ApiError whose answer
// carries the stored record (recordConflictOf).
export function updateRecord(registry: string, id: string, write: RecordWrite, etag: string): Promise<RegistryRecord> {
  return exchange<RegistryRecord>('PUT', recordPath(registry, id), write, { 'If-Match': etag }).then((a) => a.body);
}

export async function deleteRecord(registry: string, id: string, etag: string): Promise<void> {
  await exchange<unknown>('DELETE', recordPath(registry, id), undefined, { 'If-Match': etag });
}

// The media type of a records file by its name: CSV for .csv, else an Excel workbook.
export function recordFileType(name: string): string {
  return /\.csv$/i.test(name) ? 'text/csv' : workbookMediaType;
}

// Imports a file of records (the columns of the registry's export), all or nothing.
export async function uploadRecords(registry: string, file: File): Promise<RecordImport> {
  return (await exchange<RecordImport>('POST', recordsBase(registry), file, { 'Content-Type': recordFileType(file.name) })).body;
}

// A member of a refusal, wherever the API put it: qpan's error.details or the answer's top
// level (the DHIS2 WebMessage form).
function refusalMember(e: ApiError, name: string): unknown {
  const details = e.details as Record<string, unknown> | null;
  const body = e.body as Record<string, unknown> | null;
  return (details && typeof details === 'object' ? details[name] : undefined) ?? (body && typeof body === 'object' ? body[name] : undefined);
}

// A problem of a refused record write or import: the field it names, and for a file the
// line (an Excel row) and column it was read from.
export interface RecordProblem {
  field?: string;
  line?: number;
  column?: number | string;
  reason: string;
}

export function recordProblems(e: ApiError): { problems: RecordProblem[]; total: number } {
  const listed = refusalMember(e, 'problems');
  const problems = Array.isArray(listed) ? (listed as RecordProblem[]) : [];
  const total = refusalMember(e, 'total');
  return { problems, total: Math.max(typeof total === 'number' ? total : 0, problems.length) };
}

// The record as stored now, sent with a 412.
export function recordConflictOf(e: ApiError): RegistryRecord | null {
  const current = refusalMember(e, 'current');
  return current && typeof current === 'object' ? (current as RegistryRecord) : null;
}

// Review reports (báo cáo sơ kết, tổng kết, quý): templates of the pack, each written for
// some types of period ("quarter", "month_range"…) and offered in these formats.
export type ReportFormat = 'html' | 'pdf' | 'docx' | 'xlsx';

export interface ReportTemplate {
  code: string;
  name_vi: string;
  name_en: string;
  description: string;
  periodTypes: string[];
  formats: ReportFormat[];
}

// What a report is asked for: a unit, a period's code and, optionally, the day of issue.
export interface ReportQuestion {
  ou: string;
  pe: string;
  date?: string;
}

let reportsPromise: Promise<ReportTemplate[]> | null = null;

// The templates change with the pack only: read once per page load.
export function reports(): Promise<ReportTemplate[]> {
  reportsPromise ??= call<{ reports: ReportTemplate[] }>('GET', '/api/reports').then((a) => a.reports, (e) => {
    reportsPromise = null;
    throw e;
  });
  return reportsPromise;
}

// A report's address in the API: the HTML fragment the page shows (embed=1), or a file
// for a plain download link (the session cookie goes along).
export function reportPath(code: string, q: ReportQuestion, format: ReportFormat): string {
  return `/api/reports/${encodeURIComponent(code)}${query({
    ou: q.ou, pe: q.pe, date: q.date, format, embed: format === 'html' ? '1' : undefined,
  })}`;
}

// The report as the <article> fragment the server writes (every text escaped by it); a
// refusal (a period of the wrong type, a unit outside the scope) throws ApiError.
export async function reportHtml(code: string, q: ReportQuestion): Promise<string> {
  const path = reportPath(code, q, 'html');
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await response.text();
  if (!response.ok) throw refusal(response, parseJson(text), path);
  return text;
}
