// The model forms: a link of the error summary puts the cursor in the
// field it names (a link to a group of boxes, in its first box), and a
// refused form brings its summary into view first.
(() => {
  "use strict";
  const summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[href^='#']");
    if (!a) return;
    const target = document.getElementById(a.getAttribute("href").slice(1));
    if (!target) return;
    ev.preventDefault();
    const control = target.matches("input, select, textarea") ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    target.scrollIntoView({ block: "center" });
    (control || target).focus({ preventScroll: true });
  });
})();
