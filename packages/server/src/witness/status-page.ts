import type { FollowedLog } from './state.js';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * The witness's own status page for people: which logs it follows, the key it trusts for each,
 * and the size and root it last cosigned. Plain HTML without scripts, refreshed every 10 s, in
 * Chinese and English; clients that ask for JSON get the same facts as JSON.
 */
export function witnessStatusPage(witness: string, verifierKey: string, logs: FollowedLog[]): string {
  const rows = logs
    .map(
      (log) => `<tr>
  <td><strong>${escapeHtml(log.origin)}</strong><br><code>${escapeHtml(log.verifierKey)}</code></td>
  <td class="num" data-testid="size">${log.size}</td>
  <td><code>${log.rootHash === undefined ? '—' : escapeHtml(log.rootHash)}</code></td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="10">
<title>见证人 ${escapeHtml(witness)} · Witness status</title>
<style>
  body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f5f6f7; color: #1f2a27; }
  main { max-width: 960px; margin: 0 auto; padding: 24px 16px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  p { color: #5b6b66; margin: 0 0 16px; line-height: 1.6; }
  table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 10px; overflow: hidden; }
  th, td { text-align: left; padding: 10px 12px; border-bottom: 1px solid #eef1f0; vertical-align: top; font-size: 14px; }
  th { background: #fafafa; font-weight: 600; }
  code { font-size: 12px; word-break: break-all; color: #3d5866; }
  .num { font-variant-numeric: tabular-nums; font-size: 16px; }
</style>
</head>
<body>
<main>
  <h1>见证人 <code>${escapeHtml(witness)}</code> · Witness</h1>
  <p>本见证人只为能证明自己延续了上一次已联署检查点的日志联署（C2SP tlog-witness），因此任何日志都无法在它面前改写历史。<br>
  This witness cosigns a log's checkpoint only when it provably extends the last one it cosigned (C2SP tlog-witness), so no log can rewrite history in front of it.</p>
  <p>联署公钥 Cosignature key: <code data-testid="witness-key">${escapeHtml(verifierKey)}</code></p>
  <table>
    <thead><tr><th>跟随的日志 Log followed (key)</th><th>已联署大小 Cosigned size</th><th>根哈希 Root hash</th></tr></thead>
    <tbody>
${rows || '<tr><td colspan="3">尚未跟随任何日志 · Follows no log yet</td></tr>'}
    </tbody>
  </table>
</main>
</body>
</html>
`;
}
