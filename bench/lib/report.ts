export interface Row {
  name: string;
  value: number;
  /** The figure it is compared with, measured in the same run. */
  baseline?: number;
  /** The ratio value/baseline must be at least min, or at most max. */
  goal?: { min?: number; max?: number };
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

function verdict(row: Row, ratio: number | undefined): string {
  if (!row.goal || ratio === undefined) return '';
  if (row.goal.min !== undefined) return `≥ ${row.goal.min} ${ratio >= row.goal.min ? 'met' : 'MISSED'}`;
  return `≤ ${row.goal.max} ${ratio <= row.goal.max! ? 'met' : 'MISSED'}`;
}

/** A Markdown table, ready to paste into the README's Performance section. */
export function printReport(rows: Row[], context: { seconds: number; machine: string; node: string }): void {
  console.log(`\npaybridge benchmark, ${new Date().toISOString().slice(0, 10)}, ${context.machine}, Node ${context.node}, ${context.seconds} s per measurement\n`);
  console.log('| measurement | paybridge | baseline | ratio | goal |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const ratio = row.baseline ? row.value / row.baseline : undefined;
    console.log(`| ${row.name} | ${fmt(row.value)} | ${row.baseline ? fmt(row.baseline) : ''} | ${ratio ? ratio.toFixed(2) : ''} | ${verdict(row, ratio)} |`);
  }
}
