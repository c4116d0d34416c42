/** The address a share code is opened at: the landing page that says who shared what. */
export const shareUrl = (code: string): string => `${globalThis.location.origin}/s/${encodeURIComponent(code)}`;

/** The QR code of a share code, drawn by the server (a PNG). */
export const shareQrUrl = (code: string, size = 320): string =>
  `/v1/links/${encodeURIComponent(code)}/qr.png?size=${size}`;

/**
 * Puts `text` on the clipboard: the Clipboard API where the page may use it, otherwise the old
 * select-and-copy way (some in-app browsers). Resolves false when neither worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
