// Copy to the clipboard: the async Clipboard API (secure contexts: https or loopback), else the
// old select-and-copy on a detached textarea.
export async function copyText(text: string): Promise<void> {
  // Undefined outside secure contexts, whatever lib.dom says.
  if ((navigator.clipboard as Clipboard | undefined) !== undefined && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.appendChild(area);
  area.select();
  // Deprecated, and the only way left on plain http to a non-loopback address.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

/** A button that copies `text()` and says so for a moment. */
export function wireCopyButton(button: HTMLButtonElement, text: () => string): HTMLButtonElement {
  const label = button.textContent;
  button.addEventListener('click', () => {
    copyText(text())
      .then(
        () => {
          button.textContent = 'Copied';
        },
        () => {
          button.textContent = 'Copy failed';
        },
      )
      .finally(() =>
        setTimeout(() => {
          button.textContent = label;
        }, 1500),
      );
  });
  return button;
}
