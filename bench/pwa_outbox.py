"""An outbox of 200 visits / 600 photos (about 250 KB each) syncs completely after reconnect.

The phone is offline with 200 finished visits in its outbox (written to IndexedDB in the
app's own format, photos made in the page as real JPEGs with their SHA-256); then the
signal comes back and the app's own sync sends everything to the real server. Reports
the time to an empty outbox, the throughput, and checks the server holds exactly 200
visits and 600 stored photos.

    .venv/bin/python bench/pwa_outbox.py [visits]
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time

from pwa_common import RESULTS, browser, machine, phone_context, server, sign_in

FILL = r"""
async ([count, userId]) => {
  const db = await new Promise((ok, err) => { const r = indexedDB.open('verval'); r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); });
  const req = (r) => new Promise((ok, err) => { r.onsuccess = () => ok(r.result); r.onerror = () => err(r.error); });
  const assignments = (await req(db.transaction('assignments').objectStore('assignments').getAll())).filter((a) => a.userId === userId);
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const canvas = new OffscreenCanvas(1600, 1200);
  const ctx = canvas.getContext('2d');
  const small = new OffscreenCanvas(200, 150);
  const sctx = small.getContext('2d');
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const now = Date.now();
  let bytesTotal = 0;
  for (let i = 0; i < count; i++) {
    const a = assignments[i % assignments.length];
    const photos = [];
    const blobs = [];
    for (const kind of ['house_front', 'kitchen', 'toilet']) {
      const img = sctx.createImageData(200, 150);
      for (let p = 0; p < img.data.length; p++) img.data[p] = (p % 4 === 3) ? 255 : Math.floor(rnd() * 256);
      sctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, 1600, 1200);
      ctx.fillStyle = 'rgba(0,0,0,.6)'; ctx.fillRect(0, 1080, 700, 120);
      ctx.fillStyle = '#fff'; ctx.font = '600 34px sans-serif'; ctx.fillText(`bench ${i} ${kind}`, 20, 1150);
      const bytes = await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.75 })).arrayBuffer();
      bytesTotal += bytes.byteLength;
      const id = crypto.randomUUID();
      photos.push({ id, kind, sha256: hex(await crypto.subtle.digest('SHA-256', bytes)), size: bytes.byteLength,
        captured_at: new Date(now - 6 * 60000).toISOString(), gps: { lat: -2.3855, lon: 101.0098, accuracy_m: 8 },
        width: 1600, height: 1200, uploaded: false });
      blobs.push({ id, bytes });
    }
    const id = crypto.randomUUID();
    const v = { id, userId, assignmentKey: a.key, householdId: a.household.id, roundId: a.roundId,
      label: `${a.household.headName} · bench ${i}`, form: { id: 'dtks_verval', version: 1 }, answers: {},
      outcome: 'not_home', eligibility: null, note: '', startedAt: new Date(now - 9 * 60000).toISOString(),
      endedAt: new Date(now - 4 * 60000).toISOString(), gps: { lat: -2.3855, lon: 101.0098, accuracy_m: 8, altitude_m: null, fixed_at: new Date(now - 8 * 60000).toISOString() },
      gpsReason: '', photos, revisitOf: null, state: 'queued', serverHas: false, attempts: 0, nextAttemptAt: 0,
      lastError: null, attention: null, receipt: null, createdAt: now + i, updatedAt: now + i, doneAt: null, step: 0 };
    const tx = db.transaction(['visits', 'photos'], 'readwrite');
    tx.objectStore('visits').put(v);
    for (const b of blobs) tx.objectStore('photos').put({ id: b.id, visitId: id, bytes: b.bytes });
    await new Promise((ok, err) => { tx.oncomplete = ok; tx.onerror = () => err(tx.error); });
  }
  return bytesTotal;
}
"""

COUNT_STATES = r"""
async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('verval'); r.onsuccess = () => ok(r.result); });
  const all = await new Promise((ok) => { const r = db.transaction('visits').objectStore('visits').getAll(); r.onsuccess = () => ok(r.result); });
  const photos = await new Promise((ok) => { const r = db.transaction('photos').objectStore('photos').count(); r.onsuccess = () => ok(r.result); });
  const by = {};
  for (const v of all) by[v.state] = (by[v.state] || 0) + 1;
  return { by, photos };
}
"""


def main(count: int = 200) -> None:
    with server() as (url, var), browser() as b:
        ctx = phone_context(b, url)
        page = ctx.new_page()
        sign_in(page)
        user_id = page.evaluate("""() => new Promise((ok) => { const r = indexedDB.open('verval'); r.onsuccess = () => {
            const g = r.result.transaction('kv').objectStore('kv').get('session'); g.onsuccess = () => ok(g.result.userId); }; })""")
        ctx.set_offline(True)
        t0 = time.monotonic()
        photo_bytes = page.evaluate(FILL, [count, user_id])
        fill_s = time.monotonic() - t0
        page.goto("/#/outbox")
        page.wait_for_selector(".outbox li")
        before = page.evaluate(COUNT_STATES)
        # Signal again.
        ctx.set_offline(False)
        t0 = time.monotonic()
        page.evaluate("window.dispatchEvent(new Event('online'))")
        deadline = t0 + 1800
        while True:
            state = page.evaluate(COUNT_STATES)
            if state["by"].get("done", 0) == count or time.monotonic() > deadline:
                break
            time.sleep(1)
        sync_s = time.monotonic() - t0
        ctx.close()
        with sqlite3.connect(var / "verval.sqlite3") as conn:
            visits = conn.execute("SELECT count(*) FROM visit").fetchone()[0]
            photos, stored = conn.execute(
                "SELECT count(*), count(stored_at) FROM visit_photo"
            ).fetchone()
            complete = conn.execute(
                "SELECT count(*) FROM visit WHERE state = 'complete'"
            ).fetchone()[0]
    result = {
        "visits": count,
        "photos": count * 3,
        "photo_bytes_total": photo_bytes,
        "photo_kb_mean": round(photo_bytes / (count * 3) / 1024),
        "outbox_before": before,
        "outbox_after": state,
        "fill_seconds": round(fill_s, 1),
        "sync_seconds": round(sync_s, 1),
        "visits_per_s": round(count / sync_s, 2),
        "photos_per_s": round(count * 3 / sync_s, 2),
        "server_visits": visits,
        "server_photos": photos,
        "server_photos_stored": stored,
        "server_visits_complete": complete,
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_outbox.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    ok = (
        state["by"].get("done") == count
        and visits == count
        and stored == count * 3
        and state["photos"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
