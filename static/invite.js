// On an invited form: exchange the invitation for a blind signature (RFC 9474,
// RSABSSA-SHA384-PSS-Randomized) over a token made here, and send the token
// with the answers instead of the invitation, so that not even the server can
// join the two requests. Done on the first touch of the form, never on load.
// Any failure (a key that stopped signing at midnight, 409, too) leaves the
// form as it is: the invitation then goes with the answers, as without JavaScript.
// A used, expired or unknown invitation is answered like a good one, with a
// signature that is not one of the blinded token (so that the answer tells an
// onlooker nothing): the check below finds it out, and the page then says,
// kindly, that the answers will count as open.
(() => {
  const inv = document.querySelector('input[name=invitation]');
  const C = window.crypto, S = C && C.subtle;
  if (!inv || !S || typeof BigInt != 'function' || !window.fetch) return;
  const form = inv.form, code = inv.value, spent = {};
  const url = '/s/' + form.getAttribute('action').split(/[/?]/)[2] + '/token';

  const cat = (...a) => {
    const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
    let i = 0;
    for (const x of a) { o.set(x, i); i += x.length; }
    return o;
  };
  const rand = n => C.getRandomValues(new Uint8Array(n));
  const sha = async (b, h = 'SHA-384') => new Uint8Array(await S.digest(h, b));
  const b64 = u => btoa(String.fromCharCode(...u)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const unb64 = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), c => c.charCodeAt(0));
  const int = u => BigInt('0x0' + Array.from(u, b => b.toString(16).padStart(2, '0')).join(''));
  const bytes = (x, k) => Uint8Array.from(x.toString(16).padStart(2 * k, '0').match(/../g), h => parseInt(h, 16));
  const pow = (b, e, m) => {
    let r = 1n;
    for (b %= m; e; e >>= 1n, b = b * b % m) if (e & 1n) r = r * b % m;
    return r;
  };
  const inverse = (a, m) => {
    let [r0, r1, t0, t1] = [m, a, 0n, 1n];
    while (r1) { const q = r0 / r1; [r0, r1, t0, t1] = [r1, r0 - q * r1, t1, t0 - q * t1]; }
    if (r0 != 1n) throw 0;
    return (t0 % m + m) % m;
  };

  // EMSA-PSS-ENCODE (RFC 8017, 9.1.1): SHA-384, MGF1 with SHA-384, 48-byte salt.
  const pss = async (msg, bits) => {
    const len = Math.ceil((bits - 1) / 8), salt = rand(48);
    const H = await sha(cat(new Uint8Array(8), await sha(msg), salt));
    const db = cat(new Uint8Array(len - 98), [1], salt);
    let mask = new Uint8Array(0);
    for (let c = 0; mask.length < db.length; c++) mask = cat(mask, await sha(cat(H, [0, 0, 0, c])));
    db.forEach((b, i) => { db[i] = b ^ mask[i]; });
    db[0] &= 0xff >> (8 * len - bits + 1);
    return cat(db, H, [0xbc]);
  };

  // Blind, have it signed (which spends the invitation), unblind, and verify.
  const exchange = async () => {
    const key = await (await fetch(url + '-key', { credentials: 'omit' })).json();
    const n = int(unb64(key.n)), e = int(unb64(key.e)), bits = n.toString(2).length, k = Math.ceil(bits / 8);
    const prepared = cat(rand(32), rand(32));
    const m = int(await pss(prepared, bits));
    inverse(m, n);
    let r, ri;
    while (!ri) { r = int(rand(k + 16)) % n; try { ri = inverse(r, n); } catch (_) { /* another r */ } }
    const res = await fetch(url, {
      method: 'POST', credentials: 'omit', cache: 'no-store', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ invitation: code, key: key.id, blinded: b64(bytes(m * pow(r, e, n) % n, k)) }),
    });
    if (!res.ok) throw res.status;
    const s = int(unb64((await res.json()).signature)) * ri % n;
    if (pow(s, e, n) != m) throw spent;
    return b64(cat(prepared, bytes(s, k)));
  };

  const stored = f => { try { return f(sessionStorage); } catch (_) { return null; } };
  let job, sent;
  const start = () => job || (job = (async () => {
    const slot = 'invite-' + b64(await sha(new TextEncoder().encode(code), 'SHA-256'));
    let token = stored(s => s.getItem(slot));
    if (!token) {
      token = await exchange();
      stored(s => s.setItem(slot, token));
    }
    const field = document.createElement('input');
    Object.assign(field, { type: 'hidden', name: 'token', value: token });
    inv.replaceWith(field);
  })().catch(x => { if (x === spent) say(); }));

  const say = () => {
    const box = document.getElementById('invite-spent');
    if (!box || box.firstChild) return;
    const p = document.createElement('p');
    p.textContent = box.dataset.said;
    box.className = 'notice';
    box.append(p);
  };

  for (const t of ['focusin', 'input', 'change', 'pointerdown']) form.addEventListener(t, start, { once: true });
  form.addEventListener('submit', ev => {
    if (sent) return;
    ev.preventDefault();
    const go = () => {
      if (sent) return;
      sent = true;
      if (form.requestSubmit) form.requestSubmit(ev.submitter); else form.submit();
    };
    // Not from within this event: a form still firing its submit event ignores
    // requestSubmit, and an exchange already made resolves at once.
    start().then(() => setTimeout(go));
    setTimeout(go, 10000);
  });
})();
