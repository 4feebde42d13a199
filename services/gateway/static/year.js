// The year's pages: a print button and a confirmation before irreversible actions.
// (The Content-Security-Policy allows no inline script, hence this file.)
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  var refused = document.querySelector("[data-scroll-here]");
  if (refused) { refused.scrollIntoView({block: "center"}); }
});
