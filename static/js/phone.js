/* A wide table scrolls inside its own .table-responsive box (finsam.css). When the box really scrolls
   and holds nothing else the keyboard can reach, it becomes focusable itself, named after the
   table's caption, so that arrow keys scroll it (WCAG 2.1.1). Re-checked when the window changes
   size and after htmx swaps in new content. */
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([data-scroll-box])";

  function check(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.querySelector(FOCUSABLE)) {
      if (!box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-box", "");
        var caption = box.querySelector("caption");
        var name = caption ? caption.textContent.trim() : "";
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name ? name + " (rullas i sidled)" : "Tabell (rullas i sidled)");
      }
    } else if (box.hasAttribute("data-scroll-box")) {
      ["tabindex", "data-scroll-box", "role", "aria-label"].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }

  function checkAll() {
    document.querySelectorAll(".table-responsive").forEach(check);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(checkAll, 150);
  });
  document.addEventListener("htmx:afterSettle", checkAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", checkAll);
  } else {
    checkAll();
  }
})();
