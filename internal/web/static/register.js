// Filters that apply as they change. Without this script each filter form
// has a submit button and works the same; with it, a changed select, or a
// text field left after typing, submits the form, so the register, the
// plan and the workspaces list filter on the server, across every page,
// without an Apply round trip. (Submitting while someone types would
// reload the page under their fingers.) It also lets "select all" tick every row of a bulk
// form.
(function () {
  "use strict";

  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    const submit = () => {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    };
    form.addEventListener("change", (ev) => {
      if (ev.target.matches("select, input")) submit();
    });
  }

  for (const all of document.querySelectorAll("input[data-select-all]")) {
    const form = document.getElementById(all.getAttribute("data-select-all"));
    if (!form) continue;
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of form.querySelectorAll("input[type=checkbox][name=risk]")) box.checked = all.checked;
    });
  }
})();
