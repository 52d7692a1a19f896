// A node:test reporter that writes one JSON line per finished test (name, pass, the first line
// of the failure), for the side-by-side table of e2e/run.
export default async function* reporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite' || event.data.nesting > 0) continue;
    const error = event.data.details?.error;
    const cause = error?.cause ?? error;
    let why = cause ? String(cause.message ?? cause).split('\n')[0] : null;
    if (why && /^Expected values|^The expression evaluated/.test(why) && 'actual' in cause) {
      why = `got ${JSON.stringify(cause.actual)}, want ${cause.expected instanceof RegExp ? cause.expected : JSON.stringify(cause.expected)}`;
    }
    yield JSON.stringify({
      file: event.data.file?.split('/').pop(),
      name: event.data.name,
      pass: event.type === 'test:pass',
      why,
      ms: Math.round(event.data.details?.duration_ms ?? 0),
    }) + '\n';
  }
}
