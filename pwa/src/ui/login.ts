// Sign-in: username + password, or the enrolment code (typed, or scanned as a QR code).
import { app } from "../app/controller";
import { ApiError, NetworkError } from "../api/http";
import { t } from "../i18n";
import { h, nodes } from "./dom";

function message(e: unknown): string {
  if (e instanceof NetworkError) return t("offline_sign_in");
  if (e instanceof ApiError) {
    if (e.status === 429) return t("too_many", { m: Math.max(1, Math.ceil((e.retryAfter ?? 900) / 60)) });
    if (e.code === "invalid_credentials") return t("bad_credentials");
    if (e.status === 401 || e.status === 404 || e.status === 400 || e.status === 422) return t("bad_code");
    return t("error_generic", { m: e.message });
  }
  return t("error_generic", { m: e instanceof Error ? e.message : String(e) });
}

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

export async function loginScreen(root: HTMLElement): Promise<() => void> {
  const previous = app.session;
  const err = h("div", { class: "err big", role: "alert" });
  let mode: "password" | "code" = "password";
  let stopScan: (() => void) | null = null;

  const username = h("input", { id: "username", name: "username", autocomplete: "username", autocapitalize: "none", spellcheck: false, required: true, value: previous?.username ?? "" });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const showPw = h("button", { type: "button", class: "btn secondary small", onclick: () => { password.type = password.type === "password" ? "text" : "password"; } }, t("show_password"));
  const code = h("input", { id: "code", name: "code", autocomplete: "one-time-code", autocapitalize: "characters", spellcheck: false, placeholder: "K7QM-3XTP" });
  const submit = h("button", { type: "submit", class: "btn primary wide", id: "sign-in" }, t("sign_in"));

  const pwForm = h("div", { class: "login-fields" },
    h("label", { class: "q", for: "username" }, t("username")), username,
    h("label", { class: "q", for: "password" }, t("password")), h("div", { class: "row pw" }, password, showPw),
  );
  const video = h("video", { class: "scan-video", playsinline: true, muted: true, hidden: true });
  const scanBtn = h("button", { type: "button", class: "btn secondary wide" }, "▣ " + t("scan_qr"));
  const hasDetector = "BarcodeDetector" in window;
  scanBtn.hidden = !hasDetector;
  const codeForm = h("div", { class: "login-fields", hidden: true },
    h("label", { class: "q", for: "code" }, t("enrol_code")), code, scanBtn, video,
  );

  const scan = async () => {
    if (stopScan) {
      stopScan();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      const Ctor = (window as unknown as { BarcodeDetector: new (o: unknown) => Detector }).BarcodeDetector;
      const detector = new Ctor({ formats: ["qr_code"] });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      scanBtn.textContent = t("stop_scan");
      let running = true;
      stopScan = () => {
        running = false;
        stream.getTracks().forEach((tr) => tr.stop());
        video.hidden = true;
        scanBtn.textContent = "▣ " + t("scan_qr");
        stopScan = null;
      };
      const loop = async () => {
        if (!running) return;
        try {
          const found = await detector.detect(video);
          const hit = found.find((f) => f.rawValue.startsWith("VERVAL-ENROL:"));
          if (hit) {
            code.value = hit.rawValue.slice("VERVAL-ENROL:".length);
            stopScan?.();
            form.requestSubmit();
            return;
          }
        } catch {
          /* next frame */
        }
        setTimeout(() => void loop(), 250);
      };
      void loop();
    } catch (e) {
      err.textContent = t("error_generic", { m: e instanceof Error ? e.message : String(e) });
    }
  };
  scanBtn.addEventListener("click", () => void scan());

  const tabs = h("div", { class: "tabs", role: "tablist" });
  const setMode = (m: typeof mode) => {
    mode = m;
    pwForm.hidden = m !== "password";
    codeForm.hidden = m !== "code";
    tabs.querySelectorAll("button").forEach((b) => {
      const on = b.dataset.mode === m;
      b.classList.toggle("on", on);
      b.setAttribute("aria-selected", String(on));
    });
    err.textContent = "";
  };
  tabs.append(
    h("button", { type: "button", role: "tab", "data-mode": "password", class: "tab on", onclick: () => setMode("password") }, t("sign_in_password")),
    h("button", { type: "button", role: "tab", "data-mode": "code", class: "tab", onclick: () => setMode("code") }, t("sign_in_code")),
  );

  const form = h("form", { class: "login", novalidate: true }, tabs, pwForm, codeForm, err, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.textContent = "";
    submit.disabled = true;
    submit.textContent = t("signing_in");
    try {
      if (mode === "password") await app.signInPassword(username.value, password.value);
      else await app.signInCode(code.value);
      location.hash = "#/";
      void app.afterReconnect();
    } catch (e) {
      err.textContent = message(e);
    } finally {
      submit.disabled = false;
      submit.textContent = t("sign_in");
    }
  });

  root.replaceChildren(...nodes(
    h("div", { class: "login-brand" }, h("img", { src: "/icons/icon-192.png", alt: "", width: 72, height: 72 }), h("h1", null, t("app_name")), h("p", null, t("app_tagline"))),
    previous?.needsSignIn ? h("div", { class: "card warn" }, t("session_ended")) : null,
    form,
  ));
  if (!username.value) username.focus();
  return () => stopScan?.();
}
