// Lists inside a model form (a system's endpoints, a role's access list):
// "Add another" inserts a blank row in place. Without this script the same
// button submits the form, and the server sends it back as typed with one
// more blank row; either way nothing is saved until Save.
//
// Each list carries the blank row to copy in a <template>, numbered __N__
// in its field names and __POS__ in its labels; the copy takes the next
// free number and its position in the table.
(function () {
  "use strict";

  const attrs = ["id", "name", "for", "aria-describedby", "data-n"];

  function addRow(fieldset) {
    const tpl = fieldset.querySelector("template.row-template");
    const body = fieldset.querySelector("table.rows tbody");
    if (!tpl || !body || !tpl.content.firstElementChild) return false;
    let next = 0;
    for (const tr of body.querySelectorAll("tr[data-n]")) {
      const n = parseInt(tr.getAttribute("data-n"), 10);
      if (!isNaN(n)) next = Math.max(next, n + 1);
    }
    const pos = String(body.querySelectorAll("tr").length + 1);
    const row = tpl.content.firstElementChild.cloneNode(true);
    for (const el of [row, ...row.querySelectorAll("*")]) {
      for (const a of attrs) {
        const v = el.getAttribute(a);
        if (v !== null) el.setAttribute(a, v.split("__N__").join(String(next)));
      }
    }
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const t = walker.currentNode;
      if (t.nodeValue.includes("__POS__")) t.nodeValue = t.nodeValue.split("__POS__").join(pos);
    }
    body.appendChild(row);
    const first = row.querySelector("input, select, textarea");
    if (first) first.focus();
    return true;
  }

  for (const fieldset of document.querySelectorAll("fieldset.rows")) {
    const button = fieldset.querySelector("button.add-row");
    if (!button) continue;
    button.addEventListener("click", function (ev) {
      if (addRow(fieldset)) ev.preventDefault();
    });
  }
})();
