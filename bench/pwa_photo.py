"""Resize + stamp + hash of a 12 MP camera photo with 4x CPU throttling (budget < 1.5 s).

Drives the real photo step: a 4000x3000 JPEG (noise over a gradient, about 5 MB, like a
cheap phone's camera) goes into the file input; the app measures from the file to the
stored, stamped, hashed 1600 px JPEG (performance measure "verval:photo", taken in the
page around the worker call). Also saves the last processed photo for a look.

    .venv/bin/python bench/pwa_photo.py [runs]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from pwa_common import RESULTS, browser, machine, median, phone_context, server, sign_in, throttle

BUDGET_MS = 1500


def camera_jpeg(path: Path, seed: int) -> int:
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = 4000, 3000
    noise = Image.effect_noise((w // 2, h // 2), 45).resize((w, h))
    grad = Image.linear_gradient("L").resize((w, h))
    img = Image.merge(
        "RGB",
        (
            Image.blend(noise, grad, 0.5),
            Image.blend(noise, grad.rotate(180), 0.5),
            Image.blend(grad, noise, 0.3),
        ),
    )
    d = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rng.randrange(w), rng.randrange(h)
        d.rectangle(
            [x, y, x + rng.randrange(40, 500), y + rng.randrange(40, 400)],
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    img.save(path, "JPEG", quality=92)
    return path.stat().st_size


def measure(runs: int, main_thread: bool) -> tuple[list[float], list[int], list[int], bool]:
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, server() as (url, _), browser() as b:
        photos = [Path(tmp) / f"cam{i}.jpg" for i in range(runs)]
        sizes = [camera_jpeg(p, i) for i, p in enumerate(photos)]
        ctx = phone_context(b, url)
        page = ctx.new_page()
        sign_in(page)
        if main_thread:
            page.evaluate("localStorage.setItem('verval:photo-main-thread', '1')")
        page.locator(".hh-list .hh").first.click()
        page.click("#start-visit")
        page.locator("input[name='outcome'][value='not_home']").locator("xpath=..").click()
        page.click("#next")
        throttle(page, 4)
        out_sizes: list[int] = []
        for i, photo in enumerate(photos):
            tile = page.locator(".photo-tile[data-kind='house_front']")
            with page.expect_file_chooser() as fc:
                tile.locator("button").click()
            fc.value.set_files(str(photo))
            page.wait_for_function(
                f"performance.getEntriesByName('verval:photo').length >= {i + 1}", timeout=60_000
            )
            samples.append(
                page.evaluate(f"performance.getEntriesByName('verval:photo')[{i}].duration")
            )
            tile.locator("img.thumb:not([hidden])").wait_for()
            out_sizes.append(
                page.evaluate("""() => new Promise((resolve) => {
                const open = indexedDB.open('verval');
                open.onsuccess = () => {
                  const r = open.result.transaction('visits').objectStore('visits').getAll();
                  r.onsuccess = () => { const v = r.result[0]; resolve(v.photos[v.photos.length - 1].size); };
                };
            })""")
            )
        src = page.locator(".photo-tile[data-kind='house_front'] img.thumb").get_attribute("src")
        data = page.evaluate(
            "async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer()))", src
        )
        (RESULTS / "pwa_photo_sample.jpg").write_bytes(bytes(data))
        worker = not main_thread and page.evaluate("typeof OffscreenCanvas !== 'undefined'")
        ctx.close()
    return samples, sizes, out_sizes, worker


def main(runs: int = 5) -> None:
    samples, sizes, out_sizes, worker = measure(runs, main_thread=False)
    main_samples, _, _, _ = measure(runs, main_thread=True)
    result = {
        "runs_ms": [round(x) for x in samples],
        "median_ms": round(median(samples)),
        "max_ms": round(max(samples)),
        "main_thread_fallback_runs_ms": [round(x) for x in main_samples],
        "main_thread_fallback_median_ms": round(median(main_samples)),
        "input_bytes": sizes,
        "output_bytes": out_sizes,
        "input_pixels": "4000x3000",
        "output_long_side": 1600,
        "offscreen_canvas_worker": worker,
        "cpu_throttling": 4,
        "budget_ms": BUDGET_MS,
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pwa_photo.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    sys.exit(0 if result["median_ms"] < BUDGET_MS else 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
