// The path finder's options, as an analyst asks: how many paths (k), over which ties (hostile, friendly or any,
// chosen explicitly), which relation types and which statuses. Which categories make a tie hostile or friendly
// comes from the ontology (`ties` in GET /v1/schema), as do the types and statuses; none is named in this file.
// The API applies them all (GET /v1/paths?k=&ties=&types=&status=), so the paths drawn are the API's.

export const ANY_TIE = "any";
// The most paths the page asks for at once (the API allows more, but a view of more is no longer readable).
export const MOST_PATHS = 10;

/** Fill `container` with the options: k, the tie, relation types and statuses, each labelled for the keyboard. */
export function buildPathOptions(h, container, schema) {
  const ties = Object.entries(schema.ties || {});
  const byCategory = new Map();
  for (const [type, spec] of Object.entries(schema.relation_types)) {
    if (!byCategory.has(spec.category)) byCategory.set(spec.category, []);
    byCategory.get(spec.category).push(type);
  }
  container.replaceChildren(
    h("label", { for: "path-k" }, "How many paths (shortest first)"),
    h("input", { id: "path-k", type: "number", min: "1", max: String(MOST_PATHS), value: "1", inputmode: "numeric" }),
    h("fieldset", { id: "path-ties", class: "ties" },
      h("legend", {}, "Ties followed"),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "path-tie", value: ANY_TIE, checked: "" }), "any tie"),
      ties.map(([tie, categories]) => h("label", { class: "inline", title: `claims of the categories ${categories.join(", ")}` },
        h("input", { type: "radio", name: "path-tie", value: tie }), `${tie} ties (${categories.join(", ")})`))),
    h("details", { class: "path-more" },
      h("summary", {}, "Relation types and statuses"),
      h("label", { for: "path-types" }, "Relation types on the path (none selected: all of the tie)"),
      h("select", { id: "path-types", multiple: "", size: "5" }, [...byCategory].map(([category, types]) =>
        h("optgroup", { label: category }, types.map((type) => h("option", { value: type }, type))))),
      h("div", { id: "path-status", role: "group", "aria-label": "Statuses of the claims on the path" },
        Object.keys(schema.statuses).map((status) => h("label", { class: "inline" },
          h("input", { type: "checkbox", value: status, checked: "" }), status)))),
  );
}

/** The options as chosen on the page: {pk, tie, ptypes, pstatus} (the state's names; empty lists: any). */
export function readPathOptions() {
  const k = Math.min(Math.max(Number.parseInt(document.querySelector("#path-k").value, 10) || 1, 1), MOST_PATHS);
  document.querySelector("#path-k").value = String(k);
  const tie = document.querySelector("input[name=path-tie]:checked")?.value || ANY_TIE;
  const ptypes = [...document.querySelector("#path-types").selectedOptions].map((option) => option.value);
  const boxes = [...document.querySelectorAll("#path-status input")];
  const checked = boxes.filter((box) => box.checked).map((box) => box.value);
  return { pk: k, tie, ptypes, pstatus: checked.length === boxes.length ? [] : checked };
}

/** Set the controls from a state (a link being opened, or a cleared view). */
export function writePathOptions(state) {
  document.querySelector("#path-k").value = String(state.pk || 1);
  for (const radio of document.querySelectorAll("input[name=path-tie]")) radio.checked = radio.value === (state.tie || ANY_TIE);
  for (const option of document.querySelector("#path-types").options) option.selected = state.ptypes.includes(option.value);
  for (const box of document.querySelectorAll("#path-status input")) box.checked = !state.pstatus.length || state.pstatus.includes(box.value);
  if (state.ptypes.length || state.pstatus.length) document.querySelector("#path-options .path-more").open = true;
}

/** The options as GET /v1/paths takes them. */
export function pathParams(state) {
  return { k: state.pk || 1, ties: state.tie || ANY_TIE, types: state.ptypes.join(","), status: state.pstatus.join(",") };
}

/** The options in words, for the panel's heading and the status line. */
export function describePathOptions(state) {
  const parts = [`${state.pk || 1} shortest`];
  parts.push(state.tie && state.tie !== ANY_TIE ? `over ${state.tie} ties` : "over any tie");
  if (state.ptypes.length) parts.push(`of types ${state.ptypes.join(", ")}`);
  if (state.pstatus.length) parts.push(`with status ${state.pstatus.join(" or ")}`);
  return parts.join(" ");
}
