// Per-area string tables for the staff screens (Indonesian first, English second), so
// each area keeps its words beside its code instead of growing the phone's i18n.ts.
import { lang } from "../i18n";

export type Table = Record<string, string>;

export function strings<T extends Table>(id: T, en: { [K in keyof T]: string }) {
  return (key: keyof T & string, vars?: Record<string, string | number>): string => {
    let s: string = (lang() === "en" ? en[key] : id[key]) ?? id[key] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}
