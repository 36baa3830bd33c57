/**
 * The first page load stays within its budget of gzipped JavaScript, no large chunk is bundled twice, and the
 * standalone results element stays within its own budget.
 * It runs in the browser project, without a browser, because that project's global setup makes the one
 * production build this reads (see src/cli/check-bundle.ts for the same check from the command line).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBundleReport, inspectBuild } from '../../src/cli/bundle-budget.ts';

describe('the production bundle', async () => {
  const report = await inspectBuild(resolve(import.meta.dirname, '../../dist'));
  const table = formatBundleReport(report);

  it('ships at most the budget of gzipped JavaScript at first load', () => {
    console.log(table);
    expect(report.firstLoadGzipBytes, table).toBeLessThanOrEqual(report.budgetBytes);
  });

  it('holds no chunk twice', () => {
    expect(report.duplicates, table).toEqual([]);
  });

  it('builds the results element, standalone, within its budget of gzipped JavaScript', () => {
    const element = report.elements.find((e) => e.file === 'elements/parallel-lab-results.js');
    expect(element, table).toBeDefined();
    expect(element!.gzipBytes, table).toBeLessThanOrEqual(report.elementBudgetBytes);
  });
});
