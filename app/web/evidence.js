// Evidence inline: every claim an answer (or a node, or a report) lists shows, without a click, what an analyst
// weighs it by: its quote, status, who asserts it, the source with its reliability grade, the date, and how many
// other sources say the same (its corroboration). The claims come as the API gives them; the asserters' names and
// the corroboration come in one batched request per page of claims (GET /v1/claims/evidence), filled in once
// they arrive. A source's grade can be changed here with the write key (PATCH /v1/sources/{id}).
import { sendJSON } from "./key.js";

const BATCH = 500; // claims per evidence request, the API's bound
export const GRADES = ["A", "B", "C", "D", "E", "F"];
const GRADE_WORDS = { A: "reliable", B: "usually reliable", C: "fairly reliable", D: "not usually reliable", E: "unreliable", F: "cannot be judged" };

/** "B (usually reliable)" or "not graded". */
export function gradeText(grade) {
  return grade ? `${grade} (${GRADE_WORDS[grade] || "?"})` : "not graded";
}

/** The reliability badge of a source; every badge of one source is updated at once when it is graded. */
export function reliabilityBadge(h, sourceId, grade) {
  return h("span", { class: `reliability grade-${grade || "none"}`, "data-source": sourceId, "data-grade": grade || "",
    title: "The source's reliability, A (reliable) to F (cannot be judged)" }, `reliability ${gradeText(grade)}`);
}

function citation(h, report) {
  const text = `${report.outlet}: ${report.title}${report.published ? ` (${report.published})` : ""}`;
  // Only web links become links: a report's URL is data, and a javascript: URL must never run.
  return /^https?:\/\//i.test(report.url || "")
    ? h("a", { href: report.url, target: "_blank", rel: "noopener noreferrer" }, text) : text;
}

/** The source part of an evidence line: filled now when the claim carries its report, else by fillEvidence. */
function sourcePart(h, claim) {
  const report = claim.report;
  return h("span", { class: "source", "data-source": claim.source, "data-pending": report ? null : "" },
    report ? [citation(h, report), " ", reliabilityBadge(h, claim.source, report.reliability)] : claim.source);
}

/** One claim with its evidence. `ways.openClaim(id)` opens it in full (the quote in its report). */
export function evidenceItem(h, claim, ways, names = {}) {
  const subject = claim.subject_name || names[claim.subject] || claim.subject;
  const object = claim.object_name || names[claim.object] || claim.object;
  const date = claim.date ? claim.date + (claim.end_date ? ` to ${claim.end_date}` : "") : "undated";
  const extracted = claim.extracted_by && claim.extracted_by !== "curated";
  return h("li", { class: "evidence", "data-claim": claim.id },
    h("div", { class: "claim-head" },
      h("button", { type: "button", class: "claim-link", "data-claim": claim.id, title: "Open the quote in its report",
        onclick: () => ways.openClaim(claim.id) }, `${subject} ${claim.type} ${object}`),
      " ", h("span", { class: `badge status ${claim.status}` }, claim.status),
      claim.disputed ? [" ", h("span", { class: "badge disputed" }, "disputed")] : null,
      extracted ? [" ", h("span", { class: "badge extracted" }, `⚙ confidence ${claim.confidence}`)] : null),
    h("blockquote", { class: "quote" }, claim.quote),
    h("p", { class: "evidence-line" },
      h("span", { class: "asserted-by", "data-id": claim.asserted_by }, `asserted by ${names[claim.asserted_by] || claim.asserted_by}`),
      " · ", h("span", { class: "claim-date" }, date),
      " · ", sourcePart(h, claim),
      " · ", h("span", { class: "corroboration", "data-count": "" }, "corroboration …")));
}

/** A list of claims with their evidence. */
export function evidenceList(h, claims, ways, label, names = {}) {
  return h("ol", { class: "claims evidence-list", "aria-label": label }, claims.map((claim) => evidenceItem(h, claim, ways, names)));
}

function corroborationText(count) {
  if (!count) return "no other source says the same";
  return `${count} other source${count === 1 ? "" : "s"} say${count === 1 ? "s" : ""} the same`;
}

/** The evidence of these claims by id ({asserted_by_name, corroboration}), read 500 claims a request. */
export async function loadEvidenceMap(getJSON, claimIds) {
  const ids = [...new Set(claimIds)];
  const found = new Map();
  for (let start = 0; start < ids.length; start += BATCH) {
    const page = await getJSON("/v1/claims/evidence", { ids: ids.slice(start, start + BATCH).join(",") });
    page.data.forEach((entry) => found.set(entry.id, entry));
  }
  return found;
}

/** Fill the asserters' names, the corroboration and any missing citation of every evidence item under `root`:
 * one evidence request per 500 claims, one source read per report not cited yet (`sourceOf(id)` is the page's
 * cached GET /v1/sources/{id}). */
export async function fillEvidence(h, root, getJSON, sourceOf) {
  const items = [...root.querySelectorAll("li.evidence[data-claim]")];
  const found = items.length ? await loadEvidenceMap(getJSON, items.map((item) => item.dataset.claim)) : new Map();
  for (const item of items) {
    const entry = found.get(item.dataset.claim);
    if (!entry) continue;
    item.querySelector(".asserted-by").textContent = `asserted by ${entry.asserted_by_name}`;
    const count = item.querySelector(".corroboration");
    count.dataset.count = String(entry.corroboration);
    count.textContent = corroborationText(entry.corroboration);
  }
  const pending = [...root.querySelectorAll(".source[data-pending]")];
  const sources = new Map();
  for (const id of new Set(pending.map((part) => part.dataset.source))) {
    sources.set(id, (await sourceOf(id)).source);
  }
  for (const part of pending) {
    const report = sources.get(part.dataset.source);
    part.replaceChildren(citation(h, report), " ", reliabilityBadge(h, report.id, report.reliability));
    delete part.dataset.pending;
  }
}

/** A source's grade, changed with the write key: a choice of A-F (or none) and a button; `onGraded(source)` is
 * told the source as written, and every badge of it on the page shows the new grade. */
export function gradeEditor(h, sourceId, grade, onGraded) {
  const select = h("select", { class: "grade-choice", "aria-label": "Reliability grade of this source" },
    h("option", { value: "" }, "not graded"),
    GRADES.map((g) => h("option", { value: g }, gradeText(g))));
  select.value = grade || "";
  const message = h("span", { class: "grade-message", role: "status" });
  const save = h("button", { type: "button", class: "save-grade", onclick: async () => {
    message.textContent = "";
    message.classList.remove("error");
    save.disabled = true;
    try {
      const written = await sendJSON("PATCH", `/v1/sources/${encodeURIComponent(sourceId)}`, { reliability: select.value || null });
      for (const badge of document.querySelectorAll(`.reliability[data-source="${CSS.escape(sourceId)}"]`)) {
        badge.replaceWith(reliabilityBadge(h, sourceId, written.reliability));
      }
      message.textContent = `Graded ${gradeText(written.reliability)}.`;
      onGraded(written);
    } catch (error) {
      message.textContent = error.message;
      message.classList.add("error");
      message.setAttribute("role", "alert");
    } finally {
      save.disabled = false;
    }
  } }, "Save grade");
  return h("div", { class: "grade-editor", "data-source": sourceId },
    h("label", {}, "Grade this source ", select), " ", save, " ", message);
}
