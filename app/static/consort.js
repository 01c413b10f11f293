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

  // Offer only the units of the chosen category (without scripts, every category's units show, grouped by it).
  document.querySelectorAll("select[data-unit-groups]").forEach(function (units) {
    var groups = JSON.parse(units.getAttribute("data-unit-groups"));
    var category = document.getElementById(units.getAttribute("data-category-field"));
    if (!category) { return; }
    function offer() {
      var chosen = groups[category.value];
      var kept = false;
      units.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.label === chosen;
        group.hidden = !mine;
        group.disabled = !mine;
        if (mine && units.selectedOptions.length && units.selectedOptions[0].parentElement === group) { kept = true; }
      });
      if (!kept) {
        var first = units.querySelector("optgroup:not([disabled]) option");
        if (first) { first.selected = true; }
      }
    }
    category.addEventListener("change", offer);
    offer();
  });

  // Save a draft as it is typed; the "Save draft" button does the same without scripts.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var saving = false;
    var again = false;
    function say(text) { if (status) { status.textContent = text; } }
    function save() {
      if (saving) { again = true; return; }
      saving = true;
      say("Saving…");
      fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"X-Autosave": "1", "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            say("Draft saved at " + new Date(body.saved_at).toLocaleTimeString("en-GB") + ".");
          } else {
            say("Not saved yet: " + body.message);
          }
        });
      }).catch(function () {
        say("Not saved: the connection failed. Use “Save draft” when you are back online.");
      }).finally(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    }
    function later() { clearTimeout(timer); timer = setTimeout(save, 1500); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });
});
