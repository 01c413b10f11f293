// GOV.UK's character count, counting words: the message under each answer with a word limit ("You can enter up
// to 500 words") follows what is typed. Progressive enhancement only: without this file the message states the
// limit and the server still counts the words.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var counter = document.getElementById(area.id + "-info");
    if (!counter) {
      counter = document.createElement("p");
      counter.className = "word-count hint";
      counter.id = area.id + "-info";
      area.insertAdjacentElement("afterend", counter);
      area.setAttribute("aria-describedby", ((area.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    }
    counter.setAttribute("aria-live", "polite");
    function words() { var text = area.value.trim(); return text ? text.split(/\s+/).length : 0; }
    function plural(n) { return n + " word" + (n === 1 ? "" : "s"); }
    function show() {
      var count = words();
      var over = count > limit;
      counter.textContent = over ? "You have " + plural(count - limit) + " too many (" + count + " of " + limit + ")"
        : "You have " + plural(limit - count) + " remaining (" + count + " of " + limit + ")";
      counter.classList.toggle("word-count-over", over);
    }
    area.addEventListener("input", show);
    show();
  });
});
