// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to an error summary so keyboard and screen-reader users hear what went wrong.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Ask before an irreversible step; the server still checks everything.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
