// A word count under each answer that has a word limit, as the supplier types. Progressive enhancement only:
// without this file the limit is still in the field's hint and the server still counts the words.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var counter = document.createElement("p");
    counter.className = "word-count hint";
    counter.id = area.id + "-count";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    function words() { var text = area.value.trim(); return text ? text.split(/\s+/).length : 0; }
    function show() {
      var count = words();
      var over = count > limit;
      counter.textContent = over ? "You have " + (count - limit) + " word" + (count - limit === 1 ? "" : "s") +
        " too many (" + count + " of " + limit + ")" : "You have " + (limit - count) + " word" +
        (limit - count === 1 ? "" : "s") + " remaining (" + count + " of " + limit + ")";
      counter.classList.toggle("word-count-over", over);
    }
    area.addEventListener("input", show);
    show();
  });
});
