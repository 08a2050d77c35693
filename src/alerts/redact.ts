// Webhook URLs are secrets (Slack's path is the credential): only the scheme and host are ever
// shown or logged.
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/***`;
  } catch {
    return '***';
  }
}
