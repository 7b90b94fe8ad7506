// Review reports (báo cáo sơ kết, tổng kết, quý): the pack's templates, each with the types
// of period it is written for; a form for the template, the unit (the caller's scope unless
// another is chosen), the period's code (with the forms the template takes) and the day of
// issue; "Xem báo cáo" shows the report the server writes from the live figures inside the
// page, on paper, every figure a link to the analytics table or evaluation list it came
// from; PDF, DOCX and XLSX are plain downloads of the same report, and "In" prints the
// report alone on A4 (style.css). The server's refusal (a period of the wrong type, a unit
// outside the scope) is shown as it words it. Every state is an address: #/reports,
// #/reports/CODE?ou=12&pe=201601..201806&date=2018-07-15.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, useLoad } from '../components';
import { descriptionIn, nameIn } from '../registry';
import { periodHint, periodTypesText, questionFromQuery, questionParams } from '../reports';
import { href, navigate } from '../router';
import { useApp, useT } from '../state';
import { UnitPicker } from '../unitpicker';

export default function Reports({ path, query }: { path: string[]; query: URLSearchParams }) {
  const t = useT();
  const list = useLoad('reports', api.reports);
  if (list.error) {
    return (
      <section>
        <PageTitle>{t('reportsTitle')}</PageTitle>
        <ErrorBox error={list.error} />
      </section>
    );
  }
  if (!list.data) return <Loading />;
  const [code, extra] = path;
  const template = code ? list.data.find((r) => r.code === code) : undefined;
  if ((code && !template) || extra !== undefined) {
    return (
      <section>
        <PageTitle>{t('notFoundTitle')}</PageTitle>
        <p>{t('notFoundBody')}</p>
        <p><a href={href(['reports'])}>{t('reportsTitle')}</a></p>
      </section>
    );
  }
  return <ReportScreen templates={list.data} template={template} query={query} />;
}

function ReportScreen({ templates, template, query }: { templates: api.ReportTemplate[]; template?: api.ReportTemplate; query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const asked = questionFromQuery(query, user?.scope ?? '');
  const [form, setForm] = useState({ code: template?.code ?? '', ...asked });
  const chosen = templates.find((r) => r.code === form.code);
  // The report's text is the template's, in Vietnamese: it is asked without lang (the
  // server's default), whatever the language of the application.
  const ready = template && asked.ou && asked.pe ? template : null;
  const report = useLoad(ready ? api.reportPath(ready.code, asked, 'html') : null, () => api.reportHtml(ready!.code, asked));
  const refusal = report.error instanceof api.ApiError && report.error.code !== 'network' ? report.error : null;

  const submit = (e: Event) => {
    e.preventDefault();
    if (form.code) navigate(['reports', form.code], questionParams(form));
  };

  return (
    <section class="report-screen">
      {template && <p class="muted"><a href={href(['reports'], { ou: asked.ou || undefined })}>{t('reportsTitle')}</a></p>}
      <PageTitle>{template ? nameIn(template, lang) : t('reportsTitle')}</PageTitle>
      {template && (
        <p class="hint report-about" data-testid="report-about">
          {descriptionIn(template.description, lang)}{' '}
          {t('reportPeriodTypes', { types: periodTypesText(template.periodTypes, lang) })}.
        </p>
      )}
      <form class="inline-form fields report-form" onSubmit={submit} data-testid="report-form">
        <Field id="report-template" label={t('reportTemplate')}>
          <select id="report-template" value={form.code} required onChange={(e) => setForm({ ...form, code: e.currentTarget.value })}>
            {!form.code && <option value="">{t('chooseOption')}</option>}
            {templates.map((r) => <option key={r.code} value={r.code}>{nameIn(r, lang)}</option>)}
          </select>
        </Field>
        <UnitPicker id="report-ou" label={t('unit')} hint={t('reportUnitHint')} value={form.ou} required
          onChange={(ou) => setForm({ ...form, ou })} />
        <Field id="report-pe" label={t('reportPeriod')}
          hint={chosen ? t('reportPeriodHint', { forms: periodHint(chosen.periodTypes, lang) }) : t('reportPeriodPick')}>
          <input id="report-pe" value={form.pe} required autocomplete="off" spellcheck={false} aria-describedby="report-pe-hint"
            onInput={(e) => setForm({ ...form, pe: e.currentTarget.value })} />
        </Field>
        <Field id="report-date" label={t('reportDate')} hint={t('reportDateHint')}>
          <input id="report-date" type="date" value={form.date} aria-describedby="report-date-hint"
            onInput={(e) => setForm({ ...form, date: e.currentTarget.value })} />
        </Field>
        <div class="actions">
          <button type="submit" class="primary">{t('showReport')}</button>
        </div>
      </form>

      {!template && <TemplateList templates={templates} ou={asked.ou} />}
      {template && !ready && <p class="muted">{t('choosePeriod')}</p>}
      {report.loading && <Loading />}
      {refusal && <p class="error" role="alert" data-testid="report-error">{t('reportRefused', { message: refusal.message })}</p>}
      {report.error !== undefined && !refusal && <ErrorBox error={report.error} />}
      {ready && report.data !== undefined && (
        <>
          <div class="actions report-actions" role="group" aria-label={t('reportActions')}>
            <a class="button" href={api.reportPath(ready.code, asked, 'pdf')} download data-testid="report-pdf">{t('downloadPdf')}</a>
            <a class="button" href={api.reportPath(ready.code, asked, 'docx')} download data-testid="report-docx">{t('downloadDocx')}</a>
            <a class="button" href={api.reportPath(ready.code, asked, 'xlsx')} download data-testid="report-xlsx">{t('downloadXlsx')}</a>
            <button type="button" onClick={() => window.print()} data-testid="report-print">{t('printReport')}</button>
          </div>
          <p class="hint">{t('reportFiguresNote')}</p>
          <ReportPaper html={report.data} />
        </>
      )}
    </section>
  );
}

// The templates, each a link to its form for the same unit.
function TemplateList({ templates, ou }: { templates: api.ReportTemplate[]; ou: string }) {
  const { lang } = useApp();
  const t = useT();
  return (
    <>
      <p class="muted">{t('chooseReportTemplate')}</p>
      <ul class="cards reports" data-testid="report-templates">
        {templates.map((r) => (
          <li key={r.code} data-code={r.code}>
            <a href={href(['reports', r.code], { ou: ou || undefined })}>{nameIn(r, lang)}</a>
            <p class="hint" data-testid="report-period-types">{t('reportPeriodTypes', { types: periodTypesText(r.periodTypes, lang) })}</p>
            {r.description && <p class="hint">{descriptionIn(r.description, lang)}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}

// The report's <article> in a container of its own, which Preact leaves alone (it renders
// no children into it). Its figure links are hash links of this application already.
function ReportPaper({ html }: { html: string }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    // Safe: the fragment comes from our own API, whose report writer escapes every text it holds; DOMParser runs no script and any <script> is dropped besides.
    const parsed = new DOMParser().parseFromString(html, 'text/html');
    for (const script of parsed.querySelectorAll('script')) script.remove();
    // The article alone, also when a whole page came (its own style stays out of ours).
    const article = parsed.querySelector('article.report');
    const nodes = article ? [article] : [...parsed.body.childNodes];
    box.replaceChildren(...nodes.map((node) => document.importNode(node, true)));
  }, [html]);
  return <div class="report-view" ref={ref} tabIndex={0} role="region" aria-label={t('reportRegion')} data-testid="report" />;
}
