// A suggested fix as the Drops and Diagnostics pages show it: collapsible highlighted YAML with
// Copy and Download buttons. The objects come from the API (cluster data): serialised by the yaml
// library, shown as text, saved as a same-origin blob.
import { stringify } from 'yaml';
import { wireCopyButton } from './clipboard.js';
import { h, type Child } from './dom.js';
import { renderYaml } from './yaml-highlight.js';

/** A file name made only of safe characters (the parts are cluster names). */
export function fixFileName(...parts: readonly string[]): string {
  const base = parts
    .map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((p) => p !== '')
    .join('-')
    .slice(0, 120);
  return `fix-${base === '' ? 'policy' : base}.yaml`;
}

/** Saves `text` as a download named `name`. */
export function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `<details class="fix">` with the summary, notes, the YAML and its Copy and Download buttons. */
export function fixDetails(
  summary: string,
  objects: readonly unknown[],
  fileName: string,
  ...notes: Child[]
): HTMLElement {
  const yaml = objects.map((o) => stringify(o)).join('---\n');
  return h(
    'details',
    { class: 'fix' },
    h('summary', null, summary),
    notes,
    objects.length > 0
      ? h(
          'div',
          { class: 'fix-body' },
          h(
            'div',
            { class: 'fix-actions' },
            wireCopyButton(
              h('button', { class: 'btn btn-small', type: 'button', 'data-action': 'copy-fix' }, 'Copy'),
              () => yaml,
            ),
            h(
              'button',
              {
                class: 'btn btn-small',
                type: 'button',
                'data-action': 'download-fix',
                onClick: () => saveText(fileName, yaml),
              },
              'Download',
            ),
          ),
          renderYaml(yaml),
        )
      : null,
  );
}
