// The staff side of the PWA (supervisors, auditors, admins): same origin, same sign-in;
// what a person sees follows their role. Each area is its own lazily loaded chunk, so
// an enumerator's phone never downloads these screens.
import { strings } from "./strings";

export type Screen = (root: HTMLElement, ...args: string[]) => Promise<() => void>;
export type Route = [Screen, string[], string];

export const STAFF_ROLES = new Set(["supervisor", "auditor", "admin", "village_operator"]);

export function isStaff(role: string | undefined): boolean {
  return role !== undefined && STAFF_ROLES.has(role);
}

const s = strings(
  { review: "Periksa", progress: "Kemajuan", assign: "Penugasan", audit: "Audit", village: "Musdes", civil: "Dukcapil", account: "Akun" },
  { review: "Review", progress: "Progress", assign: "Assignments", audit: "Audit", village: "Deliberation", civil: "Civil registry", account: "Account" },
);

/** The staff menu for a role: [route name, href, label]. */
export function staffMenu(role: string): [string, string, string][] {
  if (role === "village_operator") {
    return [["village", "#/village", s("village")], ["account", "#/account", s("account")]];
  }
  const items: [string, string, string][] = [
    ["review", "#/review", s("review")],
    ["progress", "#/progress", s("progress")],
  ];
  if (role === "supervisor" || role === "admin") items.push(["assign", "#/assign", s("assign")]);
  items.push(["audit", "#/audit", s("audit")]);
  if (role === "supervisor" || role === "admin") items.push(["village", "#/village", s("village")]);
  if (role === "admin") items.push(["civil", "#/civil", s("civil")]);
  items.push(["account", "#/account", s("account")]);
  return items;
}

/**
 * #/review                      queue (filters in the query part of the hash)
 * #/review/visit/<uuid>         one visit
 * #/progress                    progress per village and enumerator, visits on a map
 * #/assign                      assignment management
 * #/audit                       auditor home: household search, verify a region, bundles
 * #/audit/household/<id>        one household's trail
 * #/village[/<code>[/<round>[/<tab>]]]  the village: usulan | musdes | uji-publik | sanggahan
 * #/civil                       civil-registry extract uploads and API keys (admin)
 */
export async function staffScreenFor(head: string, rest: string[], role = ""): Promise<Route | null> {
  // A village operator's home is its villages' deliberation; nothing else is theirs.
  if (role === "village_operator" && head !== "village") [head, rest] = ["village", []];
  switch (head) {
    case "village":
      return [(await import("./village/village")).villageScreen, rest, "village"];
    case "":
    case "review":
      if (rest[0] === "visit" && rest[1]) {
        return [(await import("./review/visit")).visitReviewScreen, [rest[1]], "review-visit"];
      }
      return [(await import("./review/queue")).reviewQueueScreen, rest, "review"];
    case "progress":
      return [(await import("./progress/progress")).progressScreen, rest, "progress"];
    case "civil":
      return role === "admin" ? [(await import("./civil/civil")).civilScreen, rest, "civil"] : null;
    case "assign":
      return [(await import("./assign/assign")).assignScreen, rest, "assign"];
    case "audit":
      if (rest[0] === "household" && rest[1]) {
        return [(await import("./audit/trail")).trailScreen, [rest[1]], "audit-trail"];
      }
      return [(await import("./audit/audit")).auditScreen, rest, "audit"];
    default:
      return null;
  }
}
