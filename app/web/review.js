// Review in the page: the claims the extractor staged (GET /v1/review/claims), each with its quote, confidence and
// report, accepted (loaded into the graph) or rejected (dropped) one by one or as a selection, through
// POST /v1/review/claims with the write key typed into the page. Claims waiting on a candidate entity (an actor the
// registry lacks) say so and cannot be accepted until the entity is reviewed (kg review --accept-entity).
import { sendJSON, writeKey } from "./key.js";

const PAGE = 500; // staged claims listed at once; the count says when there are more

/** The review panel. `ctx`: h, panel(...children), getJSON, say, onDecided() (the graph or the queue changed). */
export async function showReview(ctx, notice = null) {
  const { h, panel, getJSON, say } = ctx;
  const listed = await getJSON("/v1/review/claims", { limit: PAGE });
  const error = h("p", { class: "error review-error", role: "alert", hidden: "" });
  const done = h("p", { class: "review-done", role: "status" }, notice || "");
  const boxes = [];

  async function decide(accept, reject) {
    error.hidden = true;
    if (!writeKey()) {
      error.textContent = "Type the write key under “Write key” first: reviewing changes the graph.";
      error.hidden = false;
      return;
    }
    try {
      const result = await sendJSON("POST", "/v1/review/claims", { accept, reject });
      const parts = [];
      if (result.accepted.length) parts.push(`accepted ${result.accepted.length} claim${result.accepted.length === 1 ? "" : "s"} (now in the graph)`);
      if (result.rejected.length) parts.push(`rejected ${result.rejected.length}`);
      const summary = `${parts.join(", ")}; ${result.remaining} still await${result.remaining === 1 ? "s" : ""} review.`;
      ctx.onDecided(result);
      await showReview(ctx, summary[0].toUpperCase() + summary.slice(1));
      say(summary);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  }

  const chosen = () => boxes.filter((box) => box.checked).map((box) => box.value);
  const all = h("input", { type: "checkbox", id: "review-select-all", onchange: () => {
    boxes.forEach((box) => { if (!box.disabled) box.checked = all.checked; });
  } });
  const bulk = (verb, accepting) => h("button", { type: "button", class: `review-${verb.toLowerCase()}-selected`, onclick: () => {
    const ids = chosen();
    if (!ids.length) {
      error.textContent = "Select the claims first (the box beside each claim, or “Select all”).";
      error.hidden = false;
      return;
    }
    decide(accepting ? ids : [], accepting ? [] : ids);
  } }, `${verb} selected`);

  const items = listed.data.map((claim) => {
    const waiting = (claim.waits_on || []).length > 0;
    const box = h("input", { type: "checkbox", class: "review-select", value: claim.id,
      "aria-label": `Select ${claim.subject} ${claim.type} ${claim.object} (${claim.id})` });
    boxes.push(box);
    return h("li", { class: "staged", "data-claim": claim.id },
      h("div", { class: "claim-head" }, box, " ",
        h("strong", {}, `${claim.subject} ${claim.type} ${claim.object}`), " ",
        h("span", { class: `badge status ${claim.status}` }, claim.status), " ",
        h("span", { class: "confidence", "data-confidence": String(claim.confidence) }, `confidence ${Number(claim.confidence).toFixed(2)}`)),
      h("blockquote", { class: "quote" }, claim.quote),
      h("p", { class: "evidence-line" }, `asserted by ${claim.asserted_by} · ${claim.date || "undated"} · report ${claim.source}`,
        claim.extracted_by ? ` · read by ${claim.extracted_by}` : ""),
      waiting ? h("p", { class: "hint waits-on" }, `Waits on candidate entities not reviewed yet: ${claim.waits_on.join(", ")} (kg review --accept-entity).`) : null,
      h("div", { class: "review-actions" },
        h("button", { type: "button", class: "review-accept", disabled: waiting ? "" : null,
          "aria-label": `Accept ${claim.id}`, onclick: () => decide([claim.id], []) }, "Accept"), " ",
        h("button", { type: "button", class: "review-reject", "aria-label": `Reject ${claim.id}`,
          onclick: () => decide([], [claim.id]) }, "Reject")));
  });

  panel(h("section", { id: "review", "aria-label": "Claims awaiting review" },
    h("h2", {}, `Claims awaiting review (${listed.count})`),
    h("p", { class: "hint" }, "Machine-extracted claims held back for an analyst. Accept loads a claim into the graph; ",
      "reject drops it. Both need the write key, typed under “Write key”."),
    done,
    error,
    listed.count ? [
      h("div", { class: "review-bulk", role: "group", "aria-label": "Decide the selected claims" },
        h("label", { for: "review-select-all" }, all, " Select all"), " ", bulk("Accept", true), " ", bulk("Reject", false)),
      h("ol", { class: "staged-claims", "aria-label": "Staged claims" }, items),
      listed.count > listed.data.length ? h("p", { class: "hint" }, `The first ${listed.data.length} are listed.`) : null,
    ] : h("p", { class: "review-empty" }, "No claim awaits review."),
  ));
}
