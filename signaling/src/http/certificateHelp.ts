/**
 * The certificate help pages. A terminal that does not yet trust
 * Beacon's CA gets Chromium's certificate error on the HTTPS origin, and a
 * duty officer on the phone to a township cannot talk anyone through that.
 * So the plain-HTTP port serves:
 *   /                 a small page that tries the HTTPS origin: reachable and
 *                     trusted → it goes there; otherwise it shows the help
 *   /cert-help        install steps (Chinese first), CA download, fingerprint
 *   /beacon-ca.crt    the CA certificate (public by nature); while a CA
 *                     renewal overlaps, the bundle of both CAs, and each one
 *                     alone as /beacon-ca-1.crt, /beacon-ca-2.crt (Windows and
 *                     certutil import only the first certificate of a file)
 *   /cert-help.css, /cert-probe.js  the pages' style and probe, as files
 *                     (the CSP allows no inline script or <style>)
 *   anything else     301 to the same path on HTTPS
 * With an admin's certificate (files mode) every plain-HTTP request is
 * redirected: that certificate needs no help, and HSTS takes over.
 * The HTTPS app mounts the same /cert-help and /beacon-ca.crt (linked from
 * the console's login page).
 */
import express, { type Express, type Request, type Router } from 'express';
import { pemCertificates } from '../tls/caTrust.ts';
import { sha256Fingerprint, type TlsMaterial } from '../tls/serverTls.ts';
import { securityHeaders } from './securityHeaders.ts';

export interface CertificateHelpOptions {
  tls: TlsMaterial;
  /** The HTTPS port browsers use. */
  httpsPort: number;
}

const CA_FILE_NAME = 'beacon-ca.crt';
/** Host header → host part we may echo into a URL (an IP, [IPv6] or DNS name; nothing else). */
const SAFE_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

function httpsOrigin(req: Request, httpsPort: number): string {
  const header = req.headers.host ?? '';
  const host = SAFE_HOST.test(header) ? header.replace(/:\d{1,5}$/, '') : 'localhost';
  return httpsPort === 443 ? `https://${host}` : `https://${host}:${httpsPort}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The help page's look: a file, since the page's CSP allows no <style> element. */
const HELP_CSS = `body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1f2933}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}.en{color:#52606d}
.box{background:#fff4e5;border-left:4px solid #d97706;padding:.8rem 1rem}
code,.fp{font-family:ui-monospace,monospace;word-break:break-all;background:#f0f4f8;padding:.1rem .3rem}
a.button{display:inline-block;background:#b91c1c;color:#fff;padding:.6rem 1.2rem;border-radius:.4rem;text-decoration:none;font-size:1.1rem;margin:.3rem .5rem .3rem 0}
`;

/** /cert-help (and its stylesheet) and /beacon-ca.crt, for both listeners. */
export function certificateHelpRouter(opts: CertificateHelpOptions): Router {
  const router = express.Router();
  router.get(`/${CA_FILE_NAME}`, (_req, res) => {
    if (!opts.tls.caCert) {
      res
        .status(404)
        .json({ error: { code: 'not_found', message: 'the server uses a configured certificate, not Beacon’s CA' } });
      return;
    }
    res.setHeader('Content-Type', 'application/x-x509-ca-cert');
    res.setHeader('Content-Disposition', `attachment; filename="${CA_FILE_NAME}"`);
    res.send(opts.tls.caCert);
  });
  router.get(/^\/beacon-ca-(\d)\.crt$/, (req, res) => {
    const one = pemCertificates(opts.tls.caCert ?? '')[Number(req.params[0]) - 1];
    if (!one) {
      res.status(404).json({ error: { code: 'not_found', message: 'no such CA certificate' } });
      return;
    }
    res.setHeader('Content-Type', 'application/x-x509-ca-cert');
    res.setHeader('Content-Disposition', `attachment; filename="beacon-ca-${req.params[0]}.crt"`);
    res.send(one);
  });
  router.get('/cert-help.css', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/css').send(HELP_CSS);
  });
  router.get('/cert-help', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(helpPage(opts.tls, httpsOrigin(req, opts.httpsPort), false));
  });
  return router;
}

/**
 * The help page's probe: a no-cors fetch resolves only when TLS to the
 * HTTPS origin (the page's `data-target`) succeeds, i.e. the certificate is
 * trusted; then it goes there, else it shows the help.
 */
const PROBE_SCRIPT = `(function () {
  var target = document.body.getAttribute('data-target');
  var status = document.getElementById('probe');
  var ctl = new AbortController();
  var timer = setTimeout(function () { ctl.abort(); }, 6000);
  fetch(target + '/healthz', { mode: 'no-cors', cache: 'no-store', signal: ctl.signal }).then(function () {
    clearTimeout(timer);
    location.replace(target + '/' + location.hash);
  }, function () {
    clearTimeout(timer);
    document.body.setAttribute('data-cert-trusted', 'no');
    status.textContent = '此终端尚未信任烽火系统证书（或无法连接安全地址）。请按下面的步骤安装根证书。 · This terminal does not trust Beacon’s certificate yet (or cannot reach the secure address). Install the root certificate as shown below.';
  });
})();
`;

/** The plain-HTTP listener's app. */
export function plainHttpApp(opts: CertificateHelpOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // The probe fetches the HTTPS origin of the same host.
  app.use(securityHeaders({ connectTo: (req) => [httpsOrigin(req as Request, opts.httpsPort)] }));
  if (opts.tls.mode === 'auto') {
    app.use(certificateHelpRouter(opts));
    app.get('/cert-probe.js', (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type('text/javascript').send(PROBE_SCRIPT);
    });
    app.get('/', (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(helpPage(opts.tls, httpsOrigin(req, opts.httpsPort), true));
    });
  }
  app.use((req, res) => {
    res.redirect(301, `${httpsOrigin(req, opts.httpsPort)}${req.originalUrl}`);
  });
  return app;
}

/** While a CA renewal overlaps (two CAs in the download): install each one, for importers that read only one. */
function renewalNote(trust: string): string {
  const cas = pemCertificates(trust);
  if (cas.length < 2) return '';
  const links = cas
    .map(
      (pem, i) =>
        `<li><a href="/beacon-ca-${i + 1}.crt" data-testid="ca-download-${i + 1}">beacon-ca-${i + 1}.crt</a> <span class="fp">${escapeHtml(sha256Fingerprint(pem))}</span></li>`,
    )
    .join('');
  return `<p class="box">根证书正在更换：请分别安装下面的每一个证书（Windows 和 certutil 只导入文件中的第一个）。<br><span class="en">Beacon's root certificate is being renewed: install each one below (Windows and certutil import only the first certificate of a file).</span></p>
<ol>${links}</ol>`;
}

function helpPage(tls: TlsMaterial, origin: string, probe: boolean): string {
  const fingerprint = escapeHtml(tls.fingerprint);
  const target = escapeHtml(origin);
  const ownCa = tls.caCert !== null;
  // The probe is a file, not inline: the page's CSP allows no inline script.
  const script = probe ? '<script src="/cert-probe.js"></script>' : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>安装根证书 · Install the certificate — 烽火 Beacon</title>
<link rel="stylesheet" href="/cert-help.css"></head>
<body data-testid="cert-help" data-cert-trusted="${probe ? 'checking' : 'unknown'}" data-target="${target}">
<h1>烽火系统：安装根证书 <span class="en">· Beacon: install the root certificate</span></h1>
<p class="box" id="probe">${probe ? '正在检查安全连接… · Checking the secure connection…' : '浏览器只在安全连接（HTTPS）下开启摄像头和麦克风。 · Browsers open the camera and microphone only over a secure connection (HTTPS).'}</p>
${
  ownCa
    ? `<p>本系统使用自己的证书颁发机构（根证书）。每台终端只需安装并信任一次。<br><span class="en">Beacon uses its own certificate authority. Each terminal trusts it once.</span></p>
<p><a class="button" href="/beacon-ca.crt" data-testid="ca-download">下载根证书 · Download the root certificate</a></p>
<p>核对指纹（SHA-256）· Check the fingerprint (SHA-256):<br><span class="fp" data-testid="ca-fingerprint">${fingerprint}</span></p>
${renewalNote(tls.caCert ?? '')}
<h2>Windows 终端 <span class="en">· Windows</span></h2>
<ol><li>双击下载的 <code>beacon-ca.crt</code> → “安装证书”。</li>
<li>选择“本地计算机”→“将所有的证书都放入下列存储”→“受信任的根证书颁发机构”→ 完成。</li>
<li>重新打开浏览器。<span class="en">Open the file → Install Certificate → Local Machine → Trusted Root Certification Authorities; restart the browser.</span></li></ol>
<h2>Linux 视频终端（Chromium） <span class="en">· Linux terminals (Chromium)</span></h2>
<ol><li>浏览器设置 → 隐私和安全 → 安全 → 管理证书 → 授权机构 → 导入 <code>beacon-ca.crt</code>，勾选“信任该证书，以便标识网站”。</li>
<li>或在终端执行 <span class="en">or run</span>：<code>certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n beacon -i beacon-ca.crt</code>（软件包 libnss3-tools）。</li></ol>
<h2>安卓 / 其他 <span class="en">· Android / others</span></h2>
<p>设置 → 安全 → 加密与凭据 → 安装证书 → CA 证书。<span class="en">Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate.</span></p>`
    : `<p>本系统使用管理员配置的证书，一般无需安装。若浏览器仍提示不安全，请联系管理员。<br><span class="en">This server uses a certificate configured by the administrator; if the browser still warns, contact the administrator.</span></p>
<p>证书指纹（SHA-256）· Fingerprint: <span class="fp">${fingerprint}</span></p>`
}
<h2>安装后 <span class="en">· Afterwards</span></h2>
<p><a class="button" href="${target}/" data-testid="go-secure">进入烽火系统 · Open Beacon</a></p>
${script}
</body></html>`;
}
