// The offline explorer: every claim, its verdict under any rule of the grid, and its audit trail.
// All ledger text reaches the page through textContent or DataTables' text renderer, never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const VERDICTS = data.verdict_names;
  const byId = Object.fromEntries(data.claims.map((c) => [c.id, c]));
  const rulesById = Object.fromEntries(data.rules.map((r) => [r.id, r]));
  const $ = (id) => document.getElementById(id);
  let current = data.primary;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function applyRule(ruleId) {
    if (!rulesById[ruleId]) ruleId = data.primary;
    current = ruleId;
    const codes = data.verdicts[ruleId];
    const matched = data.matched[ruleId] || {};
    data.claims.forEach((c, i) => {
      c.verdict = VERDICTS[Number(codes[i])].replace(/_/g, " ");
      c.matched = matched[c.id] || "";
    });
    $("rule").value = ruleId;
    const scored = data.claims.filter((c) => c.scored_as === "prediction" && (c.verdict === "materialized" || c.verdict === "not materialized"));
    const hits = scored.filter((c) => c.verdict === "materialized").length;
    $("rule-summary").textContent =
      "Under this rule, " + hits + " of " + scored.length + " scored predictions were followed by a documented incident" +
      (ruleId === data.primary ? " (the primary rule)." : ".");
  }

  function sourcesCell(sources) {
    const span = document.createElement("span");
    sources.forEach((s, i) => {
      if (i) span.appendChild(document.createTextNode(" "));
      if (/^https?:\/\/[^\s<>"'()\[\]`]+$/.test(s.url)) {
        const a = el("a", s.label);
        a.href = s.url;
        a.rel = "noopener noreferrer";
        span.appendChild(a);
      } else {
        span.appendChild(document.createTextNode(s.url));
      }
    });
    return span;
  }

  // The one place HTML is built from data: every value escaped, a link only for a plain http(s) URL.
  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (ch) => "&#" + ch.charCodeAt(0) + ";");
  function sourcesHtml(sources) {
    return sources
      .map((s) => (/^https?:\/\/[^\s<>"'()\[\]`]+$/.test(s.url)
        ? '<a href="' + escapeHtml(s.url) + '" rel="noopener noreferrer">' + escapeHtml(s.label) + "</a>"
        : escapeHtml(s.url)))
      .join(" ");
  }

  function showClaim(id) {
    const box = $("detail");
    box.replaceChildren();
    box.dataset.claim = id;
    const c = byId[id];
    if (!c) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(el("h2", c.id + " · " + c.date_text + " · " + c.group_label));
    const dl = document.createElement("dl");
    const add = (term, value) => {
      if (value === undefined || value === null || value === "") return;
      dl.appendChild(el("dt", term));
      const dd = el("dd");
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
      dl.appendChild(dd);
    };
    add("Claimant", c.claimant);
    add("Type", c.type.replace(/_/g, " "));
    add("What was claimed", c.summary);
    add("Key phrase", c.key_phrase);
    add("Places", c.places.join("; ") + (c.place_text ? " (as stated: " + c.place_text + ")" : ""));
    add("Outlets", c.outlets);
    add("Verification", c.verification);
    add("Verdict under the selected rule", c.verdict + (c.matched ? " (incident: " + c.matched + ")" : ""));
    const rule = rulesById[current];
    add("Selected rule", rule.label);
    const p = data.primary_detail[c.id] || {};
    add("Window under the primary rule", p.window_start ? p.window_start + " to " + (p.window_end || "?") : "");
    add("Candidates considered (primary rule)", p.candidates || "none");
    add("Reason (primary rule)", p.reason);
    if (c.matched) {
      c.matched.split(";").forEach((iid) => {
        const inc = data.incidents[iid];
        if (inc) add("Incident " + iid, inc.date + ", " + inc.place_text + "; evidence: " + inc.evidence + ". " + inc.alleged_perpetrator);
      });
    }
    add("Sources", sourcesCell(c.sources));
    if (c.story_id) {
      const others = data.claims.filter((o) => o.story_id === c.story_id && o.id !== c.id);
      add("Same story (" + c.story_id + ")", others.length ? others.map((o) => o.id + " (" + o.date_text + ", " + o.verdict + ")").join("; ") : "no other row");
    }
    box.appendChild(dl);
  }

  // Rule picker and filters, built from the data with textContent only.
  data.rules.forEach((r) => {
    const option = el("option", r.label + (r.id === data.primary ? " (primary)" : ""));
    option.value = r.id;
    $("rule").appendChild(option);
  });
  const fill = (selectId, values) => values.forEach((v) => {
    const option = el("option", v);
    option.value = v;
    $(selectId).appendChild(option);
  });
  fill("verdict-filter", VERDICTS.map((v) => v.replace(/_/g, " ")));
  fill("group-filter", [...new Set(data.claims.map((c) => c.group_label))].sort());

  applyRule(current);
  const text = DataTable.render.text();
  DataTable.ext.search.push((settings, searchData, index, row) => {
    const verdict = $("verdict-filter").value, group = $("group-filter").value;
    return (!verdict || row.verdict === verdict) && (!group || row.group_label === group);
  });
  const table = new DataTable("#claims", {
    data: data.claims,
    paging: false,
    order: [[1, "asc"]],
    columns: [
      { data: "id", title: "claim", render: text },
      { data: "date_text", title: "date", className: "dt-left date", render: (d, type, row) => (type === "sort" || type === "type" ? row.date_sort : text.display(d)) },
      { data: "group_label", title: "group", render: text },
      { data: "type", title: "type", render: (d, type) => text.display(d.replace(/_/g, " ")) },
      { data: "places", title: "places", render: (d) => text.display(d.join("; ")) },
      { data: "outlets", title: "outlets", render: text },
      { data: "verdict", title: "verdict", render: text, className: "verdict" },
      { data: "matched", title: "incident matched", render: text },
      { data: "summary", title: "summary", render: text, visible: false },
      { data: "claimant", title: "claimant", render: text, visible: false },
      { data: "sources", title: "sources", orderable: false,
        render: (d, type) => (type === "display" ? sourcesHtml(d) : d.map((s) => s.label).join(" ")) },
    ],
    rowId: "id",
  });

  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    applyRule(params.get("rule") || data.primary);
    $("verdict-filter").value = params.get("verdict") || "";
    $("group-filter").value = params.get("group") || "";
    table.rows().invalidate("data");
    table.search(params.get("q") || "").draw();
    showClaim(params.get("claim") || "");
  }
  $("rule").addEventListener("change", (e) => { applyRule(e.target.value); table.rows().invalidate("data").draw(false); showClaim($("detail").dataset.claim || ""); });
  $("verdict-filter").addEventListener("change", () => table.draw());
  $("group-filter").addEventListener("change", () => table.draw());
  document.querySelector("#claims tbody").addEventListener("click", (e) => {
    const tr = e.target.closest("tr");
    if (!tr || e.target.closest("a")) return;
    const row = table.row(tr).data();
    if (row) { showClaim(row.id); $("detail").scrollIntoView(); }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
  document.body.dataset.ready = "1";
})();
